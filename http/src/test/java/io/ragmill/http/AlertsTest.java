package io.ragmill.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import io.ragmill.alert.AlertRule;
import io.ragmill.alert.AlertSettings;
import io.ragmill.alert.Alerts;
import io.ragmill.metrics.NodeSummary;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Alert rules against figures the test sets (the summary supplier is injected and the rules are
 * checked when the test says so, not on a timer): a rule fires, stays, clears, and the webhook —
 * a real HTTP server on a random port — receives a POST for each change.
 */
class AlertsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ActorTestKit kit;
  private HttpServer webhook;
  private final LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    kit = ActorTestKit.create(
        "alerts", ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.defaultReference()));
    webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    webhook.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (exchange.getRequestMethod().equals("POST")
          && exchange.getRequestHeaders().getFirst("Content-Type").startsWith("application/json")) {
        received.add(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    webhook.start();
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
    webhook.stop(0);
  }

  private static NodeSummary summary(double queryP99Ms, double answerHitRatio, double heapRatio) {
    return new NodeSummary(
        "127.0.0.1:1", Instant.now(), 10,
        Map.of(),
        Map.of("/v1/collections/{c}/query", new NodeSummary.RouteStats(5, queryP99Ms / 2, queryP99Ms, 50, 0, 0)),
        Map.of("answer", new NodeSummary.CacheStats(2000, (long) (2000 * answerHitRatio), 0, 0, answerHitRatio,
            answerHitRatio, 0, 0, 0, 0, 0, 1)),
        Map.of(),
        new NodeSummary.JvmStats(1, 1, heapRatio, 0, 0, 0.1, 10));
  }

  @Test
  void aRuleFiresStaysAndClearsAndTheWebhookHearsEachChange() throws Exception {
    AtomicReference<NodeSummary> figures = new AtomicReference<>(summary(100, 0.5, 0.3));
    List<AlertRule> rules = List.of(
        new AlertRule("slow-queries", AlertRule.Metric.HTTP_P99_MS, "/v1/collections/{c}/query", 500, true, 0),
        new AlertRule("cold-cache", AlertRule.Metric.CACHE_HIT_RATIO, "answer", 0.1, false, 1000),
        new AlertRule("heap", AlertRule.Metric.HEAP_RATIO, "*", 0.9, true, 0));
    String url = "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook";
    AlertSettings settings = new AlertSettings(Duration.ofHours(1), Optional.of(url), rules);
    kit.spawn(AlertWebhook.create(url, Json.mapper()), "webhook");
    ActorRef<Alerts.Command> alerts = kit.spawn(Alerts.create(settings, figures::get), "alerts");
    TestProbe<Alerts.Status> probe = kit.createTestProbe();

    alerts.tell(Alerts.Evaluate.INSTANCE);
    alerts.tell(new Alerts.GetAlerts(probe.ref()));
    assertEquals(List.of(), probe.receiveMessage().firing(), "nothing breaks a rule yet");

    figures.set(summary(900, 0.05, 0.3));
    alerts.tell(Alerts.Evaluate.INSTANCE);
    alerts.tell(new Alerts.GetAlerts(probe.ref()));
    List<Alerts.Alert> firing = probe.receiveMessage().firing();
    assertEquals(List.of("slow-queries", "cold-cache"), firing.stream().map(Alerts.Alert::rule).toList());
    assertEquals(900, firing.get(0).value());

    // still breached: no second notification, the value is updated
    figures.set(summary(1200, 0.05, 0.3));
    alerts.tell(Alerts.Evaluate.INSTANCE);
    alerts.tell(new Alerts.GetAlerts(probe.ref()));
    assertEquals(1200, probe.receiveMessage().firing().get(0).value());

    figures.set(summary(100, 0.05, 0.3));
    alerts.tell(Alerts.Evaluate.INSTANCE);
    alerts.tell(new Alerts.GetAlerts(probe.ref()));
    assertEquals(List.of("cold-cache"), probe.receiveMessage().firing().stream().map(Alerts.Alert::rule).toList());

    JsonNode[] posts = new JsonNode[3];
    for (int i = 0; i < 3; i++) {
      posts[i] = received.poll(10, TimeUnit.SECONDS);
      assertTrue(posts[i] != null, "webhook POST " + (i + 1) + " of 3 did not arrive");
    }
    java.util.Arrays.sort(posts, java.util.Comparator.comparing((JsonNode p) -> Instant.parse(p.get("at").asText()))
        .thenComparing(p -> p.get("state").asText()));
    assertEquals("firing", posts[0].get("state").asText());
    assertEquals("resolved", posts[2].get("state").asText());
    assertEquals("slow-queries", posts[2].get("alert").get("rule").asText());
    assertEquals(100, posts[2].get("alert").get("value").asDouble());
    assertEquals(500, posts[2].get("alert").get("threshold").asDouble());
    await().during(300, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS).until(() -> received.isEmpty());
  }

  @Test
  void aRatioOverTooFewSamplesIsNotJudged() {
    AlertRule rule = new AlertRule("cold-cache", AlertRule.Metric.CACHE_HIT_RATIO, "answer", 0.1, false, 5000);
    assertTrue(rule.value(summary(100, 0.0, 0.3)).isEmpty(), "2000 lookups are fewer than min-samples");
  }

  @Test
  void badRulesAreRefusedWithTheirName() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () ->
        AlertSettings.fromConfig(ConfigFactory.parseString(
            "ragmill.alerts { interval = 1s, webhook-url = \"\", rules = [{ name = x, metric = latency, above = 1 }] }")));
    assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("latency"), e.getMessage());
  }
}
