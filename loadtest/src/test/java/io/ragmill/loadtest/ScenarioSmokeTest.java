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
    JsonNode r = run("session", "--sessions", "5", "--rate", "40", "--duration", "3s");
    assertTrue(r.get("requests").asLong() >= 60, r.toString());
    assertEquals(0, r.get("errors").asLong(), r.toString());
    // two of every three turns are follow-ups ("And where?"): alone they find nothing, so unresolved
    // they would hold recall near a third of the opening questions'; the node resolves them against
    // the session's last turn (0.5-0.7 of answers right here, with the tests' 64-dimension
    // hashing embedder)
    assertTrue(r.get("retrieval").get("recall").asDouble() > 0.4, r.toString());
  }

  @Test
  void ingestQueryMeasuresQueriesAloneAndDuringIngestion() throws Exception {
    Path dir = reports.resolve("ingest-query");
    JsonNode r = run("ingest-query", "--questions", "40", "--batch", "50", "--report", dir.toString());
    JsonNode alone = r.get("alone");
    JsonNode with = r.get("withIngestion");
    JsonNode ingestion = r.get("ingestion");
    assertTrue(alone.get("requests").asLong() > 0, r.toString());
    assertTrue(with.get("requests").asLong() > 0, r.toString());
    assertEquals(0, alone.get("errors").asLong(), r.toString());
    assertEquals(0, with.get("errors").asLong(), r.toString());
    assertEquals(with.get("requests").asLong(), with.get("statusCounts").get("200").asLong(), r.toString());
    assertTrue(ingestion.get("chunksAcknowledged").asLong() > 0, r.toString());
    assertTrue(ingestion.get("documentsAcknowledged").asLong() >= 50, r.toString());
    assertEquals(0, ingestion.get("errors").asLong(), r.toString());
    assertEquals("bench-ingest", ingestion.get("collection").asText());
    assertTrue(r.get("impact").get("p99Ratio").asDouble() > 0, r.toString());
    String md = Files.readString(dir.resolve("report.md"));
    assertTrue(md.contains("| p99 ms |") && md.contains("## Ingestion meanwhile"), md);
  }

  /** A few files of each kind made from synthetic documents, plus an empty file and an ignored one. */
  private static Path folderCorpus() throws Exception {
    Path dir = Files.createTempDirectory(reports, "corpus");
    java.util.List<CorpusGenerator.Document> docs = CorpusGenerator.generate(9, 24).documents();
    for (int i = 0; i < docs.size(); i++) {
      String text = docs.get(i).text();
      switch (i % 3) {
        case 0 -> Files.writeString(dir.resolve("t" + i + ".txt"), text);
        case 1 -> {
          Files.createDirectories(dir.resolve("md/nested"));
          Files.writeString(dir.resolve("md/nested/m" + i + ".md"), "# Note " + i + "\n\n" + text + "\n");
        }
        default -> {
          Files.createDirectories(dir.resolve("web"));
          Files.writeString(dir.resolve("web/h" + i + ".html"),
              "<html><body><h1>Page</h1><p>" + text + "</p><script>var x = 1;</script></body></html>");
        }
      }
    }
    Files.writeString(dir.resolve("empty.md"), "");
    Files.writeString(dir.resolve("data.json"), "{}");
    return dir;
  }

  @Test
  void aFolderCorpusIsIngestedAndItsDerivedQuestionsFindTheirFiles() throws Exception {
    Path corpus = folderCorpus();
    assertEquals(0, LoadTest.execute("ingest", "--url", url, "--corpus", corpus.toString(), "--collection", "folder"));
    JsonNode r = run("cached", "--corpus", corpus.toString(), "--collection", "folder", "--questions", "24");
    assertEquals(0, r.get("errors").asLong(), r.toString());
    assertTrue(r.get("retrieval").get("checked").asLong() > 0, r.toString());
    assertTrue(r.get("retrieval").get("recall").asDouble() > 0.5, r.toString());
  }

  @Test
  void ingestQueryIngestsAMissingFolderCorpusFirst() throws Exception {
    Path corpus = folderCorpus();
    JsonNode r = run("ingest-query", "--corpus", corpus.toString(), "--collection", "folder-iq", "--queries", "uncached",
        "--rate", "20", "--no-alone", "--batch", "20");
    assertTrue(r.get("alone") == null && r.get("impact") == null, r.toString());
    assertTrue(r.get("withIngestion").get("requests").asLong() >= 10, r.toString());
    assertEquals(0, r.get("withIngestion").get("errors").asLong(), r.toString());
    assertEquals(0, r.get("withIngestion").get("cacheHits").asLong(), r.toString());
    assertTrue(r.get("withIngestion").get("retrieval").get("recall").asDouble() > 0.5, r.toString());
    assertTrue(r.get("ingestion").get("chunksAcknowledged").asLong() > 0, r.toString());
    assertEquals("folder-iq-ingest", r.get("ingestion").get("collection").asText());
  }

  @Test
  void baselineAnswers() throws Exception {
    JsonNode r = run("baseline");
    assertTrue(r.get("requests").asLong() > 0);
    assertEquals(0, r.get("errors").asLong(), r.toString());
  }

  @Test
  void anUncachedSweepStaysDistinctAcrossItsSteps() throws Exception {
    JsonNode sweep = run("uncached", "--sweep", "20,40", "--p99-bound", "5s");
    assertEquals(2, sweep.get("steps").size(), sweep.toString());
    for (JsonNode step : sweep.get("steps")) {
      assertTrue(step.get("requests").asLong() > 0, step.toString());
      assertEquals(0, step.get("cacheHits").asLong(), step.toString());
      assertEquals(0, step.get("semanticHits").asLong(), step.toString());
    }
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
