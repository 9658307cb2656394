package io.ragmill.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.ragmill.index.MetadataFilter;
import io.ragmill.ingest.IngestionJob;
import io.ragmill.ingest.SourceDocument;
import io.ragmill.node.RagmillNode;
import io.ragmill.query.QueryRequest;
import io.ragmill.query.QueryResult;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TcpProxy;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** L2 against the real Redis on 127.0.0.1:6379 (directly, or through a proxy the test can cut). */
class RedisTierTest {
  private Path dataDir;
  private String tenant;
  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    dataDir = Files.createTempDirectory("ragmill-redis-test");
    tenant = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  @AfterEach
  void stopNodes() {
    nodes.forEach(TestNode::close);
  }

  private TestNode start(String redisUri, RecordingEmbedder embedder) {
    return start(redisUri, "ragmill", embedder);
  }

  private TestNode start(String redisUri, String keyPrefix, RecordingEmbedder embedder) {
    Config config =
        TestNodes.h2(
            dataDir,
            "ragmill.cache.redis { enabled = on, uri = \"" + redisUri + "\", key-prefix = \"" + keyPrefix + "\","
                + " command-timeout = 100ms,"
                + " breaker { max-failures = 3, reset-timeout = 1s },"
                + " reconnect { min-backoff = 200ms, max-backoff = 1s } }\n"
                + "ragmill.cache.answer.ttl = 10m");
    TestNode node = new TestNode(config, embedder);
    nodes.add(node);
    return node;
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
  }

  private void ingest(RagmillNode node) {
    var accepted =
        await(node.ingestion().submit(tenant, "kb", List.of(
            new SourceDocument("redis", SourceDocument.Format.TEXT, "Redis keeps the second cache tier.", Map.of()),
            new SourceDocument("h2", SourceDocument.Format.TEXT, "H2 keeps the journal on one node.", Map.of()))));
    assertEquals(IngestionJob.Phase.COMPLETED, await(node.ingestion().awaitDone(tenant, accepted.jobId(), Duration.ofSeconds(30))).phase());
  }

  private QueryResult query(RagmillNode node, String question) {
    return await(node.queries().query(tenant, "kb", new QueryRequest(question, 2, MetadataFilter.NONE)));
  }

  /** A node with the default prefix ingests, computes the answer (writing it to Redis) and stops. */
  private QueryResult computeOnANodeThatThenStops(String question) {
    TestNode first = start("redis://127.0.0.1:6379/0", RecordingEmbedder.open());
    ingest(first.node());
    QueryResult computed = query(first.node(), question);
    assertEquals(QueryResult.CacheStatus.MISS, computed.cache());
    first.close();
    nodes.remove(first);
    return computed;
  }

  @Test
  void aRestartedNodeWithAnEmptyL1AnswersFromRedis() {
    QueryResult computed = computeOnANodeThatThenStops("which tier does redis keep");

    RecordingEmbedder second = RecordingEmbedder.open();
    TestNode restarted = start("redis://127.0.0.1:6379/0", second);
    QueryResult fromRedis = query(restarted.node(), "which tier does redis keep");
    assertEquals(QueryResult.CacheStatus.HIT, fromRedis.cache());
    assertEquals(computed.answer(), fromRedis.answer());
    assertEquals(0, second.texts(), "an L2 hit needs no embedding");
    assertTrue(await(restarted.node().cache().stats()).kinds().get(CacheKind.ANSWER).l2Hits() >= 1);

    RedisClient client = RedisClient.create("redis://127.0.0.1:6379/0");
    try (StatefulRedisConnection<String, String> redis = client.connect()) {
      List<String> keys = redis.sync().keys("ragmill:" + tenant + ":*");
      assertFalse(keys.isEmpty());
      assertTrue(keys.stream().anyMatch(k -> k.startsWith("ragmill:" + tenant + ":answer:")), keys.toString());
      for (String key : keys) {
        long ttl = redis.sync().pttl(key);
        // the kind's TTL: embeddings (kept per tenant too) 24 h, retrievals 1 h, answers 10 m here
        Duration max = key.contains(":embedding:") ? Duration.ofHours(24) : Duration.ofHours(1);
        assertTrue(ttl > 0 && ttl <= max.toMillis(), key + " ttl " + ttl);
      }
      redis.sync().del(keys.toArray(String[]::new));
    } finally {
      client.shutdown();
    }
  }

