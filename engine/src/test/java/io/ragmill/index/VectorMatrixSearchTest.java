package io.ragmill.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragmill.embedding.Vector;
import io.ragmill.index.IndexSettings.Quantization;
import io.ragmill.index.IndexSettings.SearchSettings;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recall of the approximate paths (int8, HNSW) against the exact scan on clustered 384-dim
 * vectors, and the invariants they must keep: no deleted row, every hit matching the filter.
 */
class VectorMatrixSearchTest {
  private static final int DIM = 384;
  private static final int N = 20_000;
  private static final int QUERIES = 200;
  private static final List<Map<String, String>> GROUPS =
      List.of(Map.of("group", "a"), Map.of("group", "b"), Map.of("group", "c"), Map.of("group", "d"));
  /** A filter matching 1 row in 100: below filtered-exact-below, so answered by an exact scan. */
  private static final MetadataFilter RARE = new MetadataFilter(Map.of("rare", List.of("yes")));
  private static final MetadataFilter GROUP_A = new MetadataFilter(Map.of("group", List.of("a")));

  private static VectorMatrix shared;
  private static float[][] queries;

  @BeforeAll
  static void load() {
    SyntheticVectors vectors = SyntheticVectors.forSize(N, DIM, 11);
    shared = load(new VectorMatrix(settings(Quantization.NONE, 1)), vectors, N);
    queries = queries(vectors, QUERIES);
  }

  private static SearchSettings settings(Quantization quantization, int hnswMinVectors) {
    return new SearchSettings(true, quantization, 4, hnswMinVectors, 16, 100, 100, 2, 0.05);
  }

  private static VectorMatrix load(VectorMatrix matrix, SyntheticVectors vectors, int n) {
    for (int i = 0; i < n; i++) {
      float[] v = new float[DIM];
      vectors.next(v, 0);
      Map<String, String> metadata = i % 100 == 0
          ? Map.of("group", GROUPS.get(i % 4).get("group"), "rare", "yes")
          : GROUPS.get(i % 4);
      matrix.upsert("d" + i, List.of(new IndexedChunk(0, "text " + i, metadata, new Vector(v))));
    }
    return matrix;
  }

  private static float[][] queries(SyntheticVectors vectors, int count) {
    float[][] out = new float[count][DIM];
    for (float[] q : out) {
      vectors.next(q, 0);
    }
    return out;
  }

  private static Set<String> ids(List<ChunkHit> hits) {
    Set<String> out = new HashSet<>();
    hits.forEach(h -> out.add(h.documentId()));
    return out;
  }

  private static double recall(List<ChunkHit> approximate, List<ChunkHit> exact) {
    Set<String> expected = ids(exact);
    return approximate.stream().filter(h -> expected.contains(h.documentId())).count() / (double) exact.size();
  }

  @Test
  void int8RecallAt10IsAtLeast95Percent() {
    double sum = 0;
    for (float[] q : queries) {
      List<ChunkHit> exact = shared.searchExact(q, 10, MetadataFilter.NONE, VectorOps.best());
      List<ChunkHit> int8 = shared.searchInt8(q, 10, MetadataFilter.NONE, 4);
      sum += recall(int8, exact);
      // re-scored on float32: the scores are the exact cosines
      assertEquals(shared.searchExact(q, 1, MetadataFilter.NONE, VectorOps.best()).get(0).score(),
          int8.get(0).score(), 1e-6f);
    }
    double recall = sum / queries.length;
    assertTrue(recall >= 0.95, "int8 recall@10 " + recall);
  }

  @Test
  void hnswRecallAt10IsAtLeast95Percent() {
    double sum = 0;
    for (float[] q : queries) {
      sum += recall(
          shared.searchGraph(q, 10, MetadataFilter.NONE, 100),
          shared.searchExact(q, 10, MetadataFilter.NONE, VectorOps.best()));
    }
    double recall = sum / queries.length;
    assertTrue(recall >= 0.95, "HNSW recall@10 " + recall);
  }

