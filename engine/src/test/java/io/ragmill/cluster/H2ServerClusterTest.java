package io.ragmill.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ragmill.index.MetadataFilter;
import io.ragmill.ingest.IngestionJob;
import io.ragmill.ingest.SourceDocument;
import io.ragmill.persistence.PersistenceSettings;
import io.ragmill.query.QueryRequest;
import io.ragmill.query.QueryResult;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes sharing one H2 database served over TCP (cluster-config/h2-server.conf): the node-local
 * H2 file is refused for a cluster, an H2 server is not, and what one node acknowledges the other
 * serves.
 */
class H2ServerClusterTest {
  private final List<TestNode> nodes = new ArrayList<>();
  private Server h2;

  @AfterEach
  void stop() {
    TestNodes.closeAll(nodes);
    if (h2 != null) {
      h2.stop();
    }
  }

  @Test
  void anH2ServerIsSharedAndAnH2FileIsNot() {
    assertTrue(new PersistenceSettings("h2", true, "jdbc:h2:file:/data/ragmill", "sa", "").isNodeLocal());
    assertFalse(new PersistenceSettings("h2", true, "jdbc:h2:tcp://10.0.0.5:9092/ragmill", "sa", "").isNodeLocal());
    assertFalse(new PersistenceSettings("postgres", true, "jdbc:postgresql://db/ragmill", "p", "").isNodeLocal());
  }

  @Test
  void twoNodesShareOneH2Server() throws Exception {
    Path base = Files.createTempDirectory("ragmill-h2-server");
    h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", base.toString()).start();
    String url = "jdbc:h2:tcp://127.0.0.1:" + h2.getPort() + "/ragmill;WRITE_DELAY=0";
    int seed = TestNodes.freePort();
    for (int port : new int[] {seed, TestNodes.freePort()}) {
      Config config =
          ConfigFactory.parseString(
                  "pekko.remote.artery.canonical.port = " + port + "\n"
                      + "pekko.cluster.seed-nodes = [\"pekko://ragmill@127.0.0.1:" + seed + "\"]\n"
                      + "pekko-persistence-jdbc.shared-databases.slick.db.url = \"" + url + "\"\n")
              .withFallback(TestNodes.h2(Files.createTempDirectory("ragmill-h2-node"), ""))
              .resolve();
      nodes.add(new TestNode(config, RecordingEmbedder.open()));
    }
    TestNodes.awaitMembersUp(nodes, 2);

    List<SourceDocument> docs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      docs.add(new SourceDocument("doc-" + i, SourceDocument.Format.TEXT,
          "Document " + i + " is about subject " + i + ", whose code is S" + i + ".", Map.of()));
    }
    var first = nodes.get(0).node();
    var accepted = first.ingestion().submit("acme", "kb", docs).toCompletableFuture().get(60, TimeUnit.SECONDS);
    IngestionJob.Status done =
        first.ingestion().awaitDone("acme", accepted.jobId(), Duration.ofSeconds(60)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertEquals(IngestionJob.Phase.COMPLETED, done.phase());

    var second = nodes.get(1).node();
    assertEquals(12, second.collections().info("acme", "kb").toCompletableFuture().get(60, TimeUnit.SECONDS).chunks());
    QueryResult result =
        second.queries().query("acme", "kb", new QueryRequest("subject 7 code S7", 2, MetadataFilter.NONE))
            .toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertTrue(result.chunks().stream().anyMatch(c -> c.documentId().equals("doc-7")), "doc-7 not found: " + result.chunks());
  }
}
