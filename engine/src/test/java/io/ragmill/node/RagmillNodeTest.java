package io.ragmill.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.ragmill.api.RagmillException;
import io.ragmill.index.ChunkHit;
import io.ragmill.index.MetadataFilter;
import io.ragmill.ingest.IngestionJob;
import io.ragmill.ingest.SourceDocument;
import io.ragmill.persistence.EmbeddingStore;
import io.ragmill.persistence.PersistenceSettings;
import io.ragmill.query.QueryRequest;
import io.ragmill.query.QueryResult;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One real node (cluster of one, sharding, H2 or PostgreSQL journal) driven through its facades. */
class RagmillNodeTest {
  private static final String TENANT = "t1";
  private Path dataDir;
  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void dataDir() throws Exception {
    dataDir = Files.createTempDirectory("ragmill-node-test");
  }

  @AfterEach
  void stopNodes() {
    nodes.forEach(TestNode::close);
  }

  private TestNode start(Config config, RecordingEmbedder embedder) {
    TestNode node = new TestNode(config, embedder);
    nodes.add(node);
    return node;
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
  }

  private static SourceDocument doc(String id, String text) {
    return new SourceDocument(id, SourceDocument.Format.TEXT, text, Map.of("source", id));
  }

  private static IngestionJob.Status ingest(RagmillNode node, String collection, SourceDocument... docs) {
    IngestionJob.Status accepted = await(node.ingestion().submit(TENANT, collection, List.of(docs)));
    IngestionJob.Status done = await(node.ingestion().awaitDone(TENANT, accepted.jobId(), Duration.ofSeconds(30)));
    assertEquals(IngestionJob.Phase.COMPLETED, done.phase(), "job " + done);
    return done;
  }

  private static QueryResult query(RagmillNode node, String collection, String question) {
    return await(node.queries().query(TENANT, collection, new QueryRequest(question, 3, MetadataFilter.NONE)));
  }

  @Test
  void answerMissesAfterIngestBumpsGeneration() {
    RagmillNode node = start(TestNodes.h2(dataDir, ""), RecordingEmbedder.open()).node();
    ingest(node, "kb", doc("llamas", "Llamas are domesticated camelids from South America."));
    QueryResult first = query(node, "kb", "where do llamas come from");
    assertEquals(QueryResult.CacheStatus.MISS, first.cache());
    assertEquals("llamas", first.chunks().get(0).documentId());
    QueryResult second = query(node, "kb", "Where do  llamas come from");
    assertEquals(QueryResult.CacheStatus.HIT, second.cache());
    assertEquals(first.generation(), second.generation());

    ingest(node, "kb", doc("alpacas", "Alpacas come from the Andes, like llamas, and grow fine fleece."));
    QueryResult third = query(node, "kb", "where do llamas come from");
    assertEquals(QueryResult.CacheStatus.MISS, third.cache());
    assertTrue(third.generation() > first.generation(), third.generation() + " after " + first.generation());
    assertTrue(third.chunks().stream().anyMatch(h -> h.documentId().equals("alpacas")));
  }

  @Test
  void reingestingADocumentReplacesItsChunksAndDeleteRemovesIt() {
    RagmillNode node = start(TestNodes.h2(dataDir, ""), RecordingEmbedder.open()).node();
    ingest(node, "kb", doc("policy", "Refunds take thirty days."), doc("other", "Shipping is free on weekends."));
    assertTrue(query(node, "kb", "refunds").answer().text().contains("thirty"));
    ingest(node, "kb", doc("policy", "Refunds take five days."));
    QueryResult updated = query(node, "kb", "refunds");
    assertTrue(updated.answer().text().contains("five"), updated.answer().text());
    assertEquals(1, updated.chunks().stream().filter(h -> h.documentId().equals("policy")).count());

    var deleted = await(node.collections().deleteDocument(TENANT, "kb", "policy"));
    assertTrue(deleted.generation() > updated.generation(), deleted.generation() + " after " + updated.generation());
    QueryResult after = query(node, "kb", "refunds");
    assertEquals(QueryResult.CacheStatus.MISS, after.cache());
    assertTrue(after.chunks().stream().noneMatch(h -> h.documentId().equals("policy")));
    var missing = assertThrows(CompletionException.class, () -> await(node.collections().deleteDocument(TENANT, "kb", "policy")));
    assertEquals(RagmillException.Kind.NOT_FOUND, RagmillException.find(missing).orElseThrow().kind());
  }

