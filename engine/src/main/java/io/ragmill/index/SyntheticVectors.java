package io.ragmill.index;

import java.util.SplittableRandom;

/**
 * Seeded unit vectors shaped roughly like sentence embeddings, for the index benchmark and tests:
 * each is a random cluster centre, plus a random point of a shared 32-dimensional subspace (text
 * embeddings have low intrinsic dimension), plus small isotropic noise, normalised. Uniform
 * random vectors would be a poor stand-in: in 384 dimensions they are all nearly orthogonal, so
 * "nearest" is noise and every index looks bad.
 */
final class SyntheticVectors {
  private static final int LATENT = 32;
  private static final double LATENT_SCALE = 0.5;
  private static final double NOISE = 0.02;

  private final int dimension;
  private final float[] centres;
  private final int clusters;
  private final double[] basis;
  private final SplittableRandom random;

  /** About one cluster per 100 vectors, between 16 and 10,000 of them. */
  static SyntheticVectors forSize(int n, int dimension, long seed) {
    return new SyntheticVectors(dimension, Math.max(16, Math.min(10_000, n / 100)), seed);
  }

  SyntheticVectors(int dimension, int clusters, long seed) {
    this.dimension = dimension;
    this.clusters = clusters;
    this.random = new SplittableRandom(seed);
    centres = new float[clusters * dimension];
    float[] tmp = new float[dimension];
    for (int c = 0; c < clusters; c++) {
      for (int i = 0; i < dimension; i++) {
        tmp[i] = (float) random.nextGaussian();
      }
      normalize(tmp, 0, dimension);
      System.arraycopy(tmp, 0, centres, c * dimension, dimension);
    }
    basis = new double[LATENT * dimension];
    double scale = 1 / Math.sqrt(LATENT);
    for (int i = 0; i < basis.length; i++) {
      basis[i] = random.nextGaussian() * scale;
    }
  }

  /** The next vector, written to {@code out[offset..offset+dimension)}. */
  void next(float[] out, int offset) {
    int c = random.nextInt(clusters);
    for (int i = 0; i < dimension; i++) {
      out[offset + i] = centres[c * dimension + i] + (float) (random.nextGaussian() * NOISE);
    }
    for (int l = 0; l < LATENT; l++) {
      double z = random.nextGaussian() * LATENT_SCALE;
      int b = l * dimension;
      for (int i = 0; i < dimension; i++) {
        out[offset + i] += (float) (z * basis[b + i]);
      }
    }
    normalize(out, offset, dimension);
  }

  /** {@code n} vectors in one row-major array. */
  float[] next(int n) {
    float[] out = new float[n * dimension];
    for (int r = 0; r < n; r++) {
      next(out, r * dimension);
    }
    return out;
  }

  private static void normalize(float[] v, int offset, int length) {
    double sum = 0;
    for (int i = 0; i < length; i++) {
      sum += (double) v[offset + i] * v[offset + i];
    }
    float inv = (float) (1 / Math.sqrt(sum));
    for (int i = 0; i < length; i++) {
      v[offset + i] *= inv;
    }
  }
}
