package io.ragmill.metrics;

import io.ragmill.persistence.CborSerializable;
import java.time.Instant;
import java.util.Map;

/**
 * One node's metrics in a form people read: rates and percentiles over the last window
 * ({@code ragmill.metrics.window}), totals since start, current queue depths. Served as
 * {@code /health/metrics}, charted by the dashboard, checked by the alert rules.
 */
public record NodeSummary(
    String node,
    Instant at,
    double windowSeconds,
    Map<String, ActorStats> actors,
    Map<String, RouteStats> http,
    Map<String, CacheStats> caches,
    Map<String, BatcherStats> batchers,
    JvmStats jvm)
    implements CborSerializable {

  /** One entity type on this node. */
  public record ActorStats(
      double messagesPerSecond, double p50Ms, double p99Ms, long messages, long errors, double mailbox,
      double mailboxWaitP99Ms, long starts, long passivations, double shards, double entities)
      implements CborSerializable {}

  /** One route template; {@code errorRate} is the share of 5xx answers in the window. */
  public record RouteStats(
      double requestsPerSecond, double p50Ms, double p99Ms, long requests, long serverErrors, double errorRate)
      implements CborSerializable {}

  /**
   * One cache kind. {@code hitRatio} counts L1 and L2 hits over all lookups since start;
   * {@code windowHitRatio} the same over the window (NaN-free: 0 without lookups).
   */
  public record CacheStats(
      long lookups, long hits, long misses, long l2Hits, double hitRatio, double windowHitRatio, long merges,
      long fills, long evictions, long semanticHits, long semanticRejections, double lookupP99Ms)
      implements CborSerializable {}

  /** One batcher lane ({@code model#lane}). */
  public record BatcherStats(
      double batchesPerSecond, double meanBatchSize, double maxBatchSize, double meanTokens, double queueWaitP99Ms,
      double inferenceP50Ms, double inferenceP99Ms, double pending, long batches, long rejected)
      implements CborSerializable {}

  public record JvmStats(
      long heapUsedBytes, long heapMaxBytes, double heapRatio, long gcCount, long gcTimeMs, double processCpu,
      int threads) implements CborSerializable {}

  /** Requests a second over all routes. */
  public double requestsPerSecond() {
    return http.values().stream().mapToDouble(RouteStats::requestsPerSecond).sum();
  }
}
