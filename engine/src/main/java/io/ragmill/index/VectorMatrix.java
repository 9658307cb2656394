package io.ragmill.index;

import static org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS;

import io.ragmill.embedding.Vector;
import io.ragmill.index.IndexSettings.Quantization;
import io.ragmill.index.IndexSettings.SearchSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

/**
 * The vectors of one shard in a single row-major float array, answering top-k by dot product
 * (cosine, the vectors being unit length) in one of three ways: an exact scan on float32, an
 * exact scan on int8 codes with the best {@code k * oversample} re-scored on float32, or, from
 * {@code hnsw.min-vectors} live rows on, an {@link HnswIndex} graph over the same array. The inner
 * loops run on {@link VectorOps}: SIMD when the Vector API module is present.
 *
 * <p>Replacing or removing a document marks its rows dead; dead rows are compacted away once they
 * outnumber the live ones, which renumbers rows and so drops the graph. The shard builds its graph
 * off its thread: {@link #startGraphBuild} hands out a {@link GraphBuild} over an immutable
 * {@link Rows} view of the rows there are now, searches stay exact until {@link #installGraph}
 * takes the result, and rows added meanwhile form a tail that is scanned exactly until
 * {@link #appendToGraph} has linked them in. Mutable and not thread-safe: owned by one IndexShard.
 * Concurrent searches with no mutation in between are safe (the benchmark does that).
 */
final class VectorMatrix {
  private static final int MIN_CAPACITY = 64;

  /** What a row holds besides its vector; the vector lives only in {@link #data}. */
  private record RowInfo(int chunk, String text, Map<String, String> metadata) {}

  private final SearchSettings settings;
  private final VectorOps ops;
  private int dimension = -1;
  private float[] data = new float[0];
  // int8 codes and their per-row scale (max |component| / 127); null until int8 is first used
  private byte[] codes;
  private float[] codeScales;
  private String[] documentIds = new String[0];
  private RowInfo[] infos = new RowInfo[0]; // null for a dead row
  private int rows;
  private int liveRows;
  private final Map<String, int[]> rowsByDocument = new LinkedHashMap<>();
  // each document's version: of the write that holds its chunks, or of the delete that removed them
  private final Map<String, Long> versions = new java.util.HashMap<>();
  // null until built; may hold fewer nodes than there are rows (the tail, scanned exactly)
  private HnswIndex graph;
  // bumped whenever rows are renumbered (compaction), so a build over older rows is discarded
  private long rowEpoch;
  // a background build has been handed out and its result not yet installed or failed
  private boolean graphBuilding;

  VectorMatrix(SearchSettings settings) {
    this.settings = settings;
    this.ops = settings.ops();
    if (settings.quantization() == Quantization.INT8) {
      codes = new byte[0];
      codeScales = new float[0];
    }
  }

  VectorMatrix() {
    this(SearchSettings.DEFAULT);
  }

  void upsert(String documentId, List<IndexedChunk> documentChunks) {
    remove(documentId);
    if (documentChunks.isEmpty()) {
      return;
    }
    int dim = documentChunks.get(0).vector().dimension();
    if (dimension < 0) {
      dimension = dim;
    }
    for (IndexedChunk chunk : documentChunks) {
      if (chunk.vector().dimension() != dimension) {
        throw new IllegalArgumentException(
            "vector dimension " + chunk.vector().dimension() + " differs from the shard's " + dimension);
      }
    }
    ensureCapacity(rows + documentChunks.size());
    int[] rowIds = new int[documentChunks.size()];
    for (int i = 0; i < documentChunks.size(); i++) {
      IndexedChunk chunk = documentChunks.get(i);
      System.arraycopy(chunk.vector().values(), 0, data, rows * dimension, dimension);
      if (codes != null) {
        codeScales[rows] = VectorOps.quantize(data, rows * dimension, dimension, codes, rows * dimension);
      }
      documentIds[rows] = documentId;
      infos[rows] = new RowInfo(chunk.chunk(), chunk.text(), chunk.metadata());
      rowIds[i] = rows;
      rows++;
      liveRows++;
      if (graph != null) {
        if (graph.canAppend(rows - 1)) {
          graph.append(rows - 1);
        } else if (!graph.hasRoomFor(rows - 1)) {
          graph = null;
        } // else: behind a tail, which appendToGraph links in first
      }
    }
    rowsByDocument.put(documentId, rowIds);
  }

