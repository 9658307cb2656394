package io.ragmill.http;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Who is calling: an API key (Authorization: Bearer, or X-Api-Key) names a tenant. With auth off
 * every caller is the tenant {@code default}. Unknown or missing keys get 401; the admin API wants
 * the admin key (403 otherwise).
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
              problems
                  .response(StatusCodes.UNAUTHORIZED, "unauthorized", "Unauthorized",
                      key.isEmpty() ? "send an API key: Authorization: Bearer KEY, or X-Api-Key: KEY"
                          : "this API key is not known")
                  .addHeader(RawHeader.create("WWW-Authenticate", "Bearer")));
        });
  }

  Route admin(Supplier<Route> inner) {
    return extractRequest(
        request -> {
          if (settings.adminKey().isEmpty()) {
            return complete(problems.response(StatusCodes.FORBIDDEN, "forbidden", "Forbidden",
                "the admin API is off: set ragmill.auth.admin-key (RAGMILL_ADMIN_KEY)"));
          }
          Optional<String> key = presentedKey(request);
          if (key.isPresent() && constantTimeEquals(key.get(), settings.adminKey().get())) {
            return inner.get();
          }
          return complete(problems.response(StatusCodes.FORBIDDEN, "forbidden", "Forbidden",
              "the admin API needs the admin key"));
        });
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
