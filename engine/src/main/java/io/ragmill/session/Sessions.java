package io.ragmill.session;

import io.ragmill.api.RagmillException;
import io.ragmill.api.Stages;
import io.ragmill.query.QueryRequest;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/** The client of the {@link QuerySession} entities: ask within a session, read its history, end it. */
public final class Sessions {
  private final ClusterSharding sharding;
  private final Duration askTimeout;

  public Sessions(ActorSystem<?> system, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
  }

  /** The answer in the session's context; fails with the pipeline's error (404, 429, 503...). */
  public CompletionStage<QuerySession.AskReply> ask(String tenant, String sessionId, String collection, QueryRequest request) {
    // questions of a session are answered in turn: the wait includes those queued before this one
    return Stages.direct(
            entity(tenant, sessionId)
                .<QuerySession.AskReply>ask(replyTo -> new QuerySession.Ask(collection, request, replyTo), askTimeout.multipliedBy(3)))
        .thenApply(
            reply -> {
              if (reply.errorKind() != null) {
                throw reply.error();
              }
              return reply;
            });
  }

  /** The session's turns; 404 when it has none (never used, or ended). */
  public CompletionStage<QuerySession.History> history(String tenant, String sessionId) {
    return Stages.direct(entity(tenant, sessionId).<QuerySession.History>ask(QuerySession.GetHistory::new, askTimeout))
        .thenApply(
            history -> {
              if (history.turns().isEmpty()) {
                throw RagmillException.notFound("no session '" + sessionId + "'");
              }
              return history;
            });
  }

  public CompletionStage<QuerySession.Ended> end(String tenant, String sessionId) {
    return Stages.direct(entity(tenant, sessionId).<QuerySession.Ended>ask(QuerySession.End::new, askTimeout))
        .thenApply(
            ended -> {
              if (!ended.existed()) {
                throw RagmillException.notFound("no session '" + sessionId + "'");
              }
              return ended;
            });
  }

  private EntityRef<QuerySession.Command> entity(String tenant, String sessionId) {
    return sharding.entityRefFor(QuerySession.ENTITY_KEY, QuerySession.entityId(tenant, sessionId));
  }
}
