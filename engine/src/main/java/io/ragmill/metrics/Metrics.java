package io.ragmill.metrics;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ragmill.metrics.NodeSummary.ActorStats;
import io.ragmill.metrics.NodeSummary.BatcherStats;
import io.ragmill.metrics.NodeSummary.CacheStats;
import io.ragmill.metrics.NodeSummary.JvmStats;
import io.ragmill.metrics.NodeSummary.RouteStats;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import kamon.Kamon;
import kamon.metric.Distribution;
import kamon.metric.Gauge;
import kamon.prometheus.PrometheusReporter;
import kamon.tag.TagSet;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The metrics of one node (one ActorSystem): its {@code node} tag, the instruments every feature
 * records into, the Prometheus text and the JSON summary.
 *
 * <p>Kamon is one registry per JVM, so it is started once, by the first node; tests that run
 * several nodes in one JVM tell them apart by the {@code node} tag. Kamon's Pekko instrumentation
 * needs the Kanela agent (and kamon-pekko does not resolve from Maven Central at 2.7.5), so actors
 * are measured by {@link ActorMetrics} through Kamon's API instead.
 */
public final class Metrics implements Extension {
  private static final ExtensionId<Metrics> ID =
      new ExtensionId<>() {
        @Override
        public Metrics createExtension(ActorSystem<?> system) {
          return new Metrics(system);
        }
      };

  private static PrometheusReporter prometheus;
  private static SummaryReporter summaries;

  private final String node;
  private final TagSet nodeTags;
  private final MetricsSettings settings;
  private final CacheMetrics cache;
  private final HttpMetrics http;
  private final Map<String, ActorMetrics.TypeMetrics> actors = new ConcurrentHashMap<>();
  private final Map<String, BatcherMetrics> batchers = new ConcurrentHashMap<>();
  private final Map<String, EntityTypeKey<?>> entityTypes = new ConcurrentHashMap<>();
  private final Set<Gauge> gauges = ConcurrentHashMap.newKeySet();

  public static Metrics get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private Metrics(ActorSystem<?> system) {
    this.settings = MetricsSettings.fromConfig(system.settings().config());
    startKamon(system.settings().config(), settings);
    this.node = nodeName(((ExtendedActorSystem) system.classicSystem()).provider().getDefaultAddress());
    this.nodeTags = TagSet.of(MetricNames.NODE, node);
    this.cache = new CacheMetrics(this);
    this.http = new HttpMetrics(this);
    system.getWhenTerminated().thenRun(this::forgetGauges);
  }

  /**
   * Starts Kamon once per JVM with the node's configuration. The Prometheus reporter is created
   * here, never as Kamon's module: its embedded HTTP server must not start (the node serves the
   * text at /metrics); host metrics are off (the host's own exporter's job, and costly to sample
   * on a small machine); the tick is ragmill.metrics.tick-interval, whichever configuration
   * started Kamon, since the summary's rates depend on it.
   */
  private static synchronized void startKamon(Config config, MetricsSettings settings) {
    if (prometheus != null) {
      return;
    }
    Config kamon =
        ConfigFactory.parseString(
                "kamon.modules.prometheus-reporter.enabled = no\n"
                    + "kamon.modules.host-metrics.enabled = no\n"
                    + "kamon.prometheus.start-embedded-http-server = no\n"
                    + "kamon.metric.tick-interval = " + settings.tickInterval().toMillis() + "ms\n")
            .withFallback(config);
    Kamon.initWithoutAttaching(kamon);
    prometheus = new PrometheusReporter("kamon.prometheus", kamon);
    summaries = new SummaryReporter(settings.window());
    Kamon.addReporter("ragmill-prometheus", prometheus);
    Kamon.addReporter("ragmill-summary", summaries);
  }

  static String nodeName(Address address) {
    if (address.host().isDefined() && address.port().isDefined()) {
      return address.host().get() + ":" + address.port().get();
    }
    return address.system();
  }

  public String node() {
    return node;
  }

