package io.ragmill.http;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Who is calling: an API key (Authorization: Bearer, or X-Api-Key) names a tenant. With auth off
 * every caller is the tenant {@code default}. A missing or unknown key is a 401 with
 * {@code WWW-Authenticate} (on /v1 and /admin alike); the admin API answers a known API key that is
 * not the admin key with 403, and every request with 403 while no admin key is set.
 */
final class Authentication extends AllDirectives {
  static final String DEFAULT_TENANT = "default";

  private final AuthSettings settings;
  private final Problems problems;

  Authentication(AuthSettings settings, Problems problems) {
    this.settings = settings;
    this.problems = problems;
  }

  static Optional<String> presentedKey(HttpRequest request) {
    Optional<String> header = request.getHeader("X-Api-Key").map(h -> h.value().strip());
    if (header.isPresent() && !header.get().isEmpty()) {
      return header;
    }
    return request
        .getHeader("Authorization")
        .map(h -> h.value().strip())
        .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(v -> v.substring(7).strip())
        .filter(v -> !v.isEmpty());
  }

  /** The caller's tenant: the default one with authentication off; empty for a missing or unknown key. */
  Optional<String> tenantOf(HttpRequest request) {
    if (!settings.enabled()) {
      return Optional.of(DEFAULT_TENANT);
    }
    return presentedKey(request).map(settings.tenantsByKey()::get);
  }

  Route tenant(Function<String, Route> inner) {
    if (!settings.enabled()) {
      return inner.apply(DEFAULT_TENANT);
    }
    return extractRequest(
        request -> {
          Optional<String> key = presentedKey(request);
          Optional<String> tenant = tenantOf(request);
          if (tenant.isPresent()) {
            return inner.apply(tenant.get());
          }
          return complete(
              unauthorized(
                  key.isEmpty() ? "send an API key: Authorization: Bearer KEY, or X-Api-Key: KEY"
                      : "this API key is not known"));
        });
  }

  /** 401, naming both ways to present a key: the Bearer scheme and the X-Api-Key header. */
  private HttpResponse unauthorized(String detail) {
    return problems
        .response(StatusCodes.UNAUTHORIZED, "unauthorized", "Unauthorized", detail)
        .addHeaders(
            java.util.List.of(
                RawHeader.create("WWW-Authenticate", "Bearer"),
                RawHeader.create("WWW-Authenticate", "ApiKey header=\"X-Api-Key\"")));
  }

  Route admin(Supplier<Route> inner) {
    return extractRequest(
        request -> {
          if (settings.adminKey().isEmpty()) {
            return complete(problems.response(StatusCodes.FORBIDDEN, "forbidden", "Forbidden",
                "the admin API is off: set ragmill.auth.admin-key (RAGMILL_ADMIN_KEY)"));
          }
          Optional<String> key = presentedKey(request);
          if (key.isEmpty()) {
            return complete(unauthorized("the admin API needs the admin key: X-Api-Key: KEY, or Authorization: Bearer KEY"));
          }
          if (constantTimeEquals(key.get(), settings.adminKey().get())) {
            return inner.get();
          }
          if (!settings.tenantsByKey().containsKey(key.get())) {
            return complete(unauthorized("this API key is not known"));
          }
          return complete(problems.response(StatusCodes.FORBIDDEN, "forbidden", "Forbidden",
              "this API key is a tenant's, not the admin key"));
        });
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