  @Test
  void deploymentsWithTheirOwnKeyPrefixDoNotShareEntries() {
    computeOnANodeThatThenStops("which tier does redis keep");

    // the same journal (so the same generation) and the same Redis database, another prefix
    RecordingEmbedder other = RecordingEmbedder.open();
    TestNode apart = start("redis://127.0.0.1:6379/0", "staging:eu-1", other);
    assertEquals(QueryResult.CacheStatus.MISS, query(apart.node(), "which tier does redis keep").cache());
    assertTrue(other.texts() > 0, "a miss in every tier: the model ran");
    apart.close();
    nodes.remove(apart);

    RedisClient client = RedisClient.create("redis://127.0.0.1:6379/0");
    try (StatefulRedisConnection<String, String> redis = client.connect()) {
      List<String> mine = redis.sync().keys("ragmill:" + tenant + ":answer:*");
      List<String> theirs = redis.sync().keys("staging:eu-1:" + tenant + ":answer:*");
      assertEquals(1, mine.size(), mine.toString());
      assertEquals(1, theirs.size(), theirs.toString());
      redis.sync().del(mine.toArray(String[]::new));
      redis.sync().del(theirs.toArray(String[]::new));
      redis.sync().del(redis.sync().keys("*:" + tenant + ":*").toArray(String[]::new));
    } finally {
      client.shutdown();
    }
  }

