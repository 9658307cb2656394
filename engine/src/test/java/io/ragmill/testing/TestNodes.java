package io.ragmill.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;

/**
 * Configurations for nodes started by tests: the real node settings (ragmill-node.conf), a random
 * remoting port, the journal in an H2 file under the given folder (or PostgreSQL on localhost), and
 * the hashing embedder unless a test asks for the model.
 */
public final class TestNodes {
  private TestNodes() {}

  public static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";

  /** A port nothing listens on right now (for remoting and management ports of test nodes). */
  public static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Waits up to a minute until every one of {@code nodes} sees at least {@code up} members up. */
  public static void awaitMembersUp(Iterable<TestNode> nodes, int up) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    for (TestNode node : nodes) {
      var cluster = org.apache.pekko.cluster.typed.Cluster.get(node.system());
      while (cluster.state().members().count(m -> m.status() == org.apache.pekko.cluster.MemberStatus.up()) < up) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the nodes did not reach " + up + " members up: " + cluster.state());
        }
        Thread.sleep(100);
      }
    }
  }

  /** Stops every node; one that a test stopped already is skipped. */
  public static void closeAll(Iterable<TestNode> nodes) {
    for (TestNode node : nodes) {
      try {
        node.close();
      } catch (RuntimeException e) {
        // already stopped by the test
      }
    }
  }

  public static Config h2(Path dataDir, String overrides) {
    return build(
        "ragmill.data-dir = \"" + dataDir.toAbsolutePath().toString().replace("\\", "/") + "\"\n" + overrides);
  }

  public static Config postgres(Path dataDir, String overrides) {
    return postgres(dataDir, POSTGRES_URL, overrides);
  }

  /** A node on another PostgreSQL database than the shared {@code test} one (a test's scratch database). */
  public static Config postgres(Path dataDir, String url, String overrides) {
    return build(
        "ragmill.data-dir = \"" + dataDir.toAbsolutePath().toString().replace("\\", "/") + "\"\n"
            + "ragmill.persistence.dialect = postgres\n"
            + "pekko-persistence-jdbc.shared-databases.slick {\n"
            + "  profile = \"slick.jdbc.PostgresProfile$\"\n"
            + "  db { url = \"" + url + "\", user = \"postgres\", password = \"\", driver = \"org.postgresql.Driver\" }\n"
            + "}\n"
            + overrides);
  }

  private static Config build(String overrides) {
    return ConfigFactory.parseString(
            overrides + "\n"
                + "ragmill.embedding.model = hashing\n"
                + "pekko.remote.artery.canonical { hostname = 127.0.0.1, port = 0 }\n"
                + "pekko.coordinated-shutdown.exit-jvm = off\n"
                + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"
                + "pekko.loglevel = WARNING\n"
                + "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n")
        .withFallback(ConfigFactory.parseResources("ragmill-node.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }
}