  boolean remove(String documentId) {
    int[] rowIds = rowsByDocument.remove(documentId);
    if (rowIds == null) {
      return false;
    }
    for (int row : rowIds) {
      infos[row] = null;
      liveRows--;
    }
    if (rows - liveRows > Math.max(MIN_CAPACITY, liveRows)) {
      compact();
    }
    return true;
  }

  /** The version of the last write or delete of a document, {@link Long#MIN_VALUE} if none. */
  long version(String documentId) {
    return versions.getOrDefault(documentId, Long.MIN_VALUE);
  }

  void version(String documentId, long version) {
    versions.put(documentId, version);
  }

  /** Every document's version, deleted ones included (for snapshots). */
  Map<String, Long> versions() {
    return Map.copyOf(versions);
  }

  boolean contains(String documentId) {
    return rowsByDocument.containsKey(documentId);
  }

  int documentCount() {
    return rowsByDocument.size();
  }

  int chunkCount() {
    return liveRows;
  }

  /** Top {@code k} live rows matching {@code filter}, the way the settings say. */
  List<ChunkHit> search(Vector query, int k, MetadataFilter filter) {
    if (liveRows == 0 || k <= 0) {
      return List.of();
    }
    float[] q = checkedQuery(query);
    if (graph != null && graphWanted()) {
      return searchGraph(q, k, filter, settings.hnswEfSearch());
    }
    // below the threshold, or its graph not built yet: exact
    return settings.quantization() == Quantization.INT8
        ? searchInt8(q, k, filter, settings.int8Oversample())
        : searchExact(q, k, filter, ops);
  }

  /** Exact top-k on float32 with the given dot product implementation. */
  List<ChunkHit> searchExact(float[] q, int k, MetadataFilter filter, VectorOps dots) {
    if (liveRows == 0 || k <= 0) {
      return List.of();
    }
    TopK top = new TopK(k);
    boolean filtered = !filter.isEmpty();
    for (int row = 0; row < rows; row++) {
      RowInfo info = infos[row];
      if (info == null || (filtered && !filter.matches(info.metadata()))) {
        continue;
      }
      top.offer(dots.dot(q, 0, data, row * dimension, dimension), row);
    }
    return hits(top);
  }

  /**
   * Exact top-k scored on int8 codes, the best {@code k * oversample} then re-scored on float32.
   * Builds the codes on first use if the settings did not ask for them.
   */
  List<ChunkHit> searchInt8(float[] q, int k, MetadataFilter filter, int oversample) {
    if (liveRows == 0 || k <= 0) {
      return List.of();
    }
    ensureCodes();
    byte[] qCodes = new byte[dimension];
    VectorOps.quantize(q, 0, dimension, qCodes, 0);
    TopK candidates = new TopK(k * oversample);
    boolean filtered = !filter.isEmpty();
    for (int row = 0; row < rows; row++) {
      RowInfo info = infos[row];
      if (info == null || (filtered && !filter.matches(info.metadata()))) {
        continue;
      }
      candidates.offer(ops.dot(qCodes, 0, codes, row * dimension, dimension) * codeScales[row], row);
    }
    int[] rowIds = new int[candidates.size()];
    int n = candidates.drainDescending(rowIds, new float[rowIds.length]);
    TopK top = new TopK(k);
    for (int i = 0; i < n; i++) {
      top.offer(ops.dot(q, 0, data, rowIds[i] * dimension, dimension), rowIds[i]);
    }
    return hits(top);
  }

  /**
   * Top-k from the HNSW graph (built first, on this thread, if there is none), searching
   * {@code max(ef, k)} deep; rows not yet in the graph (the tail) are scored exactly and merged
   * in. A filter that leaves fewer than {@code hnsw.filtered-exact-below} of the live rows is
   * answered by an exact scan of those rows: graph search under a very sparse accept set visits
   * most of the graph anyway.
   */
  List<ChunkHit> searchGraph(float[] q, int k, MetadataFilter filter, int ef) {
    return searchGraph(q, k, filter, ef, true);
  }

