package io.ragmill.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.ragmill.embedding.HashingEmbedder;
import io.ragmill.embedding.Vector;
import io.ragmill.index.IndexSettings.Quantization;
import io.ragmill.index.IndexSettings.SearchSettings;
import io.ragmill.persistence.JournalSchema;
import io.ragmill.persistence.PersistenceSettings;
import io.ragmill.testing.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * IndexShard on the real H2 journal and snapshot store (the node's persistence settings): the
 * background HNSW build, and the deletion of old snapshots and events.
 */
class IndexShardJournalTest {
  private static final HashingEmbedder EMBEDDER = new HashingEmbedder(64);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int GRAPH_FROM = 200;

  private static ActorTestKit testKit;
  private static PersistenceSettings persistence;

  @BeforeAll
  static void start() throws Exception {
    Path dataDir = Files.createTempDirectory("index-shard-journal-test");
    Config config = TestNodes.h2(dataDir, "pekko.actor.provider = local");
    persistence = PersistenceSettings.fromConfig(config);
    JournalSchema.createIfMissing(persistence);
    testKit = ActorTestKit.create("IndexShardJournalTest", config);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Holds the tasks given to it until opened: a build that is still running, for as long as a test needs. */
  private static final class GatedExecutor implements Executor {
    private final List<Runnable> held = new ArrayList<>();
    private final AtomicInteger submitted = new AtomicInteger();
    private boolean open;

    @Override
    public synchronized void execute(Runnable task) {
      submitted.incrementAndGet();
      if (open) {
        new Thread(task, "test-graph-build").start();
      } else {
        held.add(task);
      }
    }

    synchronized void open() {
      open = true;
      held.forEach(task -> new Thread(task, "test-graph-build").start());
      held.clear();
    }

    int submitted() {
      return submitted.get();
    }
  }

  private static IndexSettings graphSettings() {
    // float32 graph from 200 live vectors; snapshots rare (not what these tests look at)
    return new IndexSettings(
        1, 1000, 100, 100_000, 2, true,
        new SearchSettings(true, Quantization.NONE, 4, GRAPH_FROM, 16, 100, 100, 1, 0.05));
  }

  private static IndexedChunk chunk(String text) {
    return new IndexedChunk(0, text, Map.of(), EMBEDDER.embed(List.of(text)).get(0));
  }

  private static String text(int i) {
    return "document " + i + " about topic " + (i % 23) + " and theme " + (i % 7) + " in region " + (i % 11);
  }

  /** The shard under test and an exact-only matrix fed the same documents. */
  private static final class Subject {
    final VectorMatrix exact = new VectorMatrix(new SearchSettings(true, Quantization.NONE, 4, 0, 16, 100, 100, 1, 0.05));
    ActorRef<IndexShard.Command> shard;

    void index(Map<String, String> documents) {
      List<IndexShard.DocumentChunks> batch = new ArrayList<>();
      documents.forEach((id, text) -> {
        batch.add(new IndexShard.DocumentChunks(id, List.of(chunk(text))));
        exact.upsert(id, List.of(chunk(text)));
      });
      TestProbe<IndexShard.Indexed> probe = testKit.createTestProbe();
      shard.tell(new IndexShard.IndexDocuments(batch, probe.getRef()));
      probe.expectMessage(TIMEOUT, new IndexShard.Indexed(java.util.Set.of()));
    }

    void indexRange(int from, int to, int batchSize) {
      for (int start = from; start < to; start += batchSize) {
        Map<String, String> batch = new java.util.LinkedHashMap<>();
        for (int i = start; i < Math.min(to, start + batchSize); i++) {
          batch.put("doc-" + i, text(i));
        }
        index(batch);
      }
    }

    void remove(String id) {
      TestProbe<IndexShard.Removed> probe = testKit.createTestProbe();
      shard.tell(new IndexShard.RemoveDocument(id, probe.getRef()));
      assertTrue(probe.receiveMessage(TIMEOUT).existed());
      exact.remove(id);
    }

    List<ChunkHit> search(Vector q, int k) {
      TestProbe<IndexShard.SearchResult> probe = testKit.createTestProbe();
      shard.tell(new IndexShard.Search(q, k, MetadataFilter.NONE, probe.getRef()));
      return probe.receiveMessage(TIMEOUT).hits();
    }

    IndexShard.ShardStats stats() {
      TestProbe<IndexShard.ShardStats> probe = testKit.createTestProbe();
      shard.tell(new IndexShard.GetStats(probe.getRef()));
      return probe.receiveMessage(TIMEOUT);
    }

    /** Every query answered as the exact scan answers it: same chunks, same scores, same order. */
    void assertExact(List<Vector> queries) {
      for (Vector q : queries) {
        assertEquals(exact.search(q, 10, MetadataFilter.NONE), search(q, 10));
      }
    }

    double recall(List<Vector> queries) {
      double sum = 0;
      for (Vector q : queries) {
        Set<String> expected = new HashSet<>();
        exact.search(q, 10, MetadataFilter.NONE).forEach(h -> expected.add(h.documentId()));
        sum += search(q, 10).stream().filter(h -> expected.contains(h.documentId())).count() / 10.0;
      }
      return sum / queries.size();
    }

    void awaitGraph(int nodes) {
      await(() -> {
        IndexShard.ShardStats s = stats();
        return s.searchesGraph() && !s.graphBuilding() && s.graphNodes() == nodes;
      }, () -> "graph of " + nodes + " nodes, stats " + stats());
    }
  }

  private static void await(BooleanSupplier condition, java.util.function.Supplier<String> what) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what.get());
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static List<Vector> queries(int count) {
    List<Vector> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(EMBEDDER.embed(List.of("topic " + (i % 23) + " and theme " + (i % 7))).get(0));
    }
    return out;
  }

  @Test
  void answersExactlyWhileItsGraphBuildsAndKeepsWhatChangedMeanwhile() {
    GatedExecutor builds = new GatedExecutor();
    PersistenceId id = PersistenceId.ofUniqueId("background-" + System.nanoTime());
    Subject subject = new Subject();
    subject.shard = testKit.spawn(IndexShard.create(id, graphSettings(), builds));
    List<Vector> queries = queries(20);

    // past the threshold: the command that crosses it starts the build, which cannot finish yet
    subject.indexRange(0, 300, 50);
    assertEquals(1, builds.submitted());
    IndexShard.ShardStats building = subject.stats();
    assertEquals(300, building.chunks());
    assertTrue(building.graphBuilding());
    assertFalse(building.searchesGraph());
    // searches neither wait for the build nor start another: they scan exactly
    subject.assertExact(queries);

    // during the build: new documents, removed ones (their rows are in the build's view) and a
    // replaced one
    subject.indexRange(300, 340, 40);
    Set<String> removed = new HashSet<>();
    for (int i = 0; i < 300; i += 30) {
      subject.remove("doc-" + i);
      removed.add("doc-" + i);
    }
    subject.index(Map.of("doc-7", "a replacement text about volcanoes and lava flows"));
    subject.assertExact(queries);
    assertEquals(1, builds.submitted());

    builds.open();
    // 300 rows in the build, 40 added and one replacement appended after it: all linked in
    subject.awaitGraph(341);
    assertEquals(1, builds.submitted());
    assertEquals(330, subject.stats().chunks());
    double recall = subject.recall(queries);
    assertTrue(recall >= 0.95, "graph recall@10 " + recall);
    for (Vector q : queries) {
      subject.search(q, 10).forEach(h -> assertFalse(removed.contains(h.documentId()), h.documentId()));
    }
    for (int i = 300; i < 340; i++) {
      assertEquals("doc-" + i, subject.search(chunk(text(i)).vector(), 1).get(0).documentId());
    }
    ChunkHit replaced = subject.search(chunk("a replacement text about volcanoes and lava flows").vector(), 1).get(0);
    assertEquals("doc-7", replaced.documentId());
    assertEquals("a replacement text about volcanoes and lava flows", replaced.text());
    assertTrue(subject.search(chunk(text(7)).vector(), 10).stream()
        .noneMatch(h -> h.documentId().equals("doc-7") && !h.text().startsWith("a replacement")));
  }

  @Test
  void startsItsBuildRightAfterRecovery() {
    PersistenceId id = PersistenceId.ofUniqueId("recovered-" + System.nanoTime());
    Subject subject = new Subject();
    GatedExecutor first = new GatedExecutor();
    first.open();
    subject.shard = testKit.spawn(IndexShard.create(id, graphSettings(), first));
    subject.indexRange(0, 250, 50);
    subject.awaitGraph(250);
    testKit.stop(subject.shard);

    GatedExecutor second = new GatedExecutor();
    subject.shard = testKit.spawn(IndexShard.create(id, graphSettings(), second));
    // no search yet: recovery alone started the build
    IndexShard.ShardStats recovered = subject.stats();
    assertEquals(250, recovered.chunks());
    assertTrue(recovered.graphBuilding());
    assertEquals(1, second.submitted());
    List<Vector> queries = queries(10);
    subject.assertExact(queries);
    second.open();
    subject.awaitGraph(250);
    assertTrue(subject.recall(queries) >= 0.95);
  }

  @Test
  void deletesSnapshotsAndEventsBeyondTheKeptOnesAndStillRecovers() throws Exception {
    // snapshot every 3 events while at most 22 chunks, keep 2; exact search
    IndexSettings settings =
        new IndexSettings(1, 3, 100, 22, 2, true, new SearchSettings(true, Quantization.NONE, 4, 0, 16, 100, 100, 1, 0.05));
    PersistenceId id = PersistenceId.ofUniqueId("retention-" + System.nanoTime());
    Subject subject = new Subject();
    subject.shard = testKit.spawn(IndexShard.create(id, settings));
    subject.indexRange(0, 20, 1); // events 1..20, snapshots at 3, 6, ..., 18
    subject.remove("doc-4"); // event 21: snapshot at 21 (19 chunks) deletes up to 21 - 2 * 3 = 15
    await(() -> snapshots(id).equals(List.of(18L, 21L)), () -> "snapshots 18 and 21, have " + snapshots(id));
    await(() -> firstLiveEvent(id) == 16, () -> "events from 16 on, first is " + firstLiveEvent(id));

    // events 22..31: a snapshot at 24 (22 chunks), none at 27 or 30 (above 22 chunks)
    subject.indexRange(20, 30, 1);
    await(() -> snapshots(id).equals(List.of(21L, 24L)), () -> "snapshots 21 and 24, have " + snapshots(id));
    await(() -> firstLiveEvent(id) == 19, () -> "events from 19 on, first is " + firstLiveEvent(id));

    List<Vector> queries = queries(10);
    List<List<ChunkHit>> before = new ArrayList<>();
    queries.forEach(q -> before.add(subject.search(q, 5)));
    testKit.stop(subject.shard);
    // recovers from the snapshot at 24 and events 25..31
    subject.shard = testKit.spawn(IndexShard.create(id, settings));
    IndexShard.ShardStats stats = subject.stats();
    assertEquals(29, stats.documents());
    assertEquals(29, stats.chunks());
    for (int i = 0; i < queries.size(); i++) {
      assertEquals(before.get(i), subject.search(queries.get(i), 5));
    }
    subject.assertExact(queries);
  }

  private static Connection connect() throws SQLException {
    return DriverManager.getConnection(persistence.url(), persistence.user(), persistence.password());
  }

  private static List<Long> snapshots(PersistenceId id) {
    try (Connection c = connect();
        PreparedStatement s = c.prepareStatement(
            "SELECT \"sequence_number\" FROM \"snapshot\" WHERE \"persistence_id\" = ? ORDER BY 1")) {
      s.setString(1, id.id());
      List<Long> out = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getLong(1));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The lowest sequence number of an event not deleted (the jdbc journal keeps one marked row). */
  private static long firstLiveEvent(PersistenceId id) {
    try (Connection c = connect();
        PreparedStatement s = c.prepareStatement(
            "SELECT MIN(\"sequence_number\") FROM \"event_journal\" WHERE \"persistence_id\" = ? AND NOT \"deleted\"")) {
      s.setString(1, id.id());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
