package io.ragmill.session;

import io.ragmill.api.RagmillException;
import io.ragmill.metrics.ActorMetrics;
import io.ragmill.persistence.CborSerializable;
import io.ragmill.query.QueryPipeline;
import io.ragmill.query.QueryRequest;
import io.ragmill.query.QueryResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A conversation (entity id {@code tenant#session}): every query with the same session key lands
 * on the node that owns this entity, which resolves a follow-up against the previous turn (see
 * {@link FollowUps}), runs it through the {@link QueryPipeline} there and persists the turn before
 * it answers. Questions of one session are answered one at a time, in order (later ones are
 * stashed), so a follow-up always sees the turn before it. When the owning node dies the entity
 * recovers from the journal on another node, history intact. Idle sessions passivate (sharding's
 * idle timeout); at most {@code max-turns} turns are kept.
 */
public final class QuerySession
    extends EventSourcedBehaviorWithEnforcedReplies<QuerySession.Command, QuerySession.Event, QuerySession.State> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "QuerySession");

  public sealed interface Command extends CborSerializable {}

  public record Ask(String collection, QueryRequest request, ActorRef<AskReply> replyTo) implements Command {}

  public record GetHistory(ActorRef<History> replyTo) implements Command {}

  /** Ends the session: its turns are forgotten and the id may start a new conversation. */
  public record End(ActorRef<Ended> replyTo) implements Command {}

  private record Answered(Ask ask, String resolved, QueryResult result, Throwable error) implements Command {}

  /**
   * The answer, or the error's kind and message (an exception does not cross nodes); {@code turn}
   * is the turn's number in the session, {@code node} the address of the node that owns it.
   */
  public record AskReply(
      QueryResult result, String resolvedQuery, int turn, String node, RagmillException.Kind errorKind,
      String errorMessage, Long retryAfterMillis)
      implements CborSerializable {
    public RagmillException error() {
      return new RagmillException(
          errorKind, errorMessage, retryAfterMillis == null ? null : Duration.ofMillis(retryAfterMillis));
    }
  }

  /** One question and what answered it. */
  public record Turn(
      int number, String collection, String question, String resolvedQuery, String answer, List<String> citedDocuments,
      QueryResult.CacheStatus cache, Instant at)
      implements CborSerializable {}

  public record History(List<Turn> turns, String node) implements CborSerializable {}

  public record Ended(boolean existed) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record TurnRecorded(Turn turn) implements Event {}

  public record SessionEnded(Instant at) implements Event {}

  /** The last {@code max-turns} turns and the number of the next one. Mutable, owned by the entity. */
  public static final class State {
    final List<Turn> turns = new ArrayList<>();
    int nextTurn = 1;

    Turn last() {
      return turns.isEmpty() ? null : turns.get(turns.size() - 1);
    }
  }

  public static void init(ActorSystem<?> system, QueryPipeline pipeline, SessionSettings settings) {
    ClusterSharding.get(system)
        .init(
            ActorMetrics.entity(
                ENTITY_KEY,
                ctx ->
                    Behaviors.setup(
                        actorContext ->
                            new QuerySession(
                                actorContext, PersistenceId.of(ENTITY_KEY.name(), ctx.getEntityId()),
                                ctx.getEntityId(), pipeline, settings))));
  }

  public static String entityId(String tenant, String sessionId) {
    return tenant + "#" + sessionId;
  }

  private final ActorContext<Command> context;
  private final String tenant;
  private final QueryPipeline pipeline;
  private final SessionSettings settings;
  private final String node;
  /** A question is being answered; others wait in the stash. Not state: it does not survive a restart. */
  private boolean answering;

  private QuerySession(
      ActorContext<Command> context, PersistenceId persistenceId, String entityId, QueryPipeline pipeline,
      SessionSettings settings) {
    super(persistenceId);
    this.context = context;
    this.tenant = entityId.substring(0, entityId.indexOf('#'));
    this.pipeline = pipeline;
    this.settings = settings;
    this.node = context.getSystem().address().toString();
  }

  @Override
  public State emptyState() {
    return new State();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Ask.class, this::onAsk)
        .onCommand(Answered.class, this::onAnswered)
        .onCommand(GetHistory.class, (state, get) -> Effect().reply(get.replyTo(), new History(List.copyOf(state.turns), node)))
        .onCommand(End.class, this::onEnd)
        .build();
  }

  private ReplyEffect<Event, State> onAsk(State state, Ask ask) {
    if (answering) {
      return Effect().stash();
    }
    Turn last = state.last();
    String previous = last != null && last.collection().equals(ask.collection()) ? last.resolvedQuery() : null;
    String resolved = FollowUps.resolve(ask.request().query(), previous, settings.maxContextChars());
    QueryRequest request = new QueryRequest(resolved, ask.request().k(), ask.request().filter());
    answering = true;
    context.pipeToSelf(
        pipeline.query(tenant, ask.collection(), request),
        (result, error) -> new Answered(ask, resolved, result, error));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onAnswered(State state, Answered answered) {
    answering = false;
    Ask ask = answered.ask();
    if (answered.error() != null) {
      RagmillException error =
          RagmillException.find(answered.error())
              .orElseGet(() -> new RagmillException(RagmillException.Kind.UNAVAILABLE, String.valueOf(answered.error().getMessage())));
      return Effect()
          .reply(
              ask.replyTo(),
              new AskReply(
                  null, answered.resolved(), 0, node, error.kind(), error.getMessage(),
                  error.retryAfter().map(Duration::toMillis).orElse(null)))
          .thenUnstashAll();
    }
    QueryResult result = answered.result();
    // the documents the answer cites, not every document retrieved for it
    List<String> cited = result.answer().citations().stream().map(c -> c.documentId()).distinct().toList();
    Turn turn =
        new Turn(
            state.nextTurn, ask.collection(), ask.request().query(), answered.resolved(), result.answer().text(), cited,
            result.cache(), Instant.now());
    return Effect()
        .persist(new TurnRecorded(turn))
        .thenReply(ask.replyTo(), s -> new AskReply(result, answered.resolved(), turn.number(), node, null, null, null))
        .thenUnstashAll();
  }

  private ReplyEffect<Event, State> onEnd(State state, End end) {
    if (state.turns.isEmpty()) {
      return Effect().reply(end.replyTo(), new Ended(false));
    }
    return Effect().persist(new SessionEnded(Instant.now())).thenReply(end.replyTo(), s -> new Ended(true));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            TurnRecorded.class,
            (state, e) -> {
              state.turns.add(e.turn());
              state.nextTurn = e.turn().number() + 1;
              while (state.turns.size() > settings.maxTurns()) {
                state.turns.remove(0);
              }
              return state;
            })
        .onEvent(
            SessionEnded.class,
            (state, e) -> {
              state.turns.clear();
              state.nextTurn = 1;
              return state;
            })
        .build();
  }

  /** The immutable form a snapshot is written in (the state itself is mutable). */
  public record Snapshot(List<Turn> turns, int nextTurn) implements CborSerializable {}

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        return new Snapshot(List.copyOf(state.turns), state.nextTurn);
      }

      @Override
      public State fromJournal(Object from) {
        Snapshot snapshot = (Snapshot) from;
        State state = new State();
        state.turns.addAll(snapshot.turns());
        state.nextTurn = snapshot.nextTurn();
        return state;
      }
    };
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // a snapshot holds the kept turns; older events go with older snapshots
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2).withDeleteEventsOnSnapshot();
  }
}
