package io.ragmill.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ragmill.api.RagmillException;
import io.ragmill.cache.Cache;
import io.ragmill.cache.CacheKind;
import io.ragmill.cache.CachePartition;
import io.ragmill.node.ClusterOverview;
import io.ragmill.node.RagmillNode;
import io.ragmill.query.QueryRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatcher0;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The admin API, behind the admin key: {@code GET /admin/cache/stats}, {@code POST
 * /admin/cache/clear} (by kind, tenant, collection, or all; every tier), {@code POST
 * /admin/cache/cleanup} (expired entries now), {@code POST /admin/cache/warm} (a list of queries
 * for a collection, run in the background) and {@code GET /admin/cache/warm/{id}}; {@code GET
 * /admin/cluster} (members, shards per node, this node's query pool); {@code POST /admin/reload};
 * {@code GET /admin/alerts}; {@code POST /admin/backup} ({@link BackupRoute}).
 */
final class AdminRoutes extends AllDirectives {
  private static final int MAX_WARM_QUERIES = 10_000;
  private static final PathMatcher0 CACHE = PathMatchers.segment("cache");

  private final RagmillNode node;
  private final ObjectMapper mapper;
  private final Problems problems;
  private final Authentication auth;
  private final JsonBodies bodies;
  private final BackupRoute backups;
  private final JsonEntity jsonEntity;

  private final java.util.function.Supplier<com.typesafe.config.Config> configSource;

  AdminRoutes(
      RagmillNode node, ObjectMapper mapper, Problems problems, Authentication auth,
      java.util.function.Supplier<com.typesafe.config.Config> configSource) {
    this.configSource = configSource;
    this.node = node;
    this.mapper = mapper;
    this.problems = problems;
    this.auth = auth;
    this.bodies = new JsonBodies(mapper);
    this.backups = new BackupRoute(node.system());
    this.jsonEntity = new JsonEntity(problems);
  }

  Route route() {
    return pathPrefix(
        "admin",
        () ->
            auth.admin(
                () ->
                    concat(
                        path("alerts", () -> get(() -> completeWithFuture(problems.guard(this::alerts)))),
                        path(CACHE.slash("stats"), () -> get(() -> completeWithFuture(problems.guard(this::stats)))),
                        path(CACHE.slash("clear"), () -> post(() -> body(this::clear))),
                        path(
                            CACHE.slash("cleanup"),
                            () -> post(() -> completeWithFuture(problems.guard(this::cleanup)))),
                        path(CACHE.slash("warm"), () -> post(() -> body(this::warm))),
                        path("cluster", () -> get(() -> completeWithFuture(problems.guard(this::cluster)))),
                        path("reload", () -> post(() -> completeWithFuture(problems.guard(this::reload)))),
                        path(
                            "backup",
                            () ->
                                post(
                                    () ->
                                        parameterOptional(
                                            "embeddings",
                                            embeddings -> completeWithFuture(problems.guard(() -> backups.backup(embeddings)))))),
                        path(
                            CACHE.slash("warm").slash(PathMatchers.segment()),
                            id -> get(() -> completeWithFuture(problems.guard(() -> warmStatus(id))))))));
  }

  private Route body(java.util.function.Function<String, CompletionStage<HttpResponse>> handler) {
    return jsonEntity.text(body -> completeWithFuture(problems.guard(() -> handler.apply(body))));
  }

  /** Reads the configuration again and applies what changed (see Reloader); reports each change. */
  private CompletionStage<HttpResponse> reload() {
    return java.util.concurrent.CompletableFuture.supplyAsync(
            () -> node.reloader().reload(readConfig()),
            node.system().dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()))
        .thenApply(outcome -> Json.response(mapper, StatusCodes.OK, outcome));
  }

  /** The configuration as it reads now; a file that cannot be read or parsed is the operator's 400. */
  private com.typesafe.config.Config readConfig() {
    try {
      return configSource.get();
    } catch (com.typesafe.config.ConfigException | java.io.UncheckedIOException e) {
      throw io.ragmill.api.RagmillException.invalid(
          "the configuration could not be read, nothing was changed: " + e.getMessage());
    }
  }

  /** Members, reachability, shards per entity type per node, and this node's query pool. */
  private CompletionStage<HttpResponse> cluster() {
    return ClusterOverview.of(node.system(), java.time.Duration.ofSeconds(3))
        .thenApply(
            overview -> {
              ObjectNode out = mapper.valueToTree(overview);
              out.set("queryPool", mapper.valueToTree(node.router().status()));
              return Json.response(mapper, StatusCodes.OK, out);
            });
  }

  private CompletionStage<HttpResponse> stats() {
    return node.cache().stats().thenApply(stats -> Json.response(mapper, StatusCodes.OK, statsJson(stats)));
  }

  private ObjectNode statsJson(Cache.Stats stats) {
    ObjectNode out = mapper.createObjectNode();
    ObjectNode byKind = out.putObject("kinds");
    for (Map.Entry<CacheKind, CachePartition.KindStats> e : stats.kinds().entrySet()) {
      CachePartition.KindStats s = e.getValue();
      ObjectNode k = byKind.putObject(e.getKey().name().toLowerCase(Locale.ROOT));
      // the partition counts an L2 hit as an L1 miss: hits are L1 + L2, misses what was computed
      long lookups = s.hits() + s.misses();
      long hits = s.hits() + s.l2Hits();
      k.put("hits", hits);
      k.put("misses", s.misses() - s.l2Hits());
      k.put("hitRatio", ratio(hits, lookups));
      k.put("singleFlightMerges", s.merges());
      k.put("fills", s.fills());
      k.put("evictions", s.evictions());
      k.put("entries", s.entries());
      k.put("bytes", s.bytes());
      ObjectNode tiers = k.putObject("tiers");
      tiers.putObject("l1").put("hits", s.hits()).put("entries", s.entries()).put("bytes", s.bytes());
      tiers.putObject("l2").put("hits", s.l2Hits());
      Cache.LoadTimes load = stats.loadTimes().get(e.getKey());
      k.putObject("loadTimeMs")
          .put("count", load.count()).put("p50", load.p50Ms()).put("p90", load.p90Ms()).put("p99", load.p99Ms())
          .put("max", load.maxMs());
      if (e.getKey() == CacheKind.ANSWER) {
        tiers.putObject("near").put("hits", stats.nearHits()).put("entries", stats.nearEntries());
        ObjectNode semantic = k.putObject("semantic");
        semantic.put("hits", s.semanticHits());
        semantic.put("misses", s.semanticMisses());
        ObjectNode rejections = semantic.putObject("rejections");
        s.semanticRejections().forEach((reason, n) -> rejections.put(reason.name().toLowerCase(Locale.ROOT), n));
        semantic.put("scopes", stats.semantic().scopes());
        semantic.put("queries", stats.semantic().queries());
        semantic.put("bytes", stats.semantic().bytes());
        // exact hits in the partitions, near-cache hits and semantic hits, over every answer lookup
        long answered = lookups + stats.nearHits();
        k.put("effectiveHitRatio", ratio(hits + stats.nearHits() + s.semanticHits(), answered));
      }
    }
    return out;
  }

  private static double ratio(long part, long whole) {
    return whole == 0 ? 0.0 : (double) part / whole;
  }

  private CompletionStage<HttpResponse> alerts() {
    return node.alerts().thenApply(status -> Json.response(mapper, StatusCodes.OK, status));
  }

  /** {@code {"kind"?, "tenant"?, "collection"?}}; a collection needs its tenant. Nothing: clear all. */
  private CompletionStage<HttpResponse> clear(String body) {
    Optional<CacheKind> kind = Optional.empty();
    Optional<String> tenant = Optional.empty();
    Optional<String> collection = Optional.empty();
    if (!body.isBlank()) {
      JsonNode json = bodies.parse(body);
      if (!json.isObject()) {
        throw RagmillException.invalid(
            "send {\"kind\": \"answer|retrieval|embedding\", \"tenant\": \"...\", \"collection\": \"...\"} or nothing");
      }
      JsonBodies.onlyFields(json, "request", Set.of("kind", "tenant", "collection"));
      kind = text(json, "kind").map(AdminRoutes::kind);
      // a tenant is what an API key maps to (AuthSettings); anything else could widen the match
      tenant = text(json, "tenant").map(AdminRoutes::tenant);
      collection = text(json, "collection").map(JsonBodies::collectionName);
      if (collection.isPresent() && tenant.isEmpty()) {
        throw RagmillException.invalid("'collection' needs 'tenant': collection names are per tenant");
      }
    }
    return node.cache()
        .clear(kind, tenant, collection)
        .thenApply(removed -> Json.response(mapper, StatusCodes.OK, Map.of("removed", removed)));
  }

  private CompletionStage<HttpResponse> cleanup() {
    return node.cache()
        .cleanup()
        .thenApply(removed -> Json.response(mapper, StatusCodes.OK, Map.of("removed", removed)));
  }

  /**
   * {@code {"tenant"?, "collection", "queries": ["...", {"query", "k"?, "filter"?}], "k"?}}: 202
   * with the job's status; the collection must exist.
   */
  private CompletionStage<HttpResponse> warm(String body) {
    JsonNode json = bodies.parse(body);
    if (!json.isObject()) {
      throw RagmillException.invalid("send {\"collection\": \"...\", \"queries\": [\"...\"]}");
    }
    JsonBodies.onlyFields(json, "request", Set.of("tenant", "collection", "queries", "k"));
    String tenant = text(json, "tenant").map(AdminRoutes::tenant).orElse(Authentication.DEFAULT_TENANT);
    String collection =
        JsonBodies.collectionName(text(json, "collection").orElseThrow(() -> RagmillException.invalid("'collection' is required")));
    JsonNode list = json.get("queries");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw RagmillException.invalid("'queries' must be a non-empty array of strings or {\"query\": ...} objects");
    }
    if (list.size() > MAX_WARM_QUERIES) {
      throw RagmillException.invalid("'queries' has " + list.size() + " entries, more than the limit of " + MAX_WARM_QUERIES);
    }
    int defaultK =
        json.hasNonNull("k") ? JsonBodies.k(json.get("k"), node.indexSettings().maxK()) : node.querySettings().defaultK();
    List<QueryRequest> queries = new ArrayList<>(list.size());
    for (JsonNode q : list) {
      JsonNode request = q.isTextual() ? mapper.createObjectNode().put("query", q.asText()) : q;
      queries.add(bodies.query(request, defaultK, node.indexSettings().maxK(), node.querySettings().maxQueryChars()));
    }
    return node.collections()
        .view(tenant, collection)
        .thenApply(
            view -> {
              io.ragmill.query.CacheWarmer.Status accepted = node.warmer().submit(tenant, collection, queries);
              return Json.response(mapper, StatusCodes.ACCEPTED, accepted)
                  .addHeader(org.apache.pekko.http.javadsl.model.headers.Location.create("/admin/cache/warm/" + accepted.id()));
            });
  }

  private CompletionStage<HttpResponse> warmStatus(String id) {
    return java.util.concurrent.CompletableFuture.completedFuture(
        node.warmer()
            .status(id)
            .map(status -> Json.response(mapper, StatusCodes.OK, status))
            .orElseThrow(() -> RagmillException.notFound("no warm job '" + id + "' on this node")));
  }

  private static String tenant(String name) {
    if (!AuthSettings.isTenant(name)) {
      throw RagmillException.invalid("tenant '" + name + "' " + AuthSettings.TENANT_RULE);
    }
    return name;
  }

  private static Optional<String> text(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw RagmillException.invalid("'" + field + "' must be a non-empty string");
    }
    return Optional.of(value.asText());
  }

  private static CacheKind kind(String name) {
    try {
      return CacheKind.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw RagmillException.invalid("'kind' must be answer, retrieval or embedding, was '" + name + "'");
    }
  }
}
