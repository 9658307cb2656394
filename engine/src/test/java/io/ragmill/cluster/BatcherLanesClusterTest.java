package io.ragmill.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where a text is embedded in a cluster of two: on the node that serves its request when lanes are
 * placed locally (the default), on every node when they are spread; one spread lane embeds every
 * node's texts.
 */
class BatcherLanesClusterTest {
  private final List<TestNode> nodes = new ArrayList<>();
  private final List<RecordingEmbedder> models = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();

  @AfterEach
  void stop() {
    TestNodes.closeAll(nodes);
  }

  private void startTwo(String overrides) throws IOException, InterruptedException {
    int seed = TestNodes.freePort();
    for (int port : new int[] {seed, TestNodes.freePort()}) {
      ports.add(port);
      start(port, seed, overrides);
    }
    TestNodes.awaitMembersUp(nodes, 2);
  }

  private void start(int port, int seed, String overrides) throws IOException {
    Config config =
        ConfigFactory.parseString(
                "pekko.remote.artery.canonical.port = " + port + "\n"
                    + "pekko.cluster.seed-nodes = [\"pekko://ragmill@127.0.0.1:" + seed + "\"]\n" + overrides)
            .withFallback(TestNodes.postgres(Files.createTempDirectory("ragmill-lanes"), ""))
            .resolve();
    RecordingEmbedder model = RecordingEmbedder.open();
    models.add(model);
    nodes.add(new TestNode(config, model));
  }

  /** Embeds {@code count} distinct question texts through {@code via} and waits for every vector. */
  private static void embed(TestNode via, String prefix, int count) {
    String tenant = "t" + UUID.randomUUID().toString().substring(0, 8);
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      all.add(via.node().embeddings().embed(tenant, prefix + " question number " + i).toCompletableFuture());
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
  }

  @Test
  void byDefaultEachNodeEmbedsTheTextsOfItsOwnRequests() throws Exception {
    startTwo("");
    embed(nodes.get(0), "first", 40);
    assertEquals(40, models.get(0).texts(), "the first node's texts went elsewhere");
    assertEquals(0, models.get(1).texts(), "the second node embedded texts it was not asked for");
    embed(nodes.get(1), "second", 30);
    assertEquals(40, models.get(0).texts());
    assertEquals(30, models.get(1).texts(), "the second node's texts went elsewhere");
  }

  @Test
  void aNodeThatRejoinsOnItsAddressEmbedsItsOwnTextsAgain() throws Exception {
    startTwo("");
    embed(nodes.get(1), "before", 20);
    assertEquals(20, models.get(1).texts());
    // its lane (model#0@host:port) was allocated to it; it leaves, and a new node takes its address
    nodes.get(1).close();
    var first = org.apache.pekko.cluster.typed.Cluster.get(nodes.get(0).system());
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
        .until(() -> first.state().members().size() == 1);
    start(ports.get(1), ports.get(0), "");
    TestNodes.awaitMembersUp(List.of(nodes.get(0), nodes.get(2)), 2);
    embed(nodes.get(2), "after", 30);
    assertEquals(30, models.get(2).texts(), "the rejoined node's texts went elsewhere");
    assertEquals(0, models.get(0).texts(), "the first node embedded texts it was not asked for");
  }

  @Test
  void oneSpreadLaneEmbedsTheTextsOfEveryNode() throws Exception {
    startTwo("ragmill.embedding.batcher.placement = spread\n");
    embed(nodes.get(0), "first", 20);
    embed(nodes.get(1), "second", 20);
    assertTrue(models.get(0).texts() == 40 || models.get(1).texts() == 40,
        "texts embedded on both nodes: " + models.get(0).texts() + " and " + models.get(1).texts());
  }

  @Test
  void spreadLanesShareTheTextsOfOneNodeWithTheOthers() throws Exception {
    startTwo("ragmill.embedding.batcher { placement = spread, lanes = 4 }\n"
        + "pekko.cluster.sharding.rebalance-interval = 1s\n");
    // lanes allocated before the second node's region registered move to it, one a round
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int round = 0;
    while (models.get(1).texts() < 50 || models.get(0).texts() < 50) {
      assertTrue(System.nanoTime() < deadline,
          "lanes not shared: " + models.get(0).texts() + " and " + models.get(1).texts());
      try {
        embed(nodes.get(0), "spread round " + round++, 100);
      } catch (java.util.concurrent.CompletionException e) {
        // a request held by a lane as it moved fails; the next round goes on
      }
      Thread.sleep(200);
    }
  }
}
