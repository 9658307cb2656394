package io.ragmill.collection;

import io.ragmill.api.Stages;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
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
 */
public final class Generations {
  private static final LWWRegister.Clock<Long> GENERATION_CLOCK = (current, generation) -> generation;

  private final ActorSystem<?> system;
  private final ActorRef<Replicator.Command> replicator;
  private final SelfUniqueAddress self;
  private final Duration timeout;

  public Generations(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.replicator = DistributedData.get(system).replicator();
    this.self = DistributedData.get(system).selfUniqueAddress();
    this.timeout = timeout;
  }

  static Key<LWWRegister<Long>> key(String tenant, String collection) {
    return LWWRegisterKey.create("gen:" + tenant + "#" + collection);
  }

  /** This node's replica of the generation, or empty when this node has not seen the collection. */
  public CompletionStage<Optional<Long>> current(String tenant, String collection) {
    Key<LWWRegister<Long>> key = key(tenant, collection);
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
        .thenApply(
            response -> {
              if (response instanceof Replicator.UpdateSuccess) {
                return Done.getInstance();
              }
              throw new IllegalStateException(
                  "generation " + generation + " of " + tenant + "/" + collection
                      + " could not be replicated to every node: " + response);
            });
  }
}