  public MetricsSettings settings() {
    return settings;
  }

  TagSet tags(String... keyValues) {
    TagSet tags = nodeTags;
    for (int i = 0; i < keyValues.length; i += 2) {
      tags = tags.withTag(keyValues[i], keyValues[i + 1]);
    }
    return tags;
  }

  Gauge gauge(String name, TagSet tags) {
    Gauge gauge = Kamon.gauge(name).withTags(tags);
    gauges.add(gauge);
    return gauge;
  }

  private void forgetGauges() {
    gauges.forEach(Gauge::remove);
    summaries.forget(node);
  }

  public CacheMetrics cache() {
    return cache;
  }

  public HttpMetrics http() {
    return http;
  }

  public BatcherMetrics batcher(String lane) {
    return batchers.computeIfAbsent(lane, l -> new BatcherMetrics(this, l));
  }

  ActorMetrics.TypeMetrics actor(String type) {
    return actors.computeIfAbsent(type, t -> new ActorMetrics.TypeMetrics(this, t));
  }

  /** Actor types measured on this node, for the mailbox gauges. */
  Map<String, ActorMetrics.TypeMetrics> actorTypes() {
    return actors;
  }

  void registerEntityType(EntityTypeKey<?> key) {
    entityTypes.putIfAbsent(key.name(), key);
  }

  Map<String, EntityTypeKey<?>> entityTypes() {
    return entityTypes;
  }

  /** Everything Kamon has recorded in this JVM up to the last tick, in Prometheus text format 0.0.4. */
  public String prometheusText() {
    return prometheus.scrapeData();
  }

  /** This node's summary as of the last tick (JVM figures are read now). */
  public NodeSummary summary() {
    SummaryReporter.View view = summaries.view(node);
    double seconds = Math.max(view.windowSeconds(), 1e-9);
    return new NodeSummary(
        node, Instant.now(), view.windowSeconds(), actorStats(view, seconds), routeStats(view, seconds),
        cacheStats(view), batcherStats(view, seconds), jvmStats());
  }

  private static Map<String, ActorStats> actorStats(SummaryReporter.View v, double seconds) {
    Map<String, ActorStats> out = new TreeMap<>();
    Function<SummaryReporter.Key, String> actor = k -> k.tag("actor");
    for (String type : groups(v, actor, MetricNames.ACTOR_MESSAGES, MetricNames.ACTOR_MAILBOX_SIZE, MetricNames.SHARDS)) {
      Distribution time = merged(v.windowDistributions(), MetricNames.ACTOR_PROCESSING_TIME, actor, type);
      out.put(
          type,
          new ActorStats(
              sum(v.windowCounts(), MetricNames.ACTOR_MESSAGES, actor, type) / seconds,
              millis(time, 50), millis(time, 99),
              sum(v.totals(), MetricNames.ACTOR_MESSAGES, actor, type),
              sum(v.totals(), MetricNames.ACTOR_ERRORS, actor, type),
              gauge(v, MetricNames.ACTOR_MAILBOX_SIZE, actor, type),
              millis(merged(v.windowDistributions(), MetricNames.ACTOR_TIME_IN_MAILBOX, actor, type), 99),
              sum(v.totals(), MetricNames.ACTOR_STARTS, actor, type),
              sum(v.totals(), MetricNames.ACTOR_PASSIVATIONS, actor, type),
              gauge(v, MetricNames.SHARDS, actor, type),
              gauge(v, MetricNames.ENTITIES, actor, type)));
    }
    return out;
  }

