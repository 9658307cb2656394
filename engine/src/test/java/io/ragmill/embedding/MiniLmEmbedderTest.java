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
  void batchOrderIsPreserved() {
    List<String> texts = List.of("first text", "second text", "third text");
    List<Vector> batch = model.embed(texts);
    for (int i = 0; i < texts.size(); i++) {
      assertEquals(1.0, batch.get(i).dot(model.embed(List.of(texts.get(i))).get(0)), 1e-4);
    }
  }
}
