package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every profile in cluster-config/ parses and resolves, and says what its header says it does. */
class ClusterProfilesTest {
  private static final Path DIR = Path.of(System.getProperty("user.dir")).getParent().resolve("cluster-config");

  private static Config load(String name) {
    ConfigFactory.invalidateCaches();
    return ConfigFactory.load(ConfigFactory.parseFile(new File(DIR.toFile(), name)));
  }

  @Test
  void singleNodeJoinsItselfOnH2() {
    Config c = load("single-node.conf");
    assertFalse(c.getBoolean("ragmill.cluster.bootstrap"));
    assertTrue(c.getStringList("pekko.cluster.seed-nodes").isEmpty());
    assertEquals("h2", c.getString("ragmill.persistence.dialect"));
  }

  @Test
  void localClusterBootstrapsFromItsThreeManagementEndpoints() {
    Config c = load("local-cluster.conf");
    assertTrue(c.getBoolean("ragmill.management.enabled"));
    assertTrue(c.getBoolean("ragmill.cluster.bootstrap"));
    assertEquals("config", c.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
    assertEquals(3, c.getConfigList("pekko.discovery.config.services.ragmill.endpoints").size());
    assertEquals("postgres", c.getString("ragmill.persistence.dialect"));
    assertTrue(c.getBoolean("ragmill.cache.redis.enabled"));
  }

  @Test
  void productionBootstrapsThroughTheKubernetesApiByDefault() {
    Config c = load("production.conf");
    assertTrue(c.getBoolean("ragmill.cluster.bootstrap"));
    assertEquals("kubernetes-api", c.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
    assertEquals("0.0.0.0", c.getString("pekko.management.http.bind-hostname"));
    assertEquals("keep-majority", c.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    assertEquals("20s", c.getString("pekko.cluster.split-brain-resolver.stable-after"));
    assertTrue(c.getBoolean("ragmill.auth.enabled"));
    assertEquals("postgres", c.getString("ragmill.persistence.dialect"));
  }
}