  private static Map<String, RouteStats> routeStats(SummaryReporter.View v, double seconds) {
    Map<String, RouteStats> out = new TreeMap<>();
    Function<SummaryReporter.Key, String> route = k -> k.tag("route");
    for (String r : groups(v, route, MetricNames.HTTP_REQUESTS)) {
      Distribution time = merged(v.windowDistributions(), MetricNames.HTTP_REQUEST_TIME, route, r);
      long window = sum(v.windowCounts(), MetricNames.HTTP_REQUESTS, route, r);
      long windowErrors = sum(v.windowCounts(), MetricNames.HTTP_REQUESTS, k -> route.apply(k) + serverError(k), r + "5xx");
      out.put(
          r,
          new RouteStats(
              window / seconds, millis(time, 50), millis(time, 99),
              sum(v.totals(), MetricNames.HTTP_REQUESTS, route, r),
              sum(v.totals(), MetricNames.HTTP_REQUESTS, k -> route.apply(k) + serverError(k), r + "5xx"),
              window == 0 ? 0 : (double) windowErrors / window));
    }
    return out;
  }

  private static String serverError(SummaryReporter.Key k) {
    return k.tag("status").startsWith("5") ? "5xx" : "";
  }

  private static Map<String, CacheStats> cacheStats(SummaryReporter.View v) {
    Map<String, CacheStats> out = new TreeMap<>();
    Function<SummaryReporter.Key, String> kind = k -> k.tag("kind");
    Function<SummaryReporter.Key, String> lookup =
        k -> k.tag("kind") + "/" + k.tag("tier") + "/" + k.tag("result");
    for (String c : groups(v, kind, MetricNames.CACHE_LOOKUPS)) {
      // near-cache hits never reach a partition: they count as hits and as lookups
      long nearHits = sum(v.totals(), MetricNames.CACHE_LOOKUPS, lookup, c + "/near/hit");
      long l1Hits = nearHits + sum(v.totals(), MetricNames.CACHE_LOOKUPS, lookup, c + "/l1/hit");
      long l1Misses = sum(v.totals(), MetricNames.CACHE_LOOKUPS, lookup, c + "/l1/miss");
      long l2Hits = sum(v.totals(), MetricNames.CACHE_LOOKUPS, lookup, c + "/l2/hit");
      long wHits = sum(v.windowCounts(), MetricNames.CACHE_LOOKUPS, lookup, c + "/near/hit")
          + sum(v.windowCounts(), MetricNames.CACHE_LOOKUPS, lookup, c + "/l1/hit")
          + sum(v.windowCounts(), MetricNames.CACHE_LOOKUPS, lookup, c + "/l2/hit");
      long wLookups = wHits - sum(v.windowCounts(), MetricNames.CACHE_LOOKUPS, lookup, c + "/l2/hit")
          + sum(v.windowCounts(), MetricNames.CACHE_LOOKUPS, lookup, c + "/l1/miss");
      long lookups = l1Hits + l1Misses;
      Function<SummaryReporter.Key, String> semantic = k -> k.tag("kind") + "/" + k.tag("result");
      Function<SummaryReporter.Key, String> timeTier = k -> k.tag("kind") + "/" + k.tag("tier");
      out.put(
          c,
          new CacheStats(
              lookups, l1Hits + l2Hits, l1Misses - l2Hits, l2Hits,
              lookups == 0 ? 0 : (double) (l1Hits + l2Hits) / lookups,
              wLookups == 0 ? 0 : (double) wHits / wLookups,
              sum(v.totals(), MetricNames.CACHE_MERGES, kind, c),
              sum(v.totals(), MetricNames.CACHE_FILLS, kind, c),
              sum(v.totals(), MetricNames.CACHE_EVICTIONS, kind, c),
              sum(v.totals(), MetricNames.CACHE_SEMANTIC, semantic, c + "/hit"),
              sum(v.totals(), MetricNames.CACHE_SEMANTIC, semantic, c + "/rejected"),
              millis(merged(v.windowDistributions(), MetricNames.CACHE_LOOKUP_TIME, timeTier, c + "/l1"), 99)));
    }
    return out;
  }

