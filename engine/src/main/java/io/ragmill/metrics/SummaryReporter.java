package io.ragmill.metrics;

import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import kamon.metric.Distribution;
import kamon.metric.Instrument;
import kamon.metric.MetricSnapshot;
import kamon.metric.PeriodSnapshot;
import kamon.module.MetricReporter;
import kamon.tag.Tag;
import kamon.tag.TagSet;
import scala.collection.Iterator;

/**
 * A Kamon reporter that keeps what the JSON summary, the dashboard and the alerts need: counter
 * totals since start, counters and distributions of the last {@code window} of ticks (for rates
 * and percentiles), and the latest gauge values. Kamon calls it on its own thread once a tick.
 */
final class SummaryReporter implements MetricReporter {

  /** One series: a metric name and its tags. */
  record Key(String name, Map<String, String> tags) {
    String tag(String key) {
      return tags.getOrDefault(key, "");
    }
  }

  private record Tick(Instant from, Instant to, Map<Key, Long> counts, Map<Key, Distribution> distributions) {}

  /** What one node's series looked like at the last tick. */
  record View(
      double windowSeconds,
      Map<Key, Long> totals,
      Map<Key, Long> windowCounts,
      Map<Key, Distribution> windowDistributions,
      Map<Key, Double> gauges) {}

  private final Duration window;
  private final Deque<Tick> ticks = new ArrayDeque<>();
  private final Map<Key, Long> totals = new HashMap<>();
  private final Map<Key, Double> gauges = new HashMap<>();

  SummaryReporter(Duration window) {
    this.window = window;
  }

  @Override
  public synchronized void reportPeriodSnapshot(PeriodSnapshot snapshot) {
    Map<Key, Long> counts = new HashMap<>();
    forEach(snapshot.counters(), (key, value) -> {
      long n = ((Number) value).longValue();
      counts.merge(key, n, Long::sum);
      totals.merge(key, n, Long::sum);
    });
    forEach(snapshot.gauges(), (key, value) -> gauges.put(key, ((Number) value).doubleValue()));
    Map<Key, Distribution> distributions = new HashMap<>();
    java.util.function.BiConsumer<Key, Object> distribution = (key, value) -> {
      Distribution d = (Distribution) value;
      distributions.put(key, d);
      // how many values were recorded since start (batches, requests) without keeping every tick
      totals.merge(new Key(key.name() + ".count", key.tags()), d.count(), Long::sum);
    };
    forEach(snapshot.timers(), distribution);
    forEach(snapshot.histograms(), distribution);
    ticks.addLast(new Tick(snapshot.from(), snapshot.to(), counts, distributions));
    while (ticks.size() > 1 && Duration.between(ticks.peekFirst().from(), snapshot.to()).compareTo(window) > 0) {
      ticks.removeFirst();
    }
  }

  private static void forEach(
      scala.collection.immutable.Seq<? extends MetricSnapshot<?, ?>> metrics, java.util.function.BiConsumer<Key, Object> action) {
    Iterator<? extends MetricSnapshot<?, ?>> it = metrics.iterator();
    while (it.hasNext()) {
      MetricSnapshot<?, ?> metric = it.next();
      if (!metric.name().startsWith("ragmill.")) {
        continue;
      }
      Iterator<? extends Instrument.Snapshot<?>> instruments = metric.instruments().iterator();
      while (instruments.hasNext()) {
        Instrument.Snapshot<?> instrument = instruments.next();
        action.accept(new Key(metric.name(), tags(instrument.tags())), instrument.value());
      }
    }
  }

  private static Map<String, String> tags(TagSet set) {
    Map<String, String> out = new TreeMap<>();
    Iterator<Tag> it = set.iterator();
    while (it.hasNext()) {
      Tag tag = it.next();
      out.put(tag.key(), String.valueOf(Tag.unwrapValue(tag)));
    }
    return out;
  }

  /** The series tagged with this node. */
  synchronized View view(String node) {
    Map<Key, Long> windowCounts = new HashMap<>();
    Map<Key, Distribution> windowDistributions = new HashMap<>();
    double seconds = 0;
    for (Tick tick : ticks) {
      seconds += Duration.between(tick.from(), tick.to()).toMillis() / 1000.0;
      tick.counts().forEach((k, v) -> {
        if (node.equals(k.tag(MetricNames.NODE))) {
          windowCounts.merge(k, v, Long::sum);
        }
      });
      tick.distributions().forEach((k, v) -> {
        if (node.equals(k.tag(MetricNames.NODE))) {
          windowDistributions.merge(k, v, Distribution::merge);
        }
      });
    }
    Map<Key, Long> nodeTotals = new HashMap<>();
    totals.forEach((k, v) -> {
      if (node.equals(k.tag(MetricNames.NODE))) {
        nodeTotals.put(k, v);
      }
    });
    Map<Key, Double> nodeGauges = new HashMap<>();
    gauges.forEach((k, v) -> {
      if (node.equals(k.tag(MetricNames.NODE))) {
        nodeGauges.put(k, v);
      }
    });
    return new View(seconds, nodeTotals, windowCounts, windowDistributions, nodeGauges);
  }

  /** Forgets a stopped node's gauges, so they are not reported as current. */
  synchronized void forget(String node) {
    gauges.keySet().removeIf(k -> node.equals(k.tag(MetricNames.NODE)));
  }

  @Override
  public void stop() {}

  @Override
  public void reconfigure(Config config) {}
}
