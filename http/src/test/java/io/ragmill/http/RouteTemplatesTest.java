package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Metrics label requests by route template, so every route the server has must map to one. */
class RouteTemplatesTest {
  @Test
  void everyAdminRouteHasItsTemplate() {
    for (String path : new String[] {
        "/admin/cache/stats", "/admin/cache/clear", "/admin/cache/cleanup", "/admin/cache/warm", "/admin/alerts",
        "/admin/cluster", "/admin/reload", "/admin/backup"}) {
      assertEquals(path, RouteTemplates.of(path), path);
    }
    assertEquals(RouteTemplates.QUERY, RouteTemplates.of("/v1/collections/kb/query"));
    assertEquals(RouteTemplates.UNMATCHED, RouteTemplates.of("/no/such/route"));
  }
}