  /** As {@link #searchGraph(float[], int, MetadataFilter, int)}; {@code prefetch}: see {@link HnswIndex#search}. */
  List<ChunkHit> searchGraph(float[] q, int k, MetadataFilter filter, int ef, boolean prefetch) {
    if (liveRows == 0 || k <= 0) {
      return List.of();
    }
    ensureGraph();
    Bits accept;
    if (filter.isEmpty()) {
      accept = rows == liveRows ? null : new LiveBits();
    } else {
      FixedBitSet matching = new FixedBitSet(rows);
      int count = 0;
      for (int row = 0; row < rows; row++) {
        RowInfo info = infos[row];
        if (info != null && filter.matches(info.metadata())) {
          matching.set(row);
          count++;
        }
      }
      if (count == 0) {
        return List.of();
      }
      if (count <= k || count < settings.hnswFilteredExactBelow() * liveRows) {
        TopK top = new TopK(k);
        for (int row = matching.nextSetBit(0); row != NO_MORE_DOCS; row = nextSetBit(matching, row + 1)) {
          top.offer(ops.dot(q, 0, data, row * dimension, dimension), row);
        }
        return hits(top);
      }
      accept = matching;
    }
    TopK candidates = new TopK(Math.max(ef, k));
    graph.search(q, Math.max(ef, k), accept, candidates, prefetch);
    int[] rowIds = new int[candidates.size()];
    int n = candidates.drainDescending(rowIds, new float[rowIds.length]);
    TopK top = new TopK(k);
    for (int i = 0; i < n; i++) {
      // the graph's scores went through (1 + dot) / 2; re-score so hits carry the exact cosine
      top.offer(ops.dot(q, 0, data, rowIds[i] * dimension, dimension), rowIds[i]);
    }
    for (int row = graph.size(); row < rows; row++) {
      if (accept == null || accept.get(row)) {
        top.offer(ops.dot(q, 0, data, row * dimension, dimension), row);
      }
    }
    return hits(top);
  }

  /**
   * Builds the graph over all rows now, unless there is one; the benchmark times this. With int8
   * quantization the graph is built and walked on the int8 codes (a quarter of the memory per
   * distance), and only the {@code ef} candidates it ends with are re-scored on float32.
   */
  void ensureGraph() {
    ensureGraph(settings.quantization() == Quantization.INT8);
  }

  void ensureGraph(boolean onCodes) {
    if (graph == null && rows > 0) {
      if (onCodes) {
        ensureCodes();
      }
      graph = HnswIndex.build(
              rowsView(), onCodes, settings.hnswM(), settings.hnswBeamWidth(), settings.hnswBuildThreads(), () -> false)
          .attach(this);
    }
  }

  /** Forgets the graph (the benchmark builds another kind next). */
  void dropGraph() {
    graph = null;
  }

  /** Whether the settings want this many live rows searched on a graph. */
  private boolean graphWanted() {
    return settings.hnswMinVectors() > 0 && liveRows >= settings.hnswMinVectors();
  }

  /** Whether the shard should start a background build now: a graph is wanted, none is there or coming. */
  boolean needsGraphBuild() {
    return graph == null && !graphBuilding && rows > 0 && graphWanted();
  }

  boolean graphBuilding() {
    return graphBuilding;
  }

  /** Nodes in the graph; 0 when there is none. */
  int graphSize() {
    return graph == null ? 0 : graph.size();
  }

  /** Rows added since the graph was built and not linked into it yet (scanned exactly meanwhile). */
  int graphTail() {
    return graph == null ? 0 : rows - graph.size();
  }

  /** Whether a search now walks the graph. */
  boolean searchesGraph() {
    return graph != null && graphWanted();
  }

  /**
   * Hands out a build of a graph over the rows there are now, to run on another thread; until
   * {@link #installGraph} or {@link #graphBuildFailed} no other is handed out. Quantizes first when
   * the graph is to be walked on int8 codes.
   */
  GraphBuild startGraphBuild() {
    if (graphBuilding) {
      throw new IllegalStateException("a graph build is already running");
    }
    boolean onCodes = settings.quantization() == Quantization.INT8;
    if (onCodes) {
      ensureCodes();
    }
    graphBuilding = true;
    return new GraphBuild(rowsView(), onCodes, rowEpoch, settings);
  }

