package io.ragmill.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragmill.testing.TestNodes;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ManifestInfo;
import org.junit.jupiter.api.Test;

/**
 * The node runs with pekko.fail-mixed-versions off because pekko-discovery is only served at
 * 1.2.1: this keeps it the one core module off the 1.7.0 line, so the switch hides nothing else.
 */
class PekkoVersionsTest {
  private static final List<String> CORE_MODULES =
      List.of("pekko-actor", "pekko-actor-typed", "pekko-cluster", "pekko-cluster-sharding",
          "pekko-cluster-sharding-typed", "pekko-cluster-tools", "pekko-cluster-typed", "pekko-coordination",
          "pekko-distributed-data", "pekko-persistence", "pekko-persistence-query", "pekko-persistence-typed",
          "pekko-protobuf-v3", "pekko-remote", "pekko-serialization-jackson", "pekko-slf4j", "pekko-stream",
          "pekko-stream-typed", "pekko-pki", "pekko-discovery");

  @Test
  void everyCoreModuleIsOnOneVersionExceptDiscovery() throws Exception {
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "versions", TestNodes.h2(Files.createTempDirectory("ragmill-versions"), ""));
    try {
      Map<String, String> versions = new TreeMap<>();
      scala.jdk.javaapi.CollectionConverters.asJava(ManifestInfo.get(Adapter.toClassic(system)).versions())
          .forEach((name, version) -> versions.put(name, version.toString()));
      String actor = versions.get("pekko-actor");
      assertEquals("1.7.0", actor, "pekko-actor: " + versions);
      for (String module : CORE_MODULES) {
        assertTrue(versions.containsKey(module), module + " is not on the classpath: " + versions);
        String expected = module.equals("pekko-discovery") ? "1.2.1" : actor;
        assertEquals(expected, versions.get(module), module + " drifted: " + versions);
      }
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
