package io.ragmill.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real quantized MiniLM model, loaded from the jar that ships it. */
class MiniLmEmbedderTest {
  private static MiniLmEmbedder model;

  @BeforeAll
  static void load() {
    model = new MiniLmEmbedder();
  }

  @Test
  void paraphrasesScoreHigherThanUnrelatedSentences() {
    List<Vector> v =
        model.embed(
            List.of(
                "How do I reset my password?",
                "What are the steps to change a forgotten password?",
                "The recipe needs two cups of flour and an egg.",
                "Where can I recover access to my account login?"));
    float paraphrase = v.get(0).dot(v.get(1));
    float unrelated = v.get(0).dot(v.get(2));
    assertTrue(paraphrase > unrelated + 0.3f, "paraphrase " + paraphrase + " vs unrelated " + unrelated);
    assertTrue(v.get(0).dot(v.get(3)) > unrelated, "related question should beat the recipe");
  }

  @Test
  void vectorsAreUnitLengthWith384Dimensions() {
    Vector v = model.embed(List.of("unit length")).get(0);
    assertEquals(384, v.dimension());
    assertEquals(1.0, v.dot(v), 1e-4);
  }

  @Test
  void batchedInferenceMatchesLangchain4jOneTextAtATime() {
    var reference =
        new dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel(Runnable::run);
    List<String> texts =
        List.of(
            "short",
            "A somewhat longer sentence about distributed caches and their invalidation.",
            "Ragmill batches embeddings: padded batches with attention masks, then mean pooling over real tokens.");
    List<Vector> batched = model.embed(texts);
    for (int i = 0; i < texts.size(); i++) {
      Vector expected = Vector.normalized(reference.embed(texts.get(i)).content().vector());
      // dynamic quantization takes its ranges from the whole batch: close, not identical
      assertTrue(batched.get(i).dot(expected) > 0.97, "text " + i + ": " + batched.get(i).dot(expected));
    }
    for (int i = 0; i < texts.size(); i++) {
      assertEquals(1.0, model.embed(List.of(texts.get(i))).get(0).dot(Vector.normalized(reference.embed(texts.get(i)).content().vector())), 1e-4);
    }
  }

  @Test
  void batchOrderIsPreserved() {
    List<String> texts =
        List.of("a cat sat on the mat", "quarterly revenue grew by ten percent", "x", "the rocket reached orbit at dawn");
    List<Vector> batch = model.embed(texts);
    for (int i = 0; i < texts.size(); i++) {
      Vector alone = model.embed(List.of(texts.get(i))).get(0);
      int closest = 0;
      for (int j = 1; j < texts.size(); j++) {
        if (batch.get(j).dot(alone) > batch.get(closest).dot(alone)) {
          closest = j;
        }
      }
      assertEquals(i, closest, "batched vector " + closest + " is nearest to text " + i);
    }
  }

  @Test
  void parallelRunsGiveTheVectorsOfTheSameSubBatchesRunOneAfterAnother() {
    // 96 texts are three sub-batches of 32 either way; run side by side they must come out the
    // same, each in its own place
    List<String> texts = ModelBenchmark.sentences(96, 3, 30, new java.util.Random(5));
    try (MiniLmEmbedder sequential = new MiniLmEmbedder(1, false, 1);
        MiniLmEmbedder parallel = new MiniLmEmbedder(1, false, 3)) {
      List<Vector> expected = sequential.embed(texts);
      for (int round = 0; round < 3; round++) {
        List<Vector> actual = parallel.embed(texts);
        assertEquals(texts.size(), actual.size());
        for (int i = 0; i < texts.size(); i++) {
          assertEquals(1.0, actual.get(i).dot(expected.get(i)), 1e-5, "text " + i + " in round " + round);
        }
      }
    }
  }

  @Test
  void embedEachGivesEveryTextTheVectorItGetsAlone() {
    List<String> texts = ModelBenchmark.sentences(9, 3, 30, new java.util.Random(8));
    List<Vector> each = model.embedEach(texts);
    List<Vector> batched = model.embed(texts);
    boolean batchDiffers = false;
    for (int i = 0; i < texts.size(); i++) {
      Vector alone = model.embed(List.of(texts.get(i))).get(0);
      assertEquals(1.0, each.get(i).dot(alone), 1e-5, "text " + i);
      batchDiffers |= batched.get(i).dot(alone) < 0.99999;
    }
    assertTrue(batchDiffers, "a batch run changes some vectors, which is why embedEach exists");
  }

  @Test
  void runsOfSimilarLengthCoverEveryTextOnceWithinThePaddingBudget() {
    java.util.Random random = new java.util.Random(3);
    for (int round = 0; round < 200; round++) {
      int[] lengths = new int[1 + random.nextInt(100)];
      for (int i = 0; i < lengths.length; i++) {
        lengths[i] = 3 + random.nextInt(60);
      }
      java.util.Arrays.sort(lengths);
      int parallel = 1 + random.nextInt(3);
      List<int[]> runs = MiniLmEmbedder.plan(lengths, 32, 0.15, parallel);
      int expectedFrom = 0;
      for (int[] run : runs) {
        assertEquals(expectedFrom, run[0], "runs are contiguous");
        assertTrue(run[1] > run[0] && run[1] - run[0] <= 32, "1 to 32 texts a run");
        long real = 0;
        for (int i = run[0]; i < run[1]; i++) {
          real += lengths[i];
        }
        long padded = (long) (run[1] - run[0]) * lengths[run[1] - 1];
        assertTrue(run[1] - run[0] == 1 || padded <= real * 1.15 + 1e-9, "padding within budget: " + padded + " vs " + real);
        expectedFrom = run[1];
      }
      assertEquals(lengths.length, expectedFrom, "every text is in a run");
      assertTrue(runs.size() >= Math.min(parallel, lengths.length), "a run for every thread when there are texts enough");
    }
    // equal lengths: full runs of 32, halved only to give every thread one
    assertEquals(2, MiniLmEmbedder.plan(new int[40], 32, 0.15, 2).size());
    assertEquals(List.of(2, 2), MiniLmEmbedder.plan(new int[] {5, 5, 5, 5}, 32, 0.15, 2).stream().map(r -> r[1] - r[0]).toList());
  }

  @Test
  void refusesNoThreads() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new MiniLmEmbedder(1, false, 0));
  }
}
