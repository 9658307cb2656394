package io.ragmill.routing;

import io.ragmill.api.RagmillException;
import io.ragmill.api.Stages;
import io.ragmill.metrics.ActorMetrics;
import io.ragmill.query.QueryPipeline;
import io.ragmill.query.QueryRequest;
import io.ragmill.query.QueryResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;

/**
 * This node's pool of {@link QueryWorker}s for queries without a session, with the strategy named
 * in settings: round robin, random, least busy (fewest in flight), consistent hashing by query key
 * (the same question goes to the same worker while the pool keeps its size), or weighted random.
 *
 * <p>Admission is decided here, before anything is queued (answers in the near cache skip it: see
 * {@link #query}): each worker holds at most
 * {@code max-in-flight-per-worker} queries, and when every worker is full the request fails at once
 * with {@link RagmillException.Kind#OVERLOADED} (HTTP 429 with Retry-After), never a timeout and
 * never an unbounded queue. A consistent-hashing request whose worker is full moves on to the next
 * worker on the ring rather than being refused while others are idle.
 *
 * <p>Every {@code resize.interval} the pool grows by one worker when its utilization (queries in
 * flight over capacity) is above {@code grow-above}, and shrinks by one (draining it) when below
 * {@code shrink-below}, within {@code min..max} and at most once per {@code cooldown}. Settings can
 * be replaced at run time ({@link #reconfigure}) without dropping a request.
 */
public final class QueryRouter {

  /** One worker, with the router's count of its queries in flight. */
  private static final class Slot {
    final ActorRef<QueryWorker.Command> worker;
    final int index;
    final AtomicInteger inFlight = new AtomicInteger();
    final LongAdder served = new LongAdder();

    Slot(ActorRef<QueryWorker.Command> worker, int index) {
      this.worker = worker;
      this.index = index;
    }
  }

  /** What the pool looks like now, for the admin API and tests. */
  public record PoolStatus(
      String strategy, int workers, int minWorkers, int maxWorkers, int maxInFlightPerWorker, int inFlight,
      long rejected, List<Long> servedPerWorker, List<Integer> inFlightPerWorker) {}

  private final ActorSystem<?> system;
  private final QueryPipeline pipeline;
  private final Duration askTimeout;
  /** Worker names stay unique however many routers a system has (tests build several). */
  private static final AtomicLong NEXT_WORKER = new AtomicLong();
  private final AtomicLong roundRobin = new AtomicLong();
  private final LongAdder rejected = new LongAdder();
  private volatile RouterSettings settings;
  /** Replaced, never mutated: readers take a consistent list without a lock. */
  private volatile List<Slot> slots = List.of();
  private volatile long lastResizeNanos = System.nanoTime();

  public QueryRouter(ActorSystem<?> system, QueryPipeline pipeline, RouterSettings settings, Duration askTimeout) {
    this.system = system;
    this.pipeline = pipeline;
    this.settings = settings;
    this.askTimeout = askTimeout;
    resizeTo(settings.initialWorkers());
    system.scheduler()
        .scheduleWithFixedDelay(
            settings.resizeInterval(), settings.resizeInterval(), this::resize, system.executionContext());
  }

  /**
   * An answer already in this node's near cache comes back at once, without taking a worker: it
   * costs microseconds, and admission control is for work. Everything else goes to a worker.
   */
  public CompletionStage<QueryResult> query(String tenant, String collection, QueryRequest request) {
    return pipeline
        .nearHit(tenant, collection, request)
        .thenCompose(
            near -> near.isPresent()
                ? CompletableFuture.completedFuture(near.get())
                : routed(tenant, collection, request));
  }

  private CompletionStage<QueryResult> routed(String tenant, String collection, QueryRequest request) {
    Slot slot = acquire(tenant, collection, request);
    if (slot == null) {
      rejected.increment();
      RouterSettings s = settings;
      return CompletableFuture.failedFuture(
          RagmillException.overloaded(
              "all " + slots.size() + " query workers of this node are busy (" + s.maxInFlightPerWorker()
                  + " queries each); retry shortly"));
    }
    return Stages.direct(
            AskPattern.<QueryWorker.Command, StatusReply<QueryResult>>ask(
                slot.worker, replyTo -> new QueryWorker.Run(tenant, collection, request, replyTo), askTimeout.multipliedBy(3),
                system.scheduler()))
        .whenComplete(
            (reply, error) -> {
              slot.inFlight.decrementAndGet();
              slot.served.increment();
            })
        .thenApply(
            reply -> {
              if (reply.isError()) {
                Throwable error = reply.getError();
                throw error instanceof RuntimeException r ? r : new IllegalStateException(error);
              }
              return reply.getValue();
            });
  }

