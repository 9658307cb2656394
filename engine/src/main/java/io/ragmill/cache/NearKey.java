package io.ragmill.cache;

import java.util.List;

/**
 * The key of an answer in a node's near cache: tenant, collection and the parts of its
 * {@link CacheKey} in full, compared with {@code equals}, so a near hit needs no digest. Building
 * the SHA-256 key was the largest single cost of finding a near hit (docs/BENCHMARKS.md);
 * {@link #cacheKey()} is the partition's and Redis' key of the same answer, computed on a miss.
 */
public record NearKey(String tenant, String collection, List<String> parts) {
  public NearKey {
    parts = List.copyOf(parts);
  }

  public static NearKey of(String tenant, String collection, String... parts) {
    return new NearKey(tenant, collection, List.of(parts));
  }

  /** The answer's key in the partitions and in Redis: a digest of the same parts. */
  public CacheKey cacheKey() {
    return CacheKey.scoped(CacheKind.ANSWER, tenant, collection, parts.toArray(String[]::new));
  }
}
