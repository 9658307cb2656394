package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The port bound before the node: alive at once, 503 problem+json elsewhere, then the node's handler. */
class EarlyBindingTest {
  private final ActorSystem<Void> system =
      ActorSystem.create(
          Behaviors.empty(),
          "early",
          ConfigFactory.parseString(
                  "pekko.loglevel = WARNING\n"
                      + "pekko.coordinated-shutdown.exit-jvm = off\n"
                      + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n")
              .withFallback(ConfigFactory.defaultReference()));
  private final HttpClient client = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersAliveWhileStartingThenHandsOverToTheNode() throws Exception {
    EarlyBinding early =
        EarlyBinding.bind(system, new HttpSettings("127.0.0.1", 0, 1 << 20, Duration.ofSeconds(5)))
            .toCompletableFuture().get(20, TimeUnit.SECONDS);
    String base = "http://127.0.0.1:" + early.binding().localAddress().getPort();

    HttpResponse<String> alive = send(HttpRequest.newBuilder(URI.create(base + "/health/alive")));
    assertEquals(200, alive.statusCode());
    assertEquals("{\"status\":\"alive\"}", alive.body());

    HttpResponse<String> query =
        send(HttpRequest.newBuilder(URI.create(base + "/v1/collections/c/query"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"too early\"}")));
    assertEquals(503, query.statusCode());
    assertEquals("application/problem+json", query.headers().firstValue("Content-Type").orElse(""));
    assertEquals("1", query.headers().firstValue("Retry-After").orElse(""));
    assertTrue(query.body().contains("\"type\":\"urn:ragmill:problem:starting\""), query.body());
    assertEquals(503, send(HttpRequest.newBuilder(URI.create(base + "/health/ready"))).statusCode(),
        "not ready before the node is");

    early.serve(request -> CompletableFuture.completedFuture(
        org.apache.pekko.http.javadsl.model.HttpResponse.create().withStatus(StatusCodes.IM_A_TEAPOT)));
    assertEquals(418, send(HttpRequest.newBuilder(URI.create(base + "/health/alive"))).statusCode());
    assertEquals(418, send(HttpRequest.newBuilder(URI.create(base + "/v1/collections/c/query"))
        .POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode());
  }
}
