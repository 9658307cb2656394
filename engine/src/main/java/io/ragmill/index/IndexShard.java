package io.ragmill.index;

import io.ragmill.embedding.Vector;
import io.ragmill.metrics.ActorMetrics;
import io.ragmill.persistence.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition of a collection's chunks (entity id {@code tenant#collection#shard}). Events carry
 * the vectors as packed bytes; the in-memory form is a {@link VectorMatrix}. Snapshots every
 * {@code snapshot-every} events keep recovery from replaying the whole history; after each one the
 * snapshots (and events) older than the last {@code keep-snapshots} are deleted.
 *
 * <p>From {@code hnsw.min-vectors} live vectors on, the shard searches an HNSW graph, which it
 * builds in the background: on the {@code hnsw.build-dispatcher} pool, over an immutable view of
 * its rows, started after recovery, after an index or remove command, or by a search, whichever
 * finds the shard needing one first; at most one at a time. Searches are answered by the exact scan
 * until the result comes back as a message; rows added meanwhile are scanned exactly as well and
 * linked into the graph a batch per message, so the shard never blocks for a whole build.
 */
public final class IndexShard
    extends EventSourcedBehaviorWithEnforcedReplies<IndexShard.Command, IndexShard.Event, VectorMatrix> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "IndexShard");

  public sealed interface Command extends CborSerializable {}

  /**
   * A document's chunks, as indexed together. {@code version}: when the write was accepted (epoch
   * microseconds of its job's acceptance); a shard keeps a document's newest write and ignores an
   * older one that arrives after it. 0 in events written before versions existed.
   */
  public record DocumentChunks(String documentId, List<IndexedChunk> chunks, long version) implements CborSerializable {
    public DocumentChunks(String documentId, List<IndexedChunk> chunks) {
      this(documentId, chunks, 0);
    }
  }

  /**
   * Adds documents' chunks, replacing any each had, unless the shard holds a newer write or delete
   * of it; one event (one journal write) for all of them. The reply names the documents left out.
   */
  public record IndexDocuments(List<DocumentChunks> documents, ActorRef<Indexed> replyTo) implements Command {}

  /** {@code superseded}: documents whose write was older than what the shard held, and left out. */
  public record Indexed(java.util.Set<String> superseded) implements CborSerializable {}

  /** Removes a document unless the shard holds a write newer than {@code version} (epoch microseconds). */
  public record RemoveDocument(String documentId, long version, ActorRef<Removed> replyTo) implements Command {
    /** Unversioned, like {@code DocumentChunks(id, chunks)}: removes what those wrote. */
    public RemoveDocument(String documentId, ActorRef<Removed> replyTo) {
      this(documentId, 0, replyTo);
    }
  }

  public record Removed(boolean existed) implements CborSerializable {}

  public record Search(Vector query, int k, MetadataFilter filter, ActorRef<SearchResult> replyTo)
      implements Command {}

  public record SearchResult(List<ChunkHit> hits, String error) implements CborSerializable {}

  public record GetStats(ActorRef<ShardStats> replyTo) implements Command {}

  /**
   * {@code graphNodes}: rows linked into the HNSW graph (0 without one); {@code graphBuilding}: a
   * background build is running; {@code searchesGraph}: searches walk the graph now (otherwise
   * they scan exactly).
   */
  public record ShardStats(
      int documents, int chunks, int graphNodes, boolean graphBuilding, boolean searchesGraph)
      implements CborSerializable {}

  /** A background graph build's result (local only: sent by the shard to itself, never serialized). */
  private record GraphBuilt(VectorMatrix.GraphBuild build, HnswIndex graph, Throwable failure) implements Command {}

  /** Links the next batch of the rows added behind the graph (local only, like GraphBuilt). */
  private enum AppendToGraph implements Command {
    INSTANCE
  }

  public sealed interface Event extends CborSerializable {}

  public record DocumentsIndexed(List<DocumentChunks> documents) implements Event {}

  /** {@code version}: the delete's (0 in events written before versions existed). */
  public record DocumentRemoved(String documentId, long version) implements Event {}

  /**
   * The immutable form a snapshot is written in (the matrix itself is mutable). {@code versions}:
   * every document's, deleted ones too (null in snapshots written before versions existed).
   */
  public record Snapshot(Map<String, List<IndexedChunk>> documents, Map<String, Long> versions) implements CborSerializable {}

  private static final Logger log = LoggerFactory.getLogger(IndexShard.class);

  /** Where background graph builds run (reference.conf). */
  public static final String BUILD_DISPATCHER = "ragmill.index.hnsw.build-dispatcher";

  /** Rows linked into the graph per AppendToGraph message: a few hundred ms at most between searches. */
  static final int APPEND_BATCH = 256;

  private static final Duration DELETE_TIMEOUT = Duration.ofSeconds(60);

  public static void init(ActorSystem<?> system, IndexSettings settings) {
    ClusterSharding.get(system)
        .init(
            ActorMetrics.entity(
                ENTITY_KEY,
                ctx -> create(PersistenceId.of(ENTITY_KEY.name(), ctx.getEntityId()), settings)));
  }

  public static String entityId(String tenant, String collection, int shard) {
    return tenant + "#" + collection + "#" + shard;
  }

  /** An instant as the epoch microseconds that version document writes (a job's acceptance) and deletes. */
  public static long version(java.time.Instant at) {
    return at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000;
  }

  public static int shardOf(String documentId, int shards) {
    return Math.floorMod(documentId.hashCode(), shards);
  }

  public static Behavior<Command> create(PersistenceId persistenceId, IndexSettings settings) {
    return Behaviors.setup(
        ctx ->
            new IndexShard(
                persistenceId,
                settings,
                ctx,
                ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(BUILD_DISPATCHER))));
  }

  /** With graph builds on {@code buildExecutor} instead of the build dispatcher (tests). */
  static Behavior<Command> create(PersistenceId persistenceId, IndexSettings settings, Executor buildExecutor) {
    return Behaviors.setup(ctx -> new IndexShard(persistenceId, settings, ctx, buildExecutor));
  }

  private final IndexSettings settings;
  private final ActorContext<Command> context;
  private final Executor buildExecutor;
  private VectorMatrix.GraphBuild runningBuild; // cancelled when the shard stops
  private boolean appendScheduled;

  private IndexShard(
      PersistenceId persistenceId, IndexSettings settings, ActorContext<Command> context, Executor buildExecutor) {
    super(persistenceId);
    this.settings = settings;
    this.context = context;
    this.buildExecutor = buildExecutor;
  }

  @Override
  public VectorMatrix emptyState() {
    return new VectorMatrix(settings.search());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, VectorMatrix> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(IndexDocuments.class, this::onIndex)
        .onCommand(RemoveDocument.class, this::onRemove)
        .onCommand(Search.class, this::onSearch)
        .onCommand(
            GetStats.class,
            (state, cmd) ->
                Effect()
                    .reply(
                        cmd.replyTo(),
                        new ShardStats(
                            state.documentCount(),
                            state.chunkCount(),
                            state.graphSize(),
                            state.graphBuilding(),
                            state.searchesGraph())))
        .onCommand(GraphBuilt.class, this::onGraphBuilt)
        .onCommand(AppendToGraph.class, this::onAppendToGraph)
        .build();
  }

  /**
   * Jobs run side by side, so an older job's step can reach the shard after a newer job (or a
   * delete) of the same document was acknowledged; applying it would bring the older text back.
   * Such documents are left out and named in the reply, so the job does not commit them.
   */
  private ReplyEffect<Event, VectorMatrix> onIndex(VectorMatrix state, IndexDocuments cmd) {
    List<DocumentChunks> newer = new ArrayList<>(cmd.documents().size());
    java.util.Set<String> superseded = new java.util.HashSet<>();
    for (DocumentChunks d : cmd.documents()) {
      if (d.version() >= state.version(d.documentId())) {
        newer.add(d);
      } else {
        superseded.add(d.documentId());
      }
    }
    Indexed reply = new Indexed(java.util.Set.copyOf(superseded));
    if (newer.isEmpty()) {
      return Effect().reply(cmd.replyTo(), reply);
    }
    return Effect()
        .persist(new DocumentsIndexed(List.copyOf(newer)))
        .thenRun(this::maintainGraph)
        .thenReply(cmd.replyTo(), s -> reply);
  }

  private ReplyEffect<Event, VectorMatrix> onRemove(VectorMatrix state, RemoveDocument cmd) {
    if (!state.contains(cmd.documentId()) || state.version(cmd.documentId()) > cmd.version()) {
      return Effect().reply(cmd.replyTo(), new Removed(false));
    }
    return Effect()
        .persist(new DocumentRemoved(cmd.documentId(), cmd.version()))
        .thenRun(this::maintainGraph) // a compaction drops the graph
        .thenReply(cmd.replyTo(), s -> new Removed(true));
  }

  private ReplyEffect<Event, VectorMatrix> onSearch(VectorMatrix state, Search cmd) {
    // never waits for a graph: exact until one is installed (a search starts the build if no one has)
    maintainGraph(state);
    try {
      return Effect().reply(cmd.replyTo(), new SearchResult(state.search(cmd.query(), cmd.k(), cmd.filter()), null));
    } catch (IllegalArgumentException e) {
      return Effect().reply(cmd.replyTo(), new SearchResult(List.of(), e.getMessage()));
    }
  }

  /**
   * Starts a background build when the shard needs a graph and none is running, or schedules the
   * linking of rows added behind the graph. Runs on the shard's thread.
   */
  private void maintainGraph(VectorMatrix state) {
    if (state.needsGraphBuild()) {
      VectorMatrix.GraphBuild build = state.startGraphBuild();
      runningBuild = build;
      context.pipeToSelf(
          CompletableFuture.supplyAsync(build::run, buildExecutor),
          (graph, failure) -> new GraphBuilt(build, graph, failure));
    } else if (state.graphTail() > 0 && !appendScheduled) {
      appendScheduled = true;
      context.getSelf().tell(AppendToGraph.INSTANCE);
    }
  }

  private ReplyEffect<Event, VectorMatrix> onGraphBuilt(VectorMatrix state, GraphBuilt msg) {
    runningBuild = null;
    if (msg.failure() != null) {
      state.graphBuildFailed();
      log.error("{}: HNSW graph build failed; searching exactly", persistenceId().id(), msg.failure());
      return Effect().noReply(); // the next index, remove or search command tries again
    }
    if (!state.installGraph(msg.build(), msg.graph())) {
      log.debug("{}: discarded a graph built over rows renumbered since", persistenceId().id());
    }
    maintainGraph(state); // a new build after a discard, or the rows added during this one
    return Effect().noReply();
  }

  private ReplyEffect<Event, VectorMatrix> onAppendToGraph(VectorMatrix state, AppendToGraph msg) {
    appendScheduled = false;
    state.appendToGraph(APPEND_BATCH);
    maintainGraph(state);
    return Effect().noReply();
  }

  @Override
  public SignalHandler<VectorMatrix> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::maintainGraph) // a large shard builds right away
        .onSignal(SnapshotCompleted.class, (state, signal) -> deleteOlderThan(signal.metadata().sequenceNr()))
        .onSignal(
            PostStop.instance(),
            state -> {
              if (runningBuild != null) {
                runningBuild.cancel(); // nobody would take its result
              }
            })
        .build();
  }

  /**
   * After a snapshot at {@code sequenceNr}: deletes the snapshots up to {@code sequenceNr -
   * keep-snapshots * snapshot-every}, keeping the newest ones (at most keep-snapshots: snapshots
   * come only at multiples of snapshot-every, and not at all while the shard is above
   * snapshot-max-chunks), and with delete-events-on-snapshot the events up to there as well.
   * Recovery loads the newest snapshot and replays only the events after it, so it reads neither.
   *
   * <p>Pekko's own {@code RetentionCriteria.snapshotEvery} does this only for the snapshots it
   * triggers itself, every N events whatever the state, which would snapshot the large shards that
   * {@link #shouldSnapshot} leaves out; the deletions are sent here with the same protocol messages
   * it uses.
   */
  private void deleteOlderThan(long sequenceNr) {
    long upTo = sequenceNr - (long) settings.keepSnapshots() * settings.snapshotEvery();
    if (settings.keepSnapshots() == 0 || upTo <= 0) {
      return;
    }
    String id = persistenceId().id();
    Persistence persistence = Persistence.get(context.getSystem().classicSystem());
    var snapshotStore = persistence.snapshotStoreFor(snapshotPluginId(), com.typesafe.config.ConfigFactory.empty());
    Patterns.ask(
            snapshotStore,
            new SnapshotProtocol.DeleteSnapshots(id, SnapshotSelectionCriteria.create(upTo, Long.MAX_VALUE)),
            DELETE_TIMEOUT)
        .whenComplete(
            (reply, failure) -> {
              if (failure != null || reply instanceof org.apache.pekko.persistence.DeleteSnapshotsFailure) {
                log.warn("{}: deleting snapshots up to {} failed: {}", id, upTo, failure != null ? failure : reply);
              }
            });
    // as Pekko refuses for its own retention: with optional snapshots, a failed snapshot load
    // would replay from the first event, so the events must stay
    if (settings.deleteEventsOnSnapshot()
        && !persistence.configFor(snapshotStore).getBoolean("snapshot-is-optional")) {
      var journal = persistence.journalFor(journalPluginId(), com.typesafe.config.ConfigFactory.empty());
      Patterns.askWithReplyTo(journal, replyTo -> new JournalProtocol.DeleteMessagesTo(id, upTo, replyTo), DELETE_TIMEOUT)
          .whenComplete(
              (reply, failure) -> {
                if (failure != null || reply instanceof org.apache.pekko.persistence.DeleteMessagesFailure) {
                  log.warn("{}: deleting events up to {} failed: {}", id, upTo, failure != null ? failure : reply);
                }
              });
    }
  }

  @Override
  public EventHandler<VectorMatrix, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            DocumentsIndexed.class,
            (state, e) -> {
              e.documents().forEach(d -> {
                state.upsert(d.documentId(), d.chunks());
                state.version(d.documentId(), d.version());
              });
              return state;
            })
        .onEvent(
            DocumentRemoved.class,
            (state, e) -> {
              state.remove(e.documentId());
              state.version(e.documentId(), e.version());
              return state;
            })
        .build();
  }

  /**
   * Every {@code snapshot-every} events, while the shard holds at most {@code snapshot-max-chunks}
   * chunks: a snapshot is the whole shard in one blob, and the embedded H2 journal cannot store a
   * blob of ~50 MB. A larger shard recovers from its last snapshot and the events after it (each
   * a job step's chunks). See {@link #deleteOlderThan} for what is deleted after a snapshot.
   */
  @Override
  public boolean shouldSnapshot(VectorMatrix state, Event event, long sequenceNr) {
    return sequenceNr % settings.snapshotEvery() == 0 && state.chunkCount() <= settings.snapshotMaxChunks();
  }

  @Override
  public SnapshotAdapter<VectorMatrix> snapshotAdapter() {
    // Runs on the entity's thread when a snapshot is taken, so the store serialises an immutable
    // copy while the matrix goes on changing.
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(VectorMatrix state) {
        return new Snapshot(state.documents(), state.versions());
      }

      @Override
      public VectorMatrix fromJournal(Object from) {
        VectorMatrix matrix = new VectorMatrix(settings.search());
        Snapshot snapshot = (Snapshot) from;
        snapshot.documents().forEach(matrix::upsert);
        if (snapshot.versions() != null) {
          snapshot.versions().forEach(matrix::version);
        }
        return matrix;
      }
    };
  }
}
