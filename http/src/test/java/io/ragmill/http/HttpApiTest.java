package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.embedding.MiniLmEmbedder;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real server on a random port, the real MiniLM model, the journal in an H2 file in a temp
 * folder: the README's walk-through, restart included, and every kind of bad input.
 */
class HttpApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static MiniLmEmbedder model;
  private static Path dataDir;
  private static TestNode node;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    model = new MiniLmEmbedder();
    dataDir = Files.createTempDirectory("ragmill-http-test");
    startServer();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static void startServer() throws Exception {
    node = new TestNode(TestNodes.h2(dataDir, "ragmill.http.max-body = 64k"), model);
    HttpSettings settings = new HttpSettings("127.0.0.1", 0, 64 * 1024, Duration.ofSeconds(60));
    ServerBinding binding = new HttpServer(node.node(), settings, new AuthSettings(false, java.util.Map.of(), java.util.Optional.of("admin-secret"))).start().toCompletableFuture().get(30, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  private record Reply(int status, HttpResponse<String> raw, JsonNode body) {
    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  private static Reply send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
        : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = r.body().isEmpty() ? null : JSON.readTree(r.body());
    return new Reply(r.statusCode(), r, json);
  }

  private static void assertProblem(Reply r, int status, String detailFragment) {
    assertEquals(status, r.status(), r.raw().body());
    assertEquals("application/problem+json", r.header("Content-Type"));
    assertEquals(status, r.body().get("status").asInt());
    assertTrue(r.body().get("type").asText().startsWith("urn:ragmill:problem:"));
    assertTrue(r.body().get("title").asText().length() > 0);
    assertTrue(r.body().get("detail").asText().contains(detailFragment), r.body().toString());
    assertTrue(r.header("X-Response-Time") != null);
  }

  @Test
  void walkThroughIngestQueryCacheReingestAndRestart() throws Exception {
    String docs =
        "[{\"id\":\"pekko\",\"text\":\"Apache Pekko is a toolkit for building concurrent, distributed and resilient "
            + "message-driven applications on the JVM.\"},"
            + "{\"id\":\"caffeine\",\"markdown\":\"# Caffeine\\n\\nCaffeine is a **high performance** caching library for Java.\","
            + "\"metadata\":{\"lang\":\"java\"}}]";
    Reply accepted = send("POST", "/v1/collections/guide/documents", docs);
    assertEquals(202, accepted.status(), accepted.raw().body());
    String jobId = accepted.body().get("jobId").asText();
    assertEquals("/v1/jobs/" + jobId, accepted.header("Location"));

    Reply job = send("GET", "/v1/jobs/" + jobId, null);
    for (int i = 0; i < 100 && !job.body().get("phase").asText().equals("completed"); i++) {
      Thread.sleep(100); // polling as a client would; the job runs in the background
      job = send("GET", "/v1/jobs/" + jobId, null);
    }
    assertEquals("completed", job.body().get("phase").asText(), job.body().toString());
    assertEquals(2, job.body().get("documentsIndexed").asInt());
    assertTrue(job.body().get("chunksIndexed").asInt() >= 2);

    String question = "{\"query\":\"Which library caches data in Java?\",\"k\":2}";
    Reply first = send("POST", "/v1/collections/guide/query", question);
    assertEquals(200, first.status(), first.raw().body());
    assertEquals("miss", first.header("X-Cache"));
    assertEquals("caffeine", first.body().get("chunks").get(0).get("documentId").asText());
    assertTrue(first.body().get("answer").get("text").asText().contains("Caffeine"));
    assertTrue(first.body().get("timings").get("totalMs").asDouble() > 0);

    Reply second = send("POST", "/v1/collections/guide/query", question);
    assertEquals("hit", second.header("X-Cache"));
    assertEquals("hit", second.body().get("cache").asText());
    assertEquals(first.body().get("answer"), second.body().get("answer"));

    Reply reingest =
        send("POST", "/v1/collections/guide/documents?wait=true",
            "{\"id\":\"caffeine\",\"text\":\"Caffeine is a Java caching library that uses the W-TinyLFU eviction policy.\"}");
    assertEquals(200, reingest.status(), reingest.raw().body());
    assertEquals("completed", reingest.body().get("phase").asText());
    Reply third = send("POST", "/v1/collections/guide/query", question);
    assertEquals("miss", third.header("X-Cache"));
    assertTrue(third.body().get("answer").get("text").asText().contains("TinyLFU"), third.body().toString());
    assertTrue(third.body().get("generation").asLong() > second.body().get("generation").asLong(), third.body().toString());

    Reply filtered = send("POST", "/v1/collections/guide/query", "{\"query\":\"toolkit\",\"filter\":{\"lang\":\"java\"}}");
    assertEquals(200, filtered.status());
    assertEquals(0, filtered.body().get("chunks").size(), "the re-ingested caffeine document has no lang metadata now");

    node.close();
    startServer();
    Reply afterRestart = send("POST", "/v1/collections/guide/query", question);
    assertEquals(200, afterRestart.status(), afterRestart.raw().body());
    assertEquals("miss", afterRestart.header("X-Cache"));
    assertEquals(third.body().get("chunks"), afterRestart.body().get("chunks"));
    assertEquals(third.body().get("generation"), afterRestart.body().get("generation"));
    Reply jobAfterRestart = send("GET", "/v1/jobs/" + jobId, null);
    assertEquals("completed", jobAfterRestart.body().get("phase").asText());
    Reply collection = send("GET", "/v1/collections/guide", null);
    assertEquals(2, collection.body().get("documents").asInt());

    Reply deleted = send("DELETE", "/v1/collections/guide/documents/pekko", null);
    assertEquals(200, deleted.status());
    Reply gone = send("DELETE", "/v1/collections/guide/documents/pekko", null);
    assertProblem(gone, 404, "pekko");
  }

  @Test
  void everyBadInputIsAClearProblem() throws Exception {
    send("POST", "/v1/collections/errors/documents?wait=true", "{\"id\":\"d\",\"text\":\"some text\"}");
    assertProblem(send("POST", "/v1/collections/errors/query", "{\"query\": "), 400, "not valid JSON");
    assertProblem(send("POST", "/v1/collections/errors/query", ""), 400, "empty");
    assertProblem(send("POST", "/v1/collections/errors/query", "{}"), 400, "'query' is required");
    assertProblem(send("POST", "/v1/collections/errors/query", "{\"query\":\"  \"}"), 400, "non-empty");
    assertProblem(send("POST", "/v1/collections/errors/query", "{\"query\":\"x\",\"k\":0}"), 400, "'k' must be between 1 and 100");
    assertProblem(send("POST", "/v1/collections/errors/query", "{\"query\":\"x\",\"k\":1000}"), 400, "was 1000");
    assertProblem(send("POST", "/v1/collections/errors/query", "{\"query\":\"x\",\"k\":\"five\"}"), 400, "whole number");
    assertProblem(send("POST", "/v1/collections/errors/query", "{\"querry\":\"x\"}"), 400, "unknown field 'querry'");
    assertProblem(send("POST", "/v1/collections/errors/query", "{\"query\":\"x\",\"filter\":[1]}"), 400, "'filter' must be an object");
    assertProblem(send("POST", "/v1/collections/nowhere/query", "{\"query\":\"x\"}"), 404, "collection 'nowhere' does not exist");
    assertProblem(send("POST", "/v1/collections/bad%20name/query", "{\"query\":\"x\"}"), 400, "collection name");
    assertProblem(send("POST", "/v1/collections/errors/documents", "{\"id\":\"d\"}"), 400, "needs one of 'text', 'markdown' or 'html'");
    assertProblem(send("POST", "/v1/collections/errors/documents", "{\"id\":\"d\",\"text\":\"a\",\"html\":\"b\"}"), 400, "exactly one");
    assertProblem(send("POST", "/v1/collections/errors/documents", "[]"), 400, "no documents");
    assertProblem(
        send("POST", "/v1/collections/errors/documents", "[{\"id\":\"a\",\"text\":\"x\"},{\"id\":\"a\",\"text\":\"y\"}]"),
        400, "appears twice");
    assertProblem(send("POST", "/v1/collections/errors/documents", "{\"id\":\"d\",\"text\":\"x\",\"metadata\":{\"a\":{}}}"), 400, "metadata.a");
    assertProblem(send("POST", "/v1/collections/errors/documents?wait=maybe", "{\"id\":\"d\",\"text\":\"x\"}"), 400, "'wait'");
    String huge = "{\"id\":\"big\",\"text\":\"" + "x".repeat(70 * 1024) + "\"}";
    assertProblem(send("POST", "/v1/collections/errors/documents", huge), 413, "limit");
    assertProblem(send("GET", "/v1/jobs/no-such-job", null), 404, "no-such-job");
    assertProblem(send("GET", "/v1/collections/nowhere", null), 404, "does not exist");
    assertProblem(send("GET", "/v2/anything", null), 404, "no resource");
    assertProblem(send("GET", "/v1/collections/errors/query", null), 405, "POST");
    assertProblem(send("PUT", "/v1/collections/errors", "{\"chunkSize\":99}"), 409, "other settings");
    assertProblem(send("PUT", "/v1/collections/fresh", "{\"chunkSize\":100,\"chunkOverlap\":100}"), 400, "chunkOverlap");
    assertProblem(send("POST", "/v1/embeddings", "{\"input\":[1,2]}"), 400, "'input'");
  }

  @Test
  void collectionsCanBeCreatedWithTheirOwnChunking() throws Exception {
    Reply created = send("PUT", "/v1/collections/custom", "{\"chunkSize\":40,\"chunkOverlap\":10,\"chunkUnit\":\"words\",\"shards\":2}");
    assertEquals(201, created.status(), created.raw().body());
    assertEquals(40, created.body().get("settings").get("chunkSize").asInt());
    Reply again = send("PUT", "/v1/collections/custom", "{\"chunkSize\":40,\"chunkOverlap\":10,\"chunkUnit\":\"words\",\"shards\":2}");
    assertEquals(200, again.status());
    String text = "word ".repeat(100);
    Reply job = send("POST", "/v1/collections/custom/documents?wait=true", "{\"id\":\"long\",\"text\":\"" + text + "\"}");
    assertEquals(3, job.body().get("chunksIndexed").asInt(), job.body().toString());
  }

  @Test
  void responseTimeIsFormattedInMilliseconds() {
    assertEquals("0.000ms", HttpServer.millis(0));
    assertEquals("1.234ms", HttpServer.millis(1_234_567));
    assertEquals("12.005ms", HttpServer.millis(12_005_000));
    assertEquals("1500.080ms", HttpServer.millis(1_500_080_000L));
  }

  @Test
  void healthAndEmbeddings() throws Exception {
    Reply alive = send("GET", "/health/alive", null);
    assertEquals(200, alive.status());
    Reply ready = send("GET", "/health/ready", null);
    assertEquals(200, ready.status(), ready.raw().body());
    assertEquals("ready", ready.body().get("status").asText());
    assertTrue(ready.body().get("checks").get("journal").asText().startsWith("reachable"));

    Reply embeddings = send("POST", "/v1/embeddings", "{\"input\":[\"hello world\",\"goodbye\"],\"model\":\"any\"}");
    assertEquals(200, embeddings.status(), embeddings.raw().body());
    assertEquals(2, embeddings.body().get("data").size());
    assertEquals(384, embeddings.body().get("data").get(0).get("embedding").size());
    assertEquals("all-minilm-l6-v2-q", embeddings.body().get("model").asText());
  }
}