  @Test
  void concurrentIdenticalQueriesComputeOnce() {
    RecordingEmbedder embedder = RecordingEmbedder.open();
    RagmillNode node = start(TestNodes.h2(dataDir, ""), embedder).node();
    ingest(node, "kb", doc("a", "Single flight merges concurrent misses."));
    int before = embedder.texts();
    List<CompletableFuture<QueryResult>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(node.queries().query(TENANT, "kb", new QueryRequest("what merges misses", 3, MetadataFilter.NONE)).toCompletableFuture());
    }
    all.forEach(f -> f.orTimeout(30, TimeUnit.SECONDS).join());
    assertEquals(1, embedder.texts() - before, "the model embedded the question more than once");
    assertEquals(1, all.stream().filter(f -> f.join().cache() == QueryResult.CacheStatus.MISS).count());
    var answers = await(node.cache().stats()).kinds().get(io.ragmill.cache.CacheKind.ANSWER);
    // every miss but one joined the computation in flight instead of starting its own
    assertEquals(1, answers.misses() - answers.merges(), answers.toString());
    assertEquals(20, answers.hits() + answers.misses());
  }

  @Test
  void filtersAndUnknownCollections() {
    RagmillNode node = start(TestNodes.h2(dataDir, ""), RecordingEmbedder.open()).node();
    ingest(node, "kb", doc("x", "Same words in both."), doc("y", "Same words in both."));
    QueryResult filtered =
        await(node.queries().query(TENANT, "kb", new QueryRequest("same words", 5, new MetadataFilter(Map.of("source", List.of("y"))))));
    assertEquals(List.of("y"), filtered.chunks().stream().map(ChunkHit::documentId).toList());
    var error = assertThrows(CompletionException.class, () -> query(node, "nope", "anything"));
    assertEquals(RagmillException.Kind.NOT_FOUND, RagmillException.find(error).orElseThrow().kind());
    // another tenant does not see this tenant's collection
    var otherTenant =
        assertThrows(CompletionException.class,
            () -> await(node.queries().query("t2", "kb", new QueryRequest("same words", 5, MetadataFilter.NONE))));
    assertEquals(RagmillException.Kind.NOT_FOUND, RagmillException.find(otherTenant).orElseThrow().kind());
  }

  @Test
  void aCollectionOnAFreshJournalIsNotAnsweredFromWhatRedisHeldForAnOldOne() {
    String redis = "ragmill.cache.redis.enabled = on";
    String collection = "fresh-" + UUID.randomUUID().toString().substring(0, 8);
    TestNode old = start(TestNodes.h2(dataDir.resolve("old"), redis), RecordingEmbedder.open());
    ingest(old.node(), collection, doc("policy", "Refunds take thirty days."));
    assertTrue(query(old.node(), collection, "how long do refunds take").answer().text().contains("thirty"));
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:6379/0");
    try (var redisConnection = client.connect()) {
      // the answer is written through to Redis in the background
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !redisConnection.sync().keys("ragmill:" + TENANT + ":*:" + collection + ":*").isEmpty());
    } finally {
      client.shutdown();
    }
    old.close();
    nodes.remove(old);

    // the data folder is gone (a new disk, or a restored backup the old journal had moved past); Redis is not
    TestNode fresh = start(TestNodes.h2(dataDir.resolve("new"), redis), RecordingEmbedder.open());
    ingest(fresh.node(), collection, doc("policy", "Refunds take five days."));
    QueryResult answer = query(fresh.node(), collection, "how long do refunds take");
    assertTrue(answer.answer().text().contains("five"), answer.cache() + ": " + answer.answer().text());
  }

  @Test
  void aFiltersCachedAnswerIsNotServedToAnotherFilterOfTheSameText() {
    RagmillNode node = start(TestNodes.h2(dataDir, ""), RecordingEmbedder.open()).node();
    ingest(node, "kb",
        doc("java", "A caching library for the JVM."),
        doc("kotlin", "A caching library for coroutines."),
        doc("java, kotlin", "A caching library for both."));
    java.util.function.Function<MetadataFilter, List<String>> ask =
        filter -> await(node.queries().query(TENANT, "kb", new QueryRequest("which caching library", 5, filter)))
            .chunks().stream().map(ChunkHit::documentId).sorted().toList();
    assertEquals(List.of("java", "kotlin"), ask.apply(new MetadataFilter(Map.of("source", List.of("java", "kotlin")))));
    assertEquals(List.of("java, kotlin"), ask.apply(new MetadataFilter(Map.of("source", List.of("java, kotlin")))));
    // the same filter written in another order is the same question, and a hit
    assertEquals(
        QueryResult.CacheStatus.HIT,
        await(node.queries().query(TENANT, "kb",
            new QueryRequest("which caching library", 5, new MetadataFilter(Map.of("source", List.of("kotlin", "java")))))).cache());
  }

  @Test
  void anEarlierJobFinishingLaterDoesNotUndoALaterAcknowledgedWrite() {
    RagmillNode node = start(TestNodes.h2(dataDir, "ragmill.ingest.step-chunks = 5"), RecordingEmbedder.open()).node();
    List<SourceDocument> big = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      big.add(doc("filler-" + i, "Filler document " + i + " about nothing."));
    }
    big.add(doc("city", "The capital of Zorland is Ambervale."));
    // accepted first, it reaches "city" 30 steps later
    IngestionJob.Status earlier = await(node.ingestion().submit(TENANT, "kb", big));
    ingest(node, "kb", doc("city", "The capital of Zorland is Coldharbor."));
    IngestionJob.Status done = await(node.ingestion().awaitDone(TENANT, earlier.jobId(), Duration.ofSeconds(60)));
    assertEquals(IngestionJob.Phase.COMPLETED, done.phase());
    QueryResult answer = await(node.queries().query(TENANT, "kb",
        new QueryRequest("What is the capital of Zorland?", 1, new MetadataFilter(Map.of("source", List.of("city"))))));
    assertTrue(answer.chunks().get(0).text().contains("Coldharbor"), answer.chunks().toString());
    assertEquals(151, await(node.collections().info(TENANT, "kb")).documents());
  }

  @Test
  void aJobRunningWhenTheNodeDiedResumesOnRestart() {
    RecordingEmbedder stuck = RecordingEmbedder.gated();
    TestNode first = start(TestNodes.h2(dataDir, ""), stuck);
    IngestionJob.Status accepted =
        await(first.node().ingestion().submit(TENANT, "kb", List.of(doc("survivor", "Acknowledged documents are never lost."))));
    assertEquals(IngestionJob.Phase.RUNNING, accepted.phase());
    first.close();
    nodes.remove(first);
    stuck.release(100);

    RecordingEmbedder working = RecordingEmbedder.open();
    RagmillNode second = start(TestNodes.h2(dataDir, ""), working).node();
    // nobody asks for the job: sharding remembers it and starts it with the node
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> working.texts() > 0);
    IngestionJob.Status done = await(second.ingestion().awaitDone(TENANT, accepted.jobId(), Duration.ofSeconds(30)));
    assertEquals(IngestionJob.Phase.COMPLETED, done.phase());
    assertEquals("survivor", query(second, "kb", "are documents lost").chunks().get(0).documentId());
  }

  @Test
  void refusesToFormAClusterOnPerNodeH2() {
    Config config =
        TestNodes.h2(dataDir, "pekko.cluster.seed-nodes = [\"pekko://ragmill@127.0.0.1:25999\"]");
    var error = assertThrows(IllegalStateException.class, () -> start(config, RecordingEmbedder.open()));
    assertTrue(error.getMessage().contains("shared PostgreSQL"), error.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aRestartedNodeReingestsAnUnchangedCorpusWithoutCallingTheModel(String journal) {
    String storeOn = "ragmill.cache.embedding-store.enabled = on";
    Config config = journal.equals("h2") ? TestNodes.h2(dataDir, storeOn) : TestNodes.postgres(dataDir, storeOn);
    String run = UUID.randomUUID().toString();
    List<SourceDocument> docs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      docs.add(doc("doc-" + i, "Run " + run + " document " + i + " is about gadget G" + i + "."));
    }
    RecordingEmbedder first = RecordingEmbedder.open();
    TestNode before = start(config, first);
    try (EmbeddingStore store = new EmbeddingStore(PersistenceSettings.fromConfig(config), 1)) {
      long stored = store.count(first.modelId());
      ingest(before.node(), "original", docs.toArray(SourceDocument[]::new));
      assertEquals(30, first.texts());
      // the store is written in the background: wait until this run's 30 vectors are there
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> store.count(first.modelId()) == stored + 30);
    }
    before.close();
    nodes.remove(before);

    RecordingEmbedder second = RecordingEmbedder.open();
    TestNode after = start(config, second);
    ingest(after.node(), "copy", docs.toArray(SourceDocument[]::new));
    assertEquals(0, second.texts(), "the model was called again for text it had embedded before");
    assertEquals("doc-7", await(after.node().queries().query(TENANT, "copy", new QueryRequest("gadget G7", 1, MetadataFilter.NONE)))
        .chunks().get(0).documentId());
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void dataSurvivesARestartOnTheSameJournal(String journal) {
    String collection = "restart-" + UUID.randomUUID().toString().substring(0, 8);
    Config config = journal.equals("h2") ? TestNodes.h2(dataDir, "") : TestNodes.postgres(dataDir, "");
    TestNode first = start(config, RecordingEmbedder.open());
    List<SourceDocument> docs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      docs.add(doc("doc-" + i, "Document " + i + " describes widget model W" + i + " in detail."));
    }
    ingest(first.node(), collection, docs.toArray(SourceDocument[]::new));
    QueryResult before = query(first.node(), collection, "widget model W17");
    first.close();
    nodes.remove(first);

    TestNode second = start(config, RecordingEmbedder.open());
    QueryResult after = query(second.node(), collection, "widget model W17");
    assertEquals(QueryResult.CacheStatus.MISS, after.cache(), "the cache is memory only");
    assertEquals(before.generation(), after.generation());
    assertEquals(before.chunks(), after.chunks());
    var info = await(second.node().collections().info(TENANT, collection));
    assertEquals(40, info.documents());
  }
}
