package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST /admin/reload applies changed settings while queries keep flowing, and reports each change. */
class ReloadTest {
  private static final ObjectMapper JSON = TestServer.JSON;
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final String ADMIN = "admin-secret";
  private static final AtomicReference<Config> source = new AtomicReference<>();
  private static TestServer server;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(
        TestNodes.h2(Files.createTempDirectory("ragmill-reload"), ""), RecordingEmbedder.open(), TestServer.noAuth(ADMIN),
        source::get);
    source.set(server.node().system().settings().config());
    base = server.base();
    assertEquals(200, send("POST", "/v1/collections/kb/documents?wait=true", "{\"id\":\"d\",\"text\":\"Reloading keeps serving.\"}").statusCode());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> send(String method, String path, String body) throws Exception {
    return server.send(method, path, body, "X-Api-Key", ADMIN);
  }

  private static List<String> settings(JsonNode changes) {
    return StreamSupport.stream(changes.spliterator(), false).map(c -> c.get("setting").asText()).toList();
  }

  @Test
  void changedSettingsApplyWithoutDroppingRequests() throws Exception {
    // queries keep flowing through the reload
    List<CompletableFuture<HttpResponse<String>>> flowing = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      flowing.add(CLIENT.sendAsync(
          HttpRequest.newBuilder(URI.create(base + "/v1/collections/kb/query"))
              .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"does reloading keep serving " + (i % 20) + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    source.set(
        ConfigFactory.parseString(
                "ragmill.query.router { strategy = round-robin, max-workers = 6 }\n"
                    + "ragmill.cache.answer.ttl = 5m\n"
                    + "ragmill.cache.semantic.similarity-threshold = 0.95\n"
                    + "ragmill.embedding.batcher.max-batch-size = 16\n"
                    + "ragmill.cache.partitions = 32\n")
            .withFallback(server.node().system().settings().config()));
    HttpResponse<String> reloaded = send("POST", "/admin/reload", null);
    assertEquals(200, reloaded.statusCode(), reloaded.body());
    JsonNode outcome = JSON.readTree(reloaded.body());
    List<String> applied = settings(outcome.get("applied"));
    assertTrue(applied.containsAll(List.of(
        "query.router.strategy", "query.router.max-workers", "cache.kinds.answer.ttl",
        "cache.semantic.similarity-threshold", "embedding.batcher.max-batch-size")), applied.toString());
    assertEquals(List.of("cache.partitions"), settings(outcome.get("needRestart")));
    for (CompletableFuture<HttpResponse<String>> f : flowing) {
      assertEquals(200, f.get(30, TimeUnit.SECONDS).statusCode());
    }
    JsonNode pool = JSON.readTree(send("GET", "/admin/cluster", null).body()).get("queryPool");
    assertEquals("round-robin", pool.get("strategy").asText());
    assertEquals(6, pool.get("maxWorkers").asInt());

    // the same settings again: nothing to apply
    JsonNode again = JSON.readTree(send("POST", "/admin/reload", null).body());
    assertEquals(0, again.get("applied").size(), again.toString());

    // invalid settings change nothing
    source.set(ConfigFactory.parseString("ragmill.query.router.strategy = fastest").withFallback(source.get()));
    HttpResponse<String> invalid = send("POST", "/admin/reload", null);
    assertEquals(400, invalid.statusCode(), invalid.body());
    assertTrue(invalid.body().contains("strategy"), invalid.body());
    assertEquals("round-robin", JSON.readTree(send("GET", "/admin/cluster", null).body()).get("queryPool").get("strategy").asText());
  }
}
