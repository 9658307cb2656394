package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.testing.TestNodes;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The default node (the fat jar, embedded H2) killed with {@code kill -9} right after it
 * acknowledged a delete, an ingest (202) and a session turn: after a restart on the same data
 * folder all three are there. With H2's default write delay (500 ms) the commits were still in
 * memory and lost. Runs in {@code mvn verify} (failsafe), after the jar is built.
 */
class DurabilityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path JAR = Path.of(System.getProperty("user.dir")).resolve("target/ragmill.jar");

  private Process node;
  private int port;

  @AfterEach
  void stop() {
    if (node != null) {
      node.destroyForcibly();
    }
  }

  private void start(Path dataDir) throws Exception {
    port = TestNodes.freePort();
    ProcessBuilder pb =
        new ProcessBuilder("java", "-Xmx512m", "-jar", JAR.toString(), "serve")
            .redirectErrorStream(true)
            .redirectOutput(dataDir.resolve("node-" + port + ".log").toFile());
    pb.environment().put("RAGMILL_DATA_DIR", dataDir.toString());
    pb.environment().put("RAGMILL_HTTP_PORT", Integer.toString(port));
    pb.environment().put("RAGMILL_REMOTE_PORT", Integer.toString(TestNodes.freePort()));
    pb.environment().put("RAGMILL_EMBEDDING_MODEL", "hashing");
    node = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        if (send("GET", "/health/ready", null).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the node did not become ready; see " + dataDir);
  }

  /** kill -9: no shutdown hook, no flush. */
  private void kill() throws InterruptedException {
    node.destroyForcibly();
    assertTrue(node.waitFor(10, TimeUnit.SECONDS));
    node = null;
  }

  private HttpResponse<String> send(String method, String path, String body, String... headers)
      throws IOException, InterruptedException {
    return TestServer.sendTo("http://127.0.0.1:" + port, method, path, body, headers);
  }

  private JsonNode ok(HttpResponse<String> response) throws IOException {
    assertTrue(response.statusCode() / 100 == 2, response.statusCode() + " " + response.body());
    return JSON.readTree(response.body());
  }

  @Test
  void whatWasAcknowledgedJustBeforeAKillIsThereAfterTheRestart() throws Exception {
    Path dataDir = Files.createTempDirectory("ragmill-durability");
    start(dataDir);
    for (int round = 1; round <= 2; round++) {
      String doomed = "doomed-" + round;
      String session = "chat-" + round;
      ok(send("POST", "/v1/collections/kb/documents?wait=true",
          "{\"id\":\"" + doomed + "\",\"text\":\"Round " + round + " deletes this zebra document.\"}"));
      assertEquals(200, send("DELETE", "/v1/collections/kb/documents/" + doomed, null).statusCode());
      JsonNode accepted = ok(send("POST", "/v1/collections/kb/documents",
          "{\"id\":\"kept-" + round + "\",\"text\":\"Round " + round + " keeps this giraffe document.\"}"));
      ok(send("POST", "/v1/collections/kb/query", "{\"query\":\"Which giraffe?\"}", "X-Session-Id", session));
      kill();

      start(dataDir);
      JsonNode zebra = ok(send("POST", "/v1/collections/kb/query", "{\"query\":\"deletes this zebra document\",\"k\":10}"));
      assertFalse(zebra.toString().contains(doomed), "round " + round + ": the acknowledged delete was lost: " + zebra);
      String jobId = accepted.get("jobId").asText();
      HttpResponse<String> job = send("GET", "/v1/jobs/" + jobId, null);
      assertEquals(200, job.statusCode(), "round " + round + ": the acknowledged job was lost: " + job.body());
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ok(send("GET", "/v1/jobs/" + jobId, null)).get("phase").asText().equals("completed"));
      JsonNode giraffe = ok(send("POST", "/v1/collections/kb/query", "{\"query\":\"keeps this giraffe document\",\"k\":10}"));
      assertTrue(giraffe.toString().contains("kept-" + round), giraffe.toString());
      HttpResponse<String> turns = send("GET", "/v1/sessions/" + session, null);
      assertEquals(200, turns.statusCode(), "round " + round + ": the session turn was lost: " + turns.body());
      assertEquals(1, JSON.readTree(turns.body()).get("turns").size());
    }
  }
}
