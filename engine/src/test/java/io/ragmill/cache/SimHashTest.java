package io.ragmill.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sketch distance of a pair follows its angle as the bound assumes, the bound keeps every pair
 * at the threshold, and it skips the pairs well below it, which is what makes the scan cheap.
 */
class SimHashTest {
  private static final int DIMENSION = 384;
  private final SimHash simHash = SimHash.forDimension(DIMENSION);
  private final Random random = new Random(3);

  @Test
  void differingBitsFollowTheAngle() {
    for (double cosine : new double[] {0.95, 0.9, 0.7, 0.3, 0.0}) {
      double expected = SimHash.BITS * Math.acos(cosine) / Math.PI;
      long total = 0;
      int pairs = 400;
      for (int i = 0; i < pairs; i++) {
        float[][] pair = pairAt(cosine);
        total += distance(pair[0], pair[1]);
      }
      double mean = (double) total / pairs;
      // the mean of 400 binomial draws has a standard deviation under 0.5 bits
      assertEquals(expected, mean, 2.0, "cosine " + cosine);
    }
  }

  @Test
  void keepsEveryPairAtTheThresholdAndSkipsDistantOnes() {
    double threshold = 0.9;
    int maxDistance = simHash.maxDistance(threshold);
    int worstAtThreshold = 0;
    for (int i = 0; i < 5_000; i++) {
      float[][] pair = pairAt(threshold + 0.001 * random.nextDouble());
      worstAtThreshold = Math.max(worstAtThreshold, distance(pair[0], pair[1]));
    }
    assertTrue(worstAtThreshold <= maxDistance, worstAtThreshold + " > " + maxDistance);
    int kept = 0;
    for (int i = 0; i < 5_000; i++) {
      float[][] pair = pairAt(0.5);
      if (distance(pair[0], pair[1]) <= maxDistance) {
        kept++;
      }
    }
    assertTrue(kept < 25, "pairs at cosine 0.5 kept: " + kept + " of 5,000");
  }

  @Test
  void theBoundLoosensAsTheThresholdFalls() {
    int previous = -1;
    for (double threshold : new double[] {0.99, 0.95, 0.9, 0.8, 0.6, 0.3}) {
      int d = SimHash.computeMaxDistance(threshold);
      assertTrue(d > previous, threshold + ": " + d + " after " + previous);
      previous = d;
    }
    // mean 55 differing bits at 0.9, standard deviation 6.9: the bound sits six to seven deviations up
    int at90 = SimHash.computeMaxDistance(0.9);
    assertTrue(at90 > 90 && at90 < 110, "bound at 0.9: " + at90);
    assertEquals(SimHash.BITS, SimHash.computeMaxDistance(0.0));
    assertEquals(SimHash.BITS, SimHash.computeMaxDistance(-0.5));
  }

  private int distance(float[] a, float[] b) {
    long[] sa = new long[SimHash.WORDS];
    long[] sb = new long[SimHash.WORDS];
    simHash.sketch(a, 0, sa, 0);
    simHash.sketch(b, 0, sb, 0);
    return SimHash.distance(sa, 0, sb, 0);
  }

  /** Two unit vectors with exactly this cosine, in a random direction. */
  private float[][] pairAt(double cosine) {
    double[] u = unitGaussian();
    double[] w = unitGaussian();
    double along = dot(u, w);
    for (int i = 0; i < DIMENSION; i++) {
      w[i] -= along * u[i];
    }
    scale(w, 1 / Math.sqrt(dot(w, w)));
    float[] a = new float[DIMENSION];
    float[] b = new float[DIMENSION];
    double across = Math.sqrt(1 - cosine * cosine);
    for (int i = 0; i < DIMENSION; i++) {
      a[i] = (float) u[i];
      b[i] = (float) (cosine * u[i] + across * w[i]);
    }
    return new float[][] {a, b};
  }

  private double[] unitGaussian() {
    double[] v = new double[DIMENSION];
    for (int i = 0; i < DIMENSION; i++) {
      v[i] = random.nextGaussian();
    }
    scale(v, 1 / Math.sqrt(dot(v, v)));
    return v;
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  private static void scale(double[] v, double by) {
    for (int i = 0; i < v.length; i++) {
      v[i] *= by;
    }
  }
}
