package io.ragmill.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.node.RagmillNode;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import io.ragmill.metrics.HttpMetrics;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.coding.Coder;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Binds the routes, with problem+json for every rejection and failure, an
 * {@code X-Response-Time} header on every response, request metrics by route template, gzip for
 * large responses and decompression of gzip/deflate request bodies (limited to {@code max-body}
 * after decompression); starts the alert webhook when one is configured; unbinds on coordinated
 * shutdown.
 */
public final class HttpServer extends AllDirectives {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HttpServer.class);
  private final RagmillNode node;
  private final HttpSettings settings;
  private final Compression compression;
  private final HttpMetrics metrics;
  private final ObjectMapper mapper = Json.mapper();
  private final Problems problems = new Problems(mapper);
  private final Authentication auth;

  private final java.util.function.Supplier<com.typesafe.config.Config> configSource;

  public HttpServer(RagmillNode node, HttpSettings settings, AuthSettings authSettings) {
    this(node, settings, authSettings, () -> node.system().settings().config());
  }

  /** {@code configSource} is read again by {@code POST /admin/reload}. */
  public HttpServer(
      RagmillNode node, HttpSettings settings, AuthSettings authSettings,
      java.util.function.Supplier<com.typesafe.config.Config> configSource) {
    this.node = node;
    this.settings = settings;
    this.configSource = configSource;
    this.compression = new Compression(CompressionSettings.fromConfig(node.system().settings().config()));
    this.metrics = node.metrics().http();
    this.auth = new Authentication(authSettings, problems);
  }

  public Route route() {
    return route(new ApiRoutes(node, settings, mapper, problems, auth));
  }

  private Route route(ApiRoutes apiRoutes) {
    Route api = apiRoutes.route();
    Route admin = new AdminRoutes(node, mapper, problems, auth, configSource).route();
    Route health = new HealthRoutes(node, mapper).route();
    Route metricsRoutes = new MetricsRoutes(node, mapper, problems).route();
    return edge(
        () ->
            handleExceptions(
                problems.exceptionHandler(),
                () -> handleRejections(
                    problems.rejectionHandler(),
                    () -> decodeRequestWith(
                        DECODERS,
                        () -> withSizeLimit(settings.maxBodyBytes(), () -> concat(api, admin, health, metricsRoutes))))));
  }

  private static final List<Coder> DECODERS = List.of(Coder.Gzip, Coder.Deflate, Coder.NoCoding);

  /** Times every request, records it by route template and compresses what is worth it. */
  private Route edge(java.util.function.Supplier<Route> inner) {
    return extractRequest(
        request -> {
          long start = System.nanoTime();
          boolean gzip = Compression.acceptsGzip(request);
          return mapResponse(
              response -> finish(request, RouteTemplates.of(request.getUri().path()), start, gzip ? compression.maybeCompress(response) : response),
              inner);
        });
  }

  /** Records the request by route template and adds X-Response-Time. */
  private HttpResponse finish(HttpRequest request, String route, long start, HttpResponse out) {
    long nanos = System.nanoTime() - start;
    metrics.request(route, request.method().name(), out.status().intValue(), nanos);
    return out.addHeader(RawHeader.create("X-Response-Time", millis(nanos)));
  }

  /**
   * Plain queries ({@link ApiRoutes#plainQuery}) skip the routing DSL; every other request, and
   * every query that is not plain, goes through the routes.
   */
  private org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> handler() {
    ApiRoutes apiRoutes = new ApiRoutes(node, settings, mapper, problems, auth);
    org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> routes =
        route(apiRoutes).handler(node.system());
    return request -> {
      long start = System.nanoTime();
      // rendered from the parsed URI on every call: once
      String path = request.getUri().path();
      Optional<CompletionStage<HttpResponse>> plain;
      try {
        plain = apiRoutes.plainQuery(request, path);
      } catch (RuntimeException e) {
        // outside the routes nothing would turn this into a problem: let them answer the request
        log.warn("the plain query path failed on {}; the routes answer it", path, e);
        plain = Optional.empty();
      }
      if (plain.isPresent()) {
        return plain.get().thenApply(response -> finish(request, RouteTemplates.QUERY, start, response));
      }
      return routes.apply(request);
    };
  }

  /** "1.234ms" without String.format, which costs more than the rest of a cached answer's header work. */
  static String millis(long nanos) {
    long micros = nanos / 1_000;
    long fraction = micros % 1_000;
    return (micros / 1_000) + "." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + fraction + "ms";
  }

  public CompletionStage<ServerBinding> start() {
    return EarlyBinding.bind(node.system(), settings).thenCompose(this::start);
  }

  /** Takes over a port bound before the node was built ({@link EarlyBinding}). */
  CompletionStage<ServerBinding> start(EarlyBinding early) {
    startWebhook();
    early.serve(handler());
    return java.util.concurrent.CompletableFuture.completedFuture(unbindOnShutdown(early.binding()));
  }

  private void startWebhook() {
    node.alertSettings()
        .webhookUrl()
        .ifPresent(url -> node.system().systemActorOf(AlertWebhook.create(url, Json.mapper()), "ragmill-alert-webhook", Props.empty()));
  }

  private ServerBinding unbindOnShutdown(ServerBinding b) {
    CoordinatedShutdown.get(node.system())
        .addTask(
            CoordinatedShutdown.PhaseServiceUnbind(),
            "http-unbind",
            () -> b.unbind().thenApply(ignored -> Done.getInstance()));
    CoordinatedShutdown.get(node.system())
        .addTask(
            CoordinatedShutdown.PhaseServiceRequestsDone(),
            "http-drain",
            () -> b.terminate(Duration.ofSeconds(10)).thenApply(ignored -> Done.getInstance()));
    return b;
  }
}
