package io.ragmill.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragmill.api.RagmillException;
import io.ragmill.index.MetadataFilter;
import io.ragmill.ingest.IngestionJob;
import io.ragmill.ingest.SourceDocument;
import io.ragmill.query.QueryRequest;
import io.ragmill.query.QueryResult;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each strategy proved by how work spreads over the workers; admission answers 429 at once when all are full. */
class QueryRouterTest {
  private static final String TENANT = "t";
  private static TestNode node;
  private static RecordingEmbedder embedder;

  @BeforeAll
  static void start() throws Exception {
    embedder = RecordingEmbedder.gated();
    // near-cache hits skip the pool (nearHitsSkipThePool): without it, every repeat is work for a worker
    node = new TestNode(TestNodes.h2(Files.createTempDirectory("ragmill-router"), "ragmill.cache.near.enabled = off"), embedder);
    embedder.release(1_000);
    List<SourceDocument> docs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      docs.add(new SourceDocument("d" + i, SourceDocument.Format.TEXT, "Fact " + i + " is about routing.", Map.of()));
    }
    var accepted = await(node.node().ingestion().submit(TENANT, "kb", docs));
    assertEquals(IngestionJob.Phase.COMPLETED, await(node.node().ingestion().awaitDone(TENANT, accepted.jobId(), Duration.ofSeconds(30))).phase());
  }

  @AfterAll
  static void stop() {
    embedder.release(10_000);
    node.close();
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
  }

  private static RouterSettings settings(RouterSettings.Strategy strategy, int workers, int maxInFlight, List<Integer> weights) {
    return new RouterSettings(
        strategy, 1, 8, workers, maxInFlight, weights, Duration.ofHours(1), 0.75, 0.1, Duration.ZERO);
  }

  private static QueryRouter router(RouterSettings settings) {
    return new QueryRouter(node.system(), node.node().queries(), settings, Duration.ofSeconds(10));
  }

  private static QueryRequest q(String text) {
    return new QueryRequest(text, 2, MetadataFilter.NONE);
  }

  /** The same question repeatedly: an L1 answer-cache hit after the first, so only routing is measured. */
  private static List<Long> serve(QueryRouter router, int n, java.util.function.IntFunction<String> question) {
    embedder.release(1_000);
    for (int i = 0; i < n; i++) {
      await(router.query(TENANT, "kb", q(question.apply(i))));
    }
    return router.status().servedPerWorker();
  }

  @Test
  void roundRobinTakesTurns() {
    List<Long> served = serve(router(settings(RouterSettings.Strategy.ROUND_ROBIN, 4, 8, List.of(1))), 400, i -> "fact about routing");
    assertEquals(List.of(100L, 100L, 100L, 100L), served);
  }

  @Test
  void randomUsesEveryWorker() {
    List<Long> served = serve(router(settings(RouterSettings.Strategy.RANDOM, 4, 8, List.of(1))), 400, i -> "fact about routing");
    assertEquals(400, served.stream().mapToLong(Long::longValue).sum());
    served.forEach(n -> assertTrue(n > 50 && n < 150, served.toString()));
  }

  @Test
  void weightedFollowsTheWeights() {
    List<Long> served = serve(router(settings(RouterSettings.Strategy.WEIGHTED, 2, 8, List.of(1, 3))), 2_000, i -> "fact about routing");
    double share = served.get(1) / 2_000.0;
    assertTrue(share > 0.7 && share < 0.8, "the weight-3 worker served " + served);
  }

  @Test
  void consistentHashingKeepsAQuestionOnOneWorker() {
    QueryRouter router = router(settings(RouterSettings.Strategy.CONSISTENT_HASHING, 4, 8, List.of(1)));
    List<Long> once = serve(router, 50, i -> "the same question every time");
    assertEquals(1, once.stream().filter(n -> n > 0).count(), once.toString());
    List<Long> spread = serve(router, 400, i -> "question number " + (i % 40));
    assertTrue(spread.stream().filter(n -> n > 0).count() >= 3, spread.toString());
  }

  @Test
  void leastBusySpreadsWorkInFlightEvenly() {
    QueryRouter router = router(settings(RouterSettings.Strategy.LEAST_BUSY, 4, 8, List.of(1)));
    embedder.closeGate();
    List<CompletableFuture<QueryResult>> held = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      // distinct questions: each waits on the gated model; a query takes its worker once the
      // near cache has been asked (after a local read of the collection's generation)
      held.add(router.query(TENANT, "kb", q("held question " + i + " " + System.nanoTime())).toCompletableFuture());
      admitted(router, i + 1);
    }
    assertEquals(List.of(2, 2, 2, 2), router.status().inFlightPerWorker());
    embedder.release(1_000);
    held.forEach(f -> f.orTimeout(30, TimeUnit.SECONDS).join());
    assertEquals(0, router.status().inFlight());
  }

  @Test
  void whenEveryWorkerIsFullTheNextQueryIsRejectedAtOnce() {
    QueryRouter router = router(settings(RouterSettings.Strategy.ROUND_ROBIN, 2, 2, List.of(1)));
    embedder.closeGate();
    List<CompletableFuture<QueryResult>> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(router.query(TENANT, "kb", q("overload " + i + " " + System.nanoTime())).toCompletableFuture());
    }
    admitted(router, 4);
    long start = System.nanoTime();
    CompletableFuture<QueryResult> rejected = router.query(TENANT, "kb", q("one too many")).toCompletableFuture();
    Throwable error = rejected.handle((r, e) -> e).orTimeout(10, TimeUnit.SECONDS).join();
    long micros = (System.nanoTime() - start) / 1_000;
    // refused while every admitted query still waits on the closed gate: it was not queued behind them
    assertTrue(held.stream().noneMatch(CompletableFuture::isDone), "the held queries finished first");
    assertEquals(RagmillException.Kind.OVERLOADED, RagmillException.find(error).orElseThrow().kind());
    assertTrue(RagmillException.find(error).orElseThrow().retryAfter().isPresent());
    assertEquals(1, router.status().rejected());
    System.out.println("rejected in " + micros + " µs");
    embedder.release(1_000);
    held.forEach(f -> f.orTimeout(30, TimeUnit.SECONDS).join());
  }

  @Test
  void thePoolGrowsUnderLoadAndShrinksWhenIdle() {
    QueryRouter router =
        router(new RouterSettings(RouterSettings.Strategy.LEAST_BUSY, 1, 3, 1, 2, List.of(1), Duration.ofHours(1), 0.75, 0.1, Duration.ZERO));
    embedder.closeGate();
    List<CompletableFuture<QueryResult>> held = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      held.add(router.query(TENANT, "kb", q("grow " + i + " " + System.nanoTime())).toCompletableFuture());
    }
    admitted(router, 2);
    router.resize();
    assertEquals(2, router.status().workers(), "utilization 1.0 did not grow the pool");
    router.resize();
    assertEquals(2, router.status().workers(), "utilization 0.5 is inside the band");
    embedder.release(1_000);
    held.forEach(f -> f.orTimeout(30, TimeUnit.SECONDS).join());
    router.resize();
    assertEquals(1, router.status().workers(), "an idle pool did not shrink");
    router.resize();
    assertEquals(1, router.status().workers(), "the pool went below min-workers");

    router.reconfigure(settings(RouterSettings.Strategy.ROUND_ROBIN, 3, 8, List.of(1)).withMin(3));
    assertEquals("round-robin", router.status().strategy());
    assertEquals(3, router.status().workers());
  }

  /** Waits until {@code n} queries hold a worker. */
  private static void admitted(QueryRouter router, int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (router.status().inFlight() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + router.status().inFlight() + " of " + n + " queries admitted: " + router.status());
      }
      Thread.onSpinWait();
    }
  }

  @Test
  void nearHitsSkipThePool() throws Exception {
    try (TestNode near = new TestNode(TestNodes.h2(Files.createTempDirectory("ragmill-router-near"), ""), RecordingEmbedder.open())) {
      List<SourceDocument> docs = List.of(new SourceDocument("n", SourceDocument.Format.TEXT, "Near caches keep hot answers.", Map.of()));
      var accepted = await(near.node().ingestion().submit(TENANT, "kb", docs));
      await(near.node().ingestion().awaitDone(TENANT, accepted.jobId(), Duration.ofSeconds(30)));
      QueryRouter router = new QueryRouter(near.system(), near.node().queries(),
          settings(RouterSettings.Strategy.ROUND_ROBIN, 2, 8, List.of(1)), Duration.ofSeconds(10));
      QueryResult first = await(router.query(TENANT, "kb", q("what do near caches keep")));
      assertEquals(QueryResult.CacheStatus.MISS, first.cache());
      for (int i = 0; i < 20; i++) {
        QueryResult again = await(router.query(TENANT, "kb", q("what do near caches keep")));
        assertEquals(QueryResult.CacheStatus.HIT, again.cache());
        assertEquals(io.ragmill.cache.CacheTier.NEAR, again.cacheTier());
        assertEquals(first.answer(), again.answer());
      }
      assertEquals(1L, router.status().servedPerWorker().stream().mapToLong(Long::longValue).sum(),
          "only the miss took a worker: " + router.status());
    }
  }
}
