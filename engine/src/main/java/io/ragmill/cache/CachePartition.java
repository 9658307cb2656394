package io.ragmill.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.ragmill.metrics.ActorMetrics;
import io.ragmill.metrics.CacheMetrics;
import io.ragmill.persistence.CborSerializable;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One slice of the cluster-wide cache (entity ids {@code 0..partitions-1}): a Caffeine cache per
 * kind (L1), bounded in bytes and expiring by TTL, plus the single-flight table. On an L1 miss the
 * partition reads Redis (L2, when configured) before it hands the first caller a lease to compute
 * the value; concurrent callers for the same key wait for the L2 answer or the leaseholder's
 * {@link Fill}, which is written through to L2. A failed computation is never cached: the lease
 * passes to the next waiter.
 *
 * <p>L1 is in memory only; a partition that moves to another node starts empty and refills from L2.
 */
public final class CachePartition extends AbstractBehavior<CachePartition.Command> {
  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "CachePartition");

  public sealed interface Command extends CborSerializable {}

  /** Answered {@link Hit} or, on a miss, {@link Lease}; a caller waiting on another's lease gets a Hit later. */
  public record Lookup(CacheKey key, ActorRef<LookupReply> replyTo) implements Command {}

  /** The leaseholder's computed value: stored and handed to every waiter. */
  public record Fill(CacheKey key, long leaseId, CachedValue value) implements Command {}

  /** The leaseholder failed: nothing is stored, the next waiter (if any) gets the lease. */
  public record Abandon(CacheKey key, long leaseId) implements Command {}

  public record GetStats(ActorRef<PartitionStats> replyTo) implements Command {}

  /** Drops L1 entries of one kind and/or one tenant (empty: all); Redis keeps its own until TTL. */
  public record Clear(Optional<CacheKind> kind, Optional<String> tenant, ActorRef<Long> replyTo) implements Command {}

  private record LeaseExpired(CacheKey key, long leaseId) implements Command {}

  private record L2Answer(CacheKey key, CachedValue value) implements Command {}

  public sealed interface LookupReply extends CborSerializable {}

  public record Hit(CachedValue value) implements LookupReply {}

  public record Lease(long leaseId) implements LookupReply {}

  /** Counters of one kind in one partition. */
  public record KindStats(
      long hits, long misses, long merges, long fills, long evictions, long entries, long bytes, long l2Hits)
      implements CborSerializable {
    public KindStats plus(KindStats o) {
      return new KindStats(
          hits + o.hits, misses + o.misses, merges + o.merges, fills + o.fills,
          evictions + o.evictions, entries + o.entries, bytes + o.bytes, l2Hits + o.l2Hits);
    }
  }

  public record PartitionStats(Map<CacheKind, KindStats> kinds) implements CborSerializable {}

  private static final int KEY_OVERHEAD_BYTES = 96;

  public static void init(ActorSystem<?> system, CacheSettings settings, Optional<RedisTier> l2) {
    ClusterSharding.get(system)
        .init(ActorMetrics.entity(ENTITY_KEY, ctx -> create(settings, Ticker.systemTicker(), l2)));
  }

  public static Behavior<Command> create(CacheSettings settings, Ticker ticker) {
    return create(settings, ticker, Optional.empty());
  }

  public static Behavior<Command> create(CacheSettings settings, Ticker ticker, Optional<RedisTier> l2) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new CachePartition(ctx, timers, settings, ticker, l2)));
  }

  /** A key being looked up in L2 (leaseId 0, the first caller in {@code holder}) or computed. */
  private static final class InFlight {
    long leaseId;
    ActorRef<LookupReply> holder;
    final ArrayDeque<ActorRef<LookupReply>> waiters = new ArrayDeque<>();

    InFlight(long leaseId, ActorRef<LookupReply> holder) {
      this.leaseId = leaseId;
      this.holder = holder;
    }
  }

  private static final class Counters {
    long hits;
    long misses;
    long merges;
    long fills;
    long l2Hits;
  }

  private final TimerScheduler<Command> timers;
  private final CacheSettings settings;
  private final Map<CacheKind, com.github.benmanes.caffeine.cache.Cache<CacheKey, CachedValue>> caches =
      new EnumMap<>(CacheKind.class);
  private final Map<CacheKind, Counters> counters = new EnumMap<>(CacheKind.class);
  private final Map<CacheKey, InFlight> inFlight = new HashMap<>();
  private final Optional<RedisTier> l2;
  private final CacheMetrics metrics;
  private long nextLeaseId = 1;

  private CachePartition(
      ActorContext<Command> context, TimerScheduler<Command> timers, CacheSettings settings, Ticker ticker,
      Optional<RedisTier> l2) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.l2 = l2;
    this.metrics = CacheMetrics.get(context.getSystem());
    for (CacheKind kind : CacheKind.values()) {
      CacheSettings.KindSettings k = settings.kind(kind);
      caches.put(
          kind,
          Caffeine.newBuilder()
              .maximumWeight(Math.max(0, k.maxBytes() / settings.partitions()))
              .weigher((CacheKey key, CachedValue value) -> KEY_OVERHEAD_BYTES + value.weightBytes())
              .expireAfterWrite(k.ttl())
              .ticker(ticker)
              // maintenance runs on the actor's own thread: no pool hop, no shared state
              .executor(Runnable::run)
              .recordStats()
              .evictionListener((CacheKey key, CachedValue value, RemovalCause cause) -> metrics.evicted(kind))
              .build());
      counters.put(kind, new Counters());
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Lookup.class, this::onLookup)
        .onMessage(Fill.class, this::onFill)
        .onMessage(Abandon.class, a -> release(a.key(), a.leaseId()))
        .onMessage(LeaseExpired.class, e -> release(e.key(), e.leaseId()))
        .onMessage(L2Answer.class, this::onL2Answer)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessage(Clear.class, this::onClear)
        .build();
  }

  private Behavior<Command> onLookup(Lookup lookup) {
    CacheKey key = lookup.key();
    Counters c = counters.get(key.kind());
    CachedValue value = caches.get(key.kind()).getIfPresent(key);
    if (value != null) {
      c.hits++;
      metrics.hit(key.kind(), CacheMetrics.Tier.L1);
      lookup.replyTo().tell(new Hit(value));
      return this;
    }
    c.misses++;
    metrics.miss(key.kind(), CacheMetrics.Tier.L1);
    InFlight running = inFlight.get(key);
    if (running != null) {
      c.merges++;
      metrics.merged(key.kind());
      running.waiters.add(lookup.replyTo());
      return this;
    }
    if (l2.isPresent()) {
      inFlight.put(key, new InFlight(0, lookup.replyTo()));
      getContext()
          .pipeToSelf(
              l2.get().get(key),
              (stored, error) -> new L2Answer(key, stored == null ? null : stored.orElse(null)));
      return this;
    }
    grantLease(key, new InFlight(0, lookup.replyTo()));
    return this;
  }

  private void grantLease(CacheKey key, InFlight running) {
    running.leaseId = nextLeaseId++;
    inFlight.put(key, running);
    timers.startSingleTimer(key, new LeaseExpired(key, running.leaseId), settings.leaseTimeout());
    running.holder.tell(new Lease(running.leaseId));
  }

  private Behavior<Command> onL2Answer(L2Answer answer) {
    InFlight running = inFlight.get(answer.key());
    if (running == null || running.leaseId != 0) {
      return this;
    }
    if (answer.value() == null) {
      metrics.miss(answer.key().kind(), CacheMetrics.Tier.L2);
      grantLease(answer.key(), running);
      return this;
    }
    caches.get(answer.key().kind()).put(answer.key(), answer.value());
    counters.get(answer.key().kind()).l2Hits++;
    metrics.hit(answer.key().kind(), CacheMetrics.Tier.L2);
    inFlight.remove(answer.key());
    Hit hit = new Hit(answer.value());
    running.holder.tell(hit);
    running.waiters.forEach(w -> w.tell(hit));
    return this;
  }

  private Behavior<Command> onFill(Fill fill) {
    CacheKey key = fill.key();
    caches.get(key.kind()).put(key, fill.value());
    counters.get(key.kind()).fills++;
    metrics.filled(key.kind());
    l2.ifPresent(redis -> redis.set(key, fill.value()));
    InFlight running = inFlight.get(key);
    if (running != null && running.leaseId == fill.leaseId()) {
      inFlight.remove(key);
      timers.cancel(key);
      Hit hit = new Hit(fill.value());
      running.waiters.forEach(w -> w.tell(hit));
    }
    return this;
  }

  private Behavior<Command> release(CacheKey key, long leaseId) {
    InFlight running = inFlight.get(key);
    if (running == null || running.leaseId != leaseId || leaseId == 0) {
      return this;
    }
    ActorRef<LookupReply> next = running.waiters.poll();
    if (next == null) {
      inFlight.remove(key);
      timers.cancel(key);
      return this;
    }
    running.holder = next;
    grantLease(key, running);
    return this;
  }

  private Behavior<Command> onGetStats(GetStats get) {
    Map<CacheKind, KindStats> out = new EnumMap<>(CacheKind.class);
    caches.forEach(
        (kind, cache) -> {
          cache.cleanUp();
          Counters c = counters.get(kind);
          long bytes = cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
          out.put(
              kind,
              new KindStats(
                  c.hits, c.misses, c.merges, c.fills, cache.stats().evictionCount(),
                  cache.estimatedSize(), bytes, c.l2Hits));
        });
    get.replyTo().tell(new PartitionStats(out));
    return this;
  }

  private Behavior<Command> onClear(Clear clear) {
    long removed = 0;
    for (Map.Entry<CacheKind, com.github.benmanes.caffeine.cache.Cache<CacheKey, CachedValue>> e : caches.entrySet()) {
      if (clear.kind().isPresent() && clear.kind().get() != e.getKey()) {
        continue;
      }
      var keys = e.getValue().asMap().keySet();
      int before = keys.size();
      keys.removeIf(k -> clear.tenant().isEmpty() || clear.tenant().get().equals(k.tenant()));
      removed += before - keys.size();
    }
    clear.replyTo().tell(removed);
    return this;
  }
}
