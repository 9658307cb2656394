package io.ragmill.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.HnswConcurrentMergeBuilder;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.NeighborArray;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * An HNSW graph over the rows of a {@link VectorMatrix}: graph node {@code i} is matrix row
 * {@code i}, scored straight from the matrix's float array with {@link VectorOps}, so the graph
 * adds only its adjacency lists to the heap.
 *
 * <p>Why Lucene's {@code util.hnsw} (lucene-core 9.12, the last line that runs on Java 17) and
 * not jvector or our own: it is the most exercised HNSW on the JVM (it serves Lucene,
 * Elasticsearch and OpenSearch kNN), it is one jar without transitive dependencies, and its
 * builder takes our own scorer (SIMD dot products on the matrix's array, no second copy of the
 * vectors). It grows a graph one node at a time (upserts), builds with several threads, and
 * searches under an accept bitset (deleted rows, metadata filters). jvector would fit as well;
 * Lucene won on maturity and on keeping the dependency small.
 *
 * <p>Dead rows stay in the graph as waypoints and are excluded by the accept bits; the graph is
 * dropped when the matrix compacts (rows renumbered) and rebuilt on the next search. Mutated only
 * on the owning actor's thread; searches may run concurrently with each other (each gets its own
 * cursor over the graph) but not with mutation.
 */
final class HnswIndex {
  private static final long SEED = 42;

  private final VectorMatrix matrix;
  private final boolean onCodes;
  private final OnHeapHnswGraph graph;
  private final HnswGraphBuilder appender;
  private final int capacity;

  private HnswIndex(
      VectorMatrix matrix, boolean onCodes, OnHeapHnswGraph graph, HnswGraphBuilder appender, int capacity) {
    this.matrix = matrix;
    this.onCodes = onCodes;
    this.graph = graph;
    this.appender = appender;
    this.capacity = capacity;
  }

  /**
   * Builds a graph over rows {@code [0, rows)} of the matrix. With one thread the graph grows
   * without bound; with several it is preallocated (Lucene's concurrent builder needs that) for
   * {@code 1.5 * rows} nodes, and a matrix that outgrows it rebuilds. {@code onCodes}: distances
   * on the matrix's int8 codes instead of its floats.
   */
  static HnswIndex build(VectorMatrix matrix, int rows, boolean onCodes, int m, int beamWidth, int threads) {
    Scorers scorers = new Scorers(matrix, onCodes);
    try {
      if (threads <= 1) {
        HnswGraphBuilder builder = HnswGraphBuilder.create(scorers, m, beamWidth, SEED);
        OnHeapHnswGraph graph = builder.build(rows);
        return new HnswIndex(matrix, onCodes, graph, builder, Integer.MAX_VALUE);
      }
      int capacity = (int) Math.min(Integer.MAX_VALUE - 8, rows + (long) rows / 2 + 1024);
      OnHeapHnswGraph graph = HnswGraphBuilder.create(scorers, m, beamWidth, SEED, capacity).getGraph();
      ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "hnsw-build");
        t.setDaemon(true);
        return t;
      });
      try {
        new HnswConcurrentMergeBuilder(new TaskExecutor(pool), threads, scorers, m, beamWidth, graph, null)
            .build(rows);
      } finally {
        pool.shutdown();
      }
      return new HnswIndex(matrix, onCodes, graph, new Appender(scorers, m, beamWidth, graph), capacity);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether row {@code row} can still be added, or the graph must be rebuilt to hold it. */
  boolean canAppend(int row) {
    return row < capacity && row == graph.size();
  }

  /** Links the next matrix row into the graph; rows must come in order. */
  void append(int row) {
    try {
      appender.addGraphNode(row);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int size() {
    return graph.size();
  }

  long ramBytesUsed() {
    return graph.ramBytesUsed();
  }

  boolean onCodes() {
    return onCodes;
  }

  /**
   * The {@code ef} best accepted rows for {@code query} into {@code out}, by (approximate, on
   * codes) dot product; {@code accept} null means every row.
   */
  void search(float[] query, int ef, Bits accept, TopK out) {
    RandomVectorScorer scorer = matrix.queryScorer(query, onCodes);
    KnnCollector collector = new TopKnnCollector(ef, Integer.MAX_VALUE);
    try {
      HnswGraphSearcher.search(scorer, collector, new Cursor(graph), accept);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (ScoreDoc d : collector.topDocs().scoreDocs) {
      out.offer(VectorMatrix.dotFromScore(d.score), d.doc);
    }
  }

  /** Scores rows against rows, for building; stateless, so copies can share it. */
  private record Scorers(VectorMatrix matrix, boolean onCodes) implements RandomVectorScorerSupplier {
    @Override
    public RandomVectorScorer scorer(int ord) {
      return matrix.rowScorer(ord, onCodes);
    }

    @Override
    public RandomVectorScorerSupplier copy() {
      return this;
    }
  }

  /** Adds nodes to a graph built elsewhere (the concurrent builder cannot add single nodes). */
  private static final class Appender extends HnswGraphBuilder {
    Appender(RandomVectorScorerSupplier scorers, int m, int beamWidth, OnHeapHnswGraph graph) throws IOException {
      super(scorers, m, beamWidth, SEED, graph);
    }
  }

  /**
   * A read cursor of its own over the shared graph: {@link OnHeapHnswGraph#seek} keeps its
   * position in the graph object, so two searches on one graph would trample each other.
   */
  private static final class Cursor extends HnswGraph {
    private final OnHeapHnswGraph graph;
    private int[] neighbors;
    private int count;
    private int upto;

    Cursor(OnHeapHnswGraph graph) {
      this.graph = graph;
    }

    @Override
    public void seek(int level, int target) {
      NeighborArray array = graph.getNeighbors(level, target);
      neighbors = array.nodes();
      count = array.size();
      upto = -1;
    }

    @Override
    public int nextNeighbor() {
      return ++upto < count ? neighbors[upto] : DocIdSetIterator.NO_MORE_DOCS;
    }

    @Override
    public int size() {
      return graph.size();
    }

    @Override
    public int maxNodeId() {
      return graph.maxNodeId();
    }

    @Override
    public int numLevels() throws IOException {
      return graph.numLevels();
    }

    @Override
    public int entryNode() throws IOException {
      return graph.entryNode();
    }

    @Override
    public NodesIterator getNodesOnLevel(int level) throws IOException {
      return graph.getNodesOnLevel(level);
    }
  }
}
