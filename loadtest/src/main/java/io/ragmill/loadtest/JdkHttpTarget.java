package io.ragmill.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@link java.net.http.HttpClient} over HTTP/1.1 with keep-alive, at most {@code maxConnections}
 * requests (so connections) at once; the rest queue here. The default client: on a 2-core machine it
 * used less CPU per request than {@link PekkoHttpTarget}, leaving more to the server.
 */
public final class JdkHttpTarget implements HttpTarget {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final ExecutorService executor;
  private final HttpClient client;
  private final String baseUrl;
  private final AsyncLimiter limiter;

  public JdkHttpTarget(String baseUrl, int maxConnections, int threads) {
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
    this.limiter = new AsyncLimiter(maxConnections);
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
    CompletableFuture<Reply> result = new CompletableFuture<>();
    limiter.submit(() -> {
      CompletableFuture<HttpResponse<String>> sent;
      try {
        sent = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      sent.whenComplete((response, error) -> {
        limiter.release();
        if (error != null) {
          result.completeExceptionally(error);
        } else {
          result.complete(new Reply(response.statusCode(), response.headers().firstValue("X-Cache").orElse(null),
              response.body()));
        }
      });
    });
    return result;
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