  @Test
  void hnswOnInt8CodesRecallAt10IsAtLeast95Percent() {
    int n = 10_000;
    SyntheticVectors vectors = SyntheticVectors.forSize(n, DIM, 17);
    VectorMatrix matrix = load(new VectorMatrix(settings(Quantization.INT8, 1)), vectors, n);
    matrix.ensureGraph(); // search() walks a graph only once there is one
    assertTrue(matrix.searchesGraph());
    double sum = 0;
    float[][] qs = queries(vectors, 100);
    for (float[] q : qs) {
      List<ChunkHit> exact = matrix.searchExact(q, 10, MetadataFilter.NONE, VectorOps.best());
      List<ChunkHit> hits = matrix.search(new Vector(q), 10, MetadataFilter.NONE);
      sum += recall(hits, exact);
      // candidates come from the codes, scores from the floats
      assertEquals(exact.get(0).score(), hits.get(0).score(), 1e-6f);
    }
    assertTrue(sum / qs.length >= 0.95, "int8 HNSW recall@10 " + sum / qs.length);
  }

  @Test
  void prefetchingNeighboursLeavesTheWalkUnchanged() {
    int n = 5_000;
    SyntheticVectors vectors = SyntheticVectors.forSize(n, DIM, 23);
    VectorMatrix matrix = load(new VectorMatrix(settings(Quantization.INT8, 1)), vectors, n);
    matrix.ensureGraph();
    for (float[] q : queries(vectors, 50)) {
      // the touch only reads: same candidates, same order, same scores
      assertEquals(
          matrix.searchGraph(q, 10, MetadataFilter.NONE, 64, false),
          matrix.searchGraph(q, 10, MetadataFilter.NONE, 64, true));
      assertEquals(
          matrix.searchGraph(q, 10, GROUP_A, 64, false), matrix.searchGraph(q, 10, GROUP_A, 64, true));
    }
  }

  @Test
  void searchPicksTheGraphFromTheThresholdOn() {
    // settings say HNSW from 1 vector: search() must give what searchGraph gives
    for (int i = 0; i < 20; i++) {
      float[] q = queries[i];
      assertEquals(
          ids(shared.searchGraph(q, 10, MetadataFilter.NONE, 100)),
          ids(shared.search(new Vector(q), 10, MetadataFilter.NONE)));
    }
  }

  @Test
  void graphSearchRespectsFilters() {
    double sum = 0;
    for (float[] q : queries) {
      for (MetadataFilter filter : List.of(GROUP_A, RARE)) {
        List<ChunkHit> hits = shared.searchGraph(q, 10, filter, 100);
        assertEquals(10, hits.size());
        hits.forEach(h -> assertTrue(filter.matches(h.metadata()), h.documentId() + " " + h.metadata()));
        List<ChunkHit> exact = shared.searchExact(q, 10, filter, VectorOps.best());
        if (filter == RARE) {
          assertEquals(ids(exact), ids(hits), "a rare filter is answered exactly");
        } else {
          sum += recall(hits, exact);
        }
      }
    }
    double recall = sum / queries.length;
    assertTrue(recall >= 0.9, "filtered HNSW recall@10 " + recall);
  }

  @Test
  void int8SearchRespectsFilters() {
    for (int i = 0; i < 20; i++) {
      List<ChunkHit> hits = shared.searchInt8(queries[i], 10, GROUP_A, 4);
      assertEquals(10, hits.size());
      hits.forEach(h -> assertEquals("a", h.metadata().get("group")));
    }
  }

