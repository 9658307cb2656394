package io.ragmill.index;

/**
 * The two inner loops of vector search: float32 and int8 dot products over slices of flat arrays.
 * {@link #best()} is the Java Vector API implementation when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}, else the scalar one; the SIMD class is only loaded
 * in the first case, so the engine runs (slower) without the flag. Public for the semantic cache,
 * which scans remembered questions the same way.
 */
public interface VectorOps {

  /** Dot product of {@code a[aOffset..aOffset+length)} and {@code b[bOffset..bOffset+length)}. */
  float dot(float[] a, int aOffset, float[] b, int bOffset, int length);

  /** Dot product of two int8 code slices, accumulated exactly in an int. */
  int dot(byte[] a, int aOffset, byte[] b, int bOffset, int length);

  /**
   * Symmetric int8 codes with a scale of its own per vector, so a vector with small components
   * keeps its resolution; returns the scale ({@code value ~ code * scale}).
   */
  static float quantize(float[] from, int offset, int length, byte[] to, int toOffset) {
    float max = 0;
    for (int i = 0; i < length; i++) {
      max = Math.max(max, Math.abs(from[offset + i]));
    }
    if (max == 0) {
      java.util.Arrays.fill(to, toOffset, toOffset + length, (byte) 0);
      return 0;
    }
    float inv = 127 / max;
    for (int i = 0; i < length; i++) {
      to[toOffset + i] = (byte) Math.round(from[offset + i] * inv);
    }
    return max / 127;
  }

  /** A short description for logs and benchmarks, e.g. {@code simd-512bit}. */
  String name();

  static VectorOps scalar() {
    return ScalarVectorOps.INSTANCE;
  }

  /** The SIMD implementation where the incubator module is present, else the scalar one. */
  static VectorOps best() {
    return Best.INSTANCE;
  }

  /** Whether {@code jdk.incubator.vector} was added to the boot layer. */
  static boolean simdAvailable() {
    return Best.INSTANCE != ScalarVectorOps.INSTANCE;
  }

  /** Lazy holder: the lookup runs once, on first use. */
  final class Best {
    static final VectorOps INSTANCE = load();

    private Best() {}

    private static VectorOps load() {
      if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
        return ScalarVectorOps.INSTANCE;
      }
      try {
        // By name, so that without the module no class referring to jdk.incubator.vector is loaded.
        return (VectorOps) Class.forName("io.ragmill.index.SimdVectorOps").getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | LinkageError e) {
        return ScalarVectorOps.INSTANCE;
      }
    }
  }
}
