package io.ragmill.cache;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The {@code ragmill.cache} block: partition count, a byte budget and TTL per kind, the semantic
 * answer cache and the node-local near cache.
 */
public record CacheSettings(
    int partitions, Duration leaseTimeout, Map<CacheKind, KindSettings> kinds, Semantic semantic, Near near) {

  /** Budget of one kind across the whole node, split evenly over the partitions. */
  public record KindSettings(long maxBytes, Duration ttl) {}

  /** Caffeine refuses a negative duration, and a zero one would keep nothing: both are a mistake. */
  static void positive(String what, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("ragmill.cache." + what + " must be a positive duration, was " + d);
    }
  }

  /**
   * The semantic answer cache: an earlier query of the same scope whose embedding has cosine at
   * least {@code similarityThreshold} and that the {@link NearMissGuard} accepts (at most
   * {@code maxDifferingContentWords} content words apart) answers a new one.
   */
  public record Semantic(
      boolean enabled, double similarityThreshold, int maxDifferingContentWords, int maxEntriesPerScope,
      long maxBytes, int maxCandidates) {
    public Semantic {
      if (similarityThreshold <= 0 || similarityThreshold > 1) {
        throw new IllegalArgumentException(
            "ragmill.cache.semantic.similarity-threshold must be in (0, 1], was " + similarityThreshold);
      }
      if (maxDifferingContentWords < 0 || maxEntriesPerScope <= 0 || maxBytes < 0 || maxCandidates <= 0) {
        throw new IllegalArgumentException(
            "ragmill.cache.semantic: max-differing-content-words >= 0, max-entries-per-scope > 0, "
                + "max-bytes >= 0 and max-candidates > 0 are required");
      }
    }

    public static final Semantic DEFAULT = new Semantic(true, 0.90, 0, 10_000, 256L << 20, 8);
  }

  /** Hot answers kept on each node for {@code ttl}, so a hot key does not cross the network every time. */
  public record Near(boolean enabled, long maxEntries, Duration ttl) {
    public Near {
      if (maxEntries < 0) {
        throw new IllegalArgumentException("ragmill.cache.near.max-entries must be >= 0, was " + maxEntries);
      }
      positive("near.ttl", ttl);
    }

    public static final Near DEFAULT = new Near(true, 10_000, Duration.ofSeconds(5));
  }

  public CacheSettings {
    if (partitions <= 0) {
      throw new IllegalArgumentException("ragmill.cache.partitions must be > 0, was " + partitions);
    }
    positive("lease-timeout", leaseTimeout);
    kinds.forEach((kind, k) -> positive(kind.name().toLowerCase() + ".ttl", k.ttl()));
  }

  public CacheSettings(int partitions, Duration leaseTimeout, Map<CacheKind, KindSettings> kinds) {
    this(partitions, leaseTimeout, kinds, Semantic.DEFAULT, Near.DEFAULT);
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
    Config s = c.getConfig("semantic");
    Semantic semantic =
        new Semantic(
            s.getBoolean("enabled"), s.getDouble("similarity-threshold"), s.getInt("max-differing-content-words"),
            s.getInt("max-entries-per-scope"), s.getBytes("max-bytes"), s.getInt("max-candidates"));
    Config n = c.getConfig("near");
    Near near = new Near(n.getBoolean("enabled"), n.getLong("max-entries"), n.getDuration("ttl"));
    return new CacheSettings(c.getInt("partitions"), c.getDuration("lease-timeout"), Map.copyOf(kinds), semantic, near);
  }

  public KindSettings kind(CacheKind kind) {
    return kinds.get(kind);
  }
}
