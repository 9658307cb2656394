package io.ragmill.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HashingEmbedderTest {
  private final HashingEmbedder embedder = new HashingEmbedder(384);

  @Test
  void isDeterministicAndNormalized() {
    Vector a = embedder.embed(List.of("The quick brown fox")).get(0);
    Vector b = new HashingEmbedder(384).embed(List.of("the QUICK brown fox")).get(0);
    assertEquals(a, b);
    assertEquals(1.0, a.dot(a), 1e-5);
  }

  @Test
  void sharedWordsScoreHigherThanDisjointOnes() {
    List<Vector> v = embedder.embed(List.of("cache hit ratio", "the cache hit ratio rises", "rockets reach orbit"));
    assertTrue(v.get(0).dot(v.get(1)) > v.get(0).dot(v.get(2)) + 0.3f);
  }
}