  @Test
  void clearingMatchesOnlyTheDeploymentsPrefix() {
    assertEquals("a:b:t1:answer:kb:*", RedisTier.pattern("a:b:", Optional.of(CacheKind.ANSWER), Optional.of("t1"), Optional.of("kb")));
    assertEquals("a:*:*:*", RedisTier.pattern("a:", Optional.empty(), Optional.empty(), Optional.empty()));
    for (String bad : List.of("", "a*", "a:", ":a", "a b", "a?", "x[1]")) {
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class,
              () -> new RedisTier.Settings(
                  true, "redis://x", bad, Duration.ofMillis(50), 5, Duration.ofSeconds(5), Duration.ofSeconds(1),
                  Duration.ofSeconds(30)));
      assertTrue(e.getMessage().contains("key-prefix"), e.getMessage());
    }
  }

  @Test
  void queriesNeverFailWhileRedisIsCutOffAndL2RecoversWhenItReturns() throws Exception {
    try (TcpProxy proxy = new TcpProxy(6379)) {
      RagmillNode node = start("redis://127.0.0.1:" + proxy.port() + "/0", RecordingEmbedder.open()).node();
      ingest(node);
      assertEquals(QueryResult.CacheStatus.MISS, query(node, "before the outage").cache());

      proxy.cut();
      deleteTenantKeys();
      for (int i = 0; i < 30; i++) {
        long start = System.nanoTime();
        QueryResult r = query(node, "during the outage " + i);
        assertEquals(QueryResult.CacheStatus.MISS, r.cache());
        long millis = (System.nanoTime() - start) / 1_000_000;
        // each request waits at most for one timed-out L2 read, and none once the circuit is open
        assertTrue(millis < 2_000, "query " + i + " took " + millis + " ms");
      }
      assertEquals(QueryResult.CacheStatus.HIT, query(node, "during the outage 3").cache(), "L1 still serves");
      assertTrue(tenantKeys("answer").isEmpty(), "nothing written during the outage may land later");

      proxy.restore();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(() -> {
            query(node, "after the outage " + UUID.randomUUID());
            assertFalse(tenantKeys("answer").isEmpty(), "no write reached Redis yet");
          });
      deleteTenantKeys();
    }
  }

  @Test
  void theRedisPasswordIsNeitherLoggedNorAnswered() throws Exception {
    assertEquals("redis://127.0.0.1:6379/0", settings("redis://ragmill:s3cret@127.0.0.1:6379/0").shown());
    assertEquals("rediss://cache.example:6380", settings("rediss://:s3cret@cache.example:6380").shown());
    assertEquals("redis://127.0.0.1:6379/0", settings("redis://127.0.0.1:6379/0").shown());

    int closed = TestNodes.freePort();
    RagmillNode node = start("redis://ragmill:s3cret@127.0.0.1:" + closed + "/0", RecordingEmbedder.open()).node();
    java.util.concurrent.CompletionException refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.util.concurrent.CompletionException.class,
            () -> await(node.cache().clear(Optional.empty(), Optional.of(tenant), Optional.empty())));
    String detail = io.ragmill.api.RagmillException.find(refused).orElseThrow().getMessage();
    assertTrue(detail.contains("redis://127.0.0.1:" + closed + "/0"), detail);
    assertFalse(detail.contains("s3cret"), detail);
  }

  private static RedisTier.Settings settings(String uri) {
    return new RedisTier.Settings(
        true, uri, "ragmill", Duration.ofMillis(100), 3, Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(1));
  }

  @Test
  void aNodeThatStartedWhileRedisWasUnreachableUsesL2OnceRedisAnswers() throws Exception {
    QueryResult computed = computeOnANodeThatThenStops("which tier does redis keep");

    try (TcpProxy proxy = new TcpProxy(6379)) {
      proxy.cut();
      RecordingEmbedder embedder = RecordingEmbedder.open();
      RagmillNode node = start("redis://127.0.0.1:" + proxy.port() + "/0", embedder).node();
      assertEquals(
          "unreachable since start: serving from L1 while it reconnects", node.readiness().checks().get("redis"));

      // meanwhile L2 is a miss and writes are skipped; no request fails
      assertEquals(QueryResult.CacheStatus.MISS, query(node, "while redis is away").cache());
      java.util.concurrent.CompletionException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              java.util.concurrent.CompletionException.class,
              () -> await(node.cache().clear(Optional.empty(), Optional.of(tenant), Optional.empty())));
      assertTrue(
          io.ragmill.api.RagmillException.find(refused).isPresent(), "an operator's clear says Redis was not cleared");

      proxy.restore();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(() -> assertEquals("connected", node.readiness().checks().get("redis")));

      // the answer the other node computed is an L2 hit here: nothing embedded for it
      int embeddedBefore = embedder.texts();
      QueryResult fromRedis = query(node, "which tier does redis keep");
      assertEquals(QueryResult.CacheStatus.HIT, fromRedis.cache());
      assertEquals(CacheTier.L2, fromRedis.cacheTier());
      assertEquals(computed.answer(), fromRedis.answer());
      assertEquals(embeddedBefore, embedder.texts(), "an L2 hit needs no embedding");
      assertTrue(await(node.cache().stats()).kinds().get(CacheKind.ANSWER).l2Hits() >= 1);

      // and fills are written through again (the one made while Redis was away was skipped)
      assertEquals(1, tenantKeys("answer").size(), tenantKeys("answer").toString());
      query(node, "after redis came back");
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(() -> assertEquals(2, tenantKeys("answer").size()));
    } finally {
      deleteTenantKeys();
    }
  }

  private List<String> tenantKeys(String kind) {
    RedisClient client = RedisClient.create("redis://127.0.0.1:6379/0");
    try (StatefulRedisConnection<String, String> redis = client.connect()) {
      return redis.sync().keys("ragmill:" + tenant + ":" + kind + ":*");
    } finally {
      client.shutdown();
    }
  }

  private void deleteTenantKeys() {
    RedisClient client = RedisClient.create("redis://127.0.0.1:6379/0");
    try (StatefulRedisConnection<String, String> redis = client.connect()) {
      List<String> keys = redis.sync().keys("ragmill:" + tenant + ":*");
      if (!keys.isEmpty()) {
        redis.sync().del(keys.toArray(String[]::new));
      }
    } finally {
      client.shutdown();
    }
  }
}
