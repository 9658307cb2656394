package io.ragmill.loadtest;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;

/**
 * Pekko HTTP's client over its host connection pool, whose size ({@code max-connections}) and queue
 * ({@code max-open-requests}) come from the actor system's config (see {@link LoadTest#actorSystem}).
 * Every response entity is read in full.
 */
public final class PekkoHttpTarget implements HttpTarget {
  private static final long ENTITY_TIMEOUT_MS = 30_000;

  private final Http http;
  private final Materializer materializer;
  private final String baseUrl;

  public PekkoHttpTarget(ActorSystem system, String baseUrl) {
    this.http = Http.get(system);
    this.materializer = Materializer.matFromSystem(system);
    this.baseUrl = stripSlash(baseUrl);
  }

  @Override
  public CompletionStage<Reply> post(String path, byte[] json) {
    return send(HttpRequest.POST(baseUrl + path).withEntity(ContentTypes.APPLICATION_JSON, json));
  }

  @Override
  public CompletionStage<Reply> get(String path) {
    return send(HttpRequest.GET(baseUrl + path));
  }

  private CompletionStage<Reply> send(HttpRequest request) {
    return http.singleRequest(request).thenCompose(this::read);
  }

  private CompletionStage<Reply> read(HttpResponse response) {
    int status = response.status().intValue();
    String cache = response.getHeader("X-Cache").map(HttpHeader::value).orElse(null);
    return response.entity()
        .toStrict(ENTITY_TIMEOUT_MS, materializer)
        .thenApply(strict -> new Reply(status, cache, strict.getData().utf8String()));
  }

  @Override
  public String name() {
    return "pekko";
  }

  @Override
  public void close() {
    http.shutdownAllConnectionPools().toCompletableFuture().join();
  }

  static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
