package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** API keys map callers to tenants; one tenant never sees another's collections, jobs or cached answers. */
class TenantIsolationTest {
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    AuthSettings auth = new AuthSettings(true, Map.of("key-a", "alpha", "key-b", "beta"), Optional.of("admin-secret"));
    server = TestServer.start(TestNodes.h2(Files.createTempDirectory("ragmill-tenants"), ""), RecordingEmbedder.open(), auth);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private record Reply(int status, JsonNode body, HttpResponse<String> raw) {}

  private static Reply send(String method, String path, String key, String body) throws Exception {
    HttpResponse<String> r =
        key == null ? server.send(method, path, body) : server.send(method, path, body, "Authorization", "Bearer " + key);
    return new Reply(r.statusCode(), TestServer.json(r), r);
  }

  private static void assertProblem(Reply r, int status) {
    assertEquals("application/problem+json", r.raw().headers().firstValue("Content-Type").orElse(null));
    assertEquals(status, r.body().get("status").asInt(), r.body().toString());
  }

  private static final String QUESTION = "{\"query\":\"what is the launch code\",\"k\":1}";

  @Test
  void tenantsAreIsolatedByApiKey() throws Exception {
    Reply anonymous = send("POST", "/v1/collections/vault/query", null, QUESTION);
    assertEquals(401, anonymous.status());
    assertEquals("Bearer", anonymous.raw().headers().firstValue("WWW-Authenticate").orElse(null));
    assertProblem(anonymous, 401);
    Reply unknown = send("POST", "/v1/collections/vault/query", "wrong-key", QUESTION);
    assertEquals(401, unknown.status());
    assertEquals(
        java.util.List.of("Bearer", "ApiKey header=\"X-Api-Key\""), unknown.raw().headers().allValues("WWW-Authenticate"));
    assertProblem(unknown, 401);
    assertEquals(401, send("GET", "/v1/jobs/any", null, null).status());

    Reply jobA =
        send("POST", "/v1/collections/vault/documents?wait=true", "key-a", "{\"id\":\"a\",\"text\":\"The launch code is alpha-123.\"}");
    assertEquals(200, jobA.status(), jobA.raw().body());
    Reply answerA = send("POST", "/v1/collections/vault/query", "key-a", QUESTION);
    assertEquals("a", answerA.body().get("chunks").get(0).get("documentId").asText());

    // the same collection name, question and cache key parts: beta sees none of alpha's
    assertEquals(404, send("POST", "/v1/collections/vault/query", "key-b", QUESTION).status());
    assertEquals(404, send("GET", "/v1/collections/vault", "key-b", null).status());
    assertEquals(404, send("GET", "/v1/jobs/" + jobA.body().get("jobId").asText(), "key-b", null).status());
    assertEquals(404, send("DELETE", "/v1/collections/vault/documents/a", "key-b", null).status());

    send("POST", "/v1/collections/vault/documents?wait=true", "key-b", "{\"id\":\"b\",\"text\":\"The launch code is beta-999.\"}");
    Reply answerB = send("POST", "/v1/collections/vault/query", "key-b", QUESTION);
    assertEquals("miss", answerB.raw().headers().firstValue("X-Cache").orElse(null));
    assertEquals("b", answerB.body().get("chunks").get(0).get("documentId").asText());
    assertTrue(answerB.body().get("answer").get("text").asText().contains("beta-999"));

    Reply againA = send("POST", "/v1/collections/vault/query", "key-a", QUESTION);
    assertEquals("hit", againA.raw().headers().firstValue("X-Cache").orElse(null));
    assertTrue(againA.body().get("answer").get("text").asText().contains("alpha-123"));
  }

  @Test
  void theAdminApiNeedsTheAdminKey() throws Exception {
    send("POST", "/v1/collections/stats/documents?wait=true", "key-a", "{\"id\":\"s\",\"text\":\"Counting hits.\"}");
    send("POST", "/v1/collections/stats/query", "key-a", "{\"query\":\"hits\"}");
    send("POST", "/v1/collections/stats/query", "key-a", "{\"query\":\"hits\"}");

    // no key or an unknown one: who is calling is not known (401, and how to say it); a tenant's key: 403
    for (String key : java.util.Arrays.asList(null, "wrong-key")) {
      Reply unauthorized = send("GET", "/admin/cache/stats", key, null);
      assertEquals(401, unauthorized.status(), unauthorized.raw().body());
      assertEquals(
          java.util.List.of("Bearer", "ApiKey header=\"X-Api-Key\""),
          unauthorized.raw().headers().allValues("WWW-Authenticate"));
      assertProblem(unauthorized, 401);
    }
    Reply tenantKey = send("GET", "/admin/cache/stats", "key-a", null);
    assertEquals(403, tenantKey.status(), tenantKey.raw().body());
    assertTrue(tenantKey.raw().headers().firstValue("WWW-Authenticate").isEmpty());
    assertProblem(tenantKey, 403);
    HttpResponse<String> viaHeader = server.send("GET", "/admin/cache/stats", null, "X-Api-Key", "key-b");
    assertEquals(403, viaHeader.statusCode(), viaHeader.body());
    Reply stats = send("GET", "/admin/cache/stats", "admin-secret", null);
    assertEquals(200, stats.status(), stats.raw().body());
    JsonNode answers = stats.body().get("kinds").get("answer");
    // the repeat is served by the node-local near cache in front of the partitions
    assertTrue(answers.get("tiers").get("near").get("hits").asLong() >= 1, answers.toString());
    assertTrue(answers.get("entries").asLong() >= 1, answers.toString());

    Reply cleared = send("POST", "/admin/cache/clear", "admin-secret", "{\"tenant\":\"alpha\",\"kind\":\"answer\"}");
    assertEquals(200, cleared.status(), cleared.raw().body());
    assertTrue(cleared.body().get("removed").asLong() >= 1);
    Reply after = send("POST", "/v1/collections/stats/query", "key-a", "{\"query\":\"hits\"}");
    assertEquals("miss", after.raw().headers().firstValue("X-Cache").orElse(null));
    assertEquals(400, send("POST", "/admin/cache/clear", "admin-secret", "{\"kind\":\"everything\"}").status());
  }
}
