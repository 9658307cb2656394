package io.ragmill.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
  void tokenIdsAreThoseOfDjlsEncodings() {
    List<String> texts =
        List.of("Hello, World!", " ", "Ünïcödé — text ✓ 日本語", "word ".repeat(700),
            "Who pressed the pakulel lichen near the river delta in 1887? (ref r1x2)");
    long[][] ids = model.tokenIds(texts);
    var encodings = model.tokenizer().batchEncode(texts);
    assertEquals(texts.size(), ids.length);
    for (int i = 0; i < texts.size(); i++) {
      assertArrayEquals(encodings[i].getIds(), ids[i], "text " + i);
    }
    assertEquals(512, ids[3].length, "truncated at MAX_TOKENS");
    assertEquals(101, ids[0][0], "[CLS] first");
    assertEquals(102, ids[0][ids[0].length - 1], "[SEP] last");
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
  void parallelRunsPutEveryVectorInItsOwnPlaceAndRepeat() {
    // 96 texts over three threads: each thread's runs must land in their own places, the same each time
    List<String> texts = ModelBenchmark.sentences(96, 3, 30, new java.util.Random(5));
    try (MiniLmEmbedder parallel = new MiniLmEmbedder(1, false, 3)) {
      List<Vector> alone = parallel.embedEach(texts);
      List<Vector> first = parallel.embed(texts);
      for (int round = 0; round < 3; round++) {
        List<Vector> actual = parallel.embed(texts);
        assertEquals(texts.size(), actual.size());
        for (int i = 0; i < texts.size(); i++) {
          assertEquals(1.0, actual.get(i).dot(first.get(i)), 1e-5, "text " + i + " in round " + round);
          assertTrue(actual.get(i).dot(alone.get(i)) > 0.97, "text " + i + " is its own text's vector");
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
  void runsCoverEveryTextOnceInAtMostMaxRowsAndTheThreadsShareTheTokens() {
    java.util.Random random = new java.util.Random(3);
    for (int round = 0; round < 300; round++) {
      int[] lengths = sortedLengths(random, 1 + random.nextInt(100));
      int parallel = 1 + random.nextInt(3);
      List<List<int[]>> shares = MiniLmEmbedder.plan(lengths, 32, MiniLmEmbedder.MAX_RUN_ATTENTION, MiniLmEmbedder.RUN_COST_TOKENS, parallel);
      assertEquals(Math.min(parallel, lengths.length), shares.size(), "a share for every thread when there are texts enough");
      int expectedFrom = 0;
      long total = java.util.Arrays.stream(lengths).sum();
      for (List<int[]> share : shares) {
        assertTrue(!share.isEmpty(), "no thread goes without work");
        long tokens = 0;
        for (int[] run : share) {
          assertEquals(expectedFrom, run[0], "runs are contiguous");
          assertTrue(run[1] > run[0] && run[1] - run[0] <= 32, "1 to 32 texts a run");
          for (int i = run[0]; i < run[1]; i++) {
            tokens += lengths[i];
          }
          expectedFrom = run[1];
        }
        // a share ends at the text whose middle crosses its target, so it is off by at most one text
        assertTrue(shares.size() == 1 || Math.abs(tokens - (double) total / shares.size()) <= 2 * lengths[lengths.length - 1],
            "share of " + tokens + " tokens of " + total);
      }
      assertEquals(lengths.length, expectedFrom, "every text is in a run");
    }
    // 32 questions of nearly equal length: one run per thread, not 26 texts on one and 6 on the other
    int[] questions = {27, 27, 27, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 29, 29, 29, 29, 29, 29, 29,
        29, 29, 30, 30, 30, 31, 31, 31};
    assertEquals(List.of(List.of(16), List.of(16)), sizes(MiniLmEmbedder.plan(questions, 32, MiniLmEmbedder.MAX_RUN_ATTENTION, 20, 2)));
    assertEquals(List.of(List.of(8, 32)), sizes(MiniLmEmbedder.plan(new int[40], 32, MiniLmEmbedder.MAX_RUN_ATTENTION, 20, 1)));
    // chunk-length texts: runs small enough for their attention scores to stay in cache
    int[] chunks = new int[32];
    java.util.Arrays.fill(chunks, 118);
    assertEquals(List.of(List.of(7, 9), List.of(7, 9)),
        sizes(MiniLmEmbedder.plan(chunks, 32, MiniLmEmbedder.MAX_RUN_ATTENTION, 20, 2)));
    java.util.Arrays.fill(chunks, 300);
    assertEquals(16, sizes(MiniLmEmbedder.plan(chunks, 32, MiniLmEmbedder.MAX_RUN_ATTENTION, 20, 2)).get(0).size(),
        "a text above 256 tokens runs alone");
  }

  @Test
  void theCutsCostNoMoreThanAnyOtherCuts() {
    java.util.Random random = new java.util.Random(11);
    for (int round = 0; round < 300; round++) {
      int[] lengths = sortedLengths(random, 1 + random.nextInt(11));
      int maxRows = 1 + random.nextInt(5);
      int runCost = random.nextInt(40);
      long maxAttention = random.nextBoolean() ? Long.MAX_VALUE : 1 + random.nextInt(4 * 62 * 62);
      List<int[]> runs = MiniLmEmbedder.cut(lengths, 0, lengths.length, maxRows, maxAttention, runCost);
      for (int[] run : runs) {
        long length = lengths[run[1] - 1];
        assertTrue(run[1] - run[0] == 1 || (run[1] - run[0]) * length * length <= maxAttention, "attention cap");
      }
      assertEquals(cheapest(lengths, 0, maxRows, maxAttention, runCost), cost(lengths, runs, runCost),
          "lengths " + java.util.Arrays.toString(lengths) + ", attention at most " + maxAttention);
    }
    // short questions of nearly equal length stay in one run; very different lengths are split
    assertEquals(1, MiniLmEmbedder.cut(new int[] {18, 18, 19, 19, 20, 21, 21, 22}, 0, 8, 32, MiniLmEmbedder.MAX_RUN_ATTENTION, 20).size());
    assertEquals(2, MiniLmEmbedder.cut(new int[] {12, 12, 12, 12, 60, 60, 60, 60}, 0, 8, 32, MiniLmEmbedder.MAX_RUN_ATTENTION, 20).size());
  }

  private static List<List<Integer>> sizes(List<List<int[]>> shares) {
    return shares.stream().map(share -> share.stream().map(r -> r[1] - r[0]).toList()).toList();
  }

  private static int[] sortedLengths(java.util.Random random, int n) {
    int[] lengths = new int[n];
    for (int i = 0; i < n; i++) {
      lengths[i] = 3 + random.nextInt(60);
    }
    java.util.Arrays.sort(lengths);
    return lengths;
  }

  private static long cost(int[] lengths, List<int[]> runs, int runCost) {
    long total = 0;
    for (int[] run : runs) {
      total += runCost + (long) (run[1] - run[0]) * lengths[run[1] - 1];
    }
    return total;
  }

  /** Every way to cut {@code lengths[from..]}, tried. */
  private static long cheapest(int[] lengths, int from, int maxRows, long maxAttention, int runCost) {
    if (from == lengths.length) {
      return 0;
    }
    long best = Long.MAX_VALUE;
    for (int to = from + 1; to <= Math.min(lengths.length, from + maxRows); to++) {
      long length = lengths[to - 1];
      if (to - from > 1 && (to - from) * length * length > maxAttention) {
        break; // longer runs only grow
      }
      best = Math.min(best, runCost + (long) (to - from) * length + cheapest(lengths, to, maxRows, maxAttention, runCost));
    }
    return best;
  }

  @Test
  void refusesNoThreads() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new MiniLmEmbedder(1, false, 0));
  }
}
