package io.ragmill.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pekko Management cluster bootstrap with config discovery: two nodes that know only each other's
 * management endpoints (no seed nodes) form one cluster, and the management HTTP routes show its
 * members and each node's shards.
 */
class ClusterBootstrapTest {
  private final List<TestNode> nodes = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    TestNodes.closeAll(nodes);
  }

  private static String bootstrapConfig(int managementPort, int[] allManagementPorts) {
    StringBuilder endpoints = new StringBuilder();
    for (int port : allManagementPorts) {
      endpoints.append(endpoints.length() == 0 ? "" : ", ").append("{host = \"127.0.0.1\", port = ").append(port).append("}");
    }
    return "ragmill.management.enabled = on\n"
        + "ragmill.cluster.bootstrap = on\n"
        + "ragmill.cluster.discovery-method = config\n"
        + "pekko.management.http { hostname = \"127.0.0.1\", port = " + managementPort + " }\n"
        + "pekko.management.cluster.bootstrap.contact-point-discovery {\n"
        + "  required-contact-point-nr = " + allManagementPorts.length + "\n"
        + "  stable-margin = 1s\n"
        + "  interval = 500ms\n"
        + "}\n"
        + "pekko.management.cluster.bootstrap.contact-point.probe-interval = 500ms\n"
        // every node on 127.0.0.1 with its own management port: keep the others ports too
        + "pekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port = false\n"
        + "pekko.discovery.config.services.ragmill.endpoints = [" + endpoints + "]\n";
  }

  private String get(int port, String path) throws Exception {
    HttpResponse<String> response =
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return response.body();
  }

  private static long up(TestNode node) {
    long count = 0;
    for (var m : Cluster.get(node.system()).state().getMembers()) {
      if (m.status() == MemberStatus.up()) {
        count++;
      }
    }
    return count;
  }

  @Test
  void nodesFoundByDiscoveryFormOneClusterAndManagementShowsIt() throws Exception {
    int[] management = {TestNodes.freePort(), TestNodes.freePort()};
    for (int port : management) {
      Config config =
          ConfigFactory.parseString(bootstrapConfig(port, management))
              .withFallback(TestNodes.postgres(Files.createTempDirectory("ragmill-bootstrap"), ""))
              .resolve();
      nodes.add(new TestNode(config, RecordingEmbedder.open()));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while ((up(nodes.get(0)) < 2 || up(nodes.get(1)) < 2) && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(2, up(nodes.get(0)), "node 1 sees " + Cluster.get(nodes.get(0).system()).state());
    assertEquals(2, up(nodes.get(1)), "node 2 sees " + Cluster.get(nodes.get(1).system()).state());

    String members = get(management[1], "/cluster/members");
    for (TestNode node : nodes) {
      assertTrue(members.contains(node.system().address().toString()), members);
    }
    assertTrue(members.contains("\"leader\""), members);
    String shards = get(management[0], "/cluster/shards/CachePartition");
    assertTrue(shards.contains("regions"), shards);
    String seeds = get(management[0], "/bootstrap/seed-nodes");
    assertTrue(seeds.contains(nodes.get(0).system().address().toString()), seeds);
  }

  @Test
  void bootstrapOnTheEmbeddedJournalIsRefused() throws Exception {
    int port = TestNodes.freePort();
    Config config =
        ConfigFactory.parseString(bootstrapConfig(port, new int[] {port, TestNodes.freePort()}))
            .withFallback(TestNodes.h2(Files.createTempDirectory("ragmill-bootstrap-h2"), ""))
            .resolve();
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> nodes.add(new TestNode(config, RecordingEmbedder.open())));
    assertTrue(refused.getMessage().contains("PostgreSQL"), refused.getMessage());
  }
}
