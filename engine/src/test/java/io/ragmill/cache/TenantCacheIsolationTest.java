package io.ragmill.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.ragmill.index.ChunkHit;
import io.ragmill.index.MetadataFilter;
import io.ragmill.ingest.IngestionJob;
import io.ragmill.ingest.SourceDocument;
import io.ragmill.node.RagmillNode;
import io.ragmill.query.QueryRequest;
import io.ragmill.query.QueryResult;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two tenants with the same collection name ask 10,000 pairs of identical and near-identical
 * questions, the first tenant always first, through every tier (near cache, L1, Redis L2, the
 * semantic index): not one answer, hit or chunk crosses from one tenant to the other, and every
 * Redis key the run wrote carries its tenant.
 */
class TenantCacheIsolationTest {
  private static final int PAIRS = 10_000;
  private static final int TOPICS = 20;

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
  }

  private static void ingest(RagmillNode node, String tenant, String prefix, String secret) {
    List<SourceDocument> docs = new ArrayList<>();
    for (int t = 0; t < TOPICS; t++) {
      docs.add(
          new SourceDocument(
              prefix + "-" + t, SourceDocument.Format.TEXT,
              "Topic " + t + " has its own code. The code for topic " + t + " is " + secret + "-" + t + ".", Map.of()));
    }
    var accepted = await(node.ingestion().submit(tenant, "kb", docs));
    assertEquals(
        IngestionJob.Phase.COMPLETED,
        await(node.ingestion().awaitDone(tenant, accepted.jobId(), Duration.ofSeconds(60))).phase());
  }

  private static String question(int i) {
    return "what is the code for topic " + (i % TOPICS) + " in case " + i;
  }

  /** Near-identical: the same words with filler, case and punctuation that change the exact key. */
  private static String nearIdentical(int i) {
    return "Please, " + question(i).toUpperCase(Locale.ROOT) + "?";
  }

  @Test
  void tenThousandPairsNeverCrossTenants() throws Exception {
    String run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String alpha = "alpha" + run;
    String beta = "beta" + run;
    RedisClient redisClient = RedisClient.create("redis://127.0.0.1:6379/0");
    try (StatefulRedisConnection<String, String> redis = redisClient.connect();
        TestNode test =
            new TestNode(
                TestNodes.h2(
                    Files.createTempDirectory("ragmill-tenant-cache"),
                    "ragmill.cache.redis { enabled = on, uri = \"redis://127.0.0.1:6379/0\", command-timeout = 200ms }\n"
                        // small L1 and near cache, so Redis answers part of the run
                        + "ragmill.cache.answer.max-bytes = 2m\nragmill.cache.near.max-entries = 100\n"
                        + "ragmill.cache.semantic.similarity-threshold = 0.5\n"),
                RecordingEmbedder.open())) {
      RagmillNode node = test.node();
      long sharedKeysBefore = redis.sync().keys("ragmill:_shared:*").size();
      ingest(node, alpha, "a", "ALPHA");
      ingest(node, beta, "b", "BETA");

      Set<String> betaAsked = ConcurrentHashMap.newKeySet();
      AtomicInteger crossed = new AtomicInteger();
      AtomicInteger betaHits = new AtomicInteger();
      AtomicInteger betaSemantic = new AtomicInteger();
      List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
      Semaphore inFlight = new Semaphore(16);
      List<CompletableFuture<Void>> all = new ArrayList<>(PAIRS);
      for (int i = 0; i < PAIRS; i++) {
        int pair = i;
        String betaQuestion = pair % 2 == 0 ? question(pair) : nearIdentical(pair);
        inFlight.acquire();
        all.add(
            ask(node, alpha, question(pair))
                .thenCompose(
                    a -> {
                      check(a, "a-", "ALPHA", "BETA", problems, crossed);
                      return ask(node, beta, betaQuestion);
                    })
                .thenAccept(
                    b -> {
                      check(b, "b-", "BETA", "ALPHA", problems, crossed);
                      if (b.cache() == QueryResult.CacheStatus.HIT) {
                        // the first time beta asks this exact question: a hit can only be alpha's
                        betaHits.incrementAndGet();
                      }
                      if (b.cache() == QueryResult.CacheStatus.SEMANTIC) {
                        betaSemantic.incrementAndGet();
                        if (!betaAsked.contains(b.semantic().matchedQuery())) {
                          problems.add("beta got a semantic hit on a question it never asked: " + b.semantic());
                          crossed.incrementAndGet();
                        }
                      }
                      betaAsked.add(QueryNormal.of(betaQuestion));
                    })
                .whenComplete((ok, error) -> inFlight.release())
                .toCompletableFuture());
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);

      assertEquals(0, crossed.get(), "cross-tenant answers: " + problems.subList(0, Math.min(5, problems.size())));
      assertEquals(0, betaHits.get(), "beta hit an exact key on its first ask");
      System.out.printf("pairs %d, beta semantic hits on its own questions %d%n", PAIRS, betaSemantic.get());

      // alpha's repeats are cached and still its own
      QueryResult again = await(ask(node, alpha, question(7)));
      assertNotEquals(QueryResult.CacheStatus.MISS, again.cache());
      check(again, "a-", "ALPHA", "BETA", problems, crossed);
      assertEquals(0, crossed.get());

      // a paraphrase finds the earlier question semantically, but only in its own tenant
      QueryResult first = await(ask(node, alpha, "which code does topic 5 have"));
      assertEquals(QueryResult.CacheStatus.MISS, first.cache());
      QueryResult otherTenant = await(ask(node, beta, "Please, which code does topic 5 have?"));
      assertEquals(QueryResult.CacheStatus.MISS, otherTenant.cache(), String.valueOf(otherTenant.semantic()));
      QueryResult sameTenant = await(ask(node, alpha, "please which code does topic 5 have"));
      assertEquals(QueryResult.CacheStatus.SEMANTIC, sameTenant.cache());
      assertEquals("which code does topic 5 have", sameTenant.semantic().matchedQuery());
      check(sameTenant, "a-", "ALPHA", "BETA", problems, crossed);
      assertEquals(0, crossed.get());

      // every key the run wrote carries its tenant; nothing shared was written
      for (String tenant : List.of(alpha, beta)) {
        for (String kind : List.of("embedding", "retrieval", "answer")) {
          assertTrue(!redis.sync().keys("ragmill:" + tenant + ":" + kind + ":*").isEmpty(), tenant + " has no " + kind + " keys");
        }
      }
      assertEquals(sharedKeysBefore, redis.sync().keys("ragmill:_shared:*").size(), "keys without a tenant were written");
      for (String key : redis.sync().keys("ragmill:*" + run + "*")) {
        String tenant = key.split(":")[1];
        assertTrue(tenant.equals(alpha) || tenant.equals(beta), key);
      }
      CacheStats stats = CacheStats.of(await(node.cache().stats()));
      assertTrue(stats.l2Hits() > 0, "Redis answered nothing: the run did not exercise L2");

      await(node.cache().clear(java.util.Optional.empty(), java.util.Optional.of(alpha), java.util.Optional.empty()));
      await(node.cache().clear(java.util.Optional.empty(), java.util.Optional.of(beta), java.util.Optional.empty()));
      assertEquals(0, redis.sync().keys("ragmill:" + alpha + ":*").size(), "clear by tenant left Redis keys");
    } finally {
      redisClient.shutdown();
    }
  }

  private record CacheStats(long l2Hits) {
    static CacheStats of(Cache.Stats stats) {
      return new CacheStats(stats.kinds().values().stream().mapToLong(CachePartition.KindStats::l2Hits).sum());
    }
  }

  /** The pipeline's exact-key normalization, for matching semantic sources. */
  private static final class QueryNormal {
    static String of(String q) {
      return q.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }
  }

  private static CompletionStage<QueryResult> ask(RagmillNode node, String tenant, String question) {
    return node.queries().query(tenant, "kb", new QueryRequest(question, 2, MetadataFilter.NONE));
  }

  private static void check(
      QueryResult result, String ownPrefix, String ownSecret, String otherSecret, List<String> problems,
      AtomicInteger crossed) {
    for (ChunkHit hit : result.chunks()) {
      if (!hit.documentId().startsWith(ownPrefix) || hit.text().contains(otherSecret)) {
        problems.add("chunk " + hit.documentId() + " in an answer for " + ownSecret);
        crossed.incrementAndGet();
      }
    }
    if (result.answer().text().contains(otherSecret)) {
      problems.add("answer for " + ownSecret + ": " + result.answer().text());
      crossed.incrementAndGet();
    }
  }
}
