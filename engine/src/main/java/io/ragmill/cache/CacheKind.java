package io.ragmill.cache;

/** What a cache entry holds; each kind has its own byte budget and TTL. */
public enum CacheKind {
  EMBEDDING,
  RETRIEVAL,
  ANSWER
}
