package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/jobs/{id}?wait=true}, against a node whose embedder holds every batch until the
 * test lets it through, so the job is known to be running while the request waits.
 */
class JobWaitTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<TestServer> servers = new ArrayList<>();
  private final List<RecordingEmbedder> gated = new ArrayList<>();

  @AfterEach
  void stop() {
    gated.forEach(e -> e.release(10_000));
    servers.forEach(TestServer::close);
  }

  private RecordingEmbedder gated() {
    RecordingEmbedder embedder = RecordingEmbedder.gated();
    gated.add(embedder);
    return embedder;
  }

  private TestServer start(RecordingEmbedder embedder, Duration waitTimeout) throws Exception {
    Path dataDir = Files.createTempDirectory("ragmill-job-wait-test");
    TestServer server =
        TestServer.start(TestNodes.h2(dataDir, ""), embedder, TestServer.noAuth(null), null, 1 << 20, waitTimeout);
    servers.add(server);
    return server;
  }

  private static String accept(TestServer server) throws Exception {
    HttpResponse<String> accepted =
        server.send("POST", "/v1/collections/kb/documents", "{\"id\":\"d\",\"text\":\"Jobs can be waited for.\"}");
    assertEquals(202, accepted.statusCode(), accepted.body());
    return TestServer.json(accepted).get("jobId").asText();
  }

  private static CompletableFuture<HttpResponse<String>> getAsync(TestServer server, String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(60)).GET().build();
    return CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void waitingForARunningJobAnswersOnceItHasCompleted() throws Exception {
    RecordingEmbedder embedder = gated();
    TestServer server = start(embedder, Duration.ofSeconds(30));
    String jobId = accept(server);
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !embedder.batches().isEmpty());

    CompletableFuture<HttpResponse<String>> waiting = getAsync(server, "/v1/jobs/" + jobId + "?wait=true");
    // the job cannot finish while its batch is held, so neither may the request
    Awaitility.await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !waiting.isDone());

    embedder.release(10_000);
    HttpResponse<String> done = waiting.get(30, TimeUnit.SECONDS);
    assertEquals(200, done.statusCode(), done.body());
    JsonNode status = TestServer.json(done);
    assertEquals("completed", status.get("phase").asText(), status.toString());
    assertEquals(1, status.get("documentsIndexed").asInt(), status.toString());

    // a finished job is answered at once, wait or not
    HttpResponse<String> again = server.send("GET", "/v1/jobs/" + jobId + "?wait=true", null);
    assertEquals(200, again.statusCode());
    assertEquals("completed", TestServer.json(again).get("phase").asText());
  }

  @Test
  void aJobStillRunningAfterTheWaitIsAnsweredAsWithoutIt() throws Exception {
    Duration waitTimeout = Duration.ofMillis(400);
    RecordingEmbedder embedder = gated();
    TestServer server = start(embedder, waitTimeout);
    String jobId = accept(server);

    long start = System.nanoTime();
    HttpResponse<String> still = server.send("GET", "/v1/jobs/" + jobId + "?wait=true", null);
    long waitedMillis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(200, still.statusCode(), still.body());
    assertEquals("running", TestServer.json(still).get("phase").asText(), still.body());
    assertTrue(waitedMillis >= waitTimeout.toMillis(), "answered after " + waitedMillis + " ms, before the wait was up");

    HttpResponse<String> noWait = server.send("GET", "/v1/jobs/" + jobId + "?wait=false", null);
    assertEquals("running", TestServer.json(noWait).get("phase").asText(), noWait.body());
  }

  @Test
  void badWaitValuesAndUnknownJobsAreProblems() throws Exception {
    RecordingEmbedder embedder = RecordingEmbedder.open();
    TestServer server = start(embedder, Duration.ofSeconds(30));
    String jobId = accept(server);

    HttpResponse<String> bad = server.send("GET", "/v1/jobs/" + jobId + "?wait=maybe", null);
    assertEquals(400, bad.statusCode(), bad.body());
    assertEquals("application/problem+json", bad.headers().firstValue("Content-Type").orElse(""));
    JsonNode problem = TestServer.json(bad);
    assertEquals(400, problem.get("status").asInt());
    assertTrue(problem.get("detail").asText().contains("'wait'"), problem.toString());

    long start = System.nanoTime();
    HttpResponse<String> unknown = server.send("GET", "/v1/jobs/no-such-job?wait=true", null);
    assertEquals(404, unknown.statusCode(), unknown.body());
    assertEquals("application/problem+json", unknown.headers().firstValue("Content-Type").orElse(""));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis < 10_000, "an unknown job is a 404 at once, not after the wait: " + millis + " ms");
  }
}
