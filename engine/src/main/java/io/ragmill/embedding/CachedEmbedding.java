package io.ragmill.embedding;

import io.ragmill.cache.CachedValue;

/** An embedding as stored in the cache. */
public record CachedEmbedding(Vector vector) implements CachedValue {
  @Override
  public int weightBytes() {
    return 16 + vector.dimension() * Float.BYTES;
  }
}
