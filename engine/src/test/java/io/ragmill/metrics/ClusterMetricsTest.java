package io.ragmill.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ragmill.embedding.HashingEmbedder;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/**
 * Two nodes in one cluster (on the shared PostgreSQL journal): either one gathers both nodes'
 * summaries, each under its own node name, as /health/metrics?scope=cluster and the dashboard do.
 */
class ClusterMetricsTest {

  @Test
  void everyNodeOfTheClusterAnswersWithItsOwnSummary() throws Exception {
    Path dir = Files.createTempDirectory("ragmill-cluster-metrics");
    try (TestNode a = new TestNode(TestNodes.postgres(dir.resolve("a"), ""), new HashingEmbedder(16))) {
      String seed = Cluster.get(a.system()).selfMember().address().toString();
      try (TestNode b = new TestNode(
          TestNodes.postgres(dir.resolve("b"), "pekko.cluster.seed-nodes = [\"" + seed + "\"]"), new HashingEmbedder(16))) {
        List<String> expected =
            java.util.stream.Stream.of(Metrics.get(a.system()).node(), Metrics.get(b.system()).node()).sorted().toList();
        await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
          List<NodeSummary> fromA = NodeMetrics.cluster(a.system(), Duration.ofSeconds(2)).toCompletableFuture().get();
          List<NodeSummary> fromB = NodeMetrics.cluster(b.system(), Duration.ofSeconds(2)).toCompletableFuture().get();
          assertEquals(expected, fromA.stream().map(NodeSummary::node).toList());
          assertEquals(expected, fromB.stream().map(NodeSummary::node).toList());
        });
      }
    }
  }
}
