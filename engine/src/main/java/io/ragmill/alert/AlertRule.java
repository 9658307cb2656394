package io.ragmill.alert;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.typesafe.config.Config;
import io.ragmill.metrics.NodeSummary;
import io.ragmill.persistence.CborSerializable;
import java.util.Collection;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * One rule: a metric of the node's summary, for one target (route template, cache kind, actor
 * type, batcher lane; {@code *} = the worst of them), compared with a threshold. It fires when
 * the value is above {@code above} (or below {@code below}) and clears when it is back.
 */
public record AlertRule(String name, Metric metric, String target, double threshold, boolean above, long minSamples)
    implements CborSerializable {

  public enum Metric {
    HTTP_P99_MS,
    HTTP_ERROR_RATE,
    CACHE_HIT_RATIO,
    QUEUE_DEPTH,
    BATCHER_PENDING,
    HEAP_RATIO;

    /** As written in the configuration (and in JSON): {@code http-p99-ms}. */
    @JsonValue
    public String configName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @JsonCreator
    static Metric fromConfigName(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    static Metric parse(String name, String rule) {
      try {
        return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "ragmill.alerts.rules: rule '" + rule + "' has an unknown metric '" + name
                + "' (http-p99-ms, http-error-rate, cache-hit-ratio, queue-depth, batcher-pending, heap-ratio)");
      }
    }
  }

  public static AlertRule fromConfig(Config c) {
    String name = c.getString("name");
    boolean hasAbove = c.hasPath("above");
    if (hasAbove == c.hasPath("below")) {
      throw new IllegalArgumentException("ragmill.alerts.rules: rule '" + name + "' needs exactly one of above or below");
    }
    return new AlertRule(
        name, Metric.parse(c.getString("metric"), name), c.hasPath("target") ? c.getString("target") : "*",
        hasAbove ? c.getDouble("above") : c.getDouble("below"), hasAbove,
        c.hasPath("min-samples") ? c.getLong("min-samples") : 0);
  }

  /** The rule's value in this summary; empty when there is nothing (or too little) to judge. */
  public OptionalDouble value(NodeSummary s) {
    return switch (metric) {
      case HTTP_P99_MS -> pick(select(s.http(), r -> r.requests() >= minSamples), NodeSummary.RouteStats::p99Ms);
      case HTTP_ERROR_RATE -> errorRate(s);
      case CACHE_HIT_RATIO -> pick(select(s.caches(), c -> c.lookups() >= minSamples), NodeSummary.CacheStats::hitRatio);
      case QUEUE_DEPTH -> pick(select(s.actors(), a -> true), NodeSummary.ActorStats::mailbox);
      case BATCHER_PENDING -> pick(select(s.batchers(), b -> true), NodeSummary.BatcherStats::pending);
      case HEAP_RATIO -> OptionalDouble.of(s.jvm().heapRatio());
    };
  }

  /** Whether this value breaks the rule. */
  public boolean breached(double value) {
    return above ? value > threshold : value < threshold;
  }

  private <T> Collection<T> select(java.util.Map<String, T> byTarget, java.util.function.Predicate<T> enough) {
    return byTarget.entrySet().stream()
        .filter(e -> target.equals("*") || target.equals(e.getKey()))
        .map(java.util.Map.Entry::getValue)
        .filter(enough)
        .toList();
  }

  /** The worst value among the selected targets: the highest for an above-rule, the lowest for a below-rule. */
  private <T> OptionalDouble pick(Collection<T> values, ToDoubleFunction<T> f) {
    return above ? values.stream().mapToDouble(f).max() : values.stream().mapToDouble(f).min();
  }

  private OptionalDouble errorRate(NodeSummary s) {
    Collection<NodeSummary.RouteStats> routes = select(s.http(), r -> r.requests() >= minSamples);
    if (!target.equals("*")) {
      return pick(routes, NodeSummary.RouteStats::errorRate);
    }
    double requests = routes.stream().mapToDouble(NodeSummary.RouteStats::requestsPerSecond).sum();
    if (requests == 0) {
      return OptionalDouble.empty();
    }
    double errors = routes.stream().mapToDouble(r -> r.requestsPerSecond() * r.errorRate()).sum();
    return OptionalDouble.of(errors / requests);
  }
}
