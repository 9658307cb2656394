package io.ragmill.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.embedding.HashingEmbedder;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real node and server on a random port: /health/metrics sums up real traffic, /admin/alerts
 * lists a rule that fires, large responses are gzipped and a gzip bomb is refused. (The metric
 * values themselves are checked by MetricsEndpointTest on a node of its own.)
 */
class ObservabilityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int MAX_BODY = 64 * 1024;
  private static TestServer server;
  private static TestNode node;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(
        TestNodes.h2(
            Files.createTempDirectory("ragmill-observability"),
            "ragmill.alerts.interval = 1h\n"
                + "ragmill.alerts.rules = [{ name = embeddings-seen, metric = http-p99-ms, target = \"/v1/embeddings\", above = 0 }]\n"),
        new HashingEmbedder(64), TestServer.noAuth("admin-secret"), null, MAX_BODY);
    node = server.node();
    base = server.base();
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

  @Test
  void healthMetricsSummarisesThroughputLatencyHitRatiosAndQueues() throws Exception {
    String question = "{\"query\":\"What runs actors?\",\"k\":1}";
    post("/v1/collections/docs/query", question);
    post("/v1/collections/docs/query", question);
    await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
      HttpResponse<String> r = get("/health/metrics");
      assertEquals(200, r.statusCode());
      JsonNode s = JSON.readTree(r.body());
      assertEquals(node.node().metrics().node(), s.get("node").asText());
      JsonNode partitions = s.get("actors").get("CachePartition");
      assertTrue(partitions.get("messages").asLong() > 0, s.toString());
      assertTrue(partitions.get("messagesPerSecond").asDouble() > 0, s.toString());
      assertTrue(partitions.has("mailbox") && partitions.has("p99Ms") && partitions.has("shards"));
      JsonNode answers = s.get("caches").get("answer");
      assertTrue(answers.get("hits").asLong() >= 1 && answers.get("hitRatio").asDouble() > 0, s.toString());
      JsonNode query = s.get("http").get("/v1/collections/{c}/query");
      assertTrue(query.get("requests").asLong() >= 2 && query.get("p99Ms").asDouble() > 0, s.toString());
      assertNotNull(s.get("batchers").fields().next().getValue().get("meanBatchSize"));
      assertTrue(s.get("jvm").get("heapUsedBytes").asLong() > 0);
    });
    JsonNode cluster = JSON.readTree(get("/health/metrics?scope=cluster").body());
    assertEquals(1, cluster.get("nodes").size(), cluster.toString());
    assertEquals(400, get("/health/metrics?scope=galaxy").statusCode());
  }

  @Test
  void readinessReportsRedisWithoutFailingOnIt() throws Exception {
    JsonNode ready = JSON.readTree(get("/health/ready").body());
    assertEquals("off", ready.get("checks").get("redis").asText(), ready.toString());
  }

  @Test
  void adminAlertsListsAFiringRuleBehindTheAdminKey() throws Exception {
    assertEquals(401, get("/admin/alerts").statusCode());
    assertEquals(200, post("/v1/embeddings", "{\"input\":\"alert me\"}").statusCode());
    await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
      node.node().evaluateAlerts();
      HttpResponse<String> r = get("/admin/alerts", "X-Api-Key", "admin-secret");
      assertEquals(200, r.statusCode());
      JsonNode status = JSON.readTree(r.body());
      assertEquals("embeddings-seen", status.get("rules").get(0).get("name").asText());
      assertEquals("http-p99-ms", status.get("rules").get(0).get("metric").asText());
      assertEquals(1, status.get("firing").size(), status.toString());
      assertEquals("embeddings-seen", status.get("firing").get(0).get("rule").asText());
      assertTrue(status.get("firing").get(0).get("value").asDouble() > 0);
    });
  }

  @Test
  void largeResponsesAreGzippedSmallOnesAreNot() throws Exception {
    HttpResponse<byte[]> big = CLIENT.send(
        HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Accept-Encoding", "gzip").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals("gzip", big.headers().firstValue("Content-Encoding").orElse("none"));
    String text = new String(new GZIPInputStream(new java.io.ByteArrayInputStream(big.body())).readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(text.contains("# TYPE ragmill_actor_messages_total counter"), text.substring(0, Math.min(200, text.length())));
    assertTrue(big.body().length < text.length() / 3, "compressed " + big.body().length + " of " + text.length());

    HttpResponse<String> plain = get("/metrics");
    assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty());
    HttpResponse<String> small = get("/health/alive", "Accept-Encoding", "gzip");
    assertTrue(small.headers().firstValue("Content-Encoding").isEmpty(), "a tiny response is sent as it is");
    assertEquals("{\"status\":\"alive\"}", small.body());
  }

  private static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  @Test
  void aContentEncodingTheServerCannotReadIsA415() throws Exception {
    HttpResponse<String> br = CLIENT.send(
        HttpRequest.newBuilder(URI.create(base + "/v1/collections/docs/query")).header("Content-Type", "application/json")
            .header("Content-Encoding", "br").POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"x\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(415, br.statusCode(), br.body());
    assertEquals("application/problem+json", br.headers().firstValue("Content-Type").orElseThrow());
    assertEquals("gzip, deflate, identity", br.headers().firstValue("Accept-Encoding").orElse("none"));
    assertTrue(JSON.readTree(br.body()).get("detail").asText().contains("'br'"), br.body());
  }

  @Test
  void gzipRequestBodiesAreReadAndABombIsRefused() throws Exception {
    byte[] query = gzip("{\"query\":\"Which library caches data?\",\"k\":1}".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> ok = CLIENT.send(
        HttpRequest.newBuilder(URI.create(base + "/v1/collections/docs/query")).header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(query)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ok.statusCode(), ok.body());

    // 4 MB of spaces inside a JSON string: about 4 KB on the wire, 64 times max-body once inflated.
    // (Kept to a few KB: the server answers 413 and closes as soon as the inflated size passes the
    // limit, and compressed bytes still unread in its socket would reset the connection under the
    // client before it reads the answer; a much larger bomb gets the 413 or a reset, never a parse.)
    byte[] inflated = new byte[4 * 1024 * 1024];
    java.util.Arrays.fill(inflated, (byte) ' ');
    byte[] head = "{\"query\":\"".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, inflated, 0, head.length);
    byte[] bomb = gzip(inflated);
    assertTrue(bomb.length < MAX_BODY, "the bomb itself fits under the limit: " + bomb.length);
    HttpResponse<String> refused = CLIENT.send(
        HttpRequest.newBuilder(URI.create(base + "/v1/collections/docs/query")).header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(bomb)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(413, refused.statusCode(), refused.body());
    assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(413, JSON.readTree(refused.body()).get("status").asInt());
  }
}
