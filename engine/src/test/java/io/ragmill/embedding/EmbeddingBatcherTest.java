package io.ragmill.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.ragmill.embedding.EmbeddingSettings.BatcherSettings;
import io.ragmill.testing.RecordingEmbedder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddingBatcherTest {
  private static ActorTestKit testKit;
  private static ManualTime manualTime;
  private static ExecutorService inference;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(ManualTime.config());
    manualTime = ManualTime.get(testKit.system());
    inference = Executors.newCachedThreadPool();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    inference.shutdownNow();
  }

  private static BatcherSettings settings(int maxBatch, int maxInFlight, int maxPending) {
    return new BatcherSettings(1, maxBatch, 10_000, maxInFlight, Duration.ofMillis(5), maxPending);
  }

  private ActorRef<EmbeddingBatcher.Command> batcher(BatcherSettings settings, RecordingEmbedder embedder) {
    return testKit.spawn(
        EmbeddingBatcher.create(settings, CompletableFuture.completedFuture(embedder), inference));
  }

  private static void embed(ActorRef<EmbeddingBatcher.Command> batcher, TestProbe<EmbeddingBatcher.Reply> probe, String... texts) {
    batcher.tell(new EmbeddingBatcher.Embed(List.of(texts), probe.getRef()));
  }

  @Test
  void dispatchesAtOnceWhenTheModelIsIdle() {
    RecordingEmbedder embedder = RecordingEmbedder.open();
    var batcher = batcher(settings(8, 1, 100), embedder);
    TestProbe<EmbeddingBatcher.Reply> probe = testKit.createTestProbe();
    embed(batcher, probe, "alpha");
    // no manual time passes: an idle model adds no wait
    var reply = assertInstanceOf(EmbeddingBatcher.Embedded.class, probe.receiveMessage(Duration.ofSeconds(3)));
    assertEquals(1, reply.vectors().size());
    assertEquals(new HashingEmbedder(64).embed(List.of("alpha")).get(0), reply.vectors().get(0));
  }

  @Test
  void batchesConcurrentRequestsUpToMaxSize() {
    RecordingEmbedder embedder = RecordingEmbedder.gated();
    var batcher = batcher(settings(4, 1, 100), embedder);
    List<TestProbe<EmbeddingBatcher.Reply>> probes = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      TestProbe<EmbeddingBatcher.Reply> probe = testKit.createTestProbe();
      probes.add(probe);
      embed(batcher, probe, "text " + i);
    }
    embedder.release(100);
    for (TestProbe<EmbeddingBatcher.Reply> probe : probes) {
      assertInstanceOf(EmbeddingBatcher.Embedded.class, probe.receiveMessage(Duration.ofSeconds(3)));
    }
    // the first text went alone to the idle model; the ten that queued behind it went 4, 4, 2
    assertEquals(List.of(1, 4, 4, 2), embedder.batches().stream().map(List::size).toList());
  }

  @Test
  void aStoppingLaneAnswersEveryWaitingCallerAtOnce() {
    RecordingEmbedder embedder = RecordingEmbedder.gated();
    var batcher = batcher(settings(4, 1, 100), embedder);
    TestProbe<EmbeddingBatcher.Reply> running = testKit.createTestProbe();
    embed(batcher, running, "in the model");
    TestProbe<EmbeddingBatcher.Reply> waiting = testKit.createTestProbe();
    embed(batcher, waiting, "queued behind it");
    // an empty request is answered at once, so its answer means the two before it were taken in:
    // a stop is a system message, which would otherwise overtake them and leave them to dead letters
    TestProbe<EmbeddingBatcher.Reply> barrier = testKit.createTestProbe();
    embed(batcher, barrier);
    assertInstanceOf(EmbeddingBatcher.Embedded.class, barrier.receiveMessage(Duration.ofSeconds(3)));
    // the lane moves (its shard hands off) or its node leaves while both wait
    testKit.stop(batcher);
    var first = assertInstanceOf(EmbeddingBatcher.Failed.class, running.receiveMessage(Duration.ofSeconds(3)));
    assertTrue(first.reason().contains("stopped"), first.reason());
    assertInstanceOf(EmbeddingBatcher.Failed.class, waiting.receiveMessage(Duration.ofSeconds(3)));
    embedder.release(10);
  }

  @Test
  void embedsIdenticalTextsOnceInABatch() {
    RecordingEmbedder embedder = RecordingEmbedder.gated();
    var batcher = batcher(settings(8, 1, 100), embedder);
    TestProbe<EmbeddingBatcher.Reply> first = testKit.createTestProbe();
    embed(batcher, first, "busy");
    List<TestProbe<EmbeddingBatcher.Reply>> probes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      TestProbe<EmbeddingBatcher.Reply> probe = testKit.createTestProbe();
      probes.add(probe);
      embed(batcher, probe, "same question");
    }
    embedder.release(10);
    first.receiveMessage(Duration.ofSeconds(3));
    Vector expected = new HashingEmbedder(64).embed(List.of("same question")).get(0);
    for (TestProbe<EmbeddingBatcher.Reply> probe : probes) {
      var reply = assertInstanceOf(EmbeddingBatcher.Embedded.class, probe.receiveMessage(Duration.ofSeconds(3)));
      assertEquals(expected, reply.vectors().get(0));
    }
    assertEquals(List.of(List.of("busy"), List.of("same question")), embedder.batches());
  }

  @Test
  void aQuestionGoesBeforeQueuedDocumentChunks() {
    RecordingEmbedder embedder = RecordingEmbedder.gated();
    var batcher = batcher(settings(4, 1, 100), embedder);
    TestProbe<EmbeddingBatcher.Reply> chunks = testKit.createTestProbe();
    batcher.tell(new EmbeddingBatcher.Embed(List.of("chunk 0"), false, chunks.getRef()));
    batcher.tell(new EmbeddingBatcher.Embed(List.of("chunk 1", "chunk 2", "chunk 3", "chunk 4", "chunk 5", "chunk 6", "chunk 7", "chunk 8"), false, chunks.getRef()));
    TestProbe<EmbeddingBatcher.Reply> question = testKit.createTestProbe();
    batcher.tell(new EmbeddingBatcher.Embed(List.of("a question"), true, question.getRef()));
    embedder.release(100);
    assertInstanceOf(EmbeddingBatcher.Embedded.class, question.receiveMessage(Duration.ofSeconds(3)));
    assertInstanceOf(EmbeddingBatcher.Embedded.class, chunks.receiveMessage(Duration.ofSeconds(3)));
    var eight = assertInstanceOf(EmbeddingBatcher.Embedded.class, chunks.receiveMessage(Duration.ofSeconds(3)));
    assertEquals(8, eight.vectors().size());
    // chunk 0 ran alone; the question, queued last, went next, alone: a batch of chunks takes longer
    assertEquals(
        List.of(List.of("chunk 0"), List.of("a question"), List.of("chunk 1", "chunk 2", "chunk 3", "chunk 4"),
            List.of("chunk 5", "chunk 6", "chunk 7", "chunk 8")),
        embedder.batches());
  }

  @Test
  void aFullChunkQueueDoesNotRefuseAQuestion() {
    RecordingEmbedder embedder = RecordingEmbedder.gated();
    var batcher = batcher(settings(8, 1, 3), embedder);
    TestProbe<EmbeddingBatcher.Reply> chunks = testKit.createTestProbe();
    batcher.tell(new EmbeddingBatcher.Embed(List.of("running"), false, chunks.getRef()));
    batcher.tell(new EmbeddingBatcher.Embed(List.of("a", "b", "c"), false, chunks.getRef()));
    batcher.tell(new EmbeddingBatcher.Embed(List.of("d"), false, chunks.getRef()));
    assertInstanceOf(EmbeddingBatcher.Overloaded.class, chunks.receiveMessage(Duration.ofSeconds(3)));
    TestProbe<EmbeddingBatcher.Reply> question = testKit.createTestProbe();
    batcher.tell(new EmbeddingBatcher.Embed(List.of("a question"), true, question.getRef()));
    embedder.release(10);
    assertInstanceOf(EmbeddingBatcher.Embedded.class, question.receiveMessage(Duration.ofSeconds(3)));
  }

  @Test
  void rejectsWhenQueueIsFull() {
    RecordingEmbedder embedder = RecordingEmbedder.gated();
    var batcher = batcher(settings(8, 1, 3), embedder);
    TestProbe<EmbeddingBatcher.Reply> probe = testKit.createTestProbe();
    embed(batcher, probe, "running");
    embed(batcher, probe, "a", "b", "c");
    embed(batcher, probe, "d");
    var rejected = assertInstanceOf(EmbeddingBatcher.Overloaded.class, probe.receiveMessage(Duration.ofSeconds(3)));
    assertEquals(3, rejected.pending());
    assertEquals(3, rejected.limit());
    embedder.release(10);
    assertInstanceOf(EmbeddingBatcher.Embedded.class, probe.receiveMessage(Duration.ofSeconds(3)));
    var queued = assertInstanceOf(EmbeddingBatcher.Embedded.class, probe.receiveMessage(Duration.ofSeconds(3)));
    assertEquals(3, queued.vectors().size());
  }

  @Test
  void secondBatchWaitsUpToMaxWaitWhileOneRuns() {
    RecordingEmbedder embedder = RecordingEmbedder.gated();
    var batcher = batcher(settings(8, 2, 100), embedder);
    TestProbe<EmbeddingBatcher.Reply> probe = testKit.createTestProbe();
    embed(batcher, probe, "first");
    embed(batcher, probe, "second");
    embed(batcher, probe, "third");
    probe.expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, embedder.batches().size());
    // max-wait (5 ms of manual time) closes the second batch with both waiting texts in it
    manualTime.timePasses(Duration.ofMillis(5));
    embedder.release(10);
    probe.receiveSeveralMessages(3, Duration.ofSeconds(3));
    assertEquals(List.of(List.of("first"), List.of("second", "third")), embedder.batches());
  }

  @Test
  void reportsAFailingModelToEveryWaitingCaller() {
    Embedder broken =
        new Embedder() {
          @Override
          public String modelId() {
            return "broken";
          }

          @Override
          public int dimension() {
            return 4;
          }

          @Override
          public List<Vector> embed(List<String> texts) {
            throw new IllegalStateException("model crashed");
          }
        };
    var batcher =
        testKit.spawn(EmbeddingBatcher.create(settings(8, 1, 100), CompletableFuture.completedFuture(broken), inference));
    TestProbe<EmbeddingBatcher.Reply> probe = testKit.createTestProbe();
    embed(batcher, probe, "x", "y");
    var failed = assertInstanceOf(EmbeddingBatcher.Failed.class, probe.receiveMessage(Duration.ofSeconds(3)));
    assertEquals(true, failed.reason().contains("model crashed"));
  }

  private static BatcherSettings questionsAlone(boolean on) {
    return new BatcherSettings(1, 32, 10_000, 1, Duration.ofMillis(5), 100, on);
  }

  private List<Vector> embedWith(BatcherSettings settings, Embedder model, boolean interactive, List<String> texts) {
    var batcher = testKit.spawn(EmbeddingBatcher.create(settings, CompletableFuture.completedFuture(model), inference));
    TestProbe<EmbeddingBatcher.Reply> probe = testKit.createTestProbe();
    batcher.tell(new EmbeddingBatcher.Embed(texts, interactive, probe.getRef()));
    return assertInstanceOf(EmbeddingBatcher.Embedded.class, probe.receiveMessage(Duration.ofSeconds(30))).vectors();
  }

  @Test
  void aQuestionsVectorDoesNotDependOnItsBatchWithQuestionsAlone() {
    // the quantized MiniLM picks its ranges over the whole batch: the hot question of the load
    // tool's ingest-query run, which cited its document or not depending on its batch mates
    MiniLmEmbedder model = new MiniLmEmbedder(1, false, 2);
    String question = "who charted the lozuga nebula near the desert plateau in 1947";
    List<String> batch = List.of(
        question,
        "who pressed the pakulel lichen near the river delta in 1887",
        "i want to know who classified the vagukor lichen near the alpine meadow in 1887",
        "who moored the resesin lantern near the rocky cape in 1887");
    Vector alone = model.embed(List.of(question)).get(0);
    assertNotEquals(alone, embedWith(questionsAlone(false), model, true, batch).get(0),
        "batched, the question's vector should differ from its vector alone (else this test shows nothing)");
    List<Vector> vectors = embedWith(questionsAlone(true), model, true, batch);
    assertEquals(alone, vectors.get(0));
    for (int i = 1; i < batch.size(); i++) {
      assertEquals(model.embed(List.of(batch.get(i))).get(0), vectors.get(i), batch.get(i));
    }
  }

  @Test
  void questionsAloneStillBatchesChunks() {
    RecordingEmbedder embedder = RecordingEmbedder.open();
    embedWith(questionsAlone(true), embedder, true, List.of("q1", "q2", "q3"));
    embedWith(questionsAlone(true), embedder, false, List.of("c1", "c2", "c3"));
    assertEquals(List.of(List.of("q1"), List.of("q2"), List.of("q3"), List.of("c1", "c2", "c3")), embedder.batches());
  }
}
