package io.ragmill.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ragmill.api.RagmillException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.UnsupportedRequestContentTypeRejection;
import org.apache.pekko.http.javadsl.server.UnsupportedRequestEncodingRejection;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error as {@code application/problem+json} (RFC 9457): engine errors, bad input, unknown
 * paths, wrong methods, oversized bodies, overload (with Retry-After). The one place where errors
 * become HTTP.
 */
final class Problems {
  static final ContentType PROBLEM_JSON =
      MediaTypes.applicationWithFixedCharset("problem+json", org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8)
          .toContentType();
  private static final Logger log = LoggerFactory.getLogger(Problems.class);

  private final ObjectMapper mapper;

  Problems(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  HttpResponse response(StatusCode status, String slug, String title, String detail) {
    ObjectNode body = mapper.createObjectNode();
    body.put("type", "urn:ragmill:problem:" + slug);
    body.put("title", title);
    body.put("status", status.intValue());
    body.put("detail", detail);
    try {
      return HttpResponse.create()
          .withStatus(status)
          .withEntity(HttpEntities.create(PROBLEM_JSON, mapper.writeValueAsBytes(body)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  HttpResponse badRequest(String detail) {
    return response(StatusCodes.BAD_REQUEST, "invalid-request", "Invalid request", detail);
  }

  /** Maps a failure of the engine (or anything under it) to its problem response. */
  HttpResponse fromThrowable(Throwable error) {
    var known = RagmillException.find(error);
    if (known.isPresent()) {
      RagmillException e = known.get();
      HttpResponse response =
          switch (e.kind()) {
            case INVALID -> badRequest(e.getMessage());
            case NOT_FOUND -> response(StatusCodes.NOT_FOUND, "not-found", "Not found", e.getMessage());
            case CONFLICT -> response(StatusCodes.CONFLICT, "conflict", "Conflict", e.getMessage());
            case OVERLOADED ->
                response(StatusCodes.TOO_MANY_REQUESTS, "overloaded", "Too many requests", e.getMessage());
            case UNAVAILABLE ->
                response(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", "Service unavailable", e.getMessage());
          };
      return e.retryAfter()
          .map(d -> response.addHeader(RawHeader.create("Retry-After", Long.toString(Math.max(1, d.toSeconds())))))
          .orElse(response);
    }
    Throwable cause = error;
    while (cause.getCause() != null && !(cause instanceof EntityStreamSizeException)) {
      cause = cause.getCause();
    }
    if (cause instanceof EntityStreamSizeException size) {
      return tooLarge(size);
    }
    if (cause instanceof AskTimeoutException || cause instanceof TimeoutException) {
      return response(StatusCodes.SERVICE_UNAVAILABLE, "timeout", "Service unavailable",
              "the engine did not answer in time; try again")
          .addHeader(RawHeader.create("Retry-After", "1"));
    }
    log.error("unexpected failure", error);
    return response(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "Internal server error", String.valueOf(cause.getMessage()));
  }

  private HttpResponse tooLarge(EntityStreamSizeException e) {
    return response(StatusCodes.PAYLOAD_TOO_LARGE, "too-large", "Payload too large",
        "the request body is larger than the limit of " + e.limit() + " bytes");
  }

  /** Runs a handler and turns any failure, thrown or in the stage, into its problem response. */
  java.util.concurrent.CompletionStage<HttpResponse> guard(
      java.util.function.Supplier<java.util.concurrent.CompletionStage<HttpResponse>> handler) {
    try {
      return handler.get().exceptionally(this::fromThrowable);
    } catch (RuntimeException e) {
      return java.util.concurrent.CompletableFuture.completedFuture(fromThrowable(e));
    }
  }

  ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder().matchAny(e -> Directives.complete(fromThrowable(e))).build();
  }

  RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handle(
            MalformedRequestContentRejection.class,
            r -> Directives.complete(
                r.getCause() instanceof EntityStreamSizeException size ? tooLarge(size)
                    : badRequest("the request body could not be read: " + r.message())))
        .handle(
            UnsupportedRequestContentTypeRejection.class,
            r -> Directives.complete(response(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
                "Unsupported media type", "send the body as application/json")))
        .handleAll(
            UnsupportedRequestEncodingRejection.class,
            all -> extractRequestEncoding(sent -> Directives.complete(
                response(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported-content-encoding", "Unsupported content encoding",
                        "Content-Encoding " + sent + " is not supported: send the body as it is, or with gzip or deflate")
                    // RFC 7694: the codings the server accepts
                    .addHeader(RawHeader.create("Accept-Encoding", "gzip, deflate, identity")))))
        .handleNotFound(
            Directives.extractUnmatchedPath(path -> Directives.complete(
                response(StatusCodes.NOT_FOUND, "not-found", "Not found", "no resource at this path"))))
        .build()
        .withFallback(RejectionHandler.defaultHandler().mapRejectionResponse(this::asProblem));
  }

  private static Route extractRequestEncoding(java.util.function.Function<String, Route> inner) {
    return Directives.extractRequest(
        request -> inner.apply(request.getHeader("Content-Encoding").map(h -> "'" + h.value() + "'").orElse("(none)")));
  }

  /** Re-wraps the default handler's plain-text rejection as a problem. */
  private HttpResponse asProblem(HttpResponse plain) {
    if (plain.entity().getContentType().equals(PROBLEM_JSON)) {
      return plain;
    }
    String detail =
        plain.entity() instanceof HttpEntity.Strict strict ? strict.getData().utf8String() : plain.status().reason();
    HttpResponse problem = response(plain.status(), "request-rejected", plain.status().reason(), detail);
    return problem.addHeaders(plain.getHeaders());
  }
}
