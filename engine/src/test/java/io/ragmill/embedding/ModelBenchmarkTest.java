package io.ragmill.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The benchmark forms its batches by the batcher's rule, so its figures are the engine's. */
class ModelBenchmarkTest {
  @Test
  void batchesCloseAtTheTextLimitOrBeforeTheTokenBudgetIsPassed() {
    List<String> texts = ModelBenchmark.sentences(500, 3, 95, new Random(3));
    int limit = 64;
    int budget = 4096;
    List<List<String>> batches = ModelBenchmark.batches(texts, limit, budget);
    List<String> joined = new ArrayList<>();
    boolean someClosedOnTokens = false;
    for (int b = 0; b < batches.size(); b++) {
      List<String> batch = batches.get(b);
      joined.addAll(batch);
      int tokens = batch.stream().mapToInt(EmbeddingBatcher::estimateTokens).sum();
      assertTrue(batch.size() <= limit, "batch of " + batch.size());
      assertTrue(tokens <= budget, "batch of " + tokens + " tokens");
      if (b < batches.size() - 1 && batch.size() < limit) {
        // it closed because the next text would not fit
        int next = EmbeddingBatcher.estimateTokens(batches.get(b + 1).get(0));
        assertTrue(tokens + next > budget, "closed early at " + tokens + " tokens, next " + next);
        someClosedOnTokens = true;
      }
    }
    assertEquals(texts, joined, "every text once, in order");
    assertTrue(someClosedOnTokens, "long texts should hit the token budget before 64 texts");
  }

  @Test
  void aTextOverTheBudgetStillGoesAlone() {
    String huge = "word ".repeat(5000);
    List<List<String>> batches = ModelBenchmark.batches(List.of("a", huge, "b"), 64, 100);
    assertEquals(List.of(List.of("a"), List.of(huge), List.of("b")), batches);
  }
}
