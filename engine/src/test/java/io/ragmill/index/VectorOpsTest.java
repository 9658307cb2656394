package io.ragmill.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragmill.embedding.Vector;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VectorOpsTest {
  private final SplittableRandom random = new SplittableRandom(7);

  @Test
  void loadsTheSimdImplementationWhenTheModuleIsPresent() {
    // surefire's argLine adds jdk.incubator.vector, as bin/ragmill does
    assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
    assertTrue(VectorOps.simdAvailable());
    assertTrue(VectorOps.best().name().startsWith("simd-"), VectorOps.best().name());
    assertEquals("scalar", VectorOps.scalar().name());
  }

  @Test
  void simdAndScalarFloatDotProductsAgree() {
    VectorOps simd = VectorOps.best();
    VectorOps scalar = VectorOps.scalar();
    // lengths around the lane counts, offsets not lane-aligned
    for (int length : new int[] {1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 384, 385, 1024}) {
      float[] a = randomFloats(length + 5);
      float[] b = randomFloats(length + 9);
      float expected = scalar.dot(a, 5, b, 9, length);
      float actual = simd.dot(a, 5, b, 9, length);
      assertEquals(expected, actual, 1e-4f * Math.max(1, Math.abs(expected)), "length " + length);
    }
  }

  @Test
  void simdAndScalarInt8DotProductsAreEqual() {
    VectorOps simd = VectorOps.best();
    VectorOps scalar = VectorOps.scalar();
    for (int length : new int[] {1, 3, 15, 16, 17, 31, 32, 33, 64, 100, 384, 385}) {
      byte[] a = randomBytes(length + 3);
      byte[] b = randomBytes(length + 1);
      assertEquals(scalar.dot(a, 3, b, 1, length), simd.dot(a, 3, b, 1, length), "length " + length);
    }
    byte[] extreme = new byte[384];
    java.util.Arrays.fill(extreme, (byte) -127);
    assertEquals(384 * 127 * 127, simd.dot(extreme, 0, extreme, 0, 384));
  }

  @Test
  void simdAndScalarExactSearchesReturnTheSameHits() {
    VectorMatrix matrix = new VectorMatrix();
    SyntheticVectors vectors = new SyntheticVectors(384, 20, 3);
    for (int i = 0; i < 3_000; i++) {
      float[] v = new float[384];
      vectors.next(v, 0);
      matrix.upsert("d" + i, List.of(new IndexedChunk(0, "t" + i, Map.of(), new Vector(v))));
    }
    for (int q = 0; q < 50; q++) {
      float[] query = new float[384];
      vectors.next(query, 0);
      List<ChunkHit> simd = matrix.searchExact(query, 10, MetadataFilter.NONE, VectorOps.best());
      List<ChunkHit> scalar = matrix.searchExact(query, 10, MetadataFilter.NONE, VectorOps.scalar());
      assertEquals(10, simd.size());
      for (int i = 0; i < 10; i++) {
        assertEquals(scalar.get(i).score(), simd.get(i).score(), 1e-5f);
        // the same row, unless two scores are too close to order reliably across summation orders
        boolean tie = (i > 0 && scalar.get(i - 1).score() - scalar.get(i).score() < 1e-5f)
            || (i < 9 && scalar.get(i).score() - scalar.get(i + 1).score() < 1e-5f);
        if (!tie) {
          assertEquals(scalar.get(i).documentId(), simd.get(i).documentId(), "rank " + i);
        }
      }
    }
  }

  private float[] randomFloats(int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) random.nextGaussian();
    }
    return out;
  }

  private byte[] randomBytes(int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) (random.nextInt(255) - 127);
    }
    return out;
  }
}
