package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNodes;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Plain queries skip the routing DSL (ApiRoutes.plainQuery): only the plainest form is taken, and
 * what it answers is what the routes answer.
 */
class PlainQueryTest {
  private static TestServer server;
  private static ApiRoutes api;

  @BeforeAll
  static void start() throws Exception {
    AuthSettings auth = new AuthSettings(true, Map.of("key-a", "alpha"), Optional.of("admin-secret"));
    server = TestServer.start(TestNodes.h2(Files.createTempDirectory("ragmill-plain"), ""), RecordingEmbedder.open(), auth);
    Problems problems = new Problems(Json.mapper());
    api = new ApiRoutes(server.node().node(), new HttpSettings("127.0.0.1", 0, 1 << 20, Duration.ofSeconds(30)),
        Json.mapper(), problems, new Authentication(auth, problems));
    var ingested = server.send("POST", "/v1/collections/kb/documents?wait=true",
        "{\"id\":\"caffeine\",\"text\":\"Caffeine is a caching library for Java. Ben Manes maintains it.\"}", "X-Api-Key", "key-a");
    assertEquals(200, ingested.statusCode(), ingested.body());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpRequest query(String uri, String body, String... headers) {
    HttpRequest request = HttpRequest.POST(uri).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    for (int i = 0; i < headers.length; i += 2) {
      request = request.addHeader(RawHeader.create(headers[i], headers[i + 1]));
    }
    return request;
  }

  private static boolean plain(HttpRequest request) {
    return api.plainQuery(request).isPresent();
  }

  @Test
  void onlyThePlainestFormSkipsTheRoutes() {
    String body = "{\"query\":\"who maintains caffeine\"}";
    assertTrue(plain(query("/v1/collections/kb/query", body, "X-Api-Key", "key-a")));
    assertTrue(plain(query("/v1/collections/kb/query", body, "Authorization", "Bearer key-a")));
    // everything else is left to the routes, which answer it (errors included) as they always did
    assertEquals(false, plain(query("/v1/collections/kb/query", body, "X-Api-Key", "key-a", "X-Session-Id", "s1")));
    assertEquals(false, plain(query("/v1/collections/kb/query", "{\"query\":\"q\",\"sessionId\":\"s1\"}", "X-Api-Key", "key-a")));
    assertEquals(false, plain(query("/v1/collections/kb/query?x=1", body, "X-Api-Key", "key-a")));
    assertEquals(false, plain(query("/v1/collections/kb/query/", body, "X-Api-Key", "key-a")));
    // escapes are decoded as the routes' path matchers decode them; an escaped '/' is not a name
    assertTrue(plain(query("/v1/collections/k%62/query", body, "X-Api-Key", "key-a")));
    assertEquals(false, plain(query("/v1/collections/a%2Fb/query", body, "X-Api-Key", "key-a")));
    assertEquals(false, plain(query("/v1/collections/a/b/query", body, "X-Api-Key", "key-a")));
    assertEquals(false, plain(query("/v1/collections/kb/query", body, "X-Api-Key", "key-a", "Accept-Encoding", "gzip")));
    assertEquals(false, plain(query("/v1/collections/kb/query", body, "X-Api-Key", "key-a", "Content-Encoding", "gzip")));
    assertEquals(false, plain(query("/v1/collections/kb/query", body, "X-Api-Key", "unknown")));
    assertEquals(false, plain(query("/v1/collections/kb/query", body)));
    assertEquals(false, plain(query("/v1/collections/kb/query", "{\"query\":", "X-Api-Key", "key-a")));
    assertEquals(false, plain(query("/v1/collections/kb/query", "{\"query\":\"q\",\"k\":0}", "X-Api-Key", "key-a")));
    assertEquals(false, plain(HttpRequest.GET("/v1/collections/kb/query").addHeader(RawHeader.create("X-Api-Key", "key-a"))));
  }

  @Test
  void aPlainQueryIsAnsweredAsTheRoutesAnswerIt() throws Exception {
    String body = "{\"query\":\"Who maintains Caffeine?\",\"k\":2}";
    // a query string sends the same request through the routes
    var routed = server.send("POST", "/v1/collections/kb/query?via=routes", body, "X-Api-Key", "key-a");
    var plain = server.send("POST", "/v1/collections/kb/query", body, "X-Api-Key", "key-a");
    assertEquals(200, routed.statusCode(), routed.body());
    assertEquals(200, plain.statusCode(), plain.body());
    assertEquals("hit", plain.headers().firstValue("X-Cache").orElseThrow());
    assertTrue(plain.headers().firstValue("X-Response-Time").orElseThrow().endsWith("ms"));
    assertEquals(routed.headers().firstValue("Content-Type"), plain.headers().firstValue("Content-Type"));
    JsonNode a = TestServer.json(routed);
    JsonNode b = TestServer.json(plain);
    assertEquals(a.get("answer"), b.get("answer"));
    assertEquals(a.get("chunks"), b.get("chunks"));
    assertEquals(a.get("generation"), b.get("generation"));

    // a failure once the query runs: the same problem either way
    var routedMissing = server.send("POST", "/v1/collections/nothing-here/query?via=routes", body, "X-Api-Key", "key-a");
    var plainMissing = server.send("POST", "/v1/collections/nothing-here/query", body, "X-Api-Key", "key-a");
    assertEquals(404, plainMissing.statusCode(), plainMissing.body());
    assertEquals(routedMissing.statusCode(), plainMissing.statusCode());
    assertEquals(routedMissing.headers().firstValue("Content-Type"), plainMissing.headers().firstValue("Content-Type"));
    assertEquals(TestServer.json(routedMissing).get("type"), TestServer.json(plainMissing).get("type"));
    assertEquals(TestServer.json(routedMissing).get("detail"), TestServer.json(plainMissing).get("detail"));
  }
}
