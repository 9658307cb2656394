package io.ragmill.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragmill.embedding.Vector;
import io.ragmill.index.IndexSettings.Quantization;
import io.ragmill.index.IndexSettings.SearchSettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The matrix's side of a background graph build: one at a time, stale builds dropped, the tail. */
class VectorMatrixGraphBuildTest {
  private static final int DIM = 32;

  private static VectorMatrix matrix(Quantization quantization) {
    return new VectorMatrix(new SearchSettings(true, quantization, 4, 100, 16, 100, 100, 1, 0.05));
  }

  private static float[] add(VectorMatrix matrix, SyntheticVectors vectors, int i) {
    float[] v = new float[DIM];
    vectors.next(v, 0);
    matrix.upsert("d" + i, List.of(new IndexedChunk(0, "text " + i, Map.of(), new Vector(v))));
    return v;
  }

  private static HnswIndex runElsewhere(VectorMatrix.GraphBuild build) {
    return CompletableFuture.supplyAsync(build::run).join();
  }

  @Test
  void aBuildOverRowsRenumberedSinceIsDroppedAndTheTailIsSearchedUntilLinked() {
    for (Quantization quantization : Quantization.values()) {
      SyntheticVectors vectors = SyntheticVectors.forSize(1000, DIM, 3);
      VectorMatrix matrix = matrix(quantization);
      for (int i = 0; i < 300; i++) {
        add(matrix, vectors, i);
      }
      assertTrue(matrix.needsGraphBuild());
      VectorMatrix.GraphBuild stale = matrix.startGraphBuild();
      assertFalse(matrix.needsGraphBuild(), "one build at a time");
      assertThrows(IllegalStateException.class, matrix::startGraphBuild);
      // two thirds removed while it runs: compaction renumbers the rows
      for (int i = 0; i < 300; i++) {
        if (i % 3 != 0) {
          matrix.remove("d" + i);
        }
      }
      assertEquals(100, matrix.chunkCount());
      assertFalse(matrix.installGraph(stale, runElsewhere(stale)));
      assertFalse(matrix.searchesGraph());
      assertTrue(matrix.needsGraphBuild());

      VectorMatrix.GraphBuild build = matrix.startGraphBuild();
      float[] late = null;
      for (int i = 300; i < 320; i++) {
        late = add(matrix, vectors, i); // behind the build's rows
      }
      assertTrue(matrix.installGraph(build, runElsewhere(build)));
      assertTrue(matrix.searchesGraph());
      int built = build.rows().rows(); // the live rows and the dead ones since the compaction
      assertEquals(built, matrix.graphSize());
      assertEquals(20, matrix.graphTail());
      // the tail is scanned exactly until linked in
      assertEquals("d319", matrix.search(new Vector(late), 1, MetadataFilter.NONE).get(0).documentId());
      assertEquals(10, matrix.appendToGraph(10));
      assertEquals(0, matrix.appendToGraph(100));
      assertEquals(built + 20, matrix.graphSize());
      assertEquals("d319", matrix.search(new Vector(late), 1, MetadataFilter.NONE).get(0).documentId());
      // with no tail, an upsert is linked in at once, as before
      add(matrix, vectors, 320);
      assertEquals(built + 21, matrix.graphSize());
      assertEquals(0, matrix.graphTail());
    }
  }

  @Test
  void aCancelledBuildStops() {
    SyntheticVectors vectors = SyntheticVectors.forSize(300, DIM, 4);
    VectorMatrix matrix = matrix(Quantization.NONE);
    for (int i = 0; i < 300; i++) {
      add(matrix, vectors, i);
    }
    VectorMatrix.GraphBuild build = matrix.startGraphBuild();
    build.cancel();
    assertThrows(java.util.concurrent.CancellationException.class, build::run);
    matrix.graphBuildFailed();
    assertTrue(matrix.needsGraphBuild());
  }
}
