package io.ragmill.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
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
 * <p>Searches walk the graph through a {@link Cursor} of their own, which touches a node's
 * neighbours' codes before Lucene scores them one by one ({@link Prefetching}): a large shard's
 * walk is bound by cache misses, not arithmetic.
 *
 * <p>Dead rows stay in the graph as waypoints and are excluded by the accept bits; the graph is
 * dropped when the matrix compacts (rows renumbered). A graph may be built on another thread over
 * a {@link VectorMatrix.Rows} view (rows that are never written again), then {@link #attach}ed to
 * the matrix on the owning actor's thread; only after that is it searched or grown. Mutated only
 * on the owning actor's thread; searches may run concurrently with each other (each gets its own
 * cursor over the graph) but not with mutation.
 */
final class HnswIndex {
  private static final long SEED = 42;

  private final boolean onCodes;
  private final OnHeapHnswGraph graph;
  private final int m;
  private final int beamWidth;
  private final int capacity;
  private VectorMatrix matrix; // set by attach
  private HnswGraphBuilder appender; // set by attach

  private HnswIndex(boolean onCodes, OnHeapHnswGraph graph, int m, int beamWidth, int capacity) {
    this.onCodes = onCodes;
    this.graph = graph;
    this.m = m;
    this.beamWidth = beamWidth;
    this.capacity = capacity;
  }

  /**
   * Builds a graph over rows {@code [0, rows.rows())} of a view of the matrix; any thread may call
   * this, it reads nothing but the view. With one thread the graph grows without bound; with
   * several it is preallocated (Lucene's concurrent builder needs that) for {@code 1.5 * rows}
   * nodes, and a matrix that outgrows it rebuilds. {@code onCodes}: distances on the view's int8
   * codes instead of its floats. {@code cancelled} is polled once per node: when it turns true the
   * build stops with a {@link CancellationException}.
   */
  static HnswIndex build(
      VectorMatrix.Rows rows, boolean onCodes, int m, int beamWidth, int threads, BooleanSupplier cancelled) {
    RandomVectorScorerSupplier scorers = new ViewScorers(rows, onCodes, cancelled);
    int n = rows.rows();
    try {
      if (threads <= 1) {
        OnHeapHnswGraph graph = HnswGraphBuilder.create(scorers, m, beamWidth, SEED).build(n);
        return new HnswIndex(onCodes, graph, m, beamWidth, Integer.MAX_VALUE);
      }
      int capacity = (int) Math.min(Integer.MAX_VALUE - 8, n + (long) n / 2 + 1024);
      OnHeapHnswGraph graph = HnswGraphBuilder.create(scorers, m, beamWidth, SEED, capacity).getGraph();
      ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "hnsw-build");
        t.setDaemon(true);
        return t;
      });
      try {
        new HnswConcurrentMergeBuilder(new TaskExecutor(pool), threads, scorers, m, beamWidth, graph, null)
            .build(n);
      } finally {
        pool.shutdown();
      }
      return new HnswIndex(onCodes, graph, m, beamWidth, capacity);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Binds a built graph to the matrix it will be searched and grown on (its rows, not a view's):
   * on the owning actor's thread, once.
   */
  HnswIndex attach(VectorMatrix matrix) {
    if (this.matrix != null) {
      throw new IllegalStateException("graph already attached");
    }
    try {
      this.appender = new Appender(new MatrixScorers(matrix, onCodes), m, beamWidth, graph);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.matrix = matrix;
    return this;
  }

  /** Whether row {@code row} can still be added, or the graph must be rebuilt to hold it. */
  boolean hasRoomFor(int row) {
    return row < capacity;
  }

  /** Whether row {@code row} is the next one the graph takes and it has room for it. */
  boolean canAppend(int row) {
    return hasRoomFor(row) && row == graph.size();
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
    search(query, ef, accept, out, true);
  }

  /**
   * As {@link #search(float[], int, Bits, TopK)}; {@code prefetch} false walks without touching
   * the neighbours first (the benchmark's before).
   */
  void search(float[] query, int ef, Bits accept, TopK out, boolean prefetch) {
    RandomVectorScorer scorer = matrix.queryScorer(query, onCodes);
    KnnCollector collector = new TopKnnCollector(ef, Integer.MAX_VALUE);
    Prefetching touch = prefetch && scorer instanceof Prefetching p ? p : null;
    try {
      HnswGraphSearcher.search(scorer, collector, new Cursor(graph, touch), accept);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (ScoreDoc d : collector.topDocs().scoreDocs) {
      out.offer(VectorMatrix.dotFromScore(d.score), d.doc);
    }
  }

  /** Scores a view's rows against each other, for a build; stateless, so copies can share it. */
  private record ViewScorers(VectorMatrix.Rows rows, boolean onCodes, BooleanSupplier cancelled)
      implements RandomVectorScorerSupplier {
    @Override
    public RandomVectorScorer scorer(int ord) {
      if (cancelled.getAsBoolean()) {
        throw new CancellationException("graph build cancelled");
      }
      return rows.rowScorer(ord, onCodes);
    }

    @Override
    public RandomVectorScorerSupplier copy() {
      return this;
    }
  }

  /** Scores the matrix's current rows, for appending on the owner's thread. */
  private record MatrixScorers(VectorMatrix matrix, boolean onCodes) implements RandomVectorScorerSupplier {
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
   * A scorer that can pull nodes' vectors into the CPU cache ahead of scoring them: it reads one
   * byte of each cache line of each node, and returns their sum so that the reads are not
   * optimised away. Those reads do not depend on each other, so the CPU has many cache misses
   * under way at once, where scoring one neighbour after another waits out each miss in turn: in
   * a large shard nearly every neighbour's code is a miss (1M codes are 384 MB).
   */
  interface Prefetching {
    /** Bytes per CPU cache line: the step of the reads. */
    int CACHE_LINE = 64;

    int touch(int[] nodes, int count);

    /**
     * Uses what a touch read, so that the JIT keeps the reads: a sum of a few bytes or of unit
     * vectors' components truncated to int is never {@code MIN_VALUE}. (Not a field: threads that
     * search one matrix at once would fight over its cache line.)
     */
    static void keep(int touched) {
      if (touched == Integer.MIN_VALUE) {
        throw new AssertionError("unreachable");
      }
    }
  }

  /**
   * A read cursor of its own over the shared graph: {@link OnHeapHnswGraph#seek} keeps its
   * position in the graph object, so two searches on one graph would trample each other. With a
   * {@link Prefetching} scorer it touches all of a node's neighbours as the searcher moves to the
   * node, before it scores them one by one.
   */
  private static final class Cursor extends HnswGraph {
    private final OnHeapHnswGraph graph;
    private final Prefetching prefetching;
    private int[] neighbors;
    private int count;
    private int upto;

    Cursor(OnHeapHnswGraph graph, Prefetching prefetching) {
      this.graph = graph;
      this.prefetching = prefetching;
    }

    @Override
    public void seek(int level, int target) {
      NeighborArray array = graph.getNeighbors(level, target);
      neighbors = array.nodes();
      count = array.size();
      upto = -1;
      if (prefetching != null) {
        Prefetching.keep(prefetching.touch(neighbors, count));
      }
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
