package io.ragmill.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.ragmill.embedding.Embedder;
import io.ragmill.testing.TestNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * A node and its HTTP server on a random port, for the HTTP tests: start it with a config, an
 * embedder and the auth settings, then {@link #send} requests (headers as name/value pairs) and
 * read JSON replies.
 */
final class TestServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final TestNode node;
  private final String base;

  private TestServer(TestNode node, String base) {
    this.node = node;
    this.base = base;
  }

  static TestServer start(Config config, Embedder embedder, AuthSettings auth) throws Exception {
    return start(config, embedder, auth, null, 1 << 20);
  }

  static TestServer start(Config config, Embedder embedder, AuthSettings auth, Supplier<Config> configSource)
      throws Exception {
    return start(config, embedder, auth, configSource, 1 << 20);
  }

  /**
   * {@code configSource}: what {@code POST /admin/reload} reads, null for the node's own config;
   * {@code maxBody}: the largest request body in bytes.
   */
  static TestServer start(
      Config config, Embedder embedder, AuthSettings auth, Supplier<Config> configSource, int maxBody) throws Exception {
    return start(config, embedder, auth, configSource, maxBody, Duration.ofSeconds(30));
  }

  /** {@code waitTimeout}: how long {@code ?wait=true} waits for a job (ragmill.http.wait-timeout). */
  static TestServer start(
      Config config, Embedder embedder, AuthSettings auth, Supplier<Config> configSource, int maxBody,
      Duration waitTimeout) throws Exception {
    TestNode node = new TestNode(config, embedder);
    try {
      HttpSettings settings = new HttpSettings("127.0.0.1", 0, maxBody, waitTimeout);
      HttpServer server =
          configSource == null
              ? new HttpServer(node.node(), settings, auth)
              : new HttpServer(node.node(), settings, auth, configSource);
      ServerBinding binding = server.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return new TestServer(node, "http://127.0.0.1:" + binding.localAddress().getPort());
    } catch (Exception e) {
      node.close();
      throw e;
    }
  }

  static AuthSettings noAuth(String adminKey) {
    return new AuthSettings(false, Map.of(), Optional.ofNullable(adminKey));
  }

  TestNode node() {
    return node;
  }

  String base() {
    return base;
  }

  /** A JSON request ({@code body} null for none), with headers as name/value pairs. */
  HttpResponse<String> send(String method, String path, String body, String... headers)
      throws IOException, InterruptedException {
    return sendTo(base, method, path, body, headers);
  }

  /** The same against any server at {@code base} ("http://host:port"), e.g. a node in its own process. */
  static HttpResponse<String> sendTo(String base, String method, String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json");
    if (headers.length > 0) {
      b.headers(headers);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return response.body().isEmpty() ? null : JSON.readTree(response.body());
  }

  @Override
  public void close() {
    node.close();
  }
}
