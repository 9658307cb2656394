package io.ragmill.metrics;

import io.ragmill.api.Stages;
import io.ragmill.persistence.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One per node: every {@code sample-interval} it sets the gauges that are read rather than
 * counted (mailbox depth per actor type, shards and entities per type on this node) and answers
 * for this node's summary; registered with the receptionist so any node can gather the cluster's.
 */
public final class NodeMetrics {
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "ragmill-node-metrics");

  public sealed interface Command extends CborSerializable {}

  public record GetSummary(ActorRef<NodeSummary> replyTo) implements Command {}

  private enum Sample implements Command {
    INSTANCE
  }

  private record ShardState(String type, int shards, int entities) implements Command {}

  private NodeMetrics() {}

  public static Behavior<Command> create() {
    return Behaviors.setup(
        ctx -> {
          Metrics metrics = Metrics.get(ctx.getSystem());
          ctx.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, ctx.getSelf()));
          return Behaviors.withTimers(
              timers -> {
                timers.startTimerWithFixedDelay(Sample.INSTANCE, metrics.settings().sampleInterval());
                return Behaviors.receive(Command.class)
                    .onMessageEquals(Sample.INSTANCE, () -> sample(ctx, metrics))
                    .onMessage(ShardState.class, s -> onShardState(metrics, s))
                    .onMessage(GetSummary.class, g -> {
                      g.replyTo().tell(metrics.summary());
                      return Behaviors.same();
                    })
                    .build();
              });
        });
  }

  private static Behavior<Command> sample(ActorContext<Command> ctx, Metrics metrics) {
    metrics.actorTypes().values().forEach(t -> t.mailbox.update(Math.max(0, t.queued.sum())));
    ClusterSharding sharding = ClusterSharding.get(ctx.getSystem());
    for (EntityTypeKey<?> key : metrics.entityTypes().values()) {
      CompletionStage<ShardRegion.CurrentShardRegionState> state =
          Stages.direct(
              AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
                  sharding.shardState(),
                  replyTo -> new GetShardRegionState(key, replyTo),
                  metrics.settings().sampleInterval(),
                  ctx.getSystem().scheduler()));
      ctx.pipeToSelf(
          state,
          (s, error) -> {
            if (s == null) {
              return new ShardState(key.name(), -1, -1);
            }
            int entities = 0;
            for (ShardRegion.ShardState shard : s.getShards()) {
              entities += shard.getEntityIds().size();
            }
            return new ShardState(key.name(), s.getShards().size(), entities);
          });
    }
    return Behaviors.same();
  }

  private static Behavior<Command> onShardState(Metrics metrics, ShardState s) {
    if (s.shards() < 0) {
      return Behaviors.same(); // the region did not answer in time: keep the last figures
    }
    var tags = metrics.tags("actor", s.type());
    metrics.gauge(MetricNames.SHARDS, tags).update(s.shards());
    metrics.gauge(MetricNames.ENTITIES, tags).update(s.entities());
    return Behaviors.same();
  }

  /** Every node's summary (those that answer within the timeout), ordered by node. */
  public static CompletionStage<List<NodeSummary>> cluster(ActorSystem<?> system, Duration timeout) {
    return Stages.direct(
            AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
                system.receptionist(), replyTo -> Receptionist.find(SERVICE_KEY, replyTo), timeout, system.scheduler()))
        .thenCompose(
            listing -> {
              List<CompletableFuture<NodeSummary>> all = new ArrayList<>();
              for (ActorRef<Command> ref : listing.getServiceInstances(SERVICE_KEY)) {
                all.add(
                    Stages.direct(AskPattern.<Command, NodeSummary>ask(ref, GetSummary::new, timeout, system.scheduler()))
                        .exceptionally(error -> null));
              }
              return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                  .thenApply(
                      ignored -> {
                        List<NodeSummary> out = new ArrayList<>();
                        all.forEach(f -> {
                          if (f.join() != null) {
                            out.add(f.join());
                          }
                        });
                        out.sort(Comparator.comparing(NodeSummary::node));
                        return out;
                      });
            });
  }
}
