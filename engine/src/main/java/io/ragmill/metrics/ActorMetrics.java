package io.ragmill.metrics;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Gauge;
import kamon.metric.Timer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Actor-level metrics without an agent: a {@link BehaviorInterceptor} around each entity's
 * behavior counts the messages it processes, times them and counts the exceptions, starts and
 * stops (passivations); the {@link MeteredMailbox} counts what waits in the mailboxes. Both are
 * tagged by actor type (the entity type name) and node, never by entity id, so the number of
 * series stays bounded however many entities run.
 *
 * <p>Usage at an init site: {@code ClusterSharding.get(system).init(ActorMetrics.entity(ENTITY_KEY,
 * ctx -> create(...)))} in place of {@code Entity.of(...)}.
 */
public final class ActorMetrics {
  /** The config path of the mailbox that counts queue depth (in ragmill-node.conf). */
  public static final String MAILBOX = "ragmill-metered-mailbox";

  private ActorMetrics() {}

  /** {@code Entity.of} with every entity of the type measured and on the counting mailbox. */
  public static <M> Entity<M, ShardingEnvelope<M>> entity(
      EntityTypeKey<M> key, Function<EntityContext<M>, Behavior<M>> create) {
    return Entity.of(
            key,
            ctx ->
                Behaviors.setup(
                    actor -> {
                      Metrics metrics = Metrics.get(actor.getSystem());
                      metrics.registerEntityType(key);
                      return measured(metrics.actor(key.name()), create.apply(ctx));
                    }))
        .withEntityProps(MailboxSelector.fromConfig(MAILBOX));
  }

  /** Any behavior (a pool's routee, a singleton) measured as actor type {@code type}. */
  public static <M> Behavior<M> instrument(String type, Behavior<M> behavior) {
    return Behaviors.setup(actor -> measured(Metrics.get(actor.getSystem()).actor(type), behavior));
  }

  private static <M> Behavior<M> measured(TypeMetrics metrics, Behavior<M> behavior) {
    metrics.starts.increment();
    return Behaviors.intercept(() -> new Interceptor<M>(metrics), behavior);
  }

  /** The instruments of one actor type on one node. */
  static final class TypeMetrics {
    final Counter messages;
    final Timer processing;
    final Counter errors;
    final Counter starts;
    final Counter passivations;
    final Gauge mailbox;
    final Timer timeInMailbox;
    /** Messages enqueued and not yet dequeued, over every mailbox of the type (see MeteredMailbox). */
    final LongAdder queued = new LongAdder();

    TypeMetrics(Metrics metrics, String type) {
      var tags = metrics.tags("actor", type);
      this.messages = Kamon.counter(MetricNames.ACTOR_MESSAGES).withTags(tags);
      this.processing = Kamon.timer(MetricNames.ACTOR_PROCESSING_TIME).withTags(tags);
      this.errors = Kamon.counter(MetricNames.ACTOR_ERRORS).withTags(tags);
      this.starts = Kamon.counter(MetricNames.ACTOR_STARTS).withTags(tags);
      this.passivations = Kamon.counter(MetricNames.ACTOR_PASSIVATIONS).withTags(tags);
      this.mailbox = metrics.gauge(MetricNames.ACTOR_MAILBOX_SIZE, tags);
      this.timeInMailbox = Kamon.timer(MetricNames.ACTOR_TIME_IN_MAILBOX).withTags(tags);
    }
  }

  /**
   * Sees every message the actor receives, its own timers and pipeToSelf results included (and
   * an event-sourced entity's journal replies): the processing time is the handler's, not the
   * journal's round trip.
   */
  private static final class Interceptor<M> extends BehaviorInterceptor<M, M> {
    private final TypeMetrics metrics;

    @SuppressWarnings("unchecked")
    Interceptor(TypeMetrics metrics) {
      super((Class<M>) Object.class);
      this.metrics = metrics;
    }

    @Override
    public Behavior<M> aroundReceive(TypedActorContext<M> ctx, M msg, ReceiveTarget<M> target) {
      long start = System.nanoTime();
      try {
        return target.apply(ctx, msg);
      } catch (RuntimeException | Error e) {
        metrics.errors.increment();
        throw e;
      } finally {
        metrics.processing.record(System.nanoTime() - start);
        metrics.messages.increment();
      }
    }

    @Override
    public Behavior<M> aroundSignal(TypedActorContext<M> ctx, Signal signal, SignalTarget<M> target) {
      if (signal instanceof PostStop) {
        metrics.passivations.increment();
      }
      return target.apply(ctx, signal);
    }
  }
}
