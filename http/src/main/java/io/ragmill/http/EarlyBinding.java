package io.ragmill.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.japi.function.Function;

/**
 * The HTTP port, bound before the node is built: until {@link #serve} hands it the node's handler,
 * {@code GET /health/alive} answers 200 (the process is up and serving HTTP) and every other
 * request a 503 problem+json with Retry-After, so liveness does not wait for the cluster join,
 * the journal and sharding (about half of a start on two cores: docs/BENCHMARKS.md, Startup).
 * Readiness is unaffected: {@code /health/ready} is the node's and answers only once it is built.
 */
final class EarlyBinding {
  private final ServerBinding binding;
  private final Switch handler;

  private EarlyBinding(ServerBinding binding, Switch handler) {
    this.binding = binding;
    this.handler = handler;
  }

  /**
   * The edge's server settings over the node's: malformed requests answered as problem+json
   * ({@link ProblemParsingErrorHandler}), HEAD answered wherever GET is (load balancers' health
   * checks), and URIs up to 8 KiB (a document id of 512 characters, percent-encoded, in a DELETE).
   */
  static final String SERVER_SETTINGS =
      "pekko.http.server {\n"
          + "  transparent-head-requests = on\n"
          + "  parsing.error-handler = \"" + ProblemParsingErrorHandler.class.getName() + "\"\n"
          + "  parsing.max-uri-length = 8k\n"
          + "}\n";

  static CompletionStage<EarlyBinding> bind(ActorSystem<?> system, HttpSettings settings) {
    Switch handler = new Switch(Json.mapper(), system);
    ServerSettings server =
        ServerSettings.create(ConfigFactory.parseString(SERVER_SETTINGS).withFallback(system.settings().config()));
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .withSettings(server)
        .bind(handler)
        .thenApply(binding -> new EarlyBinding(binding, handler));
  }

  ServerBinding binding() {
    return binding;
  }

  /** From now on every request goes to {@code next}. */
  void serve(Function<HttpRequest, CompletionStage<HttpResponse>> next) {
    handler.next = next;
  }

  /** The handler the binding calls: the starting answers, then the node's handler. */
  static final class Switch implements Function<HttpRequest, CompletionStage<HttpResponse>> {
    private final ObjectMapper mapper;
    private final Problems problems;
    private final ActorSystem<?> system;
    private volatile Function<HttpRequest, CompletionStage<HttpResponse>> next;

    Switch(ObjectMapper mapper, ActorSystem<?> system) {
      this.mapper = mapper;
      this.problems = new Problems(mapper);
      this.system = system;
    }

    @Override
    public CompletionStage<HttpResponse> apply(HttpRequest request) throws Exception {
      Function<HttpRequest, CompletionStage<HttpResponse>> current = next;
      if (current != null) {
        return current.apply(request);
      }
      // the body is not read while starting: let Pekko discard it
      request.discardEntityBytes(system);
      if (request.method().equals(HttpMethods.GET) && request.getUri().path().equals("/health/alive")) {
        return CompletableFuture.completedFuture(Json.response(mapper, StatusCodes.OK, Map.of("status", "alive")));
      }
      return CompletableFuture.completedFuture(
          problems
              .response(StatusCodes.SERVICE_UNAVAILABLE, "starting", "Starting", "the node is starting; retry in a moment")
              .addHeader(RetryAfter.create(1L)));
    }
  }
}
