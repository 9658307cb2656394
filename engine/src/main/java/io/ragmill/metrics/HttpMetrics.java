package io.ragmill.metrics;

import kamon.Kamon;
import kamon.tag.TagSet;

/**
 * Requests by route template (never a raw path: {@code /v1/collections/{c}/query}), method and
 * status. The edge names the template; the set of templates is fixed, so the series are bounded.
 */
public final class HttpMetrics {
  private final Metrics metrics;

  HttpMetrics(Metrics metrics) {
    this.metrics = metrics;
  }

  public void request(String route, String method, int status, long nanos) {
    TagSet tags = metrics.tags("route", route, "method", method);
    Kamon.timer(MetricNames.HTTP_REQUEST_TIME).withTags(tags).record(nanos);
    Kamon.counter(MetricNames.HTTP_REQUESTS).withTags(tags.withTag("status", Integer.toString(status))).increment();
  }
}
