package io.ragmill.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ragmill.collection.Collection;
import io.ragmill.index.MetadataFilter;
import io.ragmill.ingest.IngestionJob;
import io.ragmill.ingest.SourceDocument;
import io.ragmill.query.QueryRequest;
import io.ragmill.query.QueryResult;
import io.ragmill.session.QuerySession;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes in one JVM on the shared PostgreSQL journal: sessions stick to the node that owns
 * them whichever node is asked; when that node leaves, its shards move, and session histories and
 * every acknowledged chunk are still there, answered through the surviving nodes.
 */
class ThreeNodeClusterTest {
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    TestNodes.closeAll(nodes);
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
  }

  private TestNode start(int port, int seedPort) throws IOException {
    Config config =
        ConfigFactory.parseString(
                "pekko.remote.artery.canonical.port = " + port + "\n"
                    + "pekko.cluster.seed-nodes = [\"pekko://ragmill@127.0.0.1:" + seedPort + "\"]\n"
                    // a graceful leave hands shards off quickly; keep the test short
                    + "pekko.cluster.sharding.rebalance-interval = 1s\n")
            .withFallback(TestNodes.postgres(Files.createTempDirectory("ragmill-cluster"), ""))
            .resolve();
    TestNode node = new TestNode(config, RecordingEmbedder.open());
    nodes.add(node);
    return node;
  }

  private static void awaitMembers(TestNode node, int up) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      long count = 0;
      for (var m : Cluster.get(node.system()).state().getMembers()) {
        if (m.status() == MemberStatus.up()) {
          count++;
        }
      }
      if (count == up) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("cluster did not reach " + up + " members up: " + Cluster.get(node.system()).state());
  }

  @Test
  void sessionsStickAndEverythingSurvivesANodeLeaving() throws Exception {
    String tenant = "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    int[] ports = {TestNodes.freePort(), TestNodes.freePort(), TestNodes.freePort()};
    TestNode first = start(ports[0], ports[0]);
    TestNode second = start(ports[1], ports[0]);
    TestNode third = start(ports[2], ports[0]);
    for (TestNode node : nodes) {
      awaitMembers(node, 3);
    }

    List<SourceDocument> docs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      docs.add(new SourceDocument("doc-" + i, SourceDocument.Format.TEXT,
          "Document " + i + " describes topic " + i + ". Topic " + i + " has the code T" + i + ".", Map.of()));
    }
    var accepted = await(second.node().ingestion().submit(tenant, "kb", docs));
    IngestionJob.Status done = await(second.node().ingestion().awaitDone(tenant, accepted.jobId(), Duration.ofSeconds(60)));
    assertEquals(IngestionJob.Phase.COMPLETED, done.phase());
    long acknowledgedChunks = await(third.node().collections().info(tenant, "kb")).chunks();
    assertEquals(30, acknowledgedChunks);

    // every session lands on one node, whichever node the question comes through
    Map<String, String> owner = new HashMap<>();
    for (int s = 0; s < 12; s++) {
      String session = "s" + s;
      String seen = null;
      for (TestNode via : nodes) {
        QuerySession.AskReply reply =
            await(via.node().sessions().ask(tenant, session, "kb", new QueryRequest("what is the code of topic " + s, 2, MetadataFilter.NONE)));
        if (seen == null) {
          seen = reply.node();
        }
        assertEquals(seen, reply.node(), "session " + session + " moved between questions");
      }
      owner.put(session, seen);
    }
    String secondAddress = second.system().address().toString();
    assertTrue(owner.containsValue(secondAddress) || owner.containsValue(third.system().address().toString()),
        "all sessions on the seed node: " + owner);
    TestNode leaving = owner.containsValue(secondAddress) ? second : third;
    String leavingAddress = leaving.system().address().toString();
    List<String> movedSessions = owner.entrySet().stream().filter(e -> e.getValue().equals(leavingAddress)).map(Map.Entry::getKey).toList();

    leaving.close();
    TestNode survivor = leaving == second ? third : second;
    awaitMembers(first, 2);

    // the leaving node's sessions are recovered elsewhere, with their history
    for (String session : movedSessions) {
      QuerySession.History history = await(survivor.node().sessions().history(tenant, session));
      assertEquals(3, history.turns().size(), "session " + session + " lost turns");
      assertTrue(!history.node().equals(leavingAddress));
    }
    // every acknowledged chunk is still there, and queries through the survivors succeed
    Collection.Info info = await(first.node().collections().info(tenant, "kb"));
    assertEquals(acknowledgedChunks, info.chunks());
    for (TestNode via : List.of(first, survivor)) {
      for (int n = 0; n < 30; n += 7) {
        int i = n;
        QueryResult result = await(via.node().queries().query(tenant, "kb", new QueryRequest("topic " + i + " code T" + i, 3, MetadataFilter.NONE)));
        assertTrue(result.chunks().stream().anyMatch(c -> c.documentId().equals("doc-" + i)), "doc-" + i + " not found via " + via.system().address());
      }
    }
  }
}
