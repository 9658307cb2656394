package io.ragmill.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ragmill.embedding.ModelBenchmark;
import io.ragmill.index.IndexBenchmark;
import io.ragmill.node.RagmillNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code ragmill serve}: starts a node and its HTTP server. Only wiring. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  /**
   * H2 refuses a database path that is only implicitly relative ("data/x"), and the journal URL is
   * built from ragmill.data-dir: resolve the folder against the working directory once, here.
   */
  static Config withAbsoluteDataDir(Config config) throws java.io.IOException {
    return withAbsoluteDataDir(config, true);
  }

  /** {@code create}: make the folder if it is missing (not for a backup, which only reads it). */
  static Config withAbsoluteDataDir(Config config, boolean create) throws java.io.IOException {
    String dir = config.getString("ragmill.data-dir");
    java.nio.file.Path absolute = java.nio.file.Paths.get(dir).toAbsolutePath().normalize();
    if (create) {
      java.nio.file.Files.createDirectories(absolute);
    }
    if (dir.equals(absolute.toString())) {
      return config;
    }
    System.setProperty("ragmill.data-dir", absolute.toString());
    ConfigFactory.invalidateCaches();
    return ConfigFactory.load();
  }

  public static void main(String[] args) throws Exception {
    // With 2 cores the common pool has parallelism 1 and CompletableFuture's async methods then start
    // a thread per task; anything that still lands there gets a real pool.
    if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", "4");
    }
    String command = args.length == 0 ? "serve" : args[0];
    if (command.equals("bench-model")) {
      ModelBenchmark.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (command.equals("bench-index")) {
      IndexBenchmark.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (command.equals("backup") || command.equals("restore")) {
      Config config = withAbsoluteDataDir(ConfigFactory.load(), command.equals("restore"));
      System.exit(BackupCommand.run(config, args, System.out, System.err));
    }
    if (!command.equals("serve")) {
      System.err.println(
          "usage: ragmill serve                           start a node (RAGMILL_CONFIG=cluster-config/<profile>.conf)\n"
              + "       ragmill bench-model [texts] [rounds] [batch]   the model's own throughput\n"
              + "       ragmill bench-index [vectors] [queries] [ef,...]   vector search QPS and recall\n"
              + "       ragmill backup FILE [--no-embeddings]   back up a stopped node's database (running: POST /admin/backup)\n"
              + "       ragmill restore FILE [--replace]         restore a backup into the configured database, nodes stopped");
      System.exit(2);
    }
    Config config = withAbsoluteDataDir(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "ragmill", config);
    try {
      HttpSettings settings = HttpSettings.fromConfig(config);
      // the port first: /health/alive answers while the node joins and builds (503 elsewhere)
      EarlyBinding early = EarlyBinding.bind(system, settings).toCompletableFuture().get(30, TimeUnit.SECONDS);
      CompletableFuture<ServerBinding> bound = new CompletableFuture<>();
      RagmillNode node = RagmillNode.start(system, bound);
      java.util.function.Supplier<Config> reloadSource =
          () -> {
            ConfigFactory.invalidateCaches();
            try {
              return withAbsoluteDataDir(ConfigFactory.load());
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          };
      ServerBinding binding =
          new HttpServer(node, settings, AuthSettings.fromConfig(config), reloadSource)
              .start(early).toCompletableFuture().get(30, TimeUnit.SECONDS);
      ConfigWatch.start(system, config, node.reloader(), reloadSource);
      bound.complete(binding);
      log.info("Ragmill serving HTTP on {} (model {} loading in the background)", binding.localAddress(), node.models().modelId());
    } catch (Exception e) {
      log.error("Ragmill failed to start: {}", e.getMessage(), e);
      system.terminate();
      throw e;
    }
  }
}
