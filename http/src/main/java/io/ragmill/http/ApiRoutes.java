package io.ragmill.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ragmill.api.RagmillException;
import io.ragmill.ingest.IngestionJob;
import io.ragmill.collection.CollectionSettings;
import io.ragmill.node.RagmillNode;
import io.ragmill.query.QueryRequest;
import io.ragmill.query.QueryResult;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The /v1 API: collections, documents, jobs, queries and OpenAI-compatible embeddings. Routes only
 * parse, validate and call the node's facades; errors become problem+json in {@link Problems}.
 */
final class ApiRoutes extends AllDirectives {
  private static final int MAX_EMBEDDING_INPUTS = 256;

  private final RagmillNode node;
  private final HttpSettings settings;
  private final ObjectMapper mapper;
  private final QueryJson queryJson;
  private final JsonBodies bodies;
  private final JsonEntity jsonEntity;
  private final Problems problems;
  private final Authentication auth;

  ApiRoutes(RagmillNode node, HttpSettings settings, ObjectMapper mapper, Problems problems, Authentication auth) {
    this.node = node;
    this.settings = settings;
    this.mapper = mapper;
    this.queryJson = new QueryJson(mapper, 10_000);
    this.bodies = new JsonBodies(mapper);
    this.jsonEntity = new JsonEntity(problems);
    this.problems = problems;
    this.auth = auth;
  }

  Route route() {
    return pathPrefix(
        "v1",
        () ->
            auth.tenant(
                tenant ->
                    concat(
                        pathPrefix("collections", () -> pathPrefix(segment(), c -> collectionRoutes(tenant, c))),
                        path(
                            segment("jobs").slash(segment()),
                            jobId ->
                                get(
                                    () ->
                                        parameterOptional(
                                            "wait", wait -> respond(StatusCodes.OK, () -> job(tenant, jobId, wait))))),
                        path(
                            segment("sessions").slash(segment()),
                            id ->
                                concat(
                                    get(() -> respond(StatusCodes.OK, () -> node.sessions().history(tenant, JsonBodies.sessionId(id)))),
                                    delete(() -> respond(StatusCodes.OK, () -> node.sessions().end(tenant, JsonBodies.sessionId(id)))))),
                        path("embeddings", () -> post(() -> jsonBody(body -> embeddings(tenant, body)))))));
  }

  private Route collectionRoutes(String tenant, String collection) {
    return concat(
        pathEnd(
            () ->
                concat(
                    get(() -> respond(StatusCodes.OK, () -> node.collections().info(tenant, name(collection))
                        .thenApply(info -> {
                          if (!info.exists()) {
                            throw RagmillException.notFound("collection '" + collection + "' does not exist");
                          }
                          return info;
                        }))),
                    put(() -> optionalJsonBody(body -> createCollection(tenant, collection, body))))),
        path(
            "documents",
            () -> post(() -> parameterOptional("wait", wait -> jsonBody(body -> ingest(tenant, collection, body, wait))))),
        path(
            segment("documents").slash(segment()),
            documentId ->
                delete(() -> respond(StatusCodes.OK,
                    () -> node.collections().deleteDocument(tenant, name(collection), documentId)))),
        path(
            "query",
            () ->
                post(
                    () ->
                        sessionHeader(header -> jsonBody(body -> query(tenant, collection, body, header))))));
  }

  /**
   * The X-Session-Id header, if any. Sent twice with different values it names two sessions, so the
   * request is refused rather than sent to whichever came first.
   */
  private Route sessionHeader(java.util.function.Function<Optional<String>, Route> inner) {
    return extractRequest(request -> {
      List<String> values = new java.util.ArrayList<>();
      request.getHeaders().forEach(h -> {
        if (h.is("x-session-id") && !values.contains(h.value())) {
          values.add(h.value());
        }
      });
      return values.size() > 1
          ? complete(problems.badRequest("X-Session-Id was sent " + values.size() + " times with different values: send one"))
          : inner.apply(values.stream().findFirst());
    });
  }

  private static String name(String collection) {
    return JsonBodies.collectionName(collection);
  }

  private CompletionStage<HttpResponse> createCollection(String tenant, String collection, Optional<JsonNode> body) {
    CollectionSettings wanted = bodies.collectionSettings(body.orElse(null), node.ingestion().defaults());
    return node.collections()
        .create(tenant, name(collection), wanted, true)
        .thenApply(info -> json(info.created() ? StatusCodes.CREATED : StatusCodes.OK, info));
  }

  /** {@code ?wait}, {@code ?wait=true} or {@code ?wait=false} (absent: false); anything else is invalid. */
  private static boolean waitParameter(Optional<String> wait) {
    boolean waitForIt = wait.map(w -> w.isEmpty() || w.equalsIgnoreCase("true")).orElse(false);
    if (wait.isPresent() && !waitForIt && !wait.get().equalsIgnoreCase("false")) {
      throw RagmillException.invalid("'wait' must be true or false, was '" + wait.get() + "'");
    }
    return waitForIt;
  }

