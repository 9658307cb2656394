package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragmill.embedding.HashingEmbedder;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver; scripts/services.sh
 * installs them): with traffic running against a node, the page draws every chart with data, fills
 * the table, logs no error, and leaves a screenshot in http/target/dashboard.png.
 */
class DashboardBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static TestNode node;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    node = new TestNode(TestNodes.h2(Files.createTempDirectory("ragmill-dashboard"), ""), new HashingEmbedder(64));
    ServerBinding binding =
        new HttpServer(node.node(), new HttpSettings("127.0.0.1", 0, 1 << 20, Duration.ofSeconds(30)),
                new AuthSettings(false, Map.of(), Optional.empty()))
            .start().toCompletableFuture().get(30, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
    HttpResponse<String> ingest = post("/v1/collections/docs/documents?wait=true",
        "[{\"id\":\"a\",\"text\":\"Caffeine is a caching library for Java. It evicts by frequency.\"},"
            + "{\"id\":\"b\",\"text\":\"Pekko is a toolkit for actors on the JVM. Sharding spreads entities.\"}]");
    assertEquals(200, ingest.statusCode(), ingest.body());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Queries (a few repeated, so some hit the cache) and embeddings until told to stop. */
  private static Thread traffic(AtomicBoolean running) {
    Thread t = new Thread(() -> {
      int i = 0;
      while (running.get()) {
        try {
          post("/v1/collections/docs/query", "{\"query\":\"question " + (i % 7) + " about caching\",\"k\":1}");
          if (i % 5 == 0) {
            post("/v1/embeddings", "{\"input\":[\"text " + i + "\",\"other " + i + "\"]}");
          }
          i++;
          TimeUnit.MILLISECONDS.sleep(40); // a steady rate, not a flood: the 2-core machine runs the browser too
        } catch (Exception e) {
          return;
        }
      }
    }, "dashboard-traffic");
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void dashboardChartsLiveMetricsWithoutErrors() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the dashboard test needs Debian's chromium and chromium-driver: run scripts/services.sh (or apt-get install chromium chromium-driver)");
    AtomicBoolean running = new AtomicBoolean(true);
    Thread load = traffic(running);
    Path profile = Files.createTempDirectory("ragmill-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1500,1250", "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    try {
      driver.get(base + "/dashboard");
      assertEquals("Ragmill — live metrics", driver.getTitle());
      JavascriptExecutor js = driver;
      // several polls, so the lines have points
      new WebDriverWait(driver, Duration.ofSeconds(40))
          .until(d -> Integer.parseInt(d.findElement(By.tagName("body")).getAttribute("data-updates")) >= 6);

      assertEquals(6, driver.findElements(By.cssSelector("figure canvas")).size());
      @SuppressWarnings("unchecked")
      Map<String, Object> charts = (Map<String, Object>) js.executeScript(
          "const out = {};"
              + "for (const [id, c] of Object.entries(window.ragmillDashboard.charts)) {"
              + "  out[id] = c.data.datasets.map(d => ({label: d.label,"
              + "    max: Math.max(0, ...d.data.filter(v => v !== null)), points: d.data.filter(v => v !== null).length}));"
              + "}"
              + "return out;");
      for (String id : List.of("throughput", "latency", "http", "hits", "queues", "batches")) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> series = (List<Map<String, Object>>) charts.get(id);
        assertTrue(!series.isEmpty(), id + " has no series: " + charts);
        assertTrue(series.stream().anyMatch(s -> ((Number) s.get("points")).intValue() >= 3), id + " has no points: " + series);
      }
      assertTrue(maxOf(charts, "throughput", "CachePartition") > 0, "cache partitions processed messages: " + charts.get("throughput"));
      assertTrue(maxOf(charts, "hits", "answer") > 0, "repeated questions hit the answer cache: " + charts.get("hits"));
      assertTrue(maxOf(charts, "http", "/v1/collections/{c}/query p99") > 0, "query latency: " + charts.get("http"));
      assertTrue(maxOf(charts, "batches", "mean batch size") >= 1, "batch sizes: " + charts.get("batches"));
      assertTrue(driver.findElements(By.cssSelector("#actors tbody tr")).size() >= 5, "one row per entity type");

      byte[] png = driver.getScreenshotAs(OutputType.BYTES);
      Path shot = Path.of(System.getProperty("basedir", "."), "target", "dashboard.png");
      Files.createDirectories(shot.getParent());
      Files.write(shot, png);
      assertTrue(png.length > 10_000, "a screenshot with something on it");

      List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
          .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
      assertEquals(List.of(), severe.stream().map(LogEntry::getMessage).toList(), "browser console errors");
    } finally {
      running.set(false);
      driver.quit();
      load.join(5_000);
    }
  }

  @SuppressWarnings("unchecked")
  private static double maxOf(Map<String, Object> charts, String chart, String labelPrefix) {
    return ((List<Map<String, Object>>) charts.get(chart)).stream()
        .filter(s -> ((String) s.get("label")).startsWith(labelPrefix))
        .mapToDouble(s -> ((Number) s.get("max")).doubleValue())
        .max().orElse(0);
  }
}
