package io.ragmill.cache;

import io.ragmill.api.Stages;
import io.ragmill.metrics.CacheMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The client of the sharded cache. {@link #getOrCompute} hides the lease protocol: a hit returns
 * the stored value, a miss runs the computation once per key across all concurrent callers and
 * stores its result. The cache is an optimisation, never a source of errors: when a partition
 * does not answer in time, the value is computed and not stored.
 */
public final class Cache {

  /** A value and whether it came from the cache. */
  public record Result<V>(V value, boolean hit) {}

  private final ClusterSharding sharding;
  private final CacheSettings settings;
  private final Duration askTimeout;
  private final CacheMetrics metrics;

  public Cache(ActorSystem<?> system, CacheSettings settings, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.settings = settings;
    this.askTimeout = askTimeout;
    this.metrics = CacheMetrics.get(system);
  }

  public <V extends CachedValue> CompletionStage<Result<V>> getOrCompute(
      CacheKey key, Class<V> type, Supplier<CompletionStage<V>> compute) {
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
                return CompletableFuture.completedFuture(new Result<>(type.cast(hit.value()), true));
              }
              long leaseId = reply instanceof CachePartition.Lease lease ? lease.leaseId() : -1;
              // thenCompose turns a computation that throws into a failed stage
              return CompletableFuture.completedFuture(key)
                  .thenCompose(k -> compute.get())
                  .whenComplete(
                      (value, error) -> {
                        if (leaseId < 0) {
                          return;
                        }
                        if (error == null && value != null) {
                          partition.tell(new CachePartition.Fill(key, leaseId, value));
                        } else {
                          partition.tell(new CachePartition.Abandon(key, leaseId));
                        }
                      })
                  .thenApply(value -> new Result<>(value, false));
            });
  }

  /** Sums the counters of every partition. */
  public CompletionStage<Map<CacheKind, CachePartition.KindStats>> stats() {
    List<CompletableFuture<CachePartition.PartitionStats>> all = new ArrayList<>();
    for (int p = 0; p < settings.partitions(); p++) {
      all.add(Stages.direct(partition(p).<CachePartition.PartitionStats>ask(CachePartition.GetStats::new, askTimeout)));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              Map<CacheKind, CachePartition.KindStats> sum = new EnumMap<>(CacheKind.class);
              for (CompletableFuture<CachePartition.PartitionStats> f : all) {
                f.join().kinds().forEach((kind, s) -> sum.merge(kind, s, CachePartition.KindStats::plus));
              }
              return sum;
            });
  }

  /** Drops L1 entries of one kind and/or tenant (empty: all) on every partition; the count removed. */
  public CompletionStage<Long> clear(Optional<CacheKind> kind, Optional<String> tenant) {
    List<CompletableFuture<Long>> all = new ArrayList<>();
    for (int p = 0; p < settings.partitions(); p++) {
      all.add(
          Stages.direct(partition(p).<Long>ask(replyTo -> new CachePartition.Clear(kind, tenant, replyTo), askTimeout)));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> all.stream().mapToLong(CompletableFuture::join).sum());
  }

  private EntityRef<CachePartition.Command> partitionOf(CacheKey key) {
    return partition(key.partition(settings.partitions()));
  }

  private EntityRef<CachePartition.Command> partition(int p) {
    return sharding.entityRefFor(CachePartition.ENTITY_KEY, Integer.toString(p));
  }
}
