package io.ragmill.index;

/**
 * Plain-Java dot products, four independent accumulators so the JIT can overlap the multiplies.
 * The fallback when the Vector API module is absent, and the reference the SIMD path is tested
 * against.
 */
final class ScalarVectorOps implements VectorOps {
  static final ScalarVectorOps INSTANCE = new ScalarVectorOps();

  private ScalarVectorOps() {}

  @Override
  public float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    int n = length - 3;
    for (; i < n; i += 4) {
      s0 += a[aOffset + i] * b[bOffset + i];
      s1 += a[aOffset + i + 1] * b[bOffset + i + 1];
      s2 += a[aOffset + i + 2] * b[bOffset + i + 2];
      s3 += a[aOffset + i + 3] * b[bOffset + i + 3];
    }
    for (; i < length; i++) {
      s0 += a[aOffset + i] * b[bOffset + i];
    }
    return s0 + s1 + s2 + s3;
  }

  @Override
  public int dot(byte[] a, int aOffset, byte[] b, int bOffset, int length) {
    int s0 = 0;
    int s1 = 0;
    int i = 0;
    int n = length - 1;
    for (; i < n; i += 2) {
      s0 += a[aOffset + i] * b[bOffset + i];
      s1 += a[aOffset + i + 1] * b[bOffset + i + 1];
    }
    for (; i < length; i++) {
      s0 += a[aOffset + i] * b[bOffset + i];
    }
    return s0 + s1;
  }

  @Override
  public String name() {
    return "scalar";
  }
}