  /** The job once it has completed or failed; empty if it is still running after {@code wait-timeout}. */
  private CompletionStage<Optional<IngestionJob.Status>> awaitDone(String tenant, String jobId) {
    return node.ingestion()
        .awaitDone(tenant, jobId, settings.waitTimeout())
        .handle((done, error) -> Optional.ofNullable(done));
  }

  /** A job's status; with {@code ?wait=true}, once it has completed or failed (or still running after the wait). */
  private CompletionStage<IngestionJob.Status> job(String tenant, String jobId, Optional<String> wait) {
    boolean waitForIt = waitParameter(wait);
    // the status first: another tenant's job (or none) is a 404 at once, not after the wait
    return node.ingestion()
        .status(tenant, jobId)
        .thenCompose(
            status ->
                !waitForIt || status.phase() != IngestionJob.Phase.RUNNING
                    ? CompletableFuture.completedFuture(status)
                    : awaitDone(tenant, jobId)
                        .thenCompose(
                            done -> done.<CompletionStage<IngestionJob.Status>>map(CompletableFuture::completedFuture)
                                .orElseGet(() -> node.ingestion().status(tenant, jobId))));
  }

  private CompletionStage<HttpResponse> ingest(String tenant, String collection, JsonNode body, Optional<String> wait) {
    String name = name(collection);
    boolean waitForIt = waitParameter(wait);
    return node.ingestion()
        .submit(tenant, name, bodies.documents(body))
        .thenCompose(
            accepted -> {
              HttpResponse acceptedResponse =
                  json(StatusCodes.ACCEPTED, accepted).addHeader(Location.create("/v1/jobs/" + accepted.jobId()));
              if (!waitForIt) {
                return CompletableFuture.completedFuture(acceptedResponse);
              }
              return awaitDone(tenant, accepted.jobId())
                  .thenApply(
                      finished ->
                          finished
                              .map(
                                  done ->
                                      done.phase() == IngestionJob.Phase.FAILED
                                          // not a 200: the documents are not (all) in the collection
                                          ? problems
                                              .response(
                                                  StatusCodes.INTERNAL_SERVER_ERROR, "ingestion-failed",
                                                  "Ingestion failed", "job " + done.jobId() + " failed: " + done.error())
                                              .addHeader(Location.create("/v1/jobs/" + done.jobId()))
                                          : json(StatusCodes.OK, done))
                              // still running after wait-timeout: the job goes on, poll its status
                              .orElse(acceptedResponse));
            });
  }

  /**
   * With a session (body {@code sessionId} or header {@code X-Session-Id}) the question goes to its
   * QuerySession, wherever that lives; without one, through this node's worker pool.
   */
  private CompletionStage<HttpResponse> query(String tenant, String collection, JsonNode body, Optional<String> header) {
    QueryRequest request =
        bodies.query(body, node.querySettings().defaultK(), node.indexSettings().maxK(), node.querySettings().maxQueryChars());
    Optional<String> sessionId = JsonBodies.sessionId(body, header);
    if (sessionId.isPresent()) {
      return node.sessions()
          .ask(tenant, sessionId.get(), name(collection), request)
          .thenApply(
              reply -> {
                ObjectNode out = mapper.valueToTree(reply.result());
                out.putObject("session")
                    .put("id", sessionId.get())
                    .put("turn", reply.turn())
                    .put("resolvedQuery", reply.resolvedQuery())
                    .put("node", reply.node());
                return json(StatusCodes.OK, out).addHeader(RawHeader.create("X-Cache", reply.result().cache().wire()));
              });
    }
    return routed(tenant, name(collection), request);
  }

