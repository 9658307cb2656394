package io.ragmill.metrics;

import io.ragmill.cache.CacheKind;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Timer;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Cache instruments by kind and tier: lookups (hit or miss in L1, then in L2), single-flight
 * merges, fills, evictions, lookup latency, and the semantic cache's hits and rejections. The
 * instruments are made once per node, so a hook on the hot path is an array read and an add.
 */
public final class CacheMetrics {
  /** Where a value was found. */
  public enum Tier {
    /** The node-local near cache in front of the partitions (answers only). */
    NEAR,
    L1,
    L2
  }

  private record PerKind(
      Counter nearHit, Counter l1Hit, Counter l1Miss, Counter l2Hit, Counter l2Miss, Counter merges, Counter fills,
      Counter evictions, Counter semanticHit, Counter semanticRejected, Timer l1Time, Timer l2Time) {}

  private final Map<CacheKind, PerKind> kinds = new EnumMap<>(CacheKind.class);

  CacheMetrics(Metrics metrics) {
    for (CacheKind kind : CacheKind.values()) {
      String k = kind.name().toLowerCase(Locale.ROOT);
      kinds.put(
          kind,
          new PerKind(
              lookup(metrics, k, "near", "hit"), lookup(metrics, k, "l1", "hit"), lookup(metrics, k, "l1", "miss"),
              lookup(metrics, k, "l2", "hit"), lookup(metrics, k, "l2", "miss"),
              Kamon.counter(MetricNames.CACHE_MERGES).withTags(metrics.tags("kind", k)),
              Kamon.counter(MetricNames.CACHE_FILLS).withTags(metrics.tags("kind", k)),
              Kamon.counter(MetricNames.CACHE_EVICTIONS).withTags(metrics.tags("kind", k)),
              Kamon.counter(MetricNames.CACHE_SEMANTIC).withTags(metrics.tags("kind", k, "result", "hit")),
              Kamon.counter(MetricNames.CACHE_SEMANTIC).withTags(metrics.tags("kind", k, "result", "rejected")),
              Kamon.timer(MetricNames.CACHE_LOOKUP_TIME).withTags(metrics.tags("kind", k, "tier", "l1")),
              Kamon.timer(MetricNames.CACHE_LOOKUP_TIME).withTags(metrics.tags("kind", k, "tier", "l2"))));
    }
  }

  private static Counter lookup(Metrics metrics, String kind, String tier, String result) {
    return Kamon.counter(MetricNames.CACHE_LOOKUPS).withTags(metrics.tags("kind", kind, "tier", tier, "result", result));
  }

  public static CacheMetrics get(ActorSystem<?> system) {
    return Metrics.get(system).cache();
  }

  public void hit(CacheKind kind, Tier tier) {
    PerKind k = kinds.get(kind);
    (tier == Tier.NEAR ? k.nearHit : tier == Tier.L1 ? k.l1Hit : k.l2Hit).increment();
  }

  public void miss(CacheKind kind, Tier tier) {
    PerKind k = kinds.get(kind);
    (tier == Tier.L2 ? k.l2Miss : k.l1Miss).increment();
  }

  /** A miss that joined a computation already running for the same key. */
  public void merged(CacheKind kind) {
    kinds.get(kind).merges.increment();
  }

  public void filled(CacheKind kind) {
    kinds.get(kind).fills.increment();
  }

  public void evicted(CacheKind kind) {
    kinds.get(kind).evictions.increment();
  }

  /** The semantic answer cache served a near query's answer. */
  public void semanticHit(CacheKind kind) {
    kinds.get(kind).semanticHit.increment();
  }

  /** The semantic answer cache found a near query but its guard refused it. */
  public void semanticRejection(CacheKind kind) {
    kinds.get(kind).semanticRejected.increment();
  }

  /** How long a lookup took in a tier, in nanoseconds. */
  public void lookupTime(CacheKind kind, Tier tier, long nanos) {
    PerKind k = kinds.get(kind);
    (tier == Tier.L2 ? k.l2Time : k.l1Time).record(nanos);
  }
}
