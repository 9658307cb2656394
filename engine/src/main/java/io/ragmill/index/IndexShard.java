package io.ragmill.index;

import io.ragmill.embedding.Vector;
import io.ragmill.metrics.ActorMetrics;
import io.ragmill.persistence.CborSerializable;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One partition of a collection's chunks (entity id {@code tenant#collection#shard}). Events carry
 * the vectors as packed bytes; the in-memory form is a {@link VectorMatrix}. Snapshots every
 * {@code snapshot-every} events keep recovery from replaying the whole history.
 */
public final class IndexShard
    extends EventSourcedBehaviorWithEnforcedReplies<IndexShard.Command, IndexShard.Event, VectorMatrix> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "IndexShard");

  public sealed interface Command extends CborSerializable {}

  /** A document's chunks, as indexed together. */
  public record DocumentChunks(String documentId, List<IndexedChunk> chunks) implements CborSerializable {}

  /** Adds documents' chunks, replacing any each had; one event (one journal write) for all of them. */
  public record IndexDocuments(List<DocumentChunks> documents, ActorRef<Done> replyTo) implements Command {}

  public record RemoveDocument(String documentId, ActorRef<Removed> replyTo) implements Command {}

  public record Removed(boolean existed) implements CborSerializable {}

  public record Search(Vector query, int k, MetadataFilter filter, ActorRef<SearchResult> replyTo)
      implements Command {}

  public record SearchResult(List<ChunkHit> hits, String error) implements CborSerializable {}

  public record GetStats(ActorRef<ShardStats> replyTo) implements Command {}

  public record ShardStats(int documents, int chunks) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record DocumentsIndexed(List<DocumentChunks> documents) implements Event {}

  public record DocumentRemoved(String documentId) implements Event {}

  /** The immutable form a snapshot is written in (the matrix itself is mutable). */
  public record Snapshot(Map<String, List<IndexedChunk>> documents) implements CborSerializable {}

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

  public static int shardOf(String documentId, int shards) {
    return Math.floorMod(documentId.hashCode(), shards);
  }

  public static Behavior<Command> create(PersistenceId persistenceId, IndexSettings settings) {
    return new IndexShard(persistenceId, settings);
  }

  private final IndexSettings settings;

  private IndexShard(PersistenceId persistenceId, IndexSettings settings) {
    super(persistenceId);
    this.settings = settings;
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
            (state, cmd) -> Effect().reply(cmd.replyTo(), new ShardStats(state.documentCount(), state.chunkCount())))
        .build();
  }

  private ReplyEffect<Event, VectorMatrix> onIndex(VectorMatrix state, IndexDocuments cmd) {
    return Effect()
        .persist(new DocumentsIndexed(List.copyOf(cmd.documents())))
        .thenReply(cmd.replyTo(), s -> Done.getInstance());
  }

  private ReplyEffect<Event, VectorMatrix> onRemove(VectorMatrix state, RemoveDocument cmd) {
    if (!state.contains(cmd.documentId())) {
      return Effect().reply(cmd.replyTo(), new Removed(false));
    }
    return Effect()
        .persist(new DocumentRemoved(cmd.documentId()))
        .thenReply(cmd.replyTo(), s -> new Removed(true));
  }

  private ReplyEffect<Event, VectorMatrix> onSearch(VectorMatrix state, Search cmd) {
    try {
      return Effect().reply(cmd.replyTo(), new SearchResult(state.search(cmd.query(), cmd.k(), cmd.filter()), null));
    } catch (IllegalArgumentException e) {
      return Effect().reply(cmd.replyTo(), new SearchResult(List.of(), e.getMessage()));
    }
  }

  @Override
  public EventHandler<VectorMatrix, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            DocumentsIndexed.class,
            (state, e) -> {
              e.documents().forEach(d -> state.upsert(d.documentId(), d.chunks()));
              return state;
            })
        .onEvent(
            DocumentRemoved.class,
            (state, e) -> {
              state.remove(e.documentId());
              return state;
            })
        .build();
  }

  /**
   * Every {@code snapshot-every} events, while the shard holds at most {@code snapshot-max-chunks}
   * chunks: a snapshot is the whole shard in one blob, and the embedded H2 journal cannot store a
   * blob of ~50 MB. A larger shard recovers by replaying its events (each a job step's chunks).
   * Older snapshots are kept; deleting them is left for a compaction job.
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
        return new Snapshot(state.documents());
      }

      @Override
      public VectorMatrix fromJournal(Object from) {
        VectorMatrix matrix = new VectorMatrix(settings.search());
        ((Snapshot) from).documents().forEach(matrix::upsert);
        return matrix;
      }
    };
  }
}
