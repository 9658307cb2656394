package io.ragmill.cache;

import io.ragmill.index.VectorOps;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sign sketches of vectors (Charikar's SimHash): bit {@code i} is the side of the {@code i}-th of
 * {@value #BITS} fixed random hyperplanes the vector falls on. For two vectors at angle θ, each
 * hyperplane separates them with probability θ/π, independently of the others, so the number of
 * differing bits is Binomial({@value #BITS}, θ/π) over the choice of planes. {@link
 * #maxDistance(double)} turns a cosine threshold into the Hamming distance beyond which a pair at
 * or above the threshold lies with probability below {@value #MISS_PROBABILITY}: the semantic scan
 * skips rows beyond it with six XOR-and-popcount steps instead of a 384-wide dot product.
 *
 * <p>Hand-written: the LSH libraries on Maven Central are unmaintained or pull in far more than
 * these forty lines, and we need the sketch and the bound to agree exactly.
 */
final class SimHash {
  static final int BITS = 384;
  static final int WORDS = BITS / Long.SIZE;
  /** Chance that a pair at the threshold is skipped; a skipped pair costs one recomputed answer. */
  static final double MISS_PROBABILITY = 1e-9;
  private static final VectorOps OPS = VectorOps.best();
  private static final ConcurrentHashMap<Integer, SimHash> BY_DIMENSION = new ConcurrentHashMap<>();

  private final int dimension;
  /** {@value #BITS} rows of {@code dimension} Gaussian components. */
  private final float[] planes;
  /** The last threshold asked for and its distance: thresholds change only on a settings reload. */
  private volatile Bound last = new Bound(Double.NaN, BITS);

  private record Bound(double threshold, int maxDistance) {}

  private SimHash(int dimension) {
    this.dimension = dimension;
    this.planes = new float[BITS * dimension];
    // a fixed seed: every node and every run sketch alike, and the guarantee is over the seed's draw
    Random random = new Random(0x5eed_5147L + dimension);
    for (int i = 0; i < planes.length; i++) {
      planes[i] = (float) random.nextGaussian();
    }
  }

  static SimHash forDimension(int dimension) {
    return BY_DIMENSION.computeIfAbsent(dimension, SimHash::new);
  }

  /** Writes the sketch of {@code v[offset..offset+dimension)} to {@code out[outOffset..+WORDS)}. */
  void sketch(float[] v, int offset, long[] out, int outOffset) {
    for (int w = 0; w < WORDS; w++) {
      long bits = 0;
      for (int b = 0; b < Long.SIZE; b++) {
        int plane = w * Long.SIZE + b;
        if (OPS.dot(planes, plane * dimension, v, offset, dimension) >= 0) {
          bits |= 1L << b;
        }
      }
      out[outOffset + w] = bits;
    }
  }

  static int distance(long[] a, int aOffset, long[] b, int bOffset) {
    int d = 0;
    for (int w = 0; w < WORDS; w++) {
      d += Long.bitCount(a[aOffset + w] ^ b[bOffset + w]);
    }
    return d;
  }

  /**
   * The smallest distance {@code D} such that a pair of unit vectors with cosine at least
   * {@code threshold} has a sketch distance above {@code D} with probability at most {@value
   * #MISS_PROBABILITY}; {@value #BITS} (nothing skipped) for thresholds at or below zero.
   */
  int maxDistance(double threshold) {
    Bound bound = last;
    if (bound.threshold() != threshold) {
      bound = new Bound(threshold, computeMaxDistance(threshold));
      last = bound;
    }
    return bound.maxDistance();
  }

  static int computeMaxDistance(double threshold) {
    // a little below the threshold: dot products of float vectors normalised in float carry rounding
    double cosine = threshold - 1e-3;
    if (cosine <= 0) {
      return BITS;
    }
    double p = Math.acos(Math.min(1.0, cosine)) / Math.PI;
    // tail sum of the Binomial(BITS, p) probabilities from the top, in log space
    double tail = 0;
    for (int k = BITS; k > 0; k--) {
      tail += Math.exp(logChoose(BITS, k) + k * Math.log(p) + (BITS - k) * Math.log1p(-p));
      if (tail > MISS_PROBABILITY) {
        return k; // P(distance > k) <= MISS_PROBABILITY < P(distance >= k)
      }
    }
    return 0;
  }

  private static double logChoose(int n, int k) {
    double sum = 0;
    for (int i = 1; i <= k; i++) {
      sum += Math.log(n - k + i) - Math.log(i);
    }
    return sum;
  }
}
