package io.ragmill.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.ragmill.api.RagmillException;
import io.ragmill.cache.Cache;
import io.ragmill.cache.CacheSettings;
import io.ragmill.embedding.BatcherLanes;
import io.ragmill.embedding.EmbeddingBatcher;
import io.ragmill.embedding.EmbeddingSettings;
import io.ragmill.embedding.EmbeddingSettings.BatcherSettings;
import io.ragmill.routing.QueryRouter;
import io.ragmill.routing.RouterSettings;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Applies changed settings to a running node without dropping a request: cache budgets, TTLs and
 * semantic thresholds (this node's near cache, and every cache partition by message), embedding
 * batcher limits (every lane by message), and the query router's strategy, limits and pool size.
 * Entities started later read the current settings. What cannot change while running (the number
 * of cache partitions or batcher lanes: keys are spread by them) is reported as needing a restart
 * and left as it is, and so is every other {@code ragmill.*} setting that differs from what the node
 * started with (API keys, Redis, sessions, ...): a reload never ignores a change without saying so.
 * Values of settings that may hold secrets (keys, passwords, URIs) are not echoed. Invalid settings
 * change nothing.
 */
public final class Reloader {

  /** One setting that differs, by its path under ragmill, before and after. */
  public record Change(String setting, String before, String after) {}

  public record Outcome(List<Change> applied, List<Change> needRestart) {}

  private static final Set<String> RESTART_ONLY =
      Set.of("cache.partitions", "embedding.batcher.lanes", "embedding.batcher.placement", "query.router.resize-interval");

  /** Settings the typed diffs below cover (paths under ragmill); any other change needs a restart. */
  private static final List<String> COVERED =
      List.of("cache.embedding.", "cache.retrieval.", "cache.answer.", "cache.semantic.", "cache.near.",
          "cache.partitions", "cache.lease-timeout", "embedding.batcher.", "query.router.");

  private static final java.util.regex.Pattern SECRET =
      java.util.regex.Pattern.compile("(?i).*(key|secret|password|token|uri|url).*");

  private final ActorSystem<?> system;
  private final AtomicReference<CacheSettings> cacheSettings;
  private final AtomicReference<BatcherSettings> batcherSettings;
  private final Cache cache;
  private final QueryRouter router;
  private final BatcherLanes lanes;
  /** The {@code ragmill} block the node started with. */
  private final Config started;

  Reloader(
      ActorSystem<?> system, AtomicReference<CacheSettings> cacheSettings, AtomicReference<BatcherSettings> batcherSettings,
      Cache cache, QueryRouter router, BatcherLanes lanes, Config started) {
    this.started = started.getConfig("ragmill");
    this.system = system;
    this.cacheSettings = cacheSettings;
    this.batcherSettings = batcherSettings;
    this.cache = cache;
    this.router = router;
    this.lanes = lanes;
  }

  /** Reads the three blocks from {@code fresh}, applies what changed, reports it. */
  public synchronized Outcome reload(Config fresh) {
    CacheSettings nextCache;
    BatcherSettings nextBatcher;
    RouterSettings nextRouter;
    try {
      nextCache = CacheSettings.fromConfig(fresh);
      nextBatcher = EmbeddingSettings.fromConfig(fresh).batcher();
      nextRouter = RouterSettings.fromConfig(fresh);
    } catch (ConfigException | IllegalArgumentException e) {
      throw RagmillException.invalid("the new settings are not valid, nothing was changed: " + e.getMessage());
    }
    List<Change> changes = new ArrayList<>();
    diff("cache", cacheSettings.get(), nextCache, changes);
    diff("embedding.batcher", batcherSettings.get(), nextBatcher, changes);
    diff("query.router", router.settings(), nextRouter, changes);
    List<Change> applied = new ArrayList<>();
    List<Change> restart = new ArrayList<>();
    for (Change c : changes) {
      (RESTART_ONLY.contains(c.setting()) ? restart : applied).add(c);
    }
    restart.addAll(uncovered(started, fresh.getConfig("ragmill")));
    if (!restart.isEmpty()) {
      // keep what needs a restart as it runs, apply the rest
      nextCache = new CacheSettings(
          cacheSettings.get().partitions(), nextCache.leaseTimeout(), nextCache.kinds(), nextCache.semantic(), nextCache.near());
      nextBatcher = new BatcherSettings(
          batcherSettings.get().lanes(), nextBatcher.maxBatchSize(), nextBatcher.maxBatchTokens(), nextBatcher.maxInFlight(),
          nextBatcher.maxWait(), nextBatcher.maxPending(), nextBatcher.questionsAlone(), batcherSettings.get().placement());
    }
    if (applied.stream().anyMatch(c -> c.setting().startsWith("cache."))) {
      // reconfigure first: if it refuses the settings, they must not be recorded as the live ones
      cache.reconfigure(nextCache);
      cacheSettings.set(nextCache);
    }
    if (applied.stream().anyMatch(c -> c.setting().startsWith("embedding.batcher."))) {
      batcherSettings.set(nextBatcher);
      ClusterSharding sharding = ClusterSharding.get(system);
      for (String lane : lanes.reconfigured()) {
        sharding.entityRefFor(EmbeddingBatcher.ENTITY_KEY, lane).tell(new EmbeddingBatcher.Reconfigure(nextBatcher));
      }
    }
    if (applied.stream().anyMatch(c -> c.setting().startsWith("query.router."))) {
      router.reconfigure(nextRouter);
    }
    return new Outcome(List.copyOf(applied), List.copyOf(restart));
  }

  /**
   * Settings under ragmill that differ between {@code before} and {@code after} and that no typed
   * diff covers, by path; a secret's values read "(not shown)".
   */
  static List<Change> uncovered(Config before, Config after) {
    Set<String> paths = new TreeSet<>();
    before.entrySet().forEach(e -> paths.add(e.getKey()));
    after.entrySet().forEach(e -> paths.add(e.getKey()));
    Map<String, Change> out = new java.util.LinkedHashMap<>();
    for (String path : paths) {
      if (COVERED.stream().anyMatch(path::startsWith)) {
        continue;
      }
      String a = before.hasPath(path) ? before.getValue(path).render(com.typesafe.config.ConfigRenderOptions.concise()) : null;
      String b = after.hasPath(path) ? after.getValue(path).render(com.typesafe.config.ConfigRenderOptions.concise()) : null;
      if (!Objects.equals(a, b)) {
        String shown = secretPrefix(path);
        out.putIfAbsent(shown, shown.equals(path) && !SECRET.matcher(path).matches()
            ? new Change(path, a, b) : new Change(shown, "(not shown)", "(not shown)"));
      }
    }
    return List.copyOf(out.values());
  }

  /**
   * The path up to its first segment that names a secret ({@code auth.api-keys}, whose entries are
   * the keys themselves), or the whole path when none does.
   */
  private static String secretPrefix(String path) {
    List<String> segments = com.typesafe.config.ConfigUtil.splitPath(path);
    for (int i = 0; i < segments.size(); i++) {
      if (SECRET.matcher(segments.get(i)).matches()) {
        return com.typesafe.config.ConfigUtil.joinPath(segments.subList(0, i + 1));
      }
    }
    return path;
  }

  /** Field-by-field differences of two settings records (nested records and maps included). */
  static void diff(String path, Object before, Object after, List<Change> out) {
    if (Objects.equals(before, after)) {
      return;
    }
    if (before != null && after != null && before.getClass().isRecord() && before.getClass() == after.getClass()) {
      for (RecordComponent component : before.getClass().getRecordComponents()) {
        try {
          diff(path + "." + kebab(component.getName()), component.getAccessor().invoke(before),
              component.getAccessor().invoke(after), out);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      return;
    }
    if (before instanceof Map<?, ?> a && after instanceof Map<?, ?> b) {
      Set<String> keys = new TreeSet<>();
      a.keySet().forEach(k -> keys.add(String.valueOf(k)));
      b.keySet().forEach(k -> keys.add(String.valueOf(k)));
      for (String key : keys) {
        diff(path + "." + key.toLowerCase(), valueOf(a, key), valueOf(b, key), out);
      }
      return;
    }
    out.add(new Change(path, String.valueOf(before), String.valueOf(after)));
  }

  private static Object valueOf(Map<?, ?> map, String key) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (String.valueOf(e.getKey()).equals(key)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static String kebab(String camel) {
    StringBuilder out = new StringBuilder();
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('-').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
