package io.ragmill.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.node.RagmillNode;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Binds the routes, with problem+json for every rejection and failure and an
 * {@code X-Response-Time} header on every response; unbinds on coordinated shutdown.
 */
public final class HttpServer extends AllDirectives {
  private final RagmillNode node;
  private final HttpSettings settings;
  private final AuthSettings authSettings;

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
    this.authSettings = authSettings;
    this.configSource = configSource;
  }

  public Route route() {
    ObjectMapper mapper = Json.mapper();
    Problems problems = new Problems(mapper);
    Authentication auth = new Authentication(authSettings, problems);
    Route api = new ApiRoutes(node, settings, mapper, problems, auth).route();
    Route admin = new AdminRoutes(node, mapper, problems, auth, configSource).route();
    Route health = new HealthRoutes(node, mapper).route();
    return timed(
        () ->
            handleExceptions(
                problems.exceptionHandler(),
                () -> handleRejections(problems.rejectionHandler(), () -> concat(api, admin, health))));
  }

  private Route timed(java.util.function.Supplier<Route> inner) {
    return extractRequestContext(
        ctx -> {
          long start = System.nanoTime();
          return mapResponse(
              response ->
                  response.addHeader(
                      RawHeader.create("X-Response-Time", millis(System.nanoTime() - start))),
              inner);
        });
  }

  /** "1.234ms" without String.format, which costs more than the rest of a cached answer's header work. */
  static String millis(long nanos) {
    long micros = nanos / 1_000;
    long fraction = micros % 1_000;
    return (micros / 1_000) + "." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + fraction + "ms";
  }

  public CompletionStage<ServerBinding> start() {
    CompletionStage<ServerBinding> binding =
        Http.get(node.system()).newServerAt(settings.host(), settings.port()).bind(route());
    return binding.thenApply(
        b -> {
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
        });
  }
}
