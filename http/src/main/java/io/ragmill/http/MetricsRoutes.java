package io.ragmill.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.metrics.NodeMetrics;
import io.ragmill.node.RagmillNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: everything Kamon recorded, in Prometheus text format.
 * {@code GET /health/metrics}: this node's summary as JSON ({@code ?scope=cluster}: every node's).
 * {@code GET /dashboard}: the live dashboard page, its script and the chart library (from the
 * Chart.js WebJar on the classpath: nothing is loaded from outside the node).
 */
final class MetricsRoutes extends AllDirectives {
  static final ContentType PROMETHEUS = ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");
  private static final String CHART_JS = chartJsResource();

  private final RagmillNode node;
  private final ObjectMapper mapper;
  private final Problems problems;

  MetricsRoutes(RagmillNode node, ObjectMapper mapper, Problems problems) {
    this.node = node;
    this.mapper = mapper;
    this.problems = problems;
  }

  Route route() {
    // get() inside each path: a method directive that passes cancels other routes' 405 rejections
    return concat(
        path("metrics", () -> get(() -> complete(
            HttpResponse.create()
                .withEntity(HttpEntities.create(PROMETHEUS, node.metrics().prometheusText().getBytes(StandardCharsets.UTF_8)))))),
        path(
            segment("health").slash("metrics"),
            () -> get(() -> parameterOptional("scope", scope -> summary(scope.orElse("node"))))),
        pathPrefix(
            "dashboard",
            () ->
                concat(
                    pathEnd(() -> get(() -> getFromResource("dashboard/index.html", ContentTypes.TEXT_HTML_UTF8))),
                    path("dashboard.js", () -> get(() -> getFromResource("dashboard/dashboard.js"))),
                    path("dashboard.css", () -> get(() -> getFromResource("dashboard/dashboard.css"))),
                    path("chart.umd.js", () -> get(() -> getFromResource(CHART_JS))))));
  }

  private static org.apache.pekko.http.javadsl.server.PathMatcher0 segment(String s) {
    return org.apache.pekko.http.javadsl.server.PathMatchers.segment(s);
  }

  private Route summary(String scope) {
    return switch (scope) {
      case "node" -> complete(Json.response(mapper, StatusCodes.OK, node.metrics().summary()));
      case "cluster" -> completeWithFuture(
          problems.guard(
              () -> NodeMetrics.cluster(node.system(), Duration.ofSeconds(2))
                  .thenApply(all -> Json.response(mapper, StatusCodes.OK, Map.of("self", node.metrics().node(), "nodes", all)))));
      default -> complete(problems.badRequest("'scope' must be node or cluster, was '" + scope + "'"));
    };
  }

  /** The path of chart.umd.js inside the Chart.js WebJar, whatever its version. */
  private static String chartJsResource() {
    try (InputStream in =
        MetricsRoutes.class.getClassLoader().getResourceAsStream("META-INF/maven/org.webjars.npm/chart.js/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the Chart.js WebJar (org.webjars.npm:chart.js) is not on the classpath");
      }
      Properties p = new Properties();
      p.load(in);
      return "META-INF/resources/webjars/chart.js/" + p.getProperty("version") + "/dist/chart.umd.js";
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the Chart.js WebJar's version", e);
    }
  }
}