  @Test
  void neverReturnsRemovedOrReplacedRows() {
    int n = 3_000;
    SyntheticVectors vectors = SyntheticVectors.forSize(n, DIM, 5);
    for (Quantization quantization : Quantization.values()) {
      for (int minVectors : new int[] {0, 1}) {
        VectorMatrix matrix = load(new VectorMatrix(settings(quantization, minVectors)), vectors, n);
        float[][] qs = queries(vectors, 50);
        if (minVectors > 0) {
          matrix.ensureGraph();
        }
        Set<String> removed = new HashSet<>();
        // 40% removed: below the compaction point, so the graph keeps the dead rows as nodes
        for (int i = 0; i < n; i += 5) {
          assertTrue(matrix.remove("d" + i));
          assertTrue(matrix.remove("d" + (i + 1)));
          removed.add("d" + i);
          removed.add("d" + (i + 1));
        }
        // replaced: the old vector's row dies, the new one is appended (and linked into the graph)
        float[] moved = qs[1].clone();
        matrix.upsert("d2", List.of(new IndexedChunk(0, "moved", Map.of(), new Vector(moved))));
        for (float[] q : qs) {
          List<ChunkHit> hits = matrix.search(new Vector(q), 10, MetadataFilter.NONE);
          assertEquals(10, hits.size());
          hits.forEach(h -> assertFalse(removed.contains(h.documentId()), h.documentId() + " was removed"));
          hits.forEach(h -> assertTrue(!h.documentId().equals("d2") || h.text().equals("moved")));
        }
        List<ChunkHit> top = matrix.search(new Vector(moved), 1, MetadataFilter.NONE);
        assertEquals("d2", top.get(0).documentId(), quantization + " min-vectors " + minVectors);
        assertEquals("moved", top.get(0).text());
        assertEquals(n - removed.size(), matrix.chunkCount());
      }
    }
  }

  @Test
  void staysCorrectAcrossCompaction() {
    int n = 3_000;
    SyntheticVectors vectors = SyntheticVectors.forSize(n, DIM, 9);
    VectorMatrix matrix = load(new VectorMatrix(settings(Quantization.INT8, 1)), vectors, n);
    float[][] qs = queries(vectors, 30);
    matrix.ensureGraph();
    // two thirds removed: more dead than live, so the rows are renumbered and the graph dropped
    for (int i = 0; i < n; i++) {
      if (i % 3 != 0) {
        matrix.remove("d" + i);
      }
    }
    assertEquals(n / 3, matrix.chunkCount());
    assertFalse(matrix.searchesGraph());
    assertTrue(matrix.needsGraphBuild());
    matrix.ensureGraph();
    double graphRecall = 0;
    double int8Recall = 0;
    for (float[] q : qs) {
      List<ChunkHit> exact = matrix.searchExact(q, 10, MetadataFilter.NONE, VectorOps.scalar());
      List<ChunkHit> hits = matrix.search(new Vector(q), 10, MetadataFilter.NONE);
      hits.forEach(h -> assertEquals(0, Integer.parseInt(h.documentId().substring(1)) % 3, h.documentId()));
      graphRecall += recall(hits, exact);
      int8Recall += recall(matrix.searchInt8(q, 10, MetadataFilter.NONE, 4), exact);
    }
    assertTrue(graphRecall / qs.length >= 0.95, "HNSW recall after compaction " + graphRecall / qs.length);
    assertTrue(int8Recall / qs.length >= 0.95, "int8 recall after compaction " + int8Recall / qs.length);
  }

  @Test
  void aMatrixRestoredFromItsSnapshotAnswersTheSame() {
    int n = 3_000;
    SyntheticVectors vectors = SyntheticVectors.forSize(n, DIM, 13);
    VectorMatrix original = load(new VectorMatrix(settings(Quantization.NONE, 0)), vectors, n);
    VectorMatrix restored = new VectorMatrix(settings(Quantization.NONE, 1));
    original.documents().forEach(restored::upsert);
    restored.ensureGraph();
    assertEquals(original.documents(), restored.documents());
    double sum = 0;
    float[][] qs = queries(vectors, 30);
    for (float[] q : qs) {
      sum += recall(
          restored.search(new Vector(q), 10, MetadataFilter.NONE),
          original.search(new Vector(q), 10, MetadataFilter.NONE));
    }
    assertTrue(sum / qs.length >= 0.95, "recall of the rebuilt graph " + sum / qs.length);
  }
}
