package io.ragmill.embedding;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A unit-length embedding. On the wire and in the journal it is packed little-endian float32
 * bytes, never a JSON number array.
 */
public record Vector(float[] values) {

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Vector fromBytes(byte[] packed) {
    if (packed.length % Float.BYTES != 0) {
      throw new IllegalArgumentException("packed vector length must be a multiple of 4, was " + packed.length);
    }
    float[] values = new float[packed.length / Float.BYTES];
    ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return new Vector(values);
  }

  /** Scales to unit length, so cosine similarity is a dot product; a zero vector stays zero. */
  public static Vector normalized(float[] values) {
    double sum = 0;
    for (float v : values) {
      sum += (double) v * v;
    }
    float[] out = Arrays.copyOf(values, values.length);
    if (sum > 0) {
      float inv = (float) (1.0 / Math.sqrt(sum));
      for (int i = 0; i < out.length; i++) {
        out[i] *= inv;
      }
    }
    return new Vector(out);
  }

  @JsonValue
  public byte[] toBytes() {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(values);
    return buffer.array();
  }

  public int dimension() {
    return values.length;
  }

  public float dot(Vector other) {
    float[] a = values;
    float[] b = other.values;
    float sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vector v && Arrays.equals(values, v.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "Vector[dim=" + values.length + "]";
  }
}
