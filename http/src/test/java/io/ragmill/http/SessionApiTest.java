package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Query sessions over HTTP: by body field or header, history, end, and bad ids. */
class SessionApiTest {
  private static final ObjectMapper JSON = TestServer.JSON;
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(
        TestNodes.h2(Files.createTempDirectory("ragmill-session-api"), ""), RecordingEmbedder.open(), TestServer.noAuth(null));
    HttpResponse<String> ingested = send("POST", "/v1/collections/kb/documents?wait=true",
        "[{\"id\":\"caffeine\",\"text\":\"Caffeine is a caching library for Java. Ben Manes maintains Caffeine.\"},"
            + "{\"id\":\"pekko\",\"text\":\"Pekko is an actor toolkit. The Apache Software Foundation maintains Pekko.\"}]", null);
    assertEquals(200, ingested.statusCode(), ingested.body());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> send(String method, String path, String body, String sessionHeader) throws Exception {
    return sessionHeader == null ? server.send(method, path, body) : server.send(method, path, body, "X-Session-Id", sessionHeader);
  }

  @Test
  void twoDifferentSessionHeadersAreRefused() throws Exception {
    HttpResponse<String> two = server.send("POST", "/v1/collections/kb/query", "{\"query\":\"What is Caffeine?\"}",
        "X-Session-Id", "chat-a", "X-Session-Id", "chat-b");
    assertEquals(400, two.statusCode(), two.body());
    assertEquals("application/problem+json", two.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(JSON.readTree(two.body()).get("detail").asText().contains("X-Session-Id"), two.body());
    assertEquals(404, send("GET", "/v1/sessions/chat-a", null, null).statusCode(), "no turn went to either session");
    assertEquals(404, send("GET", "/v1/sessions/chat-b", null, null).statusCode());

    // the same value twice names one session
    HttpResponse<String> same = server.send("POST", "/v1/collections/kb/query", "{\"query\":\"What is Caffeine?\"}",
        "X-Session-Id", "chat-c", "X-Session-Id", "chat-c");
    assertEquals(200, same.statusCode(), same.body());
    assertEquals("chat-c", JSON.readTree(same.body()).get("session").get("id").asText());
  }

  @Test
  void aConversationByHeaderOrBodyField() throws Exception {
    HttpResponse<String> first = send("POST", "/v1/collections/kb/query", "{\"query\":\"What is Caffeine?\"}", "chat-7");
    assertEquals(200, first.statusCode(), first.body());
    JsonNode firstBody = JSON.readTree(first.body());
    assertEquals(1, firstBody.get("session").get("turn").asInt());
    assertEquals("chat-7", firstBody.get("session").get("id").asText());

    HttpResponse<String> followUp =
        send("POST", "/v1/collections/kb/query", "{\"query\":\"Who maintains it?\",\"sessionId\":\"chat-7\"}", null);
    JsonNode followBody = JSON.readTree(followUp.body());
    assertEquals(2, followBody.get("session").get("turn").asInt(), followUp.body());
    assertEquals("What is Caffeine? / Who maintains it?", followBody.get("session").get("resolvedQuery").asText());
    assertEquals("caffeine", followBody.get("chunks").get(0).get("documentId").asText());

    HttpResponse<String> history = send("GET", "/v1/sessions/chat-7", null, null);
    assertEquals(200, history.statusCode(), history.body());
    assertEquals(2, JSON.readTree(history.body()).get("turns").size());

    assertEquals(200, send("DELETE", "/v1/sessions/chat-7", null, null).statusCode());
    HttpResponse<String> gone = send("GET", "/v1/sessions/chat-7", null, null);
    assertEquals(404, gone.statusCode());
    assertEquals("application/problem+json", gone.headers().firstValue("Content-Type").orElse(null));
    assertEquals(404, send("DELETE", "/v1/sessions/chat-7", null, null).statusCode());
  }

  @Test
  void badSessionIdsAreRejected() throws Exception {
    assertEquals(400, send("POST", "/v1/collections/kb/query", "{\"query\":\"x\"}", "bad id!").statusCode());
    assertEquals(400, send("POST", "/v1/collections/kb/query", "{\"query\":\"x\",\"sessionId\":\"a\"}", "b").statusCode());
    assertEquals(400, send("POST", "/v1/collections/kb/query", "{\"query\":\"x\",\"sessionId\":7}", null).statusCode());
    assertEquals(400, send("GET", "/v1/sessions/-nope", null, null).statusCode());
    assertEquals(404, send("GET", "/v1/sessions/never-used", null, null).statusCode());
    // a session in a collection that does not exist: 404, and no turn is kept
    assertEquals(404, send("POST", "/v1/collections/missing/query", "{\"query\":\"x\"}", "lonely").statusCode());
    assertEquals(404, send("GET", "/v1/sessions/lonely", null, null).statusCode());
  }
}