  /** A worker under its limit, picked by the strategy, with its count taken; null when all are full. */
  private Slot acquire(String tenant, String collection, QueryRequest request) {
    List<Slot> pool = slots;
    RouterSettings s = settings;
    int n = pool.size();
    int limit = s.maxInFlightPerWorker();
    switch (s.strategy()) {
      case LEAST_BUSY -> {
        // a few tries: another caller may take the least busy worker's last place first
        for (int attempt = 0; attempt < 3; attempt++) {
          Slot best = null;
          for (Slot slot : pool) {
            if (best == null || slot.inFlight.get() < best.inFlight.get()) {
              best = slot;
            }
          }
          if (best == null || best.inFlight.get() >= limit) {
            return null;
          }
          if (tryTake(best, limit)) {
            return best;
          }
        }
        return null;
      }
      case WEIGHTED -> {
        int total = 0;
        for (Slot slot : pool) {
          total += s.weight(slot.index);
        }
        int r = ThreadLocalRandom.current().nextInt(Math.max(1, total));
        int start = 0;
        for (int i = 0; i < n; i++) {
          r -= s.weight(pool.get(i).index);
          if (r < 0) {
            start = i;
            break;
          }
        }
        return firstFree(pool, start, limit);
      }
      case RANDOM -> {
        return firstFree(pool, ThreadLocalRandom.current().nextInt(Math.max(1, n)), limit);
      }
      case CONSISTENT_HASHING -> {
        int hash = (tenant + '\u0000' + collection + '\u0000' + request.query().trim().toLowerCase(Locale.ROOT)).hashCode();
        return firstFree(pool, n == 0 ? 0 : jumpHash(hash, n), limit);
      }
      default -> {
        return firstFree(pool, (int) Math.floorMod(roundRobin.getAndIncrement(), (long) Math.max(1, n)), limit);
      }
    }
  }

  /** The first worker from {@code start} on (wrapping) whose count could be taken under the limit. */
  private static Slot firstFree(List<Slot> pool, int start, int limit) {
    int n = pool.size();
    for (int i = 0; i < n; i++) {
      Slot slot = pool.get((start + i) % n);
      if (tryTake(slot, limit)) {
        return slot;
      }
    }
    return null;
  }

  private static boolean tryTake(Slot slot, int limit) {
    while (true) {
      int current = slot.inFlight.get();
      if (current >= limit) {
        return false;
      }
      if (slot.inFlight.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  /**
   * Lamping and Veach's jump consistent hash: a key moves only when the bucket count passes it, so
   * growing the pool by one moves about 1/n of the keys.
   */
  static int jumpHash(long key, int buckets) {
    long b = -1;
    long j = 0;
    long k = key;
    while (j < buckets) {
      b = j;
      k = k * 2862933555777941757L + 1;
      j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((k >>> 33) + 1)));
    }
    return (int) b;
  }

  /** One resize step, as the schedule runs it; public so tests can step it. */
  public synchronized void resize() {
    RouterSettings s = settings;
    List<Slot> pool = slots;
    if (pool.size() < s.minWorkers() || pool.size() > s.maxWorkers()) {
      resizeTo(Math.max(s.minWorkers(), Math.min(s.maxWorkers(), pool.size())));
      return;
    }
    if (System.nanoTime() - lastResizeNanos < s.cooldown().toNanos()) {
      return;
    }
    int inFlight = pool.stream().mapToInt(slot -> slot.inFlight.get()).sum();
    double utilization = (double) inFlight / ((long) pool.size() * s.maxInFlightPerWorker());
    if (utilization > s.growAbove() && pool.size() < s.maxWorkers()) {
      resizeTo(pool.size() + 1);
    } else if (utilization < s.shrinkBelow() && pool.size() > s.minWorkers()) {
      resizeTo(pool.size() - 1);
    }
  }

  /** Grows with fresh workers or shrinks by draining the last ones; in-flight queries finish. */
  private synchronized void resizeTo(int size) {
    List<Slot> pool = new ArrayList<>(slots);
    while (pool.size() < size) {
      ActorRef<QueryWorker.Command> worker =
          system.systemActorOf(
              ActorMetrics.instrument("QueryWorker", QueryWorker.create(pipeline)),
              "query-worker-" + NEXT_WORKER.getAndIncrement(),
              // messages, processing time and errors as "QueryWorker"; the router counts its in-flight queries
              Props.empty());
      pool.add(new Slot(worker, pool.size()));
    }
    while (pool.size() > size) {
      Slot gone = pool.remove(pool.size() - 1);
      gone.worker.tell(new QueryWorker.Drain());
    }
    slots = List.copyOf(pool);
    lastResizeNanos = System.nanoTime();
  }

  /** Applies new settings: strategy and limits at once, pool size within the new bounds. */
  public synchronized void reconfigure(RouterSettings next) {
    settings = next;
    int size = slots.size();
    resizeTo(Math.max(next.minWorkers(), Math.min(next.maxWorkers(), size)));
  }

  public RouterSettings settings() {
    return settings;
  }

  public PoolStatus status() {
    List<Slot> pool = slots;
    RouterSettings s = settings;
    return new PoolStatus(
        s.strategy().wire(), pool.size(), s.minWorkers(), s.maxWorkers(), s.maxInFlightPerWorker(),
        pool.stream().mapToInt(slot -> slot.inFlight.get()).sum(), rejected.sum(),
        pool.stream().map(slot -> slot.served.sum()).toList(), pool.stream().map(slot -> slot.inFlight.get()).toList());
  }
}