  /** A query without a session, through this node's worker pool. */
  private CompletionStage<HttpResponse> routed(String tenant, String collection, QueryRequest request) {
    return node.router()
        .query(tenant, collection, request)
        .thenApply(
            result ->
                HttpResponse.create()
                    .withStatus(StatusCodes.OK)
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, queryJson.write(result)))
                    .addHeader(RawHeader.create("X-Cache", result.cache().wire())));
  }

  /**
   * The busiest request, {@code POST /v1/collections/{c}/query} without a session, answered
   * without the routing DSL: profiling a cached hit found about half its CPU in the directive
   * closures the Java DSL builds for every request (docs/BENCHMARKS.md). Only the plainest form is
   * taken here: exactly that path (decoded) with no query string, a strict body within
   * {@code max-body}, UTF-8, no Content-Encoding, a client that does not accept gzip (the edge would
   * compress), a known tenant, no session (header or body), and a body that parses and validates.
   * For anything else this is empty and the routes answer, so every error is still theirs; once the
   * query runs, its result or failure is answered as the routes answer it.
   */
  Optional<CompletionStage<HttpResponse>> plainQuery(HttpRequest request) {
    return plainQuery(request, request.getUri().path());
  }

  /** {@code path}: the request's decoded path, when the caller has it already. */
  Optional<CompletionStage<HttpResponse>> plainQuery(HttpRequest request, String path) {
    if (!request.method().equals(HttpMethods.POST) || request.getUri().rawQueryString().isPresent()) {
      return Optional.empty();
    }
    // longer than both, or "/v1/collections/query" would be a collection named by the shared slash
    if (path.length() <= "/v1/collections//query".length()
        || !path.startsWith("/v1/collections/") || !path.endsWith("/query") || path.indexOf('%') >= 0) {
      return Optional.empty();
    }
    String collection = path.substring("/v1/collections/".length(), path.length() - "/query".length());
    if (collection.isEmpty() || collection.indexOf('/') >= 0 || !JsonBodies.isName(collection)) {
      return Optional.empty();
    }
    if (!(request.entity() instanceof HttpEntity.Strict strict)
        || strict.getData().size() > settings.maxBodyBytes()
        || JsonEntity.refusal(strict.getContentType()).isPresent()
        || request.getHeader("Content-Encoding").filter(h -> !h.value().equalsIgnoreCase("identity")).isPresent()
        || request.getHeader("X-Session-Id").isPresent()
        || Compression.acceptsGzip(request)) {
      return Optional.empty();
    }
    Optional<String> tenant = auth.tenantOf(request);
    if (tenant.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> text = JsonEntity.utf8(strict.getData());
    if (text.isEmpty()) {
      return Optional.empty();
    }
    return plainBody(text.get()).map(query -> problems.guard(() -> routed(tenant.get(), collection, query)));
  }

  /**
   * A plain query's request: read as a stream when it is only {@code query} and {@code k}, else as
   * a tree; empty when it has a session or is invalid (the routes then answer it with its problem).
   */
  private Optional<QueryRequest> plainBody(String text) {
    int defaultK = node.querySettings().defaultK();
    int maxK = node.indexSettings().maxK();
    int maxQueryChars = node.querySettings().maxQueryChars();
    Optional<QueryRequest> streamed = bodies.plainQuery(text, defaultK, maxK, maxQueryChars);
    if (streamed.isPresent()) {
      return streamed;
    }
    try {
      JsonNode body = bodies.parse(text);
      if (JsonBodies.sessionId(body, Optional.empty()).isPresent()) {
        return Optional.empty();
      }
      return Optional.of(bodies.query(body, defaultK, maxK, maxQueryChars));
    } catch (RuntimeException invalid) {
      return Optional.empty();
    }
  }

  private CompletionStage<HttpResponse> embeddings(String tenant, JsonNode body) {
    List<String> texts = bodies.embeddingInput(
        body, MAX_EMBEDDING_INPUTS, node.querySettings().maxQueryChars() * 4, node.models().dimension());
    if (!node.models().isLoaded()) {
      throw RagmillException.unavailable("the embedding model is still loading", java.time.Duration.ofSeconds(2));
    }
    return node.embeddings()
        .embedAll(tenant, texts)
        .thenApply(
            vectors -> {
              ObjectNode out = mapper.createObjectNode();
              out.put("object", "list");
              ArrayNode data = out.putArray("data");
              int tokens = 0;
              for (int i = 0; i < vectors.size(); i++) {
                ObjectNode item = data.addObject();
                item.put("object", "embedding");
                item.put("index", i);
                ArrayNode values = item.putArray("embedding");
                for (float v : vectors.get(i).values()) {
                  values.add(v);
                }
                tokens += texts.get(i).split("\\s+").length;
              }
              out.put("model", node.embeddings().modelId());
              out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
              return json(StatusCodes.OK, out);
            });
  }

  private Route jsonBody(Function<JsonNode, CompletionStage<HttpResponse>> handler) {
    return withSizeLimit(
        settings.maxBodyBytes(),
        () -> jsonEntity.text(body -> completeWithFuture(problems.guard(() -> handler.apply(bodies.parse(body))))));
  }

  private Route optionalJsonBody(Function<Optional<JsonNode>, CompletionStage<HttpResponse>> handler) {
    return withSizeLimit(
        settings.maxBodyBytes(),
        () -> jsonEntity.text(
            body -> completeWithFuture(
                problems.guard(() -> handler.apply(body.isBlank() ? Optional.empty() : Optional.of(bodies.parse(body)))))));
  }

  private Route respond(StatusCode status, Supplier<CompletionStage<?>> action) {
    return completeWithFuture(problems.guard(() -> action.get().thenApply(value -> json(status, value))));
  }

  private HttpResponse json(StatusCode status, Object value) {
    return Json.response(mapper, status, value);
  }
}
