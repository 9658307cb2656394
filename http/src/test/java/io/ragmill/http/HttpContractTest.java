package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNodes;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The edges of the HTTP contract a review found open: bodies Jackson refuses by its limits, bodies
 * that are not one JSON value in UTF-8, requests too malformed for the routes, HEAD, and a few
 * fields that were accepted and ignored. Each is a problem+json with a 4xx status.
 */
class HttpContractTest {
  private static TestServer server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(
        TestNodes.h2(Files.createTempDirectory("ragmill-contract"), ""), RecordingEmbedder.open(), TestServer.noAuth("adm"));
    port = URI.create(server.base()).getPort();
    assertEquals(200, server.send("POST", "/v1/collections/guide/documents?wait=true",
        "{\"id\":\"caffeine\",\"text\":\"Caffeine is a caching library for Java.\"}").statusCode());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void assertProblem(int status, HttpResponse<String> r, String detailPart) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), r.headers().toString());
    JsonNode problem = TestServer.json(r);
    assertEquals(status, problem.get("status").asInt());
    assertTrue(problem.get("detail").asText().contains(detailPart), problem.toString());
  }

  private static HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** What the server answers to bytes no well-behaved client sends: status line and the rest. */
  private static String raw(String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      StringBuilder reply = new StringBuilder();
      int n;
      while ((n = in.read(buffer)) > 0) {
        reply.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        if (reply.indexOf("\r\n\r\n") > 0 && reply.indexOf("}") > 0) {
          break;
        }
      }
      return reply.toString();
    }
  }

  @Test
  void bodiesBeyondJacksonsLimitsAreA400() throws Exception {
    String deep = "[".repeat(5000) + "]".repeat(5000);
    assertProblem(400, server.send("POST", "/v1/collections/guide/query", deep), "nesting depth");
    assertProblem(400, server.send("POST", "/v1/collections/guide/query", "{\"query\":\"a\",\"k\":" + "9".repeat(2000) + "}"), "not valid JSON");
    assertProblem(400, server.send("PUT", "/v1/collections/deep", deep), "not valid JSON");
  }

  @Test
  void aBodyIsOneJsonValueWithEachFieldOnce() throws Exception {
    HttpResponse<String> two = server.send("POST", "/v1/collections/nd/documents?wait=true",
        "{\"id\":\"a\",\"text\":\"first\"}\n{\"id\":\"b\",\"text\":\"second\"}");
    assertProblem(400, two, "not valid JSON");
    assertEquals(404, server.send("GET", "/v1/collections/nd", null).statusCode(), "nothing was ingested");
    assertProblem(400, server.send("POST", "/v1/collections/guide/query", "{\"query\":\"a\"} trailing"), "not valid JSON");
    assertProblem(400, server.send("POST", "/v1/collections/guide/query", "{\"query\":\"a\",\"k\":1,\"query\":\"b\"}"), "Duplicate field");
  }

  @Test
  void aBodyIsJsonInUtf8() throws Exception {
    byte[] query = "{\"query\":\"Caffeine\"}".getBytes(StandardCharsets.UTF_8);
    assertProblem(415, post("/v1/collections/guide/query", "text/plain", query), "application/json");
    assertProblem(415, post("/v1/collections/guide/query", "application/x-www-form-urlencoded", query), "application/json");
    // a request that names no type is read as JSON
    assertEquals(200, post("/v1/collections/guide/query", null, query).statusCode());
    // application/json has no charset parameter (RFC 8259): one declared is ignored, and the bytes must be UTF-8
    assertEquals(200, post("/v1/collections/guide/query", "application/json; charset=ISO-8859-1", query).statusCode());
    byte[] latin1 = "{\"id\":\"l\",\"text\":\"Caf\u00e9 cr\u00e8me\"}".getBytes(StandardCharsets.ISO_8859_1);
    assertProblem(400, post("/v1/collections/latin/documents?wait=true", "application/json; charset=ISO-8859-1", latin1), "not valid UTF-8");
    assertProblem(400, post("/v1/collections/guide/query", "application/json",
        "{\"query\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1)), "not valid UTF-8");
    // a real U+FFFD in valid UTF-8 is fine, and so is a +json type
    assertEquals(200, post("/v1/collections/guide/query", "application/vnd.ragmill+json",
        "{\"query\":\"Caffeine \uFFFD\"}".getBytes(StandardCharsets.UTF_8)).statusCode());
    // 3,000 emoji are 3,000 characters, within the 4,096 limit
    assertEquals(200, server.send("POST", "/v1/collections/guide/query", "{\"query\":\"" + "\uD83D\uDE00".repeat(3000) + "\"}").statusCode());
  }

  @Test
  void theSlashSharedByCollectionsAndQueryIsNotACollection() throws Exception {
    HttpResponse<String> r = server.send("POST", "/v1/collections/query", "{\"query\":\"hello\"}");
    assertProblem(405, r, "GET");
  }

  @Test
  void requestsTooMalformedForTheRoutesAreProblemsToo() throws Exception {
    String badEscape = raw("GET /v1/collections/guide/documents/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n");
    assertTrue(badEscape.startsWith("HTTP/1.1 400"), badEscape);
    assertTrue(badEscape.contains("application/problem+json") && badEscape.contains("\"status\":400"), badEscape);
    String method = raw("FOO /v1/collections/guide HTTP/1.1\r\nHost: x\r\n\r\n");
    assertTrue(method.startsWith("HTTP/1.1 501") && method.contains("application/problem+json"), method);
    String length = raw("POST /v1/collections/guide/query HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
    assertTrue(length.startsWith("HTTP/1.1 400") && length.contains("application/problem+json"), length);
    HttpResponse<String> longUri = server.send("GET", "/v1/collections/" + "x".repeat(10_000), null);
    assertProblem(414, longUri, "");
    // a 512-character id, percent-encoded, fits
    String id = "\u00e9".repeat(400);
    assertEquals(200, server.send("POST", "/v1/collections/ids/documents?wait=true", "{\"id\":\"" + id + "\",\"text\":\"long id\"}").statusCode());
    assertEquals(200, server.send("DELETE", "/v1/collections/ids/documents/" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8), null).statusCode());
  }

  @Test
  void headIsAnsweredWhereverGetIs() throws Exception {
    for (String path : new String[] {"/health/alive", "/health/ready", "/v1/collections/guide", "/metrics"}) {
      HttpResponse<String> r =
          HttpClient.newHttpClient().send(
              HttpRequest.newBuilder(URI.create(server.base() + path)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), path);
      assertEquals("", r.body(), path);
    }
  }

  @Test
  void idsAUrlCannotNameAreRefused() throws Exception {
    assertProblem(400, server.send("POST", "/v1/collections/dots/documents", "[{\"id\":\"..\",\"text\":\"b\"}]"), "'.' or '..'");
    assertProblem(400, server.send("POST", "/v1/collections/dots/documents", "{\"id\":\".\",\"text\":\"a\"}"), "'.' or '..'");
  }

  @Test
  void aDocumentWhoseMarkupHoldsNoTextIsRefused() throws Exception {
    assertProblem(400, server.send("POST", "/v1/collections/empty/documents", "{\"id\":\"h\",\"html\":\"<script>alert(1)</script><p></p>\"}"),
        "html holds no text");
    assertProblem(400, server.send("POST", "/v1/collections/empty/documents",
        "[{\"id\":\"t\",\"text\":\"fine\"},{\"id\":\"s\",\"html\":\"<style>p{}</style><div> </div>\"}]"), "documents[1].html holds no text");
    assertEquals(404, server.send("GET", "/v1/collections/empty", null).statusCode(), "nothing was created");
  }

  @Test
  void embeddingsCheckEveryField() throws Exception {
    assertProblem(400, server.send("POST", "/v1/embeddings", "{\"input\":\"hi\",\"dimensions\":7}"), "'dimensions' must be");
    assertProblem(400, server.send("POST", "/v1/embeddings", "{\"input\":\"hi\",\"model\":5}"), "'model' must be a string");
    assertProblem(400, server.send("POST", "/v1/embeddings", "{\"input\":[\"hi\",\"  \\n \"]}"), "not only whitespace");
    assertProblem(400, server.send("POST", "/v1/embeddings", "{\"input\":\"hi\",\"user\":{\"a\":1}}"), "'user' must be a string");
    int dimension = server.node().node().models().dimension();
    HttpResponse<String> ok = server.send("POST", "/v1/embeddings", "{\"input\":\"hi\",\"dimensions\":" + dimension + ",\"model\":\"m\"}");
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(dimension, TestServer.json(ok).get("data").get(0).get("embedding").size());
  }

  @Test
  void aJobThatFailsIsNotA200WhenWaitedFor() throws Exception {
    RecordingEmbedder healthy = RecordingEmbedder.open();
    io.ragmill.embedding.Embedder failing =
        new io.ragmill.embedding.Embedder() {
          @Override
          public String modelId() {
            return healthy.modelId();
          }

          @Override
          public int dimension() {
            return healthy.dimension();
          }

          @Override
          public java.util.List<io.ragmill.embedding.Vector> embed(java.util.List<String> texts) {
            if (texts.stream().anyMatch(t -> t.contains("poison"))) {
              throw new IllegalStateException("the model refused this text");
            }
            return healthy.embed(texts);
          }
        };
    try (TestServer failingServer = TestServer.start(
        TestNodes.h2(Files.createTempDirectory("ragmill-failing"), "ragmill.ingest { max-step-retries = 0, retry-backoff = 10ms }"),
        failing, TestServer.noAuth("adm"))) {
      HttpResponse<String> r = failingServer.send("POST", "/v1/collections/kb/documents?wait=true", "{\"id\":\"p\",\"text\":\"poison pill\"}");
      assertProblem(500, r, "the model refused this text");
      String job = r.headers().firstValue("Location").orElseThrow();
      assertEquals("failed", TestServer.json(failingServer.send("GET", job, null)).get("phase").asText());
    }
  }

  @Test
  void collectionSettingsReadAsTheyAreWritten() throws Exception {
    assertEquals(201, server.send("PUT", "/v1/collections/words", "{\"chunkSize\":50,\"chunkUnit\":\"words\"}").statusCode());
    JsonNode info = TestServer.json(server.send("GET", "/v1/collections/words", null));
    assertEquals("words", info.get("settings").get("chunkUnit").asText());
    assertTrue(!info.has("created") && !info.has("conflict"), info.toString());
    HttpResponse<String> conflict = server.send("PUT", "/v1/collections/words", "{\"chunkSize\":60,\"chunkUnit\":\"words\"}");
    assertProblem(409, conflict, "chunkSize 50, chunkOverlap");
  }
}
