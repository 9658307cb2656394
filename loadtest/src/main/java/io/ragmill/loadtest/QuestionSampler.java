package io.ragmill.loadtest;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks an index in [0, size): uniformly, or Zipf-distributed (index i with weight 1/(i+1)^s) so a
 * few questions are very popular and most are rare, as in real traffic.
 */
public final class QuestionSampler {
  private final int size;
  private final double[] cumulative;

  private QuestionSampler(int size, double[] cumulative) {
    this.size = size;
    this.cumulative = cumulative;
  }

  public static QuestionSampler uniform(int size) {
    return new QuestionSampler(size, null);
  }

  public static QuestionSampler zipf(int size, double exponent) {
    double[] cdf = new double[size];
    double sum = 0;
    for (int i = 0; i < size; i++) {
      sum += 1.0 / Math.pow(i + 1, exponent);
      cdf[i] = sum;
    }
    for (int i = 0; i < size; i++) {
      cdf[i] /= sum;
    }
    return new QuestionSampler(size, cdf);
  }

  public int next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (cumulative == null) {
      return random.nextInt(size);
    }
    int i = Arrays.binarySearch(cumulative, random.nextDouble());
    return Math.min(size - 1, i >= 0 ? i : -i - 1);
  }
}
