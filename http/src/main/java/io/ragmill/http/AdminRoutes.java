package io.ragmill.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ragmill.api.RagmillException;
import io.ragmill.cache.CacheKind;
import io.ragmill.cache.CachePartition;
import io.ragmill.node.RagmillNode;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/** {@code /admin/cache/stats}, {@code /admin/cache/clear} and {@code /admin/alerts}, behind the admin key. */
final class AdminRoutes extends AllDirectives {
  private final RagmillNode node;
  private final ObjectMapper mapper;
  private final Problems problems;
  private final Authentication auth;

  AdminRoutes(RagmillNode node, ObjectMapper mapper, Problems problems, Authentication auth) {
    this.node = node;
    this.mapper = mapper;
    this.problems = problems;
    this.auth = auth;
  }

  Route route() {
    return pathPrefix(
        "admin",
        () ->
            auth.admin(
                () ->
                    concat(
                        path("alerts", () -> get(() -> completeWithFuture(problems.guard(this::alerts)))),
                        path(PathMatchersHolder.CACHE_STATS, () -> get(() -> completeWithFuture(problems.guard(this::stats)))),
                        path(
                            PathMatchersHolder.CACHE_CLEAR,
                            () -> post(() -> entity(Unmarshaller.entityToString(), body -> completeWithFuture(problems.guard(() -> clear(body)))))))));
  }

  private CompletionStage<HttpResponse> stats() {
    return node.cache()
        .stats()
        .thenApply(
            kinds -> {
              ObjectNode out = mapper.createObjectNode();
              ObjectNode byKind = out.putObject("kinds");
              for (Map.Entry<CacheKind, CachePartition.KindStats> e : kinds.entrySet()) {
                CachePartition.KindStats s = e.getValue();
                ObjectNode k = byKind.putObject(e.getKey().name().toLowerCase(Locale.ROOT));
                long lookups = s.hits() + s.misses();
                k.put("hits", s.hits());
                k.put("misses", s.misses());
                k.put("hitRatio", lookups == 0 ? 0.0 : (double) s.hits() / lookups);
                k.put("singleFlightMerges", s.merges());
                k.put("l2Hits", s.l2Hits());
                k.put("fills", s.fills());
                k.put("evictions", s.evictions());
                k.put("entries", s.entries());
                k.put("bytes", s.bytes());
              }
              return Json.response(mapper, StatusCodes.OK, out);
            });
  }

  private CompletionStage<HttpResponse> alerts() {
    return node.alerts().thenApply(status -> Json.response(mapper, StatusCodes.OK, status));
  }

  private CompletionStage<HttpResponse> clear(String body) {
    Optional<CacheKind> kind = Optional.empty();
    Optional<String> tenant = Optional.empty();
    if (!body.isBlank()) {
      JsonNode json = new JsonBodies(mapper).parse(body);
      if (!json.isObject()) {
        throw RagmillException.invalid("send {\"kind\": \"answer|retrieval|embedding\", \"tenant\": \"...\"} or nothing");
      }
      if (json.hasNonNull("kind")) {
        String k = json.get("kind").asText().toUpperCase(Locale.ROOT);
        try {
          kind = Optional.of(CacheKind.valueOf(k));
        } catch (IllegalArgumentException e) {
          throw RagmillException.invalid("'kind' must be answer, retrieval or embedding, was '" + json.get("kind").asText() + "'");
        }
      }
      if (json.hasNonNull("tenant")) {
        tenant = Optional.of(json.get("tenant").asText());
      }
    }
    return node.cache()
        .clear(kind, tenant)
        .thenApply(removed -> Json.response(mapper, StatusCodes.OK, Map.of("removed", removed)));
  }

  /** Path matchers built once. */
  private static final class PathMatchersHolder {
    static final org.apache.pekko.http.javadsl.server.PathMatcher0 CACHE_STATS =
        org.apache.pekko.http.javadsl.server.PathMatchers.segment("cache").slash("stats");
    static final org.apache.pekko.http.javadsl.server.PathMatcher0 CACHE_CLEAR =
        org.apache.pekko.http.javadsl.server.PathMatchers.segment("cache").slash("clear");
  }
}
