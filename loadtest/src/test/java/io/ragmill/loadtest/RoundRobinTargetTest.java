package io.ragmill.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** --url with several nodes: requests go to each in turn, as a round-robin balancer sends them. */
class RoundRobinTargetTest {
  private final List<HttpServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(s -> s.stop(0));
  }

  private String node(String name, AtomicInteger hits) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      hits.incrementAndGet();
      byte[] body = name.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    servers.add(server);
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void sendsEachRequestToTheNextNode() throws Exception {
    AtomicInteger a = new AtomicInteger();
    AtomicInteger b = new AtomicInteger();
    AtomicInteger c = new AtomicInteger();
    String urls = node("a", a) + ", " + node("b", b) + "," + node("c", c);
    List<String> parsed = Options.urls(urls);
    assertEquals(3, parsed.size());
    List<HttpTarget> targets = new ArrayList<>();
    parsed.forEach(u -> targets.add(new SocketHttpTarget(u, 2)));
    try (RoundRobinTarget target = new RoundRobinTarget(targets)) {
      StringBuilder order = new StringBuilder();
      for (int i = 0; i < 30; i++) {
        order.append(target.post("/v1/x", "{}".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(5, TimeUnit.SECONDS).body());
      }
      assertEquals("abc".repeat(10), order.toString());
    }
    assertEquals(List.of(10, 10, 10), List.of(a.get(), b.get(), c.get()));
  }

  @Test
  void refusesAUrlListWithABadEntry() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Options.parse(new String[] {"cached", "--url", "http://127.0.0.1:8081,localhost:8082"}));
    assertEquals("--url takes http://host:port URLs separated by commas, was 'http://127.0.0.1:8081,localhost:8082'",
        e.getMessage());
  }
}
