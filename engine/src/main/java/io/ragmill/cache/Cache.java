package io.ragmill.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.ragmill.api.Stages;
import io.ragmill.embedding.Vector;
import io.ragmill.persistence.CborSerializable;
import io.ragmill.metrics.CacheMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The client of the sharded cache, one per node. {@link #getOrCompute} hides the lease protocol: a
 * hit returns the stored value and the tier it came from, a miss runs the computation once per key
 * across all concurrent callers and stores its result. Answers also pass through a small node-local
 * near cache, so a hot answer does not cross the network on every request; answer keys carry the
 * collection's generation, so a near entry can never outlive its generation. The cache is an
 * optimisation, never a source of errors: when a partition does not answer in time, the value is
 * computed and not stored.
 *
 * <p>Load times (lease to fill) and near-cache hits are counted here, per node.
 */
public final class Cache {

  /** A value and where it came from: a tier, or empty when it was computed by this call. */
  public record Result<V>(V value, Optional<CacheTier> tier) {
    public boolean hit() {
      return tier.isPresent();
    }
  }

  /** Node-wide statistics: partition counters summed, plus this node's near cache and load times. */
  public record Stats(
      Map<CacheKind, CachePartition.KindStats> kinds, CachePartition.SemanticStats semantic, long nearHits,
      long nearEntries, Map<CacheKind, LoadTimes> loadTimes) {}

  /** Milliseconds from a miss to its value being stored, on this node. */
  public record LoadTimes(long count, double p50Ms, double p90Ms, double p99Ms, double maxMs) {}

  /** Published to every node so each drops its near-cache entries too. */
  public record NearClear(Optional<CacheKind> kind, Optional<String> tenant, Optional<String> collection)
      implements CborSerializable {}

  private final ClusterSharding sharding;
  private volatile CacheSettings settings;
  private final Duration askTimeout;
  private final Optional<RedisTier> l2;
  private final com.github.benmanes.caffeine.cache.Cache<NearKey, CachedValue> near;
  private final LongAdder nearHits = new LongAdder();
  private final Map<CacheKind, ConcurrentHistogram> loadTimes = new EnumMap<>(CacheKind.class);
  private final ActorRef<Topic.Command<NearClear>> nearClearTopic;
  private final CacheMetrics metrics;

  public Cache(ActorSystem<?> system, CacheSettings settings, Duration askTimeout) {
    this(system, settings, askTimeout, Optional.empty());
  }

  public Cache(ActorSystem<?> system, CacheSettings settings, Duration askTimeout, Optional<RedisTier> l2) {
    this.sharding = ClusterSharding.get(system);
    this.settings = settings;
    this.askTimeout = askTimeout;
    this.l2 = l2;
    this.near =
        Caffeine.newBuilder()
            .maximumSize(settings.near().enabled() ? settings.near().maxEntries() : 0)
            .expireAfterWrite(settings.near().ttl())
            .build();
    for (CacheKind kind : CacheKind.values()) {
      // microseconds, up to an hour, two significant digits
      loadTimes.put(kind, new ConcurrentHistogram(3_600_000_000L, 2));
    }
    this.nearClearTopic =
        system.systemActorOf(Topic.create(NearClear.class, "ragmill-near-cache-clear"), "near-cache-clear-topic", Props.empty());
    ActorRef<NearClear> subscriber =
        system.systemActorOf(
            Behaviors.receive(NearClear.class)
                .onMessage(NearClear.class, clear -> {
                  dropNear(clear);
                  return Behaviors.same();
                })
                .build(),
            "near-cache-clear",
            Props.empty());
    nearClearTopic.tell(Topic.subscribe(subscriber));
    this.metrics = CacheMetrics.get(system);
  }

  /** This node's near-cache entry for an answer, counted as a near hit when there; no miss is counted. */
  public <V extends CachedValue> Optional<V> near(NearKey key, Class<V> type) {
    if (!settings.near().enabled()) {
      return Optional.empty();
    }
    CachedValue local = near.getIfPresent(key);
    if (!type.isInstance(local)) {
      return Optional.empty();
    }
    nearHits.increment();
    metrics.hit(CacheKind.ANSWER, CacheMetrics.Tier.NEAR);
    return Optional.of(type.cast(local));
  }

  /** The value of a key that the near cache does not hold (embeddings, retrievals): L1, L2, else computed once. */
  public <V extends CachedValue> CompletionStage<Result<V>> getOrCompute(
      CacheKey key, Class<V> type, Supplier<CompletionStage<V>> compute) {
    return getOrCompute(key, null, type, compute);
  }

  /**
   * An answer: this node's near cache under {@code nearKey}, then L1 and L2 under its
   * {@link NearKey#cacheKey()} (made only on a near miss), else computed once; what L1 or the
   * computation gives is kept in the near cache too.
   */
  public <V extends CachedValue> CompletionStage<Result<V>> getOrCompute(
      NearKey nearKey, Class<V> type, Supplier<CompletionStage<V>> compute) {
    Optional<V> local = near(nearKey, type);
    if (local.isPresent()) {
      return CompletableFuture.completedFuture(new Result<>(local.get(), Optional.of(CacheTier.NEAR)));
    }
    return getOrCompute(nearKey.cacheKey(), nearKey, type, compute);
  }

  private <V extends CachedValue> CompletionStage<Result<V>> getOrCompute(
      CacheKey key, NearKey nearKey, Class<V> type, Supplier<CompletionStage<V>> compute) {
    boolean nearEligible = nearKey != null && settings.near().enabled();
    EntityRef<CachePartition.Command> partition = partitionOf(key);
    long start = System.nanoTime();
    return Stages.direct(
            partition.<CachePartition.LookupReply>ask(replyTo -> new CachePartition.Lookup(key, replyTo), askTimeout))
        .handle((reply, error) -> {
          metrics.lookupTime(key.kind(), CacheMetrics.Tier.L1, System.nanoTime() - start);
          return reply;
        })
        .thenCompose(
            reply -> {
              if (reply instanceof CachePartition.Hit hit && type.isInstance(hit.value())) {
                if (nearEligible) {
                  near.put(nearKey, hit.value());
                }
                return CompletableFuture.completedFuture(new Result<>(type.cast(hit.value()), Optional.of(hit.tier())));
              }
              long leaseId = reply instanceof CachePartition.Lease lease ? lease.leaseId() : -1;
              long computeStart = System.nanoTime();
              // thenCompose turns a computation that throws into a failed stage
              return CompletableFuture.completedFuture(key)
                  .thenCompose(k -> compute.get())
                  .whenComplete(
                      (value, error) -> {
                        if (leaseId < 0) {
                          return;
                        }
                        if (error == null && value != null) {
                          loadTimes.get(key.kind()).recordValue(Math.max(1, (System.nanoTime() - computeStart) / 1_000));
                          partition.tell(new CachePartition.Fill(key, leaseId, value));
                          if (nearEligible) {
                            near.put(nearKey, value);
                          }
                        } else {
                          partition.tell(new CachePartition.Abandon(key, leaseId));
                        }
                      })
                  .thenApply(value -> new Result<>(value, Optional.<CacheTier>empty()));
            });
  }

  /** A stored value from L1 or L2 without taking a lease; empty on a miss or a slow partition. */
  public <V extends CachedValue> CompletionStage<Optional<Result<V>>> peek(CacheKey key, Class<V> type) {
    return Stages.direct(
            partitionOf(key).<CachePartition.PeekReply>ask(replyTo -> new CachePartition.Peek(key, replyTo), askTimeout))
        .handle(
            (reply, error) ->
                reply == null || reply.value().isEmpty() || !type.isInstance(reply.value().get())
                    ? Optional.<Result<V>>empty()
                    : Optional.of(new Result<>(type.cast(reply.value().get()), Optional.of(reply.tier()))));
  }

  /** The nearest earlier query of {@code scope} that the near-miss guard accepts; empty when none or slow. */
  public CompletionStage<Optional<CachePartition.SemanticMatch>> semanticFind(CacheKey scope, String query, Vector vector) {
    if (!settings.semantic().enabled()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return Stages.direct(
            partitionOf(scope).<CachePartition.SemanticReply>ask(
                replyTo -> new CachePartition.SemanticFind(scope, query, vector, replyTo), askTimeout))
        .handle((reply, error) -> reply == null ? Optional.<CachePartition.SemanticMatch>empty() : reply.match());
  }

  /** Remembers a computed answer's query and embedding in its scope (fire and forget). */
  public void semanticAdd(CacheKey scope, String query, Vector vector, CacheKey answerKey) {
    if (settings.semantic().enabled()) {
      partitionOf(scope).tell(new CachePartition.SemanticAdd(scope, query, vector, answerKey));
    }
  }

  /** A match found by {@link #semanticFind} whose answer had gone: recounted as a semantic miss. */
  public void semanticStale(CacheKey scope) {
    partitionOf(scope).tell(new CachePartition.SemanticStale());
  }

  /** Sums the counters of every partition, with this node's near-cache and load-time figures. */
  public CompletionStage<Stats> stats() {
    List<CompletableFuture<CachePartition.PartitionStats>> all = new ArrayList<>();
    for (int p = 0; p < settings.partitions(); p++) {
      all.add(Stages.direct(partition(p).<CachePartition.PartitionStats>ask(CachePartition.GetStats::new, askTimeout)));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              Map<CacheKind, CachePartition.KindStats> sum = new EnumMap<>(CacheKind.class);
              CachePartition.SemanticStats semantic = new CachePartition.SemanticStats(0, 0, 0);
              for (CompletableFuture<CachePartition.PartitionStats> f : all) {
                f.join().kinds().forEach((kind, s) -> sum.merge(kind, s, CachePartition.KindStats::plus));
                semantic = semantic.plus(f.join().semantic());
              }
              Map<CacheKind, LoadTimes> loads = new EnumMap<>(CacheKind.class);
              loadTimes.forEach(
                  (kind, h) ->
                      loads.put(
                          kind,
                          new LoadTimes(
                              h.getTotalCount(), h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
                              h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0)));
              near.cleanUp();
              return new Stats(sum, semantic, nearHits.sum(), near.estimatedSize(), loads);
            });
  }

  /**
   * Drops the entries of one kind, tenant and/or collection (empty: all) from every tier: every
   * node's near cache, every partition's L1 and semantic index, and Redis. Completes with the
   * number of L1 and Redis entries removed.
   */
  public CompletionStage<Long> clear(Optional<CacheKind> kind, Optional<String> tenant, Optional<String> collection) {
    NearClear nearClear = new NearClear(kind, tenant, collection);
    dropNear(nearClear);
    nearClearTopic.tell(Topic.publish(nearClear));
    List<CompletableFuture<Long>> all = new ArrayList<>();
    for (int p = 0; p < settings.partitions(); p++) {
      all.add(
          Stages.direct(
              partition(p).<Long>ask(replyTo -> new CachePartition.Clear(kind, tenant, collection, replyTo), askTimeout)));
    }
    l2.ifPresent(redis -> all.add(redis.clear(kind, tenant, collection).toCompletableFuture()));
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> all.stream().mapToLong(CompletableFuture::join).sum());
  }

  /** Removes expired entries from every partition now; completes with how many went. */
  public CompletionStage<Long> cleanup() {
    near.cleanUp();
    List<CompletableFuture<Long>> all = new ArrayList<>();
    for (int p = 0; p < settings.partitions(); p++) {
      all.add(Stages.direct(partition(p).<Long>ask(CachePartition.Cleanup::new, askTimeout)));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> all.stream().mapToLong(CompletableFuture::join).sum());
  }

  private void dropNear(NearClear clear) {
    near.asMap()
        .keySet()
        .removeIf(
            k -> (clear.kind().isEmpty() || clear.kind().get() == CacheKind.ANSWER)
                && (clear.tenant().isEmpty() || clear.tenant().get().equals(k.tenant()))
                && (clear.collection().isEmpty() || clear.collection().get().equals(k.collection())));
  }

  /**
   * Applies new budgets, TTLs and semantic thresholds: this node's near cache at once, and every
   * partition in the cluster by message (a partition started later reads the node's current settings).
   */
  public void reconfigure(CacheSettings next) {
    near.policy().eviction().ifPresent(e -> e.setMaximum(next.near().enabled() ? next.near().maxEntries() : 0));
    near.policy().expireAfterWrite().ifPresent(e -> e.setExpiresAfter(next.near().ttl()));
    settings = next;
    for (int p = 0; p < next.partitions(); p++) {
      partition(p).tell(new CachePartition.Reconfigure(next));
    }
  }

  private EntityRef<CachePartition.Command> partitionOf(CacheKey key) {
    return partition(key.partition(settings.partitions()));
  }

  private EntityRef<CachePartition.Command> partition(int p) {
    return sharding.entityRefFor(CachePartition.ENTITY_KEY, Integer.toString(p));
  }
}
