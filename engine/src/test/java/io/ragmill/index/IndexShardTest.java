package io.ragmill.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ragmill.embedding.HashingEmbedder;
import io.ragmill.embedding.Vector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IndexShardTest {
  private static ActorTestKit testKit;
  private static final HashingEmbedder EMBEDDER = new HashingEmbedder(64);

  private EventSourcedBehaviorTestKit<IndexShard.Command, IndexShard.Event, VectorMatrix> shard;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            EventSourcedBehaviorTestKit.config()
                .withFallback(
                    ConfigFactory.parseString(
                        "pekko.actor.serialization-bindings { \"io.ragmill.persistence.CborSerializable\" = jackson-cbor }\n"
                            + "pekko.serialization.jackson.allowed-class-prefix = [\"io.ragmill.\"]\n"))
                .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void create() {
    shard =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            IndexShard.create(PersistenceId.ofUniqueId("shard-" + System.nanoTime()), new IndexSettings(1, 3, 100, 100)),
            // the matrix is snapshotted through its adapter, not serialized as itself
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  private static IndexedChunk chunk(int n, String text, Map<String, String> metadata) {
    return new IndexedChunk(n, text, metadata, EMBEDDER.embed(List.of(text)).get(0));
  }

  private void index(String doc, String... texts) {
    List<IndexedChunk> chunks = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      chunks.add(chunk(i, texts[i], Map.of("doc", doc)));
    }
    var result =
        shard.<IndexShard.Indexed>runCommand(
            replyTo -> new IndexShard.IndexDocuments(List.of(new IndexShard.DocumentChunks(doc, chunks)), replyTo));
    assertEquals(java.util.Set.of(), result.reply().superseded());
  }

  private List<ChunkHit> search(String query, int k, MetadataFilter filter) {
    Vector q = EMBEDDER.embed(List.of(query)).get(0);
    return shard.<IndexShard.SearchResult>runCommand(replyTo -> new IndexShard.Search(q, k, filter, replyTo)).reply().hits();
  }

  @Test
  void ranksTheClosestChunkFirst() {
    index("cats", "cats purr and sleep all day");
    index("rockets", "rockets burn fuel to reach orbit");
    index("bread", "bread rises when yeast ferments the dough");
    List<ChunkHit> hits = search("how do rockets reach orbit", 2, MetadataFilter.NONE);
    assertEquals(2, hits.size());
    assertEquals("rockets", hits.get(0).documentId());
    assertTrue(hits.get(0).score() > hits.get(1).score());
  }

  @Test
  void filtersOnMetadata() {
    index("a", "shared words about storage engines");
    index("b", "shared words about storage engines");
    List<ChunkHit> hits = search("storage engines", 5, new MetadataFilter(Map.of("doc", List.of("b"))));
    assertEquals(List.of("b"), hits.stream().map(ChunkHit::documentId).toList());
  }

  @Test
  void reindexingADocumentReplacesItsChunks() {
    index("doc", "old text about llamas", "more about llamas");
    index("doc", "new text about penguins");
    var stats = shard.<IndexShard.ShardStats>runCommand(IndexShard.GetStats::new).reply();
    assertEquals(new IndexShard.ShardStats(1, 1, 0, false, false), stats);
    assertEquals("new text about penguins", search("llamas", 5, MetadataFilter.NONE).get(0).text());
  }

  @Test
  void removedDocumentsAreNotFound() {
    index("gone", "ephemeral words");
    index("kept", "durable words");
    var removed = shard.<IndexShard.Removed>runCommand(replyTo -> new IndexShard.RemoveDocument("gone", replyTo));
    assertTrue(removed.reply().existed());
    assertEquals(List.of("kept"), search("words", 5, MetadataFilter.NONE).stream().map(ChunkHit::documentId).toList());
    var again = shard.<IndexShard.Removed>runCommand(replyTo -> new IndexShard.RemoveDocument("gone", replyTo));
    assertEquals(false, again.reply().existed());
    assertTrue(again.events().isEmpty());
  }

  private java.util.Set<String> indexVersioned(String doc, String text, long version) {
    return shard.<IndexShard.Indexed>runCommand(
            replyTo ->
                new IndexShard.IndexDocuments(
                    List.of(new IndexShard.DocumentChunks(doc, List.of(chunk(0, text, Map.of("doc", doc))), version)), replyTo))
        .reply()
        .superseded();
  }

  @Test
  void anOlderWriteOrDeleteArrivingLateDoesNotUndoANewerOne() {
    assertEquals(java.util.Set.of(), indexVersioned("city", "the capital is Coldharbor", 200));
    // a job accepted earlier reaches the shard later: left out, and said so
    assertEquals(java.util.Set.of("city"), indexVersioned("city", "the capital is Ambervale", 100));
    assertEquals("the capital is Coldharbor", search("capital", 1, MetadataFilter.NONE).get(0).text());
    // a delete older than the write it meets leaves it
    var early = shard.<IndexShard.Removed>runCommand(replyTo -> new IndexShard.RemoveDocument("city", 150, replyTo));
    assertEquals(false, early.reply().existed());
    // a newer delete removes it, and stays: a write from before the delete is left out, across a restart
    var removed = shard.<IndexShard.Removed>runCommand(replyTo -> new IndexShard.RemoveDocument("city", 300, replyTo));
    assertTrue(removed.reply().existed());
    for (int i = 0; i < 4; i++) {
      index("filler-" + i, "words to reach a snapshot " + i); // snapshot-every is 3
    }
    shard.restart();
    assertEquals(java.util.Set.of("city"), indexVersioned("city", "the capital is Ambervale", 250));
    assertTrue(search("capital", 5, MetadataFilter.NONE).stream().noneMatch(h -> h.documentId().equals("city")));
    // a write after the delete comes back
    assertEquals(java.util.Set.of(), indexVersioned("city", "the capital is Newport", 400));
    assertEquals("the capital is Newport", search("capital", 1, MetadataFilter.NONE).get(0).text());
  }

  @Test
  void recoversItsChunksAfterRestart() {
    for (int i = 0; i < 10; i++) {
      // snapshot-every is 3: recovery goes through snapshots and the events after them
      index("doc-" + i, "document number " + i + " talks about topic " + i);
    }
    shard.<IndexShard.Removed>runCommand(replyTo -> new IndexShard.RemoveDocument("doc-4", replyTo));
    List<ChunkHit> before = search("topic 7", 3, MetadataFilter.NONE);
    shard.restart();
    assertEquals(new IndexShard.ShardStats(9, 9, 0, false, false), shard.<IndexShard.ShardStats>runCommand(IndexShard.GetStats::new).reply());
    assertEquals(before, search("topic 7", 3, MetadataFilter.NONE));
  }

  private void awaitGraph(int nodes) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    IndexShard.ShardStats stats;
    do {
      stats = shard.<IndexShard.ShardStats>runCommand(IndexShard.GetStats::new).reply();
      if (stats.searchesGraph() && stats.graphNodes() >= nodes) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no graph of " + nodes + " nodes: " + stats);
  }

  private static List<Float> scores(List<ChunkHit> hits) {
    return hits.stream().map(ChunkHit::score).toList();
  }

  @Test
  void answersFromItsHnswGraphBeforeAndAfterRestart() {
    // HNSW from the first vector and int8 codes, so every search below walks a graph
    var settings = new IndexSettings(1, 3, 100,
        new IndexSettings.SearchSettings(true, IndexSettings.Quantization.INT8, 4, 1, 16, 100, 100, 1, 0.05));
    shard =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            IndexShard.create(PersistenceId.ofUniqueId("hnsw-shard-" + System.nanoTime()), settings),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    for (int batch = 0; batch < 10; batch++) {
      List<IndexShard.DocumentChunks> documents = new ArrayList<>();
      for (int i = batch * 20; i < (batch + 1) * 20; i++) {
        String text = "document " + i + " about topic " + (i % 17) + " and theme " + (i % 5);
        documents.add(new IndexShard.DocumentChunks("doc-" + i, List.of(chunk(0, text, Map.of("theme", "" + i % 5)))));
      }
      shard.<IndexShard.Indexed>runCommand(replyTo -> new IndexShard.IndexDocuments(documents, replyTo));
    }
    awaitGraph(200); // built in the background; searches are exact until then
    List<ChunkHit> before = search("topic 7 and theme 2", 10, MetadataFilter.NONE);
    assertEquals(10, before.size());
    // removed after the graph exists: it stays a node but must not come back
    String gone = before.get(0).documentId();
    shard.<IndexShard.Removed>runCommand(replyTo -> new IndexShard.RemoveDocument(gone, replyTo));
    List<ChunkHit> after = search("topic 7 and theme 2", 10, MetadataFilter.NONE);
    assertTrue(after.stream().noneMatch(h -> h.documentId().equals(gone)));
    assertEquals(scores(before.subList(1, 10)), scores(after.subList(0, 9)));
    shard.restart();
    awaitGraph(200); // the restarted shard starts its build right after recovery
    List<ChunkHit> recovered = search("topic 7 and theme 2", 10, MetadataFilter.NONE);
    // equal scores may come in either order: compare the scores and the set of documents
    assertEquals(scores(after), scores(recovered));
    assertEquals(Set.copyOf(after), Set.copyOf(recovered));
    MetadataFilter theme = new MetadataFilter(Map.of("theme", List.of("3")));
    List<ChunkHit> filtered = search("topic 7 and theme 2", 10, theme);
    assertEquals(10, filtered.size());
    assertTrue(filtered.stream().allMatch(h -> h.metadata().get("theme").equals("3")));
  }

  @Test
  void aShardAboveTheSnapshotCapRecoversFromItsEvents() {
    var big =
        EventSourcedBehaviorTestKit.<IndexShard.Command, IndexShard.Event, VectorMatrix>create(
            testKit.system(),
            IndexShard.create(PersistenceId.ofUniqueId("big-" + System.nanoTime()), new IndexSettings(1, 3, 100, 4)),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    for (int i = 0; i < 10; i++) {
      String id = "doc-" + i;
      IndexedChunk c = chunk(0, "document number " + i + " talks about topic " + i, Map.of());
      big.<IndexShard.Indexed>runCommand(
          replyTo -> new IndexShard.IndexDocuments(List.of(new IndexShard.DocumentChunks(id, List.of(c))), replyTo));
    }
    big.restart();
    assertEquals(new IndexShard.ShardStats(10, 10, 0, false, false), big.<IndexShard.ShardStats>runCommand(IndexShard.GetStats::new).reply());
  }

  @Test
  void indexesSeveralDocumentsInOneEvent() {
    var result =
        shard.<IndexShard.Indexed>runCommand(
            replyTo ->
                new IndexShard.IndexDocuments(
                    List.of(
                        new IndexShard.DocumentChunks("one", List.of(chunk(0, "first document", Map.of()))),
                        new IndexShard.DocumentChunks("two", List.of(chunk(0, "second document", Map.of()), chunk(1, "more", Map.of())))),
                    replyTo));
    assertEquals(1, result.events().size());
    assertEquals(new IndexShard.ShardStats(2, 3, 0, false, false), shard.<IndexShard.ShardStats>runCommand(IndexShard.GetStats::new).reply());
  }

  @Test
  void reportsADimensionMismatchInsteadOfFailing() {
    index("doc", "some text");
    Vector wrong = Vector.normalized(new float[] {1, 0, 0});
    var result =
        shard.<IndexShard.SearchResult>runCommand(replyTo -> new IndexShard.Search(wrong, 3, MetadataFilter.NONE, replyTo)).reply();
    assertTrue(result.error().contains("dimension"));
  }

  @Test
  void vectorsSurviveTheirPackedForm() {
    Vector v = EMBEDDER.embed(List.of("round trip")).get(0);
    assertEquals(v, Vector.fromBytes(v.toBytes()));
    assertEquals(64 * 4, v.toBytes().length);
  }

}