  private static Map<String, BatcherStats> batcherStats(SummaryReporter.View v, double seconds) {
    Map<String, BatcherStats> out = new TreeMap<>();
    Function<SummaryReporter.Key, String> lane = k -> k.tag("lane");
    for (String l : groups(v, lane, MetricNames.BATCH_SIZE, MetricNames.BATCH_PENDING)) {
      Distribution size = merged(v.windowDistributions(), MetricNames.BATCH_SIZE, lane, l);
      Distribution tokens = merged(v.windowDistributions(), MetricNames.BATCH_TOKENS, lane, l);
      Distribution wait = merged(v.windowDistributions(), MetricNames.BATCH_QUEUE_WAIT, lane, l);
      Distribution inference = merged(v.windowDistributions(), MetricNames.BATCH_INFERENCE_TIME, lane, l);
      long batches = size == null ? 0 : size.count();
      out.put(
          l,
          new BatcherStats(
              batches / seconds,
              batches == 0 ? 0 : (double) size.sum() / batches,
              size == null ? 0 : size.max(),
              tokens == null || tokens.count() == 0 ? 0 : (double) tokens.sum() / tokens.count(),
              millis(wait, 99), millis(inference, 50), millis(inference, 99),
              gauge(v, MetricNames.BATCH_PENDING, lane, l),
              totalCount(v, MetricNames.BATCH_SIZE, lane, l),
              sum(v.totals(), MetricNames.BATCH_REJECTED, lane, l)));
    }
    return out;
  }

  /** Batches since start: the histogram's count is per tick, so it is summed by the reporter as a counter would be. */
  private static long totalCount(SummaryReporter.View v, String name, Function<SummaryReporter.Key, String> by, String group) {
    return sum(v.totals(), name + ".count", by, group);
  }

  private static JvmStats jvmStats() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long gcCount = 0;
    long gcTime = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcTime += Math.max(0, gc.getCollectionTime());
    }
    double cpu = -1;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      cpu = os.getProcessCpuLoad();
    }
    long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
    return new JvmStats(
        heap.getUsed(), max, max == 0 ? 0 : (double) heap.getUsed() / max, gcCount, gcTime, cpu,
        ManagementFactory.getThreadMXBean().getThreadCount());
  }

  private static java.util.SortedSet<String> groups(
      SummaryReporter.View v, Function<SummaryReporter.Key, String> by, String... names) {
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    List<String> wanted = List.of(names);
    for (Map<SummaryReporter.Key, ?> m : List.of(v.totals(), v.gauges(), v.windowDistributions())) {
      m.keySet().forEach(k -> {
        if (wanted.contains(k.name()) && !by.apply(k).isEmpty()) {
          out.add(by.apply(k));
        }
      });
    }
    return out;
  }

  private static long sum(
      Map<SummaryReporter.Key, Long> values, String name, Function<SummaryReporter.Key, String> by, String group) {
    long total = 0;
    for (Map.Entry<SummaryReporter.Key, Long> e : values.entrySet()) {
      if (e.getKey().name().equals(name) && by.apply(e.getKey()).equals(group)) {
        total += e.getValue();
      }
    }
    return total;
  }

  private static double gauge(SummaryReporter.View v, String name, Function<SummaryReporter.Key, String> by, String group) {
    double total = 0;
    for (Map.Entry<SummaryReporter.Key, Double> e : v.gauges().entrySet()) {
      if (e.getKey().name().equals(name) && by.apply(e.getKey()).equals(group)) {
        total += e.getValue();
      }
    }
    return total;
  }

  private static Distribution merged(
      Map<SummaryReporter.Key, Distribution> values, String name, Function<SummaryReporter.Key, String> by, String group) {
    Distribution out = null;
    for (Map.Entry<SummaryReporter.Key, Distribution> e : values.entrySet()) {
      if (e.getKey().name().equals(name) && by.apply(e.getKey()).equals(group)) {
        out = out == null ? e.getValue() : Distribution.merge(out, e.getValue());
      }
    }
    return out;
  }

  /** A percentile of a timer (nanoseconds) in milliseconds; 0 when nothing was recorded. */
  private static double millis(Distribution d, double percentile) {
    if (d == null || d.count() == 0) {
      return 0;
    }
    return d.percentile(percentile).value() / 1_000_000.0;
  }
}
