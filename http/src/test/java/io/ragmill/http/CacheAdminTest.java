package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cache admin API over HTTP: warm, clear by collection, cleanup, stats, and its bad inputs. */
class CacheAdminTest {
  private static final ObjectMapper JSON = TestServer.JSON;
  private static final String ADMIN = "admin-secret";
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(
        TestNodes.h2(Files.createTempDirectory("ragmill-cache-admin"), "ragmill.cache.semantic.similarity-threshold = 0.5"),
        RecordingEmbedder.open(), new AuthSettings(true, Map.of("key-a", "alpha"), Optional.of(ADMIN)));
    for (String collection : new String[] {"docs", "other"}) {
      Reply r = send("POST", "/v1/collections/" + collection + "/documents?wait=true", "key-a",
          "{\"id\":\"d\",\"text\":\"Warm caches answer at once. Cold caches compute first.\"}");
      assertEquals(200, r.status(), r.raw().body());
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private record Reply(int status, JsonNode body, HttpResponse<String> raw) {
    String cache() {
      return raw.headers().firstValue("X-Cache").orElse(null);
    }
  }

  private static Reply send(String method, String path, String key, String body) throws Exception {
    HttpResponse<String> r =
        key == null ? server.send(method, path, body) : server.send(method, path, body, "Authorization", "Bearer " + key);
    return new Reply(r.statusCode(), TestServer.json(r), r);
  }

  private static Reply ask(String collection, String question) throws Exception {
    return send("POST", "/v1/collections/" + collection + "/query", "key-a", JSON.writeValueAsString(Map.of("query", question)));
  }

  @Test
  void warmJobFillsTheCacheInTheBackground() throws Exception {
    Reply accepted = send("POST", "/admin/cache/warm", ADMIN,
        "{\"tenant\":\"alpha\",\"collection\":\"docs\",\"queries\":[\"what do warm caches do\",{\"query\":\"what do cold caches do\",\"k\":2}]}");
    assertEquals(202, accepted.status(), accepted.raw().body());
    String id = accepted.body().get("id").asText();
    assertEquals("/admin/cache/warm/" + id, accepted.raw().headers().firstValue("Location").orElse(null));
    JsonNode status = accepted.body();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!status.get("state").asText().equals("done") && System.nanoTime() < deadline) {
      Thread.sleep(50);
      status = send("GET", "/admin/cache/warm/" + id, ADMIN, null).body();
    }
    assertEquals("done", status.get("state").asText(), status.toString());
    assertEquals(2, status.get("computed").asLong() + status.get("alreadyCached").asLong(), status.toString());
    assertEquals(0, status.get("failed").asLong());
    Reply warmed = ask("docs", "what do warm caches do");
    assertEquals("hit", warmed.cache());

    assertEquals(404, send("GET", "/admin/cache/warm/no-such-job", ADMIN, null).status());
    assertEquals(404, send("POST", "/admin/cache/warm", ADMIN, "{\"tenant\":\"alpha\",\"collection\":\"nope\",\"queries\":[\"x\"]}").status());
    Reply empty = send("POST", "/admin/cache/warm", ADMIN, "{\"collection\":\"docs\",\"queries\":[]}");
    assertEquals(400, empty.status());
    assertEquals("application/problem+json", empty.raw().headers().firstValue("Content-Type").orElse(null));
    assertEquals(400, send("POST", "/admin/cache/warm", ADMIN, "{\"collection\":\"docs\",\"queries\":[\"q\"],\"k\":0}").status());
    assertEquals(403, send("POST", "/admin/cache/warm", "key-a", "{\"collection\":\"docs\",\"queries\":[\"q\"]}").status());
  }

  @Test
  void clearByCollectionLeavesOtherCollectionsCached() throws Exception {
    assertEquals("miss", ask("docs", "which caches compute first").cache());
    assertEquals("miss", ask("other", "which caches compute first").cache());
    assertEquals("hit", ask("docs", "which caches compute first").cache());

    Reply cleared = send("POST", "/admin/cache/clear", ADMIN, "{\"tenant\":\"alpha\",\"collection\":\"docs\"}");
    assertEquals(200, cleared.status(), cleared.raw().body());
    assertTrue(cleared.body().get("removed").asLong() >= 2, cleared.raw().body());
    assertEquals("miss", ask("docs", "which caches compute first").cache());
    assertEquals("hit", ask("other", "which caches compute first").cache());

    assertEquals(400, send("POST", "/admin/cache/clear", ADMIN, "{\"collection\":\"docs\"}").status());
    assertEquals(400, send("POST", "/admin/cache/clear", ADMIN, "{\"tenant\":\"alpha\",\"colection\":\"docs\"}").status());
    assertEquals(400, send("POST", "/admin/cache/clear", ADMIN, "[1]").status());
    // a tenant with ':' or '*' would widen the Redis match to another tenant's keys
    Reply widened = send("POST", "/admin/cache/clear", ADMIN, "{\"tenant\":\"alpha:answer\"}");
    assertEquals(400, widened.status(), widened.raw().body());
    assertEquals(400, send("POST", "/admin/cache/clear", ADMIN, "{\"tenant\":\"*\"}").status());
  }

  @Test
  void semanticHitsAreReportedPerResponseAndInStats() throws Exception {
    Reply first = ask("other", "how do warm caches answer");
    assertEquals("miss", first.cache());
    Reply paraphrase = ask("other", "Please, how do warm caches answer?");
    assertEquals("semantic", paraphrase.cache(), paraphrase.raw().body());
    assertEquals("how do warm caches answer", paraphrase.body().get("semantic").get("matchedQuery").asText());
    assertTrue(paraphrase.body().get("semantic").get("similarity").asDouble() >= 0.5);
    assertEquals(first.body().get("answer"), paraphrase.body().get("answer"));
    Reply nearMiss = ask("other", "how do cold caches answer");
    assertEquals("miss", nearMiss.cache(), nearMiss.raw().body());

    Reply cleanup = send("POST", "/admin/cache/cleanup", ADMIN, null);
    assertEquals(200, cleanup.status(), cleanup.raw().body());
    JsonNode answers = send("GET", "/admin/cache/stats", ADMIN, null).body().get("kinds").get("answer");
    JsonNode semantic = answers.get("semantic");
    assertTrue(semantic.get("hits").asLong() >= 1, answers.toString());
    assertTrue(semantic.get("rejections").get("content").asLong() >= 1, answers.toString());
    assertTrue(semantic.get("queries").asLong() >= 2, answers.toString());
    assertTrue(answers.get("loadTimeMs").get("count").asLong() >= 2, answers.toString());
    assertTrue(answers.get("loadTimeMs").get("p99").asDouble() > 0, answers.toString());
  }
}
