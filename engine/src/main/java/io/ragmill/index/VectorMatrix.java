package io.ragmill.index;

import io.ragmill.embedding.Vector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The vectors of one shard in a single row-major float array, so a search is one linear scan over
 * contiguous memory. Replacing or removing a document marks its rows dead; dead rows are compacted
 * away once they outnumber the live ones. Mutable and not thread-safe: owned by one IndexShard.
 */
final class VectorMatrix {
  private static final int MIN_CAPACITY = 64;

  private int dimension = -1;
  private float[] data = new float[0];
  private String[] documentIds = new String[0];
  private IndexedChunk[] chunks = new IndexedChunk[0];
  private boolean[] live = new boolean[0];
  private int rows;
  private int liveRows;
  private final Map<String, int[]> rowsByDocument = new LinkedHashMap<>();

  void upsert(String documentId, List<IndexedChunk> documentChunks) {
    remove(documentId);
    if (documentChunks.isEmpty()) {
      return;
    }
    int dim = documentChunks.get(0).vector().dimension();
    if (dimension < 0) {
      dimension = dim;
    }
    ensureCapacity(rows + documentChunks.size());
    int[] rowIds = new int[documentChunks.size()];
    for (int i = 0; i < documentChunks.size(); i++) {
      IndexedChunk chunk = documentChunks.get(i);
      if (chunk.vector().dimension() != dimension) {
        throw new IllegalArgumentException(
            "vector dimension " + chunk.vector().dimension() + " differs from the shard's " + dimension);
      }
      System.arraycopy(chunk.vector().values(), 0, data, rows * dimension, dimension);
      documentIds[rows] = documentId;
      chunks[rows] = chunk;
      live[rows] = true;
      rowIds[i] = rows;
      rows++;
      liveRows++;
    }
    rowsByDocument.put(documentId, rowIds);
  }

  boolean remove(String documentId) {
    int[] rowIds = rowsByDocument.remove(documentId);
    if (rowIds == null) {
      return false;
    }
    for (int row : rowIds) {
      live[row] = false;
      chunks[row] = null;
      liveRows--;
    }
    if (rows - liveRows > Math.max(MIN_CAPACITY, liveRows)) {
      compact();
    }
    return true;
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

  List<ChunkHit> search(Vector query, int k, MetadataFilter filter) {
    if (liveRows == 0 || k <= 0) {
      return List.of();
    }
    if (query.dimension() != dimension) {
      throw new IllegalArgumentException(
          "query dimension " + query.dimension() + " differs from the shard's " + dimension);
    }
    float[] q = query.values();
    PriorityQueue<float[]> top = new PriorityQueue<>(k + 1, (a, b) -> Float.compare(a[0], b[0]));
    boolean filtered = !filter.isEmpty();
    for (int row = 0; row < rows; row++) {
      if (!live[row] || (filtered && !filter.matches(chunks[row].metadata()))) {
        continue;
      }
      float score = dot(q, row * dimension);
      if (top.size() < k) {
        top.add(new float[] {score, row});
      } else if (score > top.peek()[0]) {
        top.poll();
        top.add(new float[] {score, row});
      }
    }
    List<ChunkHit> hits = new ArrayList<>(top.size());
    while (!top.isEmpty()) {
      float[] e = top.poll();
      int row = (int) e[1];
      IndexedChunk c = chunks[row];
      hits.add(new ChunkHit(documentIds[row], c.chunk(), c.text(), c.metadata(), e[0]));
    }
    Collections.reverse(hits);
    return hits;
  }

  private float dot(float[] q, int offset) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    int n = dimension - 3;
    for (; i < n; i += 4) {
      s0 += q[i] * data[offset + i];
      s1 += q[i + 1] * data[offset + i + 1];
      s2 += q[i + 2] * data[offset + i + 2];
      s3 += q[i + 3] * data[offset + i + 3];
    }
    for (; i < dimension; i++) {
      s0 += q[i] * data[offset + i];
    }
    return s0 + s1 + s2 + s3;
  }

  /** Every live document with its chunks, in insertion order: the snapshot form. */
  Map<String, List<IndexedChunk>> documents() {
    Map<String, List<IndexedChunk>> out = new LinkedHashMap<>();
    rowsByDocument.forEach(
        (doc, rowIds) -> {
          List<IndexedChunk> list = new ArrayList<>(rowIds.length);
          for (int row : rowIds) {
            list.add(chunks[row]);
          }
          out.put(doc, list);
        });
    return out;
  }

  private void compact() {
    Map<String, List<IndexedChunk>> docs = documents();
    data = new float[0];
    documentIds = new String[0];
    chunks = new IndexedChunk[0];
    live = new boolean[0];
    rows = 0;
    liveRows = 0;
    rowsByDocument.clear();
    docs.forEach(this::upsert);
  }

  private void ensureCapacity(int needed) {
    if (needed <= live.length) {
      return;
    }
    int capacity = Math.max(MIN_CAPACITY, Math.max(needed, live.length + (live.length >> 1)));
    data = Arrays.copyOf(data, capacity * Math.max(dimension, 1));
    documentIds = Arrays.copyOf(documentIds, capacity);
    chunks = Arrays.copyOf(chunks, capacity);
    live = Arrays.copyOf(live, capacity);
  }
}
