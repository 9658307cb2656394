package io.ragmill.collection;

import io.ragmill.index.IndexShard;
import io.ragmill.metrics.ActorMetrics;
import io.ragmill.persistence.CborSerializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * A collection (entity id {@code tenant#collection}): its settings, the documents it holds and
 * its generation. Every change that can alter an answer (documents committed by a job, a document
 * deleted) bumps the generation, and the reply waits until the new generation is replicated to
 * every node, so an acknowledged change is never followed by an answer cached before it.
 *
 * <p>A generation is never issued twice for a collection name, even by another journal: the next
 * one is the wall clock in milliseconds, or one more than the last if that is later. Counting 1,
 * 2, 3 made generation 1 of a collection on a fresh journal (a wiped data folder, a restored
 * backup that the old journal had moved past) the key of answers Redis still held from the old
 * one, which were then served as hits.
 */
public final class Collection
    extends EventSourcedBehaviorWithEnforcedReplies<Collection.Command, Collection.Event, Collection.State> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Collection");

  public sealed interface Command extends CborSerializable {}

  /** Creates the collection with these settings unless it exists. */
  public record Create(CollectionSettings settings, boolean failIfDifferent, ActorRef<Info> replyTo)
      implements Command {}

  public record GetInfo(ActorRef<Info> replyTo) implements Command {}

  /** A job's documents are indexed: record them and bump the generation. */
  public record CommitDocuments(String jobId, Map<String, Integer> chunksByDocument, ActorRef<Committed> replyTo)
      implements Command {}

  public record DeleteDocument(String documentId, ActorRef<Deleted> replyTo) implements Command {}

  private record ShardCleared(String documentId, ActorRef<Deleted> replyTo, Throwable error) implements Command {}

  /** {@code created} is true when this request created it; {@code conflict} when settings differ. */
  public record Info(
      boolean exists, boolean created, boolean conflict, CollectionSettings settings, int documents, long chunks,
      long generation)
      implements CborSerializable {}

  public record Committed(long generation, String error) implements CborSerializable {}

  public record Deleted(boolean existed, long generation, String error) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record CollectionCreated(CollectionSettings settings) implements Event {}

  public record DocumentsCommitted(String jobId, Map<String, Integer> chunksByDocument, long generation)
      implements Event {}

  public record DocumentDeleted(String documentId, long generation) implements Event {}

  /** Mutable, owned by the entity; snapshots go through {@link Snapshot}. */
  public static final class State {
    CollectionSettings settings;
    final Map<String, Integer> documents = new LinkedHashMap<>();
    long chunks;
    long generation;

    boolean exists() {
      return settings != null;
    }

    Info info(boolean created, boolean conflict) {
      return new Info(exists(), created, conflict, settings, documents.size(), chunks, generation);
    }
  }

  public record Snapshot(CollectionSettings settings, Map<String, Integer> documents, long generation)
      implements CborSerializable {}

  public static void init(ActorSystem<?> system, Generations generations, Duration askTimeout) {
    ClusterSharding.get(system)
        .init(
            ActorMetrics.entity(
                ENTITY_KEY,
                ctx ->
                    Behaviors.setup(
                        actorContext ->
                            new Collection(
                                actorContext, PersistenceId.of(ENTITY_KEY.name(), ctx.getEntityId()),
                                ctx.getEntityId(), generations, askTimeout))));
  }

  public static String entityId(String tenant, String collection) {
    return tenant + "#" + collection;
  }

  private final ActorContext<Command> context;
  private final String tenant;
  private final String name;
  private final Generations generations;
  private final Duration askTimeout;

  private Collection(
      ActorContext<Command> context, PersistenceId persistenceId, String entityId, Generations generations,
      Duration askTimeout) {
    super(persistenceId);
    this.context = context;
    int hash = entityId.indexOf('#');
    this.tenant = entityId.substring(0, hash);
    this.name = entityId.substring(hash + 1);
    this.generations = generations;
    this.askTimeout = askTimeout;
  }

  @Override
  public State emptyState() {
    return new State();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Create.class, this::onCreate)
        .onCommand(GetInfo.class, this::onGetInfo)
        .onCommand(CommitDocuments.class, this::onCommit)
        .onCommand(DeleteDocument.class, this::onDelete)
        .onCommand(ShardCleared.class, this::onShardCleared)
        .build();
  }

  private ReplyEffect<Event, State> onCreate(State state, Create cmd) {
    if (state.exists()) {
      boolean conflict = cmd.failIfDifferent() && !state.settings.equals(cmd.settings());
      return Effect().reply(cmd.replyTo(), state.info(false, conflict));
    }
    return Effect()
        .persist(new CollectionCreated(cmd.settings()))
        .thenReply(cmd.replyTo(), s -> s.info(true, false));
  }

  private ReplyEffect<Event, State> onGetInfo(State state, GetInfo cmd) {
    if (state.exists()) {
      // a node that lost its replica (restart) learns the generation again from here
      generations.publish(tenant, name, state.generation);
    }
    return Effect().reply(cmd.replyTo(), state.info(false, false));
  }

  private ReplyEffect<Event, State> onCommit(State state, CommitDocuments cmd) {
    if (!state.exists()) {
      return Effect().reply(cmd.replyTo(), new Committed(0, "collection does not exist"));
    }
    long next = nextGeneration(state.generation);
    return Effect()
        .persist(new DocumentsCommitted(cmd.jobId(), Map.copyOf(cmd.chunksByDocument()), next))
        .thenRun(
            s ->
                generations
                    .publish(tenant, name, next)
                    .whenComplete(
                        (done, error) ->
                            cmd.replyTo().tell(new Committed(next, error == null ? null : error.getMessage()))))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onDelete(State state, DeleteDocument cmd) {
    if (!state.exists() || !state.documents.containsKey(cmd.documentId())) {
      return Effect().reply(cmd.replyTo(), new Deleted(false, state.generation, null));
    }
    String shardId = IndexShard.entityId(tenant, name, IndexShard.shardOf(cmd.documentId(), state.settings.shards()));
    context.pipeToSelf(
        ClusterSharding.get(context.getSystem())
            .entityRefFor(IndexShard.ENTITY_KEY, shardId)
            .<IndexShard.Removed>ask(replyTo -> new IndexShard.RemoveDocument(
                cmd.documentId(), IndexShard.version(java.time.Instant.now()), replyTo), askTimeout),
        (removed, error) -> new ShardCleared(cmd.documentId(), cmd.replyTo(), error));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onShardCleared(State state, ShardCleared cmd) {
    if (cmd.error() != null) {
      return Effect().reply(cmd.replyTo(), new Deleted(true, state.generation, cmd.error().getMessage()));
    }
    if (!state.documents.containsKey(cmd.documentId())) {
      return Effect().reply(cmd.replyTo(), new Deleted(false, state.generation, null));
    }
    long next = nextGeneration(state.generation);
    return Effect()
        .persist(new DocumentDeleted(cmd.documentId(), next))
        .thenRun(
            s ->
                generations
                    .publish(tenant, name, next)
                    .whenComplete(
                        (done, error) ->
                            cmd.replyTo().tell(new Deleted(true, next, error == null ? null : error.getMessage()))))
        .thenNoReply();
  }

  /** After {@code current}: now in epoch milliseconds, or {@code current + 1} if that is later. */
  static long nextGeneration(long current) {
    return Math.max(current + 1, System.currentTimeMillis());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            CollectionCreated.class,
            (state, e) -> {
              state.settings = e.settings();
              return state;
            })
        .onEvent(
            DocumentsCommitted.class,
            (state, e) -> {
              e.chunksByDocument()
                  .forEach(
                      (doc, chunks) -> {
                        Integer before = state.documents.put(doc, chunks);
                        state.chunks += chunks - (before == null ? 0 : before);
                      });
              state.generation = e.generation();
              return state;
            })
        .onEvent(
            DocumentDeleted.class,
            (state, e) -> {
              Integer before = state.documents.remove(e.documentId());
              state.chunks -= before == null ? 0 : before;
              state.generation = e.generation();
              return state;
            })
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(500, 2);
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        return new Snapshot(state.settings, Map.copyOf(state.documents), state.generation);
      }

      @Override
      public State fromJournal(Object from) {
        Snapshot snapshot = (Snapshot) from;
        State state = new State();
        state.settings = snapshot.settings();
        state.documents.putAll(snapshot.documents());
        state.chunks = snapshot.documents().values().stream().mapToLong(Integer::longValue).sum();
        state.generation = snapshot.generation();
        return state;
      }
    };
  }
}
