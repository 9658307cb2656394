package io.ragmill.cache;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/** The {@code ragmill.cache} block: partition count and a byte budget and TTL per kind. */
public record CacheSettings(int partitions, Duration leaseTimeout, Map<CacheKind, KindSettings> kinds) {

  /** Budget of one kind across the whole node, split evenly over the partitions. */
  public record KindSettings(long maxBytes, Duration ttl) {}

  public CacheSettings {
    if (partitions <= 0) {
      throw new IllegalArgumentException("ragmill.cache.partitions must be > 0, was " + partitions);
    }
  }

  public static CacheSettings fromConfig(Config root) {
    Config c = root.getConfig("ragmill.cache");
    Map<CacheKind, KindSettings> kinds = new EnumMap<>(CacheKind.class);
    for (CacheKind kind : CacheKind.values()) {
      Config k = c.getConfig(kind.name().toLowerCase());
      long maxBytes = k.getBytes("max-bytes");
      if (maxBytes < 0) {
        throw new IllegalArgumentException(
            "ragmill.cache." + kind.name().toLowerCase() + ".max-bytes must be >= 0, was " + maxBytes);
      }
      kinds.put(kind, new KindSettings(maxBytes, k.getDuration("ttl")));
    }
    return new CacheSettings(c.getInt("partitions"), c.getDuration("lease-timeout"), Map.copyOf(kinds));
  }

  public KindSettings kind(CacheKind kind) {
    return kinds.get(kind);
  }
}
