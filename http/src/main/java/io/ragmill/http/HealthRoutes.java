package io.ragmill.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.node.RagmillNode;
import io.ragmill.node.Readiness;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /health/alive}: the process answers. {@code /health/ready}: the node is a cluster member,
 * the journal answers and the model is loaded; 503 with each check's state until then.
 */
final class HealthRoutes extends AllDirectives {
  private final RagmillNode node;
  private final ObjectMapper mapper;
  private final Executor blocking;

  HealthRoutes(RagmillNode node, ObjectMapper mapper) {
    this.node = node;
    this.mapper = mapper;
    // the journal check opens a JDBC connection: never on the default dispatcher
    this.blocking = node.system().dispatchers().lookup(DispatcherSelector.blocking());
  }

  Route route() {
    return pathPrefix(
        "health",
        () ->
            concat(
                path("alive", () -> get(() -> complete(Json.response(mapper, StatusCodes.OK, Map.of("status", "alive"))))),
                path(
                    "ready",
                    () ->
                        get(
                            () ->
                                completeWithFuture(
                                    CompletableFuture.supplyAsync(node::readiness, blocking)
                                        .thenApply(this::readinessResponse))))));
  }

  private org.apache.pekko.http.javadsl.model.HttpResponse readinessResponse(Readiness r) {
    return Json.response(
        mapper,
        r.ready() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
        Map.of("status", r.ready() ? "ready" : "not ready", "checks", r.checks()));
  }
}
