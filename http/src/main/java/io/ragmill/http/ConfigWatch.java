package io.ragmill.http;

import com.typesafe.config.Config;
import io.ragmill.node.Reloader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code ragmill.reload.watch-file = on}, checks the node's config file ({@code -Dconfig.file},
 * which {@code RAGMILL_CONFIG} sets) every {@code watch-interval} and reloads when its modification
 * time changes, as {@code POST /admin/reload} would. Polling rather than a WatchService: one stat
 * call every few seconds, and it sees a file replaced through a symlink (a Kubernetes ConfigMap) too.
 */
final class ConfigWatch {
  private static final Logger log = LoggerFactory.getLogger(ConfigWatch.class);

  private ConfigWatch() {}

  static void start(ActorSystem<?> system, Config config, Reloader reloader, Supplier<Config> source) {
    String file = System.getProperty("config.file");
    if (!config.getBoolean("ragmill.reload.watch-file") || file == null) {
      return;
    }
    Path path = Path.of(file);
    Duration interval = config.getDuration("ragmill.reload.watch-interval");
    long[] last = {modified(path)};
    system.scheduler()
        .scheduleWithFixedDelay(
            interval, interval,
            () -> {
              long now = modified(path);
              if (now == last[0]) {
                return;
              }
              last[0] = now;
              try {
                Reloader.Outcome outcome = reloader.reload(source.get());
                log.info("{} changed: applied {}, needs a restart {}", path, outcome.applied(), outcome.needRestart());
              } catch (RuntimeException e) {
                log.warn("{} changed but was not applied: {}", path, e.getMessage());
              }
            },
            system.executionContext());
    log.info("watching {} for changes every {}", path, interval);
  }

  private static long modified(Path path) {
    try {
      return Files.getLastModifiedTime(path).toMillis();
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
