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
  /** When set, reading the configuration fails with it (a file with a syntax error, or gone). */
  private static final AtomicReference<RuntimeException> unreadable = new AtomicReference<>();
  private static TestServer server;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(
        TestNodes.h2(Files.createTempDirectory("ragmill-reload"), ""), RecordingEmbedder.open(), TestServer.noAuth(ADMIN),
        () -> {
          if (unreadable.get() != null) {
            throw unreadable.get();
          }
          return source.get();
        });
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

  private static Config withNodeConfig(String changes) {
    return ConfigFactory.parseString(changes).withFallback(server.node().system().settings().config());
  }

  private static void stillAnswers() throws Exception {
    HttpResponse<String> q = send("POST", "/v1/collections/kb/query", "{\"query\":\"does it still answer after a bad reload\"}");
    assertEquals(200, q.statusCode(), q.body());
  }

  @Test
  void aNegativeTtlIsRefusedAndNothingChanges() throws Exception {
    for (String bad : List.of("ragmill.cache.answer.ttl = -5s", "ragmill.cache.near.ttl = -1s",
        "ragmill.cache.near.max-entries = -1", "ragmill.cache.retrieval.ttl = 0s")) {
      source.set(withNodeConfig(bad));
      // twice: a refused value must not be recorded as the live one either
      for (int attempt = 0; attempt < 2; attempt++) {
        HttpResponse<String> refused = send("POST", "/admin/reload", null);
        assertEquals(400, refused.statusCode(), bad + ": " + refused.body());
        assertTrue(refused.body().contains("nothing was changed"), refused.body());
      }
      stillAnswers();
    }
    source.set(server.node().system().settings().config());
  }

  @Test
  void aConfigurationThatCannotBeReadIsTheOperatorsError() throws Exception {
    unreadable.set(new com.typesafe.config.ConfigException.Parse(
        com.typesafe.config.ConfigOriginFactory.newSimple("app.conf: 3"), "expecting a close brace"));
    try {
      HttpResponse<String> refused = send("POST", "/admin/reload", null);
      assertEquals(400, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("could not be read") && refused.body().contains("close brace"), refused.body());
      assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(null));
    } finally {
      unreadable.set(null);
    }
    stillAnswers();
  }

  @Test
  void settingsNoReloadCoversAreReportedAsNeedingARestartWithoutTheirSecrets() throws Exception {
    source.set(withNodeConfig(
        "ragmill.auth.api-keys { \"leaked-key-123\" = tenant-x }\n"
            + "ragmill.auth.admin-key = \"new-admin-secret\"\n"
            + "ragmill.session.max-turns = 3\n"));
    HttpResponse<String> reloaded = send("POST", "/admin/reload", null);
    assertEquals(200, reloaded.statusCode(), reloaded.body());
    JsonNode outcome = JSON.readTree(reloaded.body());
    List<String> restart = settings(outcome.get("needRestart"));
    assertTrue(restart.containsAll(List.of("auth.api-keys", "auth.admin-key", "session.max-turns")), restart.toString());
    assertTrue(!reloaded.body().contains("leaked-key-123") && !reloaded.body().contains("new-admin-secret"), reloaded.body());
    for (JsonNode change : outcome.get("needRestart")) {
      if (change.get("setting").asText().equals("session.max-turns")) {
        assertEquals("3", change.get("after").asText(), change.toString());
      }
    }
    // (other tests may have applied router or cache settings that this config takes back)
    assertTrue(settings(outcome.get("applied")).stream().noneMatch(c -> c.startsWith("auth") || c.startsWith("session")),
        outcome.toString());
    source.set(server.node().system().settings().config());
  }
}
