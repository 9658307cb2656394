package io.ragmill.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Timer;

/**
 * Requests by route template (never a raw path: {@code /v1/collections/{c}/query}), method and
 * status. The edge names the template; the set of templates is fixed, so the series are bounded,
 * and each combination's instruments are looked up once rather than a tag set built per request.
 */
public final class HttpMetrics {
  private record Instruments(Timer time, Counter requests) {}

  private final Metrics metrics;
  private final Map<String, Instruments> byKey = new ConcurrentHashMap<>();

  HttpMetrics(Metrics metrics) {
    this.metrics = metrics;
  }

  public void request(String route, String method, int status, long nanos) {
    String key = route + ' ' + method + ' ' + status;
    Instruments i = byKey.get(key);
    if (i == null) {
      i = byKey.computeIfAbsent(key, k -> {
        var tags = metrics.tags("route", route, "method", method);
        return new Instruments(
            Kamon.timer(MetricNames.HTTP_REQUEST_TIME).withTags(tags),
            Kamon.counter(MetricNames.HTTP_REQUESTS).withTags(tags.withTag("status", Integer.toString(status))));
      });
    }
    i.time().record(nanos);
    i.requests().increment();
  }
}
