package io.ragmill.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Requests too malformed for the routes (a bad percent-escape, an unknown method, a URI or header
 * over its limit, a bad Content-Length, a missing Host) as problem+json like every other error;
 * Pekko's default answers them in plain text. Named in the edge's server settings
 * ({@link EarlyBinding}); Pekko makes it through its public no-argument constructor.
 */
public final class ProblemParsingErrorHandler extends ParsingErrorHandler {
  private static final Problems PROBLEMS = new Problems(Json.mapper());

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    log.debug("malformed request: {}", info.formatPretty());
    String slug =
        switch (status.intValue()) {
          case 400 -> "invalid-request";
          case 413 -> "too-large";
          case 414 -> "uri-too-long";
          case 431 -> "headers-too-large";
          case 501 -> "not-implemented";
          case 505 -> "http-version-not-supported";
          default -> "malformed-request";
        };
    return PROBLEMS.response(status, slug, status.reason(), info.summary());
  }
}
