package io.ragmill.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.embedding.HashingEmbedder;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * /metrics on a node of its own (so every count here is this test's): each named metric is there
 * after real traffic, and values move the right way — a cache hit counts as a hit, not a miss.
 */
class MetricsEndpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 64 * 1024;
  private static TestServer server;
  private static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(
        TestNodes.h2(
            Files.createTempDirectory("ragmill-metrics"),
            ""),
        new HashingEmbedder(64), TestServer.noAuth("admin-secret"), null, MAX_BODY);
    node = server.node();
    HttpResponse<String> ingest = post("/v1/collections/docs/documents?wait=true",
        "[{\"id\":\"a\",\"text\":\"Caffeine is a caching library for Java.\"},"
            + "{\"id\":\"b\",\"text\":\"Pekko is a toolkit for actors on the JVM.\"}]");
    assertEquals(200, ingest.statusCode(), ingest.body());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    return server.send("GET", path, null, headers);
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return server.send("POST", path, body);
  }

  private static String scrape() throws Exception {
    HttpResponse<String> r = get("/metrics");
    assertEquals(200, r.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=UTF-8", r.headers().firstValue("Content-Type").orElseThrow());
    return r.body();
  }

  /** The value of the one series of {@code name} whose labels include all of {@code labels}; 0 if absent. */
  private static double value(String text, String name, String... labels) {
    double total = 0;
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{(.*)\\} (\\S+)$").matcher(text);
    while (m.find()) {
      boolean all = true;
      for (String label : labels) {
        all &= m.group(1).contains(label);
      }
      if (all) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  private static String node() {
    return "node=\"" + node.node().metrics().node() + "\"";
  }

  @Test
  void metricsShowEveryInstrumentAndACacheHitCountsAsAHit() throws Exception {
    String question = "{\"query\":\"Which library caches data?\",\"k\":1}";
    HttpResponse<String> first = post("/v1/collections/docs/query", question);
    assertEquals("miss", first.headers().firstValue("X-Cache").orElseThrow());
    assertEquals(200, post("/v1/embeddings", "{\"input\":[\"one text\",\"another text\"]}").statusCode());

    // the scrape text is as of Kamon's last tick (1 s): wait for the first query to show
    await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
        assertEquals(1.0, value(scrape(), "ragmill_cache_lookups_total", "kind=\"answer\"", "tier=\"l1\"", "result=\"miss\"", node())));
    // a repeat is answered by the node's near cache, in front of the partition
    double hitsBefore = value(scrape(), "ragmill_cache_lookups_total", "kind=\"answer\"", "tier=\"near\"", "result=\"hit\"", node());
    double missesBefore = 1.0;
    assertEquals(0.0, hitsBefore, "nothing was asked twice yet");

    HttpResponse<String> second = post("/v1/collections/docs/query", question);
    assertEquals("hit", second.headers().firstValue("X-Cache").orElseThrow());
    await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
      String after = scrape();
      assertEquals(hitsBefore + 1, value(after, "ragmill_cache_lookups_total", "kind=\"answer\"", "tier=\"near\"", "result=\"hit\"", node()));
      assertEquals(missesBefore, value(after, "ragmill_cache_lookups_total", "kind=\"answer\"", "tier=\"l1\"", "result=\"miss\"", node()));
      assertEquals(2.0, value(after, "ragmill_http_requests_total",
          "route=\"/v1/collections/{c}/query\"", "method=\"POST\"", "status=\"200\"", node()), after);
    });

    String text = scrape();
    for (String entity : new String[] {"CachePartition", "EmbeddingBatcher", "IndexShard", "Collection", "IngestionJob"}) {
      String actor = "actor=\"" + entity + "\"";
      assertTrue(value(text, "ragmill_actor_messages_total", actor, node()) > 0, entity + " messages");
      assertTrue(value(text, "ragmill_actor_processing_time_seconds_count", actor, node()) > 0, entity + " processing time");
      assertTrue(text.contains("ragmill_actor_processing_time_seconds_bucket{"), "processing time histogram");
      assertTrue(value(text, "ragmill_actor_starts_total", actor, node()) > 0, entity + " starts");
      assertTrue(Pattern.compile("ragmill_actor_errors_total\\{[^}]*" + actor).matcher(text).find(), entity + " errors");
      assertTrue(Pattern.compile("ragmill_actor_mailbox_size\\{[^}]*" + actor).matcher(text).find(), entity + " mailbox");
      assertTrue(value(text, "ragmill_actor_time_in_mailbox_seconds_count", actor, node()) > 0, entity + " time in mailbox");
    }
    await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
      String t = scrape();
      assertTrue(value(t, "ragmill_sharding_shards", "actor=\"CachePartition\"", node()) >= 1, "shards");
      assertTrue(value(t, "ragmill_sharding_entities", "actor=\"CachePartition\"", node()) >= 1, "entities");
    });
    // every request path is a bounded template, never the collection's name
    assertFalse(text.contains("route=\"/v1/collections/docs"), "raw path in a label");
    assertTrue(value(text, "ragmill_batcher_batch_size_count", node()) > 0, "batch sizes");
    assertTrue(value(text, "ragmill_batcher_batch_tokens_sum", node()) > 0, "tokens per batch");
    assertTrue(value(text, "ragmill_batcher_queue_wait_seconds_count", node()) > 0, "queue wait");
    assertTrue(value(text, "ragmill_batcher_inference_time_seconds_count", node()) > 0, "inference time");
    assertTrue(Pattern.compile("ragmill_batcher_pending\\{").matcher(text).find(), "pending");
    assertTrue(value(text, "ragmill_cache_fills_total", "kind=\"answer\"", node()) >= 1, "fills");
    // the first ask looked up the partition; the repeat was answered by the near cache without one
    assertTrue(value(text, "ragmill_cache_lookup_time_seconds_count", "kind=\"answer\"", "tier=\"l1\"", node()) >= 1);
    assertTrue(text.contains("ragmill_cache_single_flight_merges_total{"), "merges");
    assertTrue(text.contains("ragmill_cache_evictions_total{"), "evictions");
    assertTrue(text.contains("ragmill_http_request_time_seconds_bucket{"), "request time");
    await().atMost(15, TimeUnit.SECONDS).untilAsserted(() -> assertTrue(scrape().contains("jvm_memory_used_bytes"), "JVM memory"));
  }
}
