package io.ragmill.index;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products on the Java Vector API (incubating in Java 17), at the CPU's preferred width: 16
 * floats per lane op with AVX-512, 8 with AVX2. Only loaded by {@link VectorOps#best()} when the
 * module is present; the results differ from {@link ScalarVectorOps} only by float summation
 * order.
 */
final class SimdVectorOps implements VectorOps {
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
  // int8 codes: load a quarter-width byte slice, widen to shorts to multiply (127 * 127 fits),
  // widen the products to ints to accumulate.
  private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Short> SHORTS =
      ShortVector.SPECIES_PREFERRED.withShape(
          VectorShape.forBitSize(INTS.vectorBitSize() / 2));
  private static final VectorSpecies<Byte> BYTES =
      ByteVector.SPECIES_PREFERRED.withShape(
          VectorShape.forBitSize(INTS.vectorBitSize() / 4));

  SimdVectorOps() {}

  @Override
  public float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
    int lanes = FLOATS.length();
    int i = 0;
    FloatVector acc0 = FloatVector.zero(FLOATS);
    FloatVector acc1 = FloatVector.zero(FLOATS);
    int unrolled = length - 2 * lanes;
    for (; i <= unrolled; i += 2 * lanes) {
      acc0 = FloatVector.fromArray(FLOATS, a, aOffset + i)
          .fma(FloatVector.fromArray(FLOATS, b, bOffset + i), acc0);
      acc1 = FloatVector.fromArray(FLOATS, a, aOffset + i + lanes)
          .fma(FloatVector.fromArray(FLOATS, b, bOffset + i + lanes), acc1);
    }
    for (; i <= length - lanes; i += lanes) {
      acc0 = FloatVector.fromArray(FLOATS, a, aOffset + i)
          .fma(FloatVector.fromArray(FLOATS, b, bOffset + i), acc0);
    }
    float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    for (; i < length; i++) {
      sum += a[aOffset + i] * b[bOffset + i];
    }
    return sum;
  }

  @Override
  public int dot(byte[] a, int aOffset, byte[] b, int bOffset, int length) {
    int lanes = INTS.length();
    int i = 0;
    IntVector acc = IntVector.zero(INTS);
    for (; i <= length - lanes; i += lanes) {
      ShortVector va = (ShortVector) ByteVector.fromArray(BYTES, a, aOffset + i)
          .convertShape(VectorOperators.B2S, SHORTS, 0);
      ShortVector vb = (ShortVector) ByteVector.fromArray(BYTES, b, bOffset + i)
          .convertShape(VectorOperators.B2S, SHORTS, 0);
      acc = acc.add(va.mul(vb).convertShape(VectorOperators.S2I, INTS, 0));
    }
    int sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < length; i++) {
      sum += a[aOffset + i] * b[bOffset + i];
    }
    return sum;
  }

  @Override
  public String name() {
    return "simd-" + FLOATS.vectorBitSize() + "bit";
  }
}