  /**
   * Takes the result of a background build, unless rows were renumbered since it started (it is
   * then dropped, and {@link #needsGraphBuild} says whether to start another). Rows added since it
   * started stay in the tail for {@link #appendToGraph}; rows removed since are dead rows, which
   * the accept bits exclude. Returns whether it was installed.
   */
  boolean installGraph(GraphBuild build, HnswIndex built) {
    graphBuilding = false;
    if (build.epoch() != rowEpoch || graph != null || build.rows().rows() > rows) {
      return false;
    }
    graph = built.attach(this);
    return true;
  }

  void graphBuildFailed() {
    graphBuilding = false;
  }

  /**
   * Links up to {@code max} rows of the tail into the graph; returns how many remain. Drops the
   * graph when it has no room for them (a preallocated graph that the matrix outgrew).
   */
  int appendToGraph(int max) {
    if (graph == null) {
      return 0;
    }
    for (int i = 0; i < max && graph.size() < rows; i++) {
      int row = graph.size();
      if (!graph.hasRoomFor(row)) {
        graph = null;
        return 0;
      }
      graph.append(row);
    }
    return rows - graph.size();
  }

  /**
   * A graph build over a fixed set of rows, safe to run on any thread: it reads only its
   * {@link Rows} view. {@link #cancel} stops it at its next node.
   */
  static final class GraphBuild {
    private final Rows rows;
    private final boolean onCodes;
    private final long epoch;
    private final SearchSettings settings;
    private volatile boolean cancelled;

    private GraphBuild(Rows rows, boolean onCodes, long epoch, SearchSettings settings) {
      this.rows = rows;
      this.onCodes = onCodes;
      this.epoch = epoch;
      this.settings = settings;
    }

    HnswIndex run() {
      return HnswIndex.build(
          rows, onCodes, settings.hnswM(), settings.hnswBeamWidth(), settings.hnswBuildThreads(), () -> cancelled);
    }

    void cancel() {
      cancelled = true;
    }

    Rows rows() {
      return rows;
    }

    long epoch() {
      return epoch;
    }
  }

  /**
   * Rows {@code [0, rows)} of the matrix's arrays as they are now. The matrix never writes those
   * rows of these arrays again: it appends behind them, and regrowing, re-quantizing or compacting
   * allocates new arrays. So another thread may read a view while the owner goes on mutating.
   */
  record Rows(float[] data, byte[] codes, float[] codeScales, int dimension, int rows, VectorOps ops) {
    RandomVectorScorer rowScorer(int row, boolean onCodes) {
      if (onCodes) {
        return new CodeScorer(codes, row * dimension, codeScales[row], codes, codeScales, dimension, rows, ops);
      }
      return new DotScorer(data, row * dimension, data, dimension, rows, ops);
    }
  }

  private Rows rowsView() {
    return new Rows(data, codes, codeScales, dimension, rows, ops);
  }

  /** Quantizes every row now, unless done; the benchmark times this. */
  void ensureCodes() {
    if (codes != null && codes.length >= rows * dimension) {
      return;
    }
    codes = new byte[data.length];
    codeScales = new float[infos.length];
    for (int row = 0; row < rows; row++) {
      codeScales[row] = VectorOps.quantize(data, row * dimension, dimension, codes, row * dimension);
    }
  }

  /** Room for {@code capacity} rows without regrowing; a bulk load calls this first. */
  void reserve(int capacity, int dimension) {
    if (this.dimension < 0) {
      this.dimension = dimension;
    }
    ensureCapacity(capacity);
  }

  int dimension() {
    return dimension;
  }

  VectorOps ops() {
    return ops;
  }

  /** Heap held by the search structures: vectors, int8 codes and graph (not texts and metadata). */
  long searchHeapBytes() {
    long bytes = 4L * rows * Math.max(dimension, 0);
    if (codes != null) {
      bytes += (long) rows * Math.max(dimension, 0) + 4L * rows;
    }
    if (graph != null) {
      bytes += graph.ramBytesUsed();
    }
    return bytes;
  }

  /** Every live document with its chunks, in insertion order: the snapshot form. */
  Map<String, List<IndexedChunk>> documents() {
    Map<String, List<IndexedChunk>> out = new LinkedHashMap<>();
    rowsByDocument.forEach(
        (doc, rowIds) -> {
          List<IndexedChunk> list = new ArrayList<>(rowIds.length);
          for (int row : rowIds) {
            RowInfo info = infos[row];
            float[] vector = Arrays.copyOfRange(data, row * dimension, (row + 1) * dimension);
            list.add(new IndexedChunk(info.chunk(), info.text(), info.metadata(), new Vector(vector)));
          }
          out.put(doc, list);
        });
    return out;
  }

