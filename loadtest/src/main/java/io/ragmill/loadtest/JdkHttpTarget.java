package io.ragmill.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@link java.net.http.HttpClient} over HTTP/1.1: one connection per request in flight, kept alive
 * between requests. An alternative to {@link PekkoHttpTarget} for comparing client overheads.
 */
public final class JdkHttpTarget implements HttpTarget {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final ExecutorService executor;
  private final HttpClient client;
  private final String baseUrl;

  public JdkHttpTarget(String baseUrl, int threads) {
    this.executor = Executors.newFixedThreadPool(Math.max(1, threads), runnable -> {
      Thread thread = new Thread(runnable, "jdk-http-client");
      thread.setDaemon(true);
      return thread;
    });
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .executor(executor)
        .build();
    this.baseUrl = PekkoHttpTarget.stripSlash(baseUrl);
  }

  @Override
  public CompletionStage<Reply> post(String path, byte[] json) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(json))
        .build());
  }

  @Override
  public CompletionStage<Reply> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT).GET().build());
  }

  private CompletionStage<Reply> send(HttpRequest request) {
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Reply(r.statusCode(), r.headers().firstValue("X-Cache").orElse(null), r.body()));
  }

  @Override
  public String name() {
    return "jdk";
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
