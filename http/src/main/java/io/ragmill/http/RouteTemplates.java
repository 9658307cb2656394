package io.ragmill.http;

import java.util.Set;

/**
 * The route template of a request path, the {@code route} label of the HTTP metrics: ids and
 * names become {@code {c}}, {@code {id}}, so the label has a fixed, small set of values whatever
 * the traffic. Keep in step with the route classes.
 */
final class RouteTemplates {
  static final String UNMATCHED = "unmatched";
  /** A collection's query route: what {@link #of} gives its paths. */
  static final String QUERY = "/v1/collections/{c}/query";

  private static final Set<String> LITERAL =
      Set.of(
          "/v1/embeddings", "/health/alive", "/health/ready", "/health/metrics", "/metrics", "/dashboard",
          "/admin/cache/stats", "/admin/cache/clear", "/admin/alerts", "/admin/cache/cleanup", "/admin/cache/warm",
          "/admin/cluster", "/admin/reload", "/admin/backup");

  private RouteTemplates() {}

  static String of(String path) {
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (LITERAL.contains(p)) {
      return p;
    }
    String[] s = p.split("/", -1);
    // s[0] is the empty string before the leading slash
    if (s.length >= 4 && s[1].equals("v1") && s[2].equals("collections")) {
      if (s.length == 4) {
        return "/v1/collections/{c}";
      }
      if (s.length == 5 && (s[4].equals("query") || s[4].equals("documents"))) {
        return "/v1/collections/{c}/" + s[4];
      }
      if (s.length == 6 && s[4].equals("documents")) {
        return "/v1/collections/{c}/documents/{id}";
      }
    }
    if (s.length == 4 && s[1].equals("v1") && s[2].equals("jobs")) {
      return "/v1/jobs/{id}";
    }
    if (s.length == 4 && s[1].equals("v1") && s[2].equals("sessions")) {
      return "/v1/sessions/{id}";
    }
    if (s.length == 5 && s[1].equals("admin") && s[2].equals("cache") && s[3].equals("warm")) {
      return "/admin/cache/warm/{id}";
    }
    if (s.length >= 3 && s[1].equals("dashboard")) {
      return "/dashboard/{file}";
    }
    return UNMATCHED;
  }
}
