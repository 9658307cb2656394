package io.ragmill.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.ragmill.embedding.Vector;
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
 * <p>Each partition also holds the semantic index of the answer scopes that hash to it: the
 * earlier queries of a scope with their embeddings ({@link SemanticFind}, {@link SemanticAdd}),
 * checked by the {@link NearMissGuard}.
 *
 * <p>L1 and the semantic index are in memory only; a partition that moves to another node starts
 * empty and refills from L2.
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

  /**
   * Drops L1 entries (and semantic scopes) of one kind, tenant and/or collection (empty: all);
   * Redis is cleared by the {@link Cache} client.
   */
  public record Clear(Optional<CacheKind> kind, Optional<String> tenant, Optional<String> collection, ActorRef<Long> replyTo)
      implements Command {}

  /** Removes expired entries now instead of on the next write; replies with how many went. */
  public record Cleanup(ActorRef<Long> replyTo) implements Command {}

  /** The value if L1 or L2 holds it, without a lease: a semantic hit's answer, nothing computed on a miss. */
  public record Peek(CacheKey key, ActorRef<PeekReply> replyTo) implements Command {}

  public record PeekReply(Optional<CachedValue> value, CacheTier tier) implements CborSerializable {}

  /** Finds the nearest earlier query of a scope that the guard accepts as the same question. */
  public record SemanticFind(CacheKey scope, String query, Vector vector, ActorRef<SemanticReply> replyTo)
      implements Command {}

  /** The matching query's answer key and similarity, if any. */
  public record SemanticReply(Optional<SemanticMatch> match) implements CborSerializable {}

  public record SemanticMatch(CacheKey answerKey, String query, double similarity) implements CborSerializable {}

  /** Remembers a computed answer's query and embedding in its scope. */
  public record SemanticAdd(CacheKey scope, String query, Vector vector, CacheKey answerKey) implements Command {}

  /** A match's answer (in another partition) was gone by the time it was read: a miss after all. */
  public record SemanticStale() implements Command {}

  private record PeekL2Answer(CacheKey key, CachedValue value, ActorRef<PeekReply> replyTo) implements Command {}

  /** New budgets, TTLs and semantic thresholds for a running partition (the partition count cannot change). */
  public record Reconfigure(CacheSettings settings) implements Command {}

  private record LeaseExpired(CacheKey key, long leaseId) implements Command {}

  private record L2Answer(CacheKey key, CachedValue value) implements Command {}

  public sealed interface LookupReply extends CborSerializable {}

  public record Hit(CachedValue value, CacheTier tier) implements LookupReply {}

  public record Lease(long leaseId) implements LookupReply {}

  /**
   * Counters of one kind in one partition; the semantic ones (answers only) count lookups that
   * found a match, and candidates above the threshold that the guard rejected, by reason.
   */
  public record KindStats(
      long hits, long misses, long merges, long fills, long evictions, long entries, long bytes, long l2Hits,
      long semanticHits, long semanticMisses, Map<NearMissGuard.Reason, Long> semanticRejections)
      implements CborSerializable {
    public KindStats plus(KindStats o) {
      Map<NearMissGuard.Reason, Long> rejections = new EnumMap<>(NearMissGuard.Reason.class);
      rejections.putAll(semanticRejections);
      o.semanticRejections.forEach((r, n) -> rejections.merge(r, n, Long::sum));
      return new KindStats(
          hits + o.hits, misses + o.misses, merges + o.merges, fills + o.fills,
          evictions + o.evictions, entries + o.entries, bytes + o.bytes, l2Hits + o.l2Hits,
          semanticHits + o.semanticHits, semanticMisses + o.semanticMisses, Map.copyOf(rejections));
    }
  }

  /** The semantic index of one partition: scopes, remembered queries, bytes. */
  public record SemanticStats(long scopes, long queries, long bytes) implements CborSerializable {
    public SemanticStats plus(SemanticStats o) {
      return new SemanticStats(scopes + o.scopes, queries + o.queries, bytes + o.bytes);
    }
  }

  public record PartitionStats(Map<CacheKind, KindStats> kinds, SemanticStats semantic) implements CborSerializable {}

  private static final int KEY_OVERHEAD_BYTES = 96;

  /** {@code settings} is read when a partition starts, so a reload reaches partitions started later too. */
  public static void init(ActorSystem<?> system, java.util.function.Supplier<CacheSettings> settings, Optional<RedisTier> l2) {
    ClusterSharding.get(system)
        .init(ActorMetrics.entity(ENTITY_KEY, ctx -> create(settings.get(), Ticker.systemTicker(), l2)));
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
    long semanticHits;
    long semanticMisses;
    final Map<NearMissGuard.Reason, Long> semanticRejections = new EnumMap<>(NearMissGuard.Reason.class);
  }

  private final TimerScheduler<Command> timers;
  private CacheSettings settings;
  private final Map<CacheKind, com.github.benmanes.caffeine.cache.Cache<CacheKey, CachedValue>> caches =
      new EnumMap<>(CacheKind.class);
  private final Map<CacheKind, Counters> counters = new EnumMap<>(CacheKind.class);
  private final Map<CacheKey, InFlight> inFlight = new HashMap<>();
  private final Optional<RedisTier> l2;
  private final com.github.benmanes.caffeine.cache.Cache<CacheKey, SemanticScope> semantic;
  private NearMissGuard guard;
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
    CacheSettings.Semantic s = settings.semantic();
    this.guard = new NearMissGuard(s.maxDifferingContentWords());
    // a scope lives in one partition: the node's budget split evenly would make a large one
    // impossible, so each partition may always hold at least one full scope
    long fullScope = (long) s.maxEntriesPerScope() * SemanticScope.ESTIMATED_ROW_BYTES;
    this.semantic =
        Caffeine.newBuilder()
            .maximumWeight(s.maxBytes() == 0 ? 0 : Math.max(s.maxBytes() / settings.partitions(), fullScope))
            .weigher((CacheKey key, SemanticScope scope) -> KEY_OVERHEAD_BYTES + scope.weightBytes())
            // a scope lives as long as answers of its generation may
            .expireAfterAccess(settings.kind(CacheKind.ANSWER).ttl())
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
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
        .onMessage(Cleanup.class, this::onCleanup)
        .onMessage(Reconfigure.class, this::onReconfigure)
        .onMessage(Peek.class, this::onPeek)
        .onMessage(PeekL2Answer.class, this::onPeekL2Answer)
        .onMessage(SemanticFind.class, this::onSemanticFind)
        .onMessage(SemanticAdd.class, this::onSemanticAdd)
        .onMessage(SemanticStale.class, stale -> {
          Counters c = counters.get(CacheKind.ANSWER);
          c.semanticHits--;
          c.semanticMisses++;
          return this;
        })
        .build();
  }

  private Behavior<Command> onLookup(Lookup lookup) {
    CacheKey key = lookup.key();
    Counters c = counters.get(key.kind());
    CachedValue value = caches.get(key.kind()).getIfPresent(key);
    if (value != null) {
      c.hits++;
      metrics.hit(key.kind(), CacheMetrics.Tier.L1);
      lookup.replyTo().tell(new Hit(value, CacheTier.L1));
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
    Hit hit = new Hit(answer.value(), CacheTier.L2);
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
      Hit hit = new Hit(fill.value(), CacheTier.L1);
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
                  cache.estimatedSize(), bytes, c.l2Hits, c.semanticHits, c.semanticMisses,
                  Map.copyOf(c.semanticRejections)));
        });
    semantic.cleanUp();
    long queries = 0;
    long bytes = 0;
    for (SemanticScope scope : semantic.asMap().values()) {
      queries += scope.size();
      bytes += KEY_OVERHEAD_BYTES + scope.weightBytes();
    }
    get.replyTo().tell(new PartitionStats(out, new SemanticStats(semantic.estimatedSize(), queries, bytes)));
    return this;
  }

  private Behavior<Command> onClear(Clear clear) {
    long removed = 0;
    for (Map.Entry<CacheKind, com.github.benmanes.caffeine.cache.Cache<CacheKey, CachedValue>> e : caches.entrySet()) {
      if (clear.kind().isPresent() && clear.kind().get() != e.getKey()) {
        continue;
      }
      removed += removeMatching(e.getValue().asMap().keySet(), clear);
    }
    if (clear.kind().isEmpty() || clear.kind().get() == CacheKind.ANSWER) {
      removeMatching(semantic.asMap().keySet(), clear);
    }
    clear.replyTo().tell(removed);
    return this;
  }

  private static long removeMatching(java.util.Set<CacheKey> keys, Clear clear) {
    int before = keys.size();
    keys.removeIf(
        k -> (clear.tenant().isEmpty() || clear.tenant().get().equals(k.tenant()))
            && (clear.collection().isEmpty() || clear.collection().get().equals(k.collection())));
    return before - keys.size();
  }

  private Behavior<Command> onReconfigure(Reconfigure reconfigure) {
    CacheSettings next = reconfigure.settings();
    caches.forEach(
        (kind, cache) -> {
          CacheSettings.KindSettings k = next.kind(kind);
          cache.policy().eviction().ifPresent(e -> e.setMaximum(Math.max(0, k.maxBytes() / settings.partitions())));
          cache.policy().expireAfterWrite().ifPresent(e -> e.setExpiresAfter(k.ttl()));
        });
    CacheSettings.Semantic s = next.semantic();
    long fullScope = (long) s.maxEntriesPerScope() * SemanticScope.ESTIMATED_ROW_BYTES;
    semantic.policy().eviction()
        .ifPresent(e -> e.setMaximum(s.maxBytes() == 0 ? 0 : Math.max(s.maxBytes() / settings.partitions(), fullScope)));
    semantic.policy().expireAfterAccess().ifPresent(e -> e.setExpiresAfter(next.kind(CacheKind.ANSWER).ttl()));
    guard = new NearMissGuard(s.maxDifferingContentWords());
    settings = next;
    return this;
  }

  private Behavior<Command> onCleanup(Cleanup cleanup) {
    long removed = 0;
    for (var cache : caches.values()) {
      long before = cache.estimatedSize();
      cache.cleanUp();
      removed += Math.max(0, before - cache.estimatedSize());
    }
    semantic.cleanUp();
    cleanup.replyTo().tell(removed);
    return this;
  }

  private Behavior<Command> onPeek(Peek peek) {
    CachedValue value = caches.get(peek.key().kind()).getIfPresent(peek.key());
    if (value != null) {
      peek.replyTo().tell(new PeekReply(Optional.of(value), CacheTier.L1));
    } else if (l2.isPresent()) {
      getContext()
          .pipeToSelf(
              l2.get().get(peek.key()),
              (stored, error) ->
                  new PeekL2Answer(peek.key(), stored == null ? null : stored.orElse(null), peek.replyTo()));
    } else {
      peek.replyTo().tell(new PeekReply(Optional.empty(), CacheTier.L1));
    }
    return this;
  }

  private Behavior<Command> onPeekL2Answer(PeekL2Answer answer) {
    if (answer.value() != null) {
      caches.get(answer.key().kind()).put(answer.key(), answer.value());
      counters.get(answer.key().kind()).l2Hits++;
      metrics.hit(answer.key().kind(), CacheMetrics.Tier.L2);
    }
    answer.replyTo().tell(new PeekReply(Optional.ofNullable(answer.value()), CacheTier.L2));
    return this;
  }

  private Behavior<Command> onSemanticFind(SemanticFind find) {
    Counters c = counters.get(CacheKind.ANSWER);
    SemanticScope scope = semantic.getIfPresent(find.scope());
    CacheSettings.Semantic s = settings.semantic();
    SemanticScope.Outcome outcome =
        scope == null
            ? new SemanticScope.Miss(0, Optional.empty())
            : scope.find(find.query(), find.vector(), s.similarityThreshold(), s.maxCandidates(), guard);
    if (outcome instanceof SemanticScope.Match match) {
      c.semanticHits++;
      metrics.semanticHit(CacheKind.ANSWER);
      match.passedOver().ifPresent(r -> {
        c.semanticRejections.merge(r, 1L, Long::sum);
        metrics.semanticRejection(CacheKind.ANSWER);
      });
      find.replyTo().tell(new SemanticReply(Optional.of(new SemanticMatch(match.answerKey(), match.query(), match.similarity()))));
    } else {
      SemanticScope.Miss miss = (SemanticScope.Miss) outcome;
      c.semanticMisses++;
      miss.reason().ifPresent(r -> {
        c.semanticRejections.merge(r, 1L, Long::sum);
        metrics.semanticRejection(CacheKind.ANSWER);
      });
      find.replyTo().tell(new SemanticReply(Optional.empty()));
    }
    return this;
  }

  private Behavior<Command> onSemanticAdd(SemanticAdd add) {
    SemanticScope scope = semantic.get(add.scope(), k -> new SemanticScope(settings.semantic().maxEntriesPerScope()));
    scope.add(add.query(), add.vector(), add.answerKey());
    // put again so the weigher sees the scope's new size
    semantic.put(add.scope(), scope);
    return this;
  }
}
