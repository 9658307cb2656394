package io.ragmill.embedding;

import io.ragmill.embedding.EmbeddingSettings.BatcherSettings;
import io.ragmill.metrics.ActorMetrics;
import io.ragmill.metrics.BatcherMetrics;
import io.ragmill.persistence.CborSerializable;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Dynamic batching for one lane of one model (entity id {@code model#lane}, or
 * {@code model#lane@host:port} for a node's own lane: {@link BatcherLanes}). A batch closes at
 * {@code max-batch-size} texts or {@code max-batch-tokens}; when the model is idle whatever is
 * pending goes at once (no added wait), and while a batch runs a second one may wait up to
 * {@code max-wait} to fill. Identical texts in a batch are embedded once. The pending queue is
 * bounded: a request that does not fit is answered {@link Overloaded} at once.
 *
 * <p>Interactive texts (a query's question) and bulk texts (document chunks of ingestion jobs)
 * wait in two queues, each bounded by {@code max-pending}. While questions wait, the next batch
 * holds questions only; chunks go when none do. A question then waits for at most the batch that
 * is running and a small batch of questions, not for every chunk an ingestion queued before it
 * (measured with the load tool's ingest-query scenario: docs/BENCHMARKS.md), and a full bulk
 * queue never refuses a question.
 *
 * <p>With {@code questions-alone} a batch of questions runs the model once per question: the
 * quantized MiniLM takes its ranges from the whole run, so otherwise a question's vector depends on
 * the questions batched with it.
 *
 * <p>State is in memory only: requests pending when the entity moves or stops are answered
 * {@link Failed} as it stops, which callers treat as a failed embedding (nothing acknowledged
 * depends on it).
 */
public final class EmbeddingBatcher extends AbstractBehavior<EmbeddingBatcher.Command> {
  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "EmbeddingBatcher");

  public sealed interface Command extends CborSerializable {}

  public record Embed(List<String> texts, boolean interactive, ActorRef<Reply> replyTo) implements Command {
    /** Interactive texts: a query's. */
    public Embed(List<String> texts, ActorRef<Reply> replyTo) {
      this(texts, true, replyTo);
    }
  }

  public sealed interface Reply extends CborSerializable {}

  public record Embedded(List<Vector> vectors) implements Reply {}

  public record Overloaded(int pending, int limit) implements Reply {}

  public record Failed(String reason) implements Reply {}

  private record BatchDone(long batchId, List<Vector> vectors, Throwable error) implements Command {}

  private enum Flush implements Command {
    INSTANCE
  }

  /** One caller's request, filled text by text as batches complete. */
  private static final class Request {
    final Embed embed;
    final Vector[] results;
    int remaining;
    boolean failed;

    Request(Embed embed) {
      this.embed = embed;
      this.results = new Vector[embed.texts().size()];
      this.remaining = results.length;
    }
  }

  private record Slot(Request request, int index) {}

  private record Pending(String text, int tokens, Slot slot, long enqueuedNanos) {}

  /** New limits for a running batcher (the lane count cannot change without a restart). */
  public record Reconfigure(BatcherSettings settings) implements Command {}

  /** {@code settings} is read when a batcher starts, so a reload reaches batchers started later too. */
  public static void init(ActorSystem<?> system, EmbeddingModels models, Supplier<BatcherSettings> settings) {
    Executor inference =
        system.dispatchers().lookup(DispatcherSelector.fromConfig("ragmill.embedding.inference-dispatcher"));
    ClusterSharding.get(system)
        .init(
            ActorMetrics.entity(ENTITY_KEY, ctx -> create(settings.get(), models.model(), inference))
                .withMessageExtractor(LaneAllocation.EXTRACTOR)
                .withAllocationStrategy(new LaneAllocation()));
  }

  public static Behavior<Command> create(
      BatcherSettings settings, CompletionStage<Embedder> model, Executor inference) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new EmbeddingBatcher(ctx, timers, settings, model, inference)));
  }

  private final TimerScheduler<Command> timers;
  private BatcherSettings settings;
  private final CompletionStage<Embedder> model;
  private final Executor inference;
  private final BatcherMetrics metrics;
  private final ArrayDeque<Pending> interactive = new ArrayDeque<>();
  private final ArrayDeque<Pending> bulk = new ArrayDeque<>();
  private final Map<Long, Map<String, List<Slot>>> inFlight = new LinkedHashMap<>();
  private long nextBatchId;

  private EmbeddingBatcher(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      BatcherSettings settings,
      CompletionStage<Embedder> model,
      Executor inference) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.model = model;
    this.inference = inference;
    // a sharded entity's actor name is its URL-encoded id, model#lane
    this.metrics =
        BatcherMetrics.get(
            context.getSystem(), URLDecoder.decode(context.getSelf().path().name(), StandardCharsets.UTF_8));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Embed.class, this::onEmbed)
        .onMessage(BatchDone.class, this::onBatchDone)
        .onMessageEquals(Flush.INSTANCE, this::onFlush)
        .onMessage(Reconfigure.class, r -> {
          settings = r.settings();
          return this;
        })
        .onSignal(PostStop.class, signal -> onStop())
        .build();
  }

  /**
   * A lane stops when it moves to another node or its node leaves: whoever waits on it is told at
   * once, instead of when its ask times out.
   */
  private Behavior<Command> onStop() {
    IllegalStateException stopped = new IllegalStateException("the embedding lane stopped (it moved or its node left)");
    for (Pending pending : interactive) {
      complete(pending.slot(), null, stopped);
    }
    for (Pending pending : bulk) {
      complete(pending.slot(), null, stopped);
    }
    for (Map<String, List<Slot>> batch : inFlight.values()) {
      batch.values().forEach(slots -> slots.forEach(slot -> complete(slot, null, stopped)));
    }
    return this;
  }

  private Behavior<Command> onEmbed(Embed embed) {
    if (embed.texts().isEmpty()) {
      embed.replyTo().tell(new Embedded(List.of()));
      return this;
    }
    ArrayDeque<Pending> queue = embed.interactive() ? interactive : bulk;
    if (queue.size() + embed.texts().size() > settings.maxPending()) {
      metrics.rejected();
      embed.replyTo().tell(new Overloaded(queue.size(), settings.maxPending()));
      return this;
    }
    Request request = new Request(embed);
    long now = System.nanoTime();
    for (int i = 0; i < embed.texts().size(); i++) {
      String text = embed.texts().get(i);
      queue.add(new Pending(text, estimateTokens(text), new Slot(request, i), now));
    }
    maybeDispatch();
    metrics.pending(pendingCount());
    return this;
  }

  /** What the next batch is made of: questions while any wait, chunks otherwise. */
  private ArrayDeque<Pending> nextQueue() {
    return interactive.isEmpty() ? bulk : interactive;
  }

  private boolean nothingPending() {
    return interactive.isEmpty() && bulk.isEmpty();
  }

  private int pendingCount() {
    return interactive.size() + bulk.size();
  }

  /** About four characters a word piece: close enough for a budget, and free. */
  static int estimateTokens(String text) {
    return 2 + text.length() / 4;
  }

  private void maybeDispatch() {
    while (!nothingPending() && inFlight.size() < settings.maxInFlight()) {
      if (inFlight.isEmpty() || batchIsFull()) {
        dispatch();
      } else {
        // a batch is running: let this one fill for up to max-wait
        if (!timers.isTimerActive(Flush.INSTANCE)) {
          timers.startSingleTimer(Flush.INSTANCE, settings.maxWait());
        }
        return;
      }
    }
  }

  private boolean batchIsFull() {
    int distinct = 0;
    int tokens = 0;
    Set<String> seen = new HashSet<>();
    for (Pending p : nextQueue()) {
      if (seen.add(p.text())) {
        distinct++;
        tokens += p.tokens();
      }
      if (distinct >= settings.maxBatchSize() || tokens >= settings.maxBatchTokens()) {
        return true;
      }
    }
    return false;
  }

  private Behavior<Command> onFlush() {
    if (!nothingPending() && inFlight.size() < settings.maxInFlight()) {
      dispatch();
      maybeDispatch();
    }
    return this;
  }

  private void dispatch() {
    timers.cancel(Flush.INSTANCE);
    Map<String, List<Slot>> batch = new LinkedHashMap<>();
    int tokens = 0;
    long oldest = System.nanoTime();
    // questions alone when there are any: a batch filled up with chunks would take as long as a
    // chunk batch, and the question would wait for all of it
    ArrayDeque<Pending> queue = nextQueue();
    boolean oneByOne = settings.questionsAlone() && queue == interactive;
    while (!queue.isEmpty()) {
      Pending next = queue.peek();
      List<Slot> slots = batch.get(next.text());
      if (slots == null) {
        boolean overBudget = !batch.isEmpty() && tokens + next.tokens() > settings.maxBatchTokens();
        if (batch.size() >= settings.maxBatchSize() || overBudget) {
          break;
        }
        slots = new ArrayList<>(1);
        batch.put(next.text(), slots);
        tokens += next.tokens();
      }
      slots.add(next.slot());
      oldest = Math.min(oldest, next.enqueuedNanos());
      queue.poll();
    }
    long batchId = nextBatchId++;
    inFlight.put(batchId, batch);
    List<String> texts = List.copyOf(batch.keySet());
    metrics.dispatched(texts.size(), tokens, System.nanoTime() - oldest);
    metrics.pending(pendingCount());
    CompletionStage<List<Vector>> result =
        model.thenApplyAsync(
            embedder -> {
              long start = System.nanoTime();
              List<Vector> vectors = oneByOne ? embedder.embedEach(texts) : embedder.embed(texts);
              metrics.inferred(System.nanoTime() - start);
              return vectors;
            },
            inference);
    getContext().pipeToSelf(result, (vectors, error) -> new BatchDone(batchId, vectors, error));
  }

  private Behavior<Command> onBatchDone(BatchDone done) {
    Map<String, List<Slot>> batch = inFlight.remove(done.batchId());
    if (done.error() != null) {
      getContext().getLog().warn("embedding batch of {} texts failed", batch.size(), done.error());
    }
    int i = 0;
    for (List<Slot> slots : batch.values()) {
      Vector vector = done.error() == null ? done.vectors().get(i++) : null;
      for (Slot slot : slots) {
        complete(slot, vector, done.error());
      }
    }
    maybeDispatch();
    return this;
  }

  private void complete(Slot slot, Vector vector, Throwable error) {
    Request request = slot.request();
    if (request.failed) {
      return;
    }
    if (error != null) {
      request.failed = true;
      request.embed.replyTo().tell(new Failed(String.valueOf(error.getMessage())));
      return;
    }
    request.results[slot.index()] = vector;
    if (--request.remaining == 0) {
      request.embed.replyTo().tell(new Embedded(List.of(request.results)));
    }
  }
}