  /** Graph scores are {@code (1 + dot) / 2}, in [0, 1] for unit vectors, as Lucene expects. */
  static float dotFromScore(float score) {
    return 2 * score - 1;
  }

  RandomVectorScorer queryScorer(float[] query, boolean onCodes) {
    if (onCodes) {
      byte[] q = new byte[dimension];
      float scale = VectorOps.quantize(query, 0, dimension, q, 0);
      return new CodeScorer(q, 0, scale, codes, codeScales, dimension, rows, ops);
    }
    return new DotScorer(query, 0, data, dimension, rows, ops);
  }

  RandomVectorScorer rowScorer(int row, boolean onCodes) {
    if (onCodes) {
      return new CodeScorer(codes, row * dimension, codeScales[row], codes, codeScales, dimension, rows, ops);
    }
    return new DotScorer(data, row * dimension, data, dimension, rows, ops);
  }

  private record CodeScorer(
      byte[] query, int offset, float scale, byte[] codes, float[] scales, int dimension, int rows, VectorOps ops)
      implements RandomVectorScorer, HnswIndex.Prefetching {
    @Override
    public float score(int node) {
      return (1 + ops.dot(query, offset, codes, node * dimension, dimension) * scale * scales[node]) / 2;
    }

    @Override
    public int touch(int[] nodes, int count) {
      int sink = 0;
      for (int i = 0; i < count; i++) {
        int start = nodes[i] * dimension;
        int end = start + dimension - 1;
        for (int at = start; at < end; at += CACHE_LINE) {
          sink += codes[at];
        }
        sink += codes[end] + (int) scales[nodes[i]];
      }
      return sink;
    }

    @Override
    public int maxOrd() {
      return rows;
    }
  }

  private record DotScorer(float[] query, int offset, float[] data, int dimension, int rows, VectorOps ops)
      implements RandomVectorScorer {
    @Override
    public float score(int node) {
      return (1 + ops.dot(query, offset, data, node * dimension, dimension)) / 2;
    }

    @Override
    public int maxOrd() {
      return rows;
    }
  }

  /** Live rows as Lucene accept bits, read straight from {@link #infos}. */
  private final class LiveBits implements Bits {
    @Override
    public boolean get(int index) {
      return infos[index] != null;
    }

    @Override
    public int length() {
      return rows;
    }
  }

  private static int nextSetBit(FixedBitSet bits, int from) {
    return from < bits.length() ? bits.nextSetBit(from) : NO_MORE_DOCS;
  }

  private float[] checkedQuery(Vector query) {
    if (query.dimension() != dimension) {
      throw new IllegalArgumentException(
          "query dimension " + query.dimension() + " differs from the shard's " + dimension);
    }
    return query.values();
  }

  private List<ChunkHit> hits(TopK top) {
    int[] rowIds = new int[top.size()];
    float[] scores = new float[rowIds.length];
    int n = top.drainDescending(rowIds, scores);
    List<ChunkHit> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      RowInfo info = infos[rowIds[i]];
      out.add(new ChunkHit(documentIds[rowIds[i]], info.chunk(), info.text(), info.metadata(), scores[i]));
    }
    return out;
  }

  private void compact() {
    Map<String, List<IndexedChunk>> docs = documents();
    data = new float[0];
    if (codes != null) {
      codes = new byte[0];
      codeScales = new float[0];
    }
    documentIds = new String[0];
    infos = new RowInfo[0];
    rows = 0;
    liveRows = 0;
    graph = null;
    rowEpoch++;
    rowsByDocument.clear();
    docs.forEach(this::upsert);
  }

  private void ensureCapacity(int needed) {
    if (needed <= infos.length) {
      return;
    }
    int capacity = Math.max(MIN_CAPACITY, Math.max(needed, infos.length + (infos.length >> 1)));
    data = Arrays.copyOf(data, capacity * Math.max(dimension, 1));
    if (codes != null) {
      codes = Arrays.copyOf(codes, capacity * Math.max(dimension, 1));
      codeScales = Arrays.copyOf(codeScales, capacity);
    }
    documentIds = Arrays.copyOf(documentIds, capacity);
    infos = Arrays.copyOf(infos, capacity);
  }
}
