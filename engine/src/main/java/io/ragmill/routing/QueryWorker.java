package io.ragmill.routing;

import io.ragmill.persistence.CborSerializable;
import io.ragmill.query.QueryPipeline;
import io.ragmill.query.QueryRequest;
import io.ragmill.query.QueryResult;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.pattern.StatusReply;

/**
 * One worker of a node's query pool: runs a session-less query through the {@link QueryPipeline}
 * and replies. The pipeline is asynchronous, so a worker holds several queries at once; how many is
 * bounded by the {@link QueryRouter}, which only sends to a worker under its limit. A worker is an
 * actor so the pool's work is visible per worker (mailbox, processing, errors), and so the pool can
 * shrink: {@link Drain} stops a worker once its last query is answered.
 */
public final class QueryWorker extends AbstractBehavior<QueryWorker.Command> {
  /** Local only (workers never leave their node), but serializable like every message here. */
  public sealed interface Command extends CborSerializable {}

  public record Run(String tenant, String collection, QueryRequest request, ActorRef<StatusReply<QueryResult>> replyTo)
      implements Command {}

  /** Stop after the queries in flight are answered. */
  public record Drain() implements Command {}

  private record Done(ActorRef<StatusReply<QueryResult>> replyTo, QueryResult result, Throwable error) implements Command {}

  public static Behavior<Command> create(QueryPipeline pipeline) {
    return Behaviors.setup(ctx -> new QueryWorker(ctx, pipeline));
  }

  private final QueryPipeline pipeline;
  private int inFlight;
  private boolean draining;

  private QueryWorker(ActorContext<Command> context, QueryPipeline pipeline) {
    super(context);
    this.pipeline = pipeline;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Run.class, this::onRun)
        .onMessage(Done.class, this::onDone)
        .onMessage(Drain.class, drain -> {
          draining = true;
          return inFlight == 0 ? Behaviors.stopped() : this;
        })
        .build();
  }

  private Behavior<Command> onRun(Run run) {
    inFlight++;
    getContext()
        .pipeToSelf(
            pipeline.query(run.tenant(), run.collection(), run.request()),
            (result, error) -> new Done(run.replyTo(), result, error));
    return this;
  }

  private Behavior<Command> onDone(Done done) {
    inFlight--;
    done.replyTo().tell(done.error() == null ? StatusReply.success(done.result()) : StatusReply.error(done.error()));
    return draining && inFlight == 0 ? Behaviors.stopped() : this;
  }
}
