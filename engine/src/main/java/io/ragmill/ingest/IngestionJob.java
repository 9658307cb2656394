package io.ragmill.ingest;

import io.ragmill.api.Stages;
import com.fasterxml.jackson.annotation.JsonValue;
import io.ragmill.api.RagmillException;
import io.ragmill.collection.Collection;
import io.ragmill.collection.CollectionSettings;
import io.ragmill.embedding.EmbeddingClient;
import io.ragmill.embedding.Vector;
import io.ragmill.index.IndexShard;
import io.ragmill.index.IndexedChunk;
import io.ragmill.metrics.ActorMetrics;
import io.ragmill.persistence.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A durable background ingestion job (entity id: the job id). {@code JobAccepted} is persisted
 * before the caller is answered, so an accepted job is never lost; the job then works through its
 * documents a step at a time (parse, chunk, embed, index, persist progress) and finally commits
 * them to the collection, which bumps the generation.
 *
 * <p>Sharding remembers running jobs, so after a crash the job restarts with the node and resumes
 * from the first document whose step was not persisted. Re-indexing a document replaces its
 * chunks, so a step repeated after a crash does no harm. A finished job passivates after a short
 * linger and is forgotten by sharding.
 */
public final class IngestionJob
    extends EventSourcedBehaviorWithEnforcedReplies<IngestionJob.Command, IngestionJob.Event, IngestionJob.State> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "IngestionJob");

  public sealed interface Command extends CborSerializable {}

  public record Start(
      String tenant, String collection, CollectionSettings settings, List<SourceDocument> documents,
      ActorRef<Status> replyTo)
      implements Command {}

  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /** Answered once the job has completed or failed. */
  public record AwaitDone(ActorRef<Status> replyTo) implements Command {}

  private enum Resume implements Command {
    INSTANCE
  }

  private enum Linger implements Command {
    INSTANCE
  }

  private record StepSucceeded(int nextDocument, Map<String, Integer> chunksByDocument) implements Command {}

  private record StepFailed(String reason, boolean overloaded) implements Command {}

  private record CommitDone(long generation, String error) implements Command {}

  public enum Phase {
    UNKNOWN,
    RUNNING,
    COMPLETED,
    FAILED;

    @JsonValue
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Progress of a job as callers see it. */
  public record Status(
      String jobId, Phase phase, String tenant, String collection, int documents, int documentsIndexed,
      long chunksIndexed, long generation, String error, Instant acceptedAt, Instant finishedAt)
      implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record JobAccepted(
      String tenant, String collection, CollectionSettings settings, List<SourceDocument> documents, Instant at)
      implements Event {}

  public record DocumentsIndexed(int nextDocument, Map<String, Integer> chunksByDocument) implements Event {}

  public record JobCompleted(long generation, Instant at) implements Event {}

  public record JobFailed(String reason, Instant at) implements Event {}

  public record State(
      Phase phase, JobAccepted job, int nextDocument, Map<String, Integer> chunksByDocument, long generation,
      String error, Instant finishedAt)
      implements CborSerializable {

    static final State EMPTY = new State(Phase.UNKNOWN, null, 0, Map.of(), 0, null, null);

    boolean isDone() {
      return phase == Phase.COMPLETED || phase == Phase.FAILED;
    }

    long chunks() {
      return chunksByDocument.values().stream().mapToLong(Integer::longValue).sum();
    }

    Status status(String jobId) {
      if (job == null) {
        return new Status(jobId, Phase.UNKNOWN, null, null, 0, 0, 0, 0, null, null, null);
      }
      return new Status(
          jobId, phase, job.tenant(), job.collection(), job.documents().size(), nextDocument, chunks(), generation,
          error, job.at(), finishedAt);
    }
  }

  /** What a job needs of the rest of the node. */
  /** {@code permits}: this node's bound on ingestion steps running at once, shared by all jobs. */
  public record Dependencies(EmbeddingClient embeddings, IngestSettings settings, Duration askTimeout, StepPermits permits) {}

  public static void init(ActorSystem<?> system, Dependencies deps) {
    Executor parsing = system.dispatchers().lookup(DispatcherSelector.fromConfig("ragmill.ingest.dispatcher"));
    ClusterShardingSettings sharding =
        ClusterShardingSettings.create(system)
            .withRememberEntities(true)
            .withRememberEntitiesStoreMode(ClusterShardingSettings.rememberEntitiesStoreModeEventSourced());
    ClusterSharding.get(system)
        .init(ActorMetrics.entity(ENTITY_KEY, ctx -> create(ctx, deps, parsing)).withSettings(sharding));
  }

  private static Behavior<Command> create(EntityContext<Command> entity, Dependencies deps, Executor parsing) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new IngestionJob(ctx, timers, entity, deps, parsing)));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final EntityContext<Command> entity;
  private final Dependencies deps;
  private final Executor parsing;
  private final ClusterSharding sharding;
  // transient: lost with the actor, rebuilt by the next Resume
  private final List<ActorRef<Status>> waiters = new ArrayList<>();
  private boolean working;
  private int failures;

  private IngestionJob(
      ActorContext<Command> context, TimerScheduler<Command> timers, EntityContext<Command> entity,
      Dependencies deps, Executor parsing) {
    super(PersistenceId.of(ENTITY_KEY.name(), entity.getEntityId()));
    this.context = context;
    this.timers = timers;
    this.entity = entity;
    this.deps = deps;
    this.parsing = parsing;
    this.sharding = ClusterSharding.get(context.getSystem());
  }

  private String jobId() {
    return entity.getEntityId();
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Start.class, this::onStart)
        .onCommand(GetStatus.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.status(jobId())))
        .onCommand(AwaitDone.class, this::onAwaitDone)
        .onCommand(Resume.class, this::onResume)
        .onCommand(StepSucceeded.class, this::onStepSucceeded)
        .onCommand(StepFailed.class, this::onStepFailed)
        .onCommand(CommitDone.class, this::onCommitDone)
        .onCommand(Linger.class, this::onLinger)
        .build();
  }

  private ReplyEffect<Event, State> onStart(State state, Start cmd) {
    if (state.phase() != Phase.UNKNOWN) {
      return Effect().reply(cmd.replyTo(), state.status(jobId()));
    }
    timers.cancel(Linger.INSTANCE);
    return Effect()
        .persist(new JobAccepted(cmd.tenant(), cmd.collection(), cmd.settings(), List.copyOf(cmd.documents()), Instant.now()))
        .thenRun(s -> context.getSelf().tell(Resume.INSTANCE))
        .thenReply(cmd.replyTo(), s -> s.status(jobId()));
  }

  private ReplyEffect<Event, State> onAwaitDone(State state, AwaitDone cmd) {
    if (state.isDone() || state.phase() == Phase.UNKNOWN) {
      return Effect().reply(cmd.replyTo(), state.status(jobId()));
    }
    waiters.add(cmd.replyTo());
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onResume(State state, Resume cmd) {
    if (state.phase() != Phase.RUNNING || working) {
      return Effect().noReply();
    }
    working = true;
    if (state.nextDocument() < state.job().documents().size()) {
      context.pipeToSelf(
          deps.permits().run(() -> runStep(state)), (result, error) -> result != null ? result : failure(error));
    } else {
      context.pipeToSelf(
          sharding
              .entityRefFor(Collection.ENTITY_KEY, Collection.entityId(state.job().tenant(), state.job().collection()))
              .<Collection.Committed>ask(
                  replyTo -> new Collection.CommitDocuments(jobId(), state.chunksByDocument(), replyTo),
                  deps.askTimeout()),
          (committed, error) ->
              error != null
                  ? new CommitDone(0, String.valueOf(error.getMessage()))
                  : new CommitDone(committed.generation(), committed.error()));
    }
    return Effect().noReply();
  }

  private static StepFailed failure(Throwable error) {
    boolean overloaded =
        RagmillException.find(error).map(e -> e.kind() == RagmillException.Kind.OVERLOADED).orElse(false);
    Throwable cause = error.getCause() != null ? error.getCause() : error;
    return new StepFailed(String.valueOf(cause.getMessage()), overloaded);
  }

  /** Parses and chunks documents until a step's worth of chunks, embeds them, indexes each document. */
  private CompletionStage<StepSucceeded> runStep(State state) {
    JobAccepted job = state.job();
    int from = state.nextDocument();
    return CompletableFuture.supplyAsync(
            () -> {
              Map<SourceDocument, List<String>> chunked = new LinkedHashMap<>();
              int chunks = 0;
              for (int i = from; i < job.documents().size() && (chunked.isEmpty() || chunks < deps.settings().stepChunks()); i++) {
                SourceDocument doc = job.documents().get(i);
                List<String> texts = Chunker.chunk(DocumentParser.toText(doc), job.settings());
                chunked.put(doc, texts);
                chunks += texts.size();
              }
              return chunked;
            },
            parsing)
        .thenCompose(
            chunked -> {
              List<String> texts = new ArrayList<>();
              chunked.values().forEach(texts::addAll);
              return deps.embeddings()
                  .embedAll(job.tenant(), texts)
                  .thenCompose(vectors -> index(job, chunked, vectors))
                  .thenApply(applied -> new StepSucceeded(from + chunked.size(), applied));
            });
  }

  /**
   * Indexes a step's documents with one command (one journal write) per shard they fall in, each
   * versioned by the job's acceptance; returns the chunks of those the shards took, leaving out any
   * a newer job or delete of the same document had already replaced (they are not committed).
   */
  private CompletionStage<Map<String, Integer>> index(
      JobAccepted job, Map<SourceDocument, List<String>> chunked, List<Vector> vectors) {
    Map<String, Integer> chunksByDocument = new LinkedHashMap<>();
    Map<Integer, List<IndexShard.DocumentChunks>> byShard = new HashMap<>();
    int v = 0;
    for (Map.Entry<SourceDocument, List<String>> e : chunked.entrySet()) {
      SourceDocument doc = e.getKey();
      List<IndexedChunk> chunks = new ArrayList<>(e.getValue().size());
      for (int c = 0; c < e.getValue().size(); c++) {
        chunks.add(new IndexedChunk(c, e.getValue().get(c), doc.metadata(), vectors.get(v++)));
      }
      chunksByDocument.put(doc.id(), chunks.size());
      byShard
          .computeIfAbsent(IndexShard.shardOf(doc.id(), job.settings().shards()), s -> new ArrayList<>())
          .add(new IndexShard.DocumentChunks(doc.id(), chunks, IndexShard.version(job.at())));
    }
    List<CompletableFuture<IndexShard.Indexed>> writes = new ArrayList<>();
    byShard.forEach(
        (shard, documents) ->
            writes.add(
                Stages.direct(
                    sharding
                        .entityRefFor(IndexShard.ENTITY_KEY, IndexShard.entityId(job.tenant(), job.collection(), shard))
                        .<IndexShard.Indexed>ask(
                            replyTo -> new IndexShard.IndexDocuments(documents, replyTo), deps.askTimeout()))));
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              writes.forEach(w -> w.join().superseded().forEach(chunksByDocument::remove));
              return chunksByDocument;
            });
  }



  private ReplyEffect<Event, State> onStepSucceeded(State state, StepSucceeded step) {
    working = false;
    failures = 0;
    return Effect()
        .persist(new DocumentsIndexed(step.nextDocument(), step.chunksByDocument()))
        .thenRun(s -> context.getSelf().tell(Resume.INSTANCE))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onStepFailed(State state, StepFailed failed) {
    working = false;
    if (!failed.overloaded()) {
      failures++;
    }
    if (failures > deps.settings().maxStepRetries()) {
      context.getLog().warn("ingestion job {} failed: {}", jobId(), failed.reason());
      return Effect()
          .persist(new JobFailed(failed.reason(), Instant.now()))
          .thenRun(this::finished)
          .thenNoReply();
    }
    context.getLog().info("ingestion job {} step failed, retrying: {}", jobId(), failed.reason());
    timers.startSingleTimer(Resume.INSTANCE, deps.settings().retryBackoff().multipliedBy(Math.max(1, failures)));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onCommitDone(State state, CommitDone done) {
    if (done.error() != null) {
      return onStepFailed(state, new StepFailed("commit to the collection failed: " + done.error(), false));
    }
    working = false;
    return Effect()
        .persist(new JobCompleted(done.generation(), Instant.now()))
        .thenRun(this::finished)
        .thenNoReply();
  }

  private void finished(State state) {
    Status status = state.status(jobId());
    waiters.forEach(w -> w.tell(status));
    waiters.clear();
    timers.startSingleTimer(Linger.INSTANCE, deps.settings().lingerAfterDone());
  }

  private ReplyEffect<Event, State> onLinger(State state, Linger cmd) {
    if (state.phase() != Phase.RUNNING) {
      // stopping through the shard also removes the job from the remembered entities
      entity.getShard().tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    return Effect().noReply();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (state.phase() == Phase.RUNNING) {
                context.getSelf().tell(Resume.INSTANCE);
              } else {
                timers.startSingleTimer(Linger.INSTANCE, deps.settings().lingerAfterDone());
              }
            })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(JobAccepted.class, (state, e) -> new State(Phase.RUNNING, e, 0, Map.of(), 0, null, null))
        .onEvent(
            DocumentsIndexed.class,
            (state, e) -> {
              Map<String, Integer> all = new HashMap<>(state.chunksByDocument());
              all.putAll(e.chunksByDocument());
              return new State(state.phase(), state.job(), e.nextDocument(), Map.copyOf(all), 0, null, null);
            })
        .onEvent(
            JobCompleted.class,
            (state, e) ->
                new State(Phase.COMPLETED, state.job(), state.nextDocument(), state.chunksByDocument(), e.generation(),
                    null, e.at()))
        .onEvent(
            JobFailed.class,
            (state, e) ->
                new State(Phase.FAILED, state.job(), state.nextDocument(), state.chunksByDocument(), 0, e.reason(),
                    e.at()))
        .build();
  }
}
