package io.ragmill.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.http.AuthSettings;
import io.ragmill.http.HttpServer;
import io.ragmill.http.HttpSettings;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every scenario of the load tool, for a second or so, against a real node (hashing embedder) on a
 * random port in this JVM: each completes and its report has sane counts. Not a timed test: the
 * figures are benchmarks' business.
 */
class ScenarioSmokeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestNode node;
  private static String url;

  @TempDir static Path reports;

  @BeforeAll
  static void start() throws Exception {
    node = new TestNode(TestNodes.h2(Files.createTempDirectory("ragmill-loadtest-smoke"), ""), RecordingEmbedder.open());
    ServerBinding binding =
        new HttpServer(node.node(), new HttpSettings("127.0.0.1", 0, 16 << 20, Duration.ofSeconds(60)),
                new AuthSettings(false, Map.of(), Optional.empty()))
            .start().toCompletableFuture().get(30, TimeUnit.SECONDS);
    url = "http://127.0.0.1:" + binding.localAddress().getPort();
    assertEquals(0, LoadTest.execute("ingest", "--url", url, "--documents", "300", "--seed", "3"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static JsonNode run(String scenario, String... extra) throws Exception {
    Path json = reports.resolve(scenario + ".json");
    String[] common = {scenario, "--url", url, "--documents", "300", "--seed", "3", "--duration", "1s", "--warmup", "0s",
        "--concurrency", "4", "--json", json.toString()};
    String[] args = new String[common.length + extra.length];
    System.arraycopy(common, 0, args, 0, common.length);
    System.arraycopy(extra, 0, args, common.length, extra.length);
    assertEquals(0, LoadTest.execute(args), scenario + " failed");
    return JSON.readTree(json.toFile());
  }

  @Test
  void cachedQueriesAreAllHits() throws Exception {
    JsonNode r = run("cached", "--questions", "20");
    assertTrue(r.get("requests").asLong() > 0);
    assertEquals(0, r.get("errors").asLong(), r.toString());
    assertEquals(r.get("requests").asLong(), r.get("cacheHits").asLong(), r.toString());
    assertTrue(r.get("retrieval").get("recall").asDouble() > 0.5, r.toString());
  }

  @Test
  void uncachedQueriesAreAllMisses() throws Exception {
    JsonNode r = run("uncached", "--rate", "50");
    assertTrue(r.get("requests").asLong() >= 20, r.toString());
    assertEquals(0, r.get("errors").asLong(), r.toString());
    assertEquals(0, r.get("cacheHits").asLong(), r.toString());
  }

  @Test
  void mixedReportsHitRatioAgainstAttainable() throws Exception {
    JsonNode r = run("mixed", "--questions", "300");
    JsonNode ratio = r.get("hitRatio");
    assertTrue(ratio.get("attainable").asDouble() > 0 && ratio.get("achieved").asDouble() <= ratio.get("attainable").asDouble() + 1e-9,
        r.toString());
    assertEquals(0, r.get("errors").asLong(), r.toString());
  }

  @Test
  void sessionQueriesSucceed() throws Exception {
    JsonNode r = run("session", "--sessions", "5", "--rate", "40");
    assertTrue(r.get("requests").asLong() >= 20, r.toString());
    assertEquals(0, r.get("errors").asLong(), r.toString());
  }

  @Test
  void baselineAnswers() throws Exception {
    JsonNode r = run("baseline");
    assertTrue(r.get("requests").asLong() > 0);
    assertEquals(0, r.get("errors").asLong(), r.toString());
  }

  @Test
  void aSweepWritesMarkdownJsonAndAPlot() throws Exception {
    Path dir = reports.resolve("sweep");
    JsonNode sweep = run("cached", "--questions", "20", "--sweep", "20,40", "--p99-bound", "2s", "--report", dir.toString());
    assertEquals(2, sweep.get("steps").size(), sweep.toString());
    assertEquals(40.0, sweep.get("maxRateWithinBound").asDouble(), sweep.toString());
    assertTrue(Files.readString(dir.resolve("sweep.md")).contains("| 40 |"));
    byte[] png = Files.readAllBytes(dir.resolve("sweep.png"));
    assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
    assertTrue(Files.readString(dir.resolve("sweep.json")).contains("maxRateWithinBound"));
  }
}
