package io.ragmill.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragmill.embedding.Vector;
import io.ragmill.index.VectorOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The int8 pre-filter of {@link SemanticScope#find} changes nothing: on vectors whose cosines sit
 * all around the threshold, every lookup finds what a plain float scan of every row finds.
 */
class SemanticScopeScanTest {
  private static final int DIMENSION = 384;
  private static final double THRESHOLD = 0.9;

  @Test
  void findsExactlyWhatAFloatScanFinds() {
    Random random = new Random(17);
    SemanticScope scope = new SemanticScope(3_000);
    List<float[]> rows = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    float[][] centres = new float[40][];
    for (int c = 0; c < centres.length; c++) {
      centres[c] = unit(gaussian(random, 1.0));
    }
    for (int i = 0; i < 3_000; i++) {
      float[] v = unit(add(centres[random.nextInt(centres.length)], gaussian(random, 0.018)));
      String text = "question " + word(random);
      rows.add(v);
      texts.add(text);
      scope.add(text, Vector.normalized(v), CacheKey.of(CacheKind.ANSWER, "t", text));
    }
    NearMissGuard acceptsAll = new NearMissGuard(1_000);
    VectorOps ops = VectorOps.best();
    int matches = 0;
    int close = 0;
    for (int q = 0; q < 400; q++) {
      float[] query = unit(add(rows.get(random.nextInt(rows.size())), gaussian(random, 0.012 + 0.004 * (q % 4))));
      Vector vector = Vector.normalized(query);
      String text = "asked " + word(random);
      int best = -1;
      float bestScore = 0;
      for (int r = 0; r < rows.size(); r++) {
        float score = ops.dot(vector.values(), 0, Vector.normalized(rows.get(r)).values(), 0, DIMENSION);
        if (Math.abs(score - THRESHOLD) < 0.01) {
          close++;
        }
        if (score >= THRESHOLD && (best < 0 || score > bestScore)) {
          best = r;
          bestScore = score;
        }
      }
      SemanticScope.Outcome outcome = scope.find(text, vector, THRESHOLD, 8, acceptsAll);
      if (best < 0) {
        assertEquals(new SemanticScope.Miss(0, java.util.Optional.empty()), outcome, "query " + q);
      } else {
        SemanticScope.Match match = (SemanticScope.Match) outcome;
        assertEquals(texts.get(best), match.query(), "query " + q);
        assertEquals(Math.min(1.0, bestScore), match.similarity(), 1e-6, "query " + q);
        matches++;
      }
    }
    assertTrue(matches > 50 && matches < 390, "both outcomes are exercised: " + matches + " matches");
    assertTrue(close > 50, "many rows within 0.01 of the threshold: " + close);
  }

  private static String word(Random random) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      s.append((char) ('a' + random.nextInt(26)));
    }
    return s.toString();
  }

  private static float[] gaussian(Random random, double sigma) {
    float[] v = new float[DIMENSION];
    for (int i = 0; i < DIMENSION; i++) {
      v[i] = (float) (random.nextGaussian() * sigma);
    }
    return v;
  }

  private static float[] add(float[] a, float[] b) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + b[i];
    }
    return out;
  }

  private static float[] unit(float[] v) {
    return Vector.normalized(v).values();
  }
}
