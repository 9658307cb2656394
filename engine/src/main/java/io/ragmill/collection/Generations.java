package io.ragmill.collection;

import io.ragmill.api.Stages;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWRegisterKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Each collection's generation, replicated to every node with Distributed Data. A register's
 * timestamp is the generation itself, so merges keep the highest generation whatever the clocks
 * say. {@link #publish} completes only when every reachable node has the value (WriteAll), which
 * is what lets an ingest or delete be acknowledged: no node can then key its cache by an older one.
 *
 * <p><b>Read lease.</b> Asking the replicator on every query cost a cached hit a round trip through
 * an actor and a scheduled timeout, the largest part of its cost left after the HTTP stack. So a
 * value read from the local replica is reused for {@code lease}, counted from the moment the read
 * was asked for, and {@link #publish} completes only {@code lease} after every node has the new
 * value. A value read before the new one reached this node was asked for before the write
 * completed, so its lease has ended before the publish completes: after an acknowledged ingest or
 * delete, no node serves a generation older than it. The price is {@code lease} more on each
 * acknowledgement. The argument needs only that both nodes measure a few milliseconds alike
 * (monotonic clocks, not synchronized ones). A lease of zero reads the replica every time. The
 * lease is renewed in the background once half of it has run, one read at a time, so under load
 * queries do not wait for the replica at all.
 */
public final class Generations {
  private static final LWWRegister.Clock<Long> GENERATION_CLOCK = (current, generation) -> generation;

  private final ActorSystem<?> system;
  private final ActorRef<Replicator.Command> replicator;
  private final SelfUniqueAddress self;
  private final Duration timeout;
  private final long leaseNanos;
  private final ConcurrentHashMap<Key<LWWRegister<Long>>, Lease> leases = new ConcurrentHashMap<>();

  /** A generation read from the local replica, usable until {@code expiresNanos} (System.nanoTime). */
  private record Leased(long generation, long expiresNanos) {}

  /** A read of the replica in flight, asked for at {@code askedNanos}. */
  private record Reading(long askedNanos, CompletableFuture<Optional<Long>> result) {}

  /** One collection's leased value and the read renewing it, if any. */
  private static final class Lease {
    final AtomicReference<Leased> value = new AtomicReference<>();
    final AtomicReference<Reading> reading = new AtomicReference<>();
  }

  public Generations(ActorSystem<?> system, Duration timeout) {
    this(system, timeout, Duration.ZERO);
  }

  public Generations(ActorSystem<?> system, Duration timeout, Duration lease) {
    if (lease.isNegative()) {
      throw new IllegalArgumentException("the generation read lease must be >= 0, was " + lease);
    }
    this.system = system;
    this.replicator = DistributedData.get(system).replicator();
    this.self = DistributedData.get(system).selfUniqueAddress();
    this.timeout = timeout;
    this.leaseNanos = lease.toNanos();
  }

  static Key<LWWRegister<Long>> key(String tenant, String collection) {
    return LWWRegisterKey.create("gen:" + tenant + "#" + collection);
  }

  /** This node's replica of the generation, or empty when this node has not seen the collection. */
  public CompletionStage<Optional<Long>> current(String tenant, String collection) {
    Key<LWWRegister<Long>> key = key(tenant, collection);
    if (leaseNanos == 0) {
      return read(key);
    }
    long now = System.nanoTime();
    Lease lease = leases.computeIfAbsent(key, k -> new Lease());
    Leased value = lease.value.get();
    if (value != null && now - value.expiresNanos() < 0) {
      if (now - (value.expiresNanos() - leaseNanos / 2) > 0) {
        refresh(key, lease, now); // renew ahead of the end, so queries never wait for it
      }
      return CompletableFuture.completedFuture(Optional.of(value.generation()));
    }
    return refresh(key, lease, now);
  }

  /**
   * One read of the replica in flight per collection. A query that started at {@code now} may take
   * the answer of a read asked for before it only while that read's lease would still run: a read
   * asked for more than a lease ago may predate an acknowledged publish.
   */
  private CompletableFuture<Optional<Long>> refresh(Key<LWWRegister<Long>> key, Lease lease, long now) {
    Reading current = lease.reading.get();
    if (current != null && now - (current.askedNanos() + leaseNanos) < 0) {
      return current.result();
    }
    long asked = System.nanoTime();
    Reading mine = new Reading(asked, new CompletableFuture<>());
    if (!lease.reading.compareAndSet(current, mine)) {
      Reading other = lease.reading.get();
      if (other != null && now - (other.askedNanos() + leaseNanos) < 0) {
        return other.result();
      }
      // lost to a read that is already too old for this query: ask on our own
      return read(key);
    }
    read(key)
        .whenComplete(
            (generation, error) -> {
              if (error == null && generation.isPresent()) {
                // the lease runs from when the read was asked for, not from when it came back
                lease.value.accumulateAndGet(
                    new Leased(generation.get(), asked + leaseNanos),
                    (old, fresh) -> old == null || fresh.expiresNanos() - old.expiresNanos() > 0 ? fresh : old);
              }
              lease.reading.compareAndSet(mine, null);
              if (error != null) {
                mine.result().completeExceptionally(error);
              } else {
                mine.result().complete(generation);
              }
            });
    return mine.result();
  }

  private CompletableFuture<Optional<Long>> read(Key<LWWRegister<Long>> key) {
    return Stages.direct(
            AskPattern.<Replicator.Command, Replicator.GetResponse<LWWRegister<Long>>>ask(
                replicator,
                replyTo -> new Replicator.Get<>(key, Replicator.readLocal(), replyTo),
                timeout,
                system.scheduler()))
        .thenApply(
            response ->
                response instanceof Replicator.GetSuccess<LWWRegister<Long>> success
                    ? Optional.of(success.get(key).getValue())
                    : Optional.empty());
  }

  public CompletionStage<Done> publish(String tenant, String collection, long generation) {
    Key<LWWRegister<Long>> key = key(tenant, collection);
    return Stages.direct(AskPattern.<Replicator.Command, Replicator.UpdateResponse<LWWRegister<Long>>>ask(
            replicator,
            replyTo ->
                new Replicator.Update<>(
                    key,
                    LWWRegister.create(self, generation, GENERATION_CLOCK),
                    new Replicator.WriteAll(timeout),
                    replyTo,
                    register -> register.withValue(self, Math.max(register.getValue(), generation), GENERATION_CLOCK)),
            timeout.plus(timeout),
            system.scheduler()))
        .thenCompose(
            response -> {
              if (!(response instanceof Replicator.UpdateSuccess)) {
                throw new IllegalStateException(
                    "generation " + generation + " of " + tenant + "/" + collection
                        + " could not be replicated to every node: " + response);
              }
              if (leaseNanos == 0) {
                return CompletableFuture.completedFuture(Done.getInstance());
              }
              // every lease on an older value, on any node, ends before this completes
              CompletableFuture<Done> afterLeases = new CompletableFuture<>();
              system.scheduler()
                  .scheduleOnce(
                      Duration.ofNanos(leaseNanos),
                      () -> afterLeases.complete(Done.getInstance()),
                      system.executionContext());
              return afterLeases;
            });
  }
}
