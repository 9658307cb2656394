package io.ragmill.cache;

import io.ragmill.embedding.Vector;
import io.ragmill.index.VectorOps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The earlier queries of one scope (tenant, collection, generation, k, filter, mode) with their
 * embeddings and the keys of their answers: a ring of at most {@code capacity} rows, the oldest
 * replaced first. Owned by one {@link CachePartition}, so not thread-safe.
 *
 * <p>A lookup looks at every row in three steps, each cheaper than the next and each passing on
 * fewer rows (profiling distinct-question load found the plain float scan of full 10,000-row scopes
 * taking two thirds of the node's Java CPU, the int8 scan alone still half):
 *
 * <ol>
 *   <li>the row's {@link SimHash} sketch: six XOR-and-popcounts; a row whose sketch is further
 *       from the question's than {@link SimHash#maxDistance} is skipped. A row at or above the
 *       threshold is skipped with probability below {@value SimHash#MISS_PROBABILITY}, and a skip
 *       only costs a computed answer instead of a cached one, never a wrong answer;
 *   <li>its int8 code: the score comes with a bound on its quantization error, so a row goes on
 *       whenever its true cosine could reach the threshold;
 *   <li>its float vector, which decides.
 * </ol>
 */
final class SemanticScope {
  private static final int ROW_OVERHEAD_BYTES = 160;
  /** SIMD where the JVM has the Vector API (bin/ragmill adds it), the scalar loop otherwise. */
  private static final VectorOps OPS = VectorOps.best();
  /** One remembered question of a 384-dimension model with its text and terms, for budgeting. */
  static final int ESTIMATED_ROW_BYTES = 384 * (Float.BYTES + 1) + SimHash.WORDS * Long.BYTES + ROW_OVERHEAD_BYTES + 200;

  sealed interface Outcome permits Match, Miss {}

  /** The best candidate that passed the guard, and why it rejected the more similar ones, if any. */
  record Match(CacheKey answerKey, String query, double similarity, Optional<NearMissGuard.Reason> passedOver)
      implements Outcome {}

  /** Nothing passed: how many candidates above the threshold the guard rejected, and the first reason. */
  record Miss(int rejected, Optional<NearMissGuard.Reason> reason) implements Outcome {}

  private final int capacity;
  private int dimension = -1;
  private float[] vectors = new float[0];
  /** Each row's symmetric int8 code, its scale ({@code value ~ code * scale}) and the sum of |code|. */
  private byte[] codes = new byte[0];
  private float[] scales = new float[0];
  private int[] codeNorms = new int[0];
  private SimHash simHash;
  private long[] sketches = new long[0];
  private final List<String> queries = new ArrayList<>();
  private final List<QueryTerms> terms = new ArrayList<>();
  private final List<CacheKey> answerKeys = new ArrayList<>();
  private final Map<String, Integer> rowOfQuery = new HashMap<>();
  private int next;
  private int textBytes;

  SemanticScope(int capacity) {
    this.capacity = capacity;
  }

  int size() {
    return queries.size();
  }

  int weightBytes() {
    return vectors.length * (Float.BYTES + 1) + sketches.length * Long.BYTES + textBytes
        + queries.size() * ROW_OVERHEAD_BYTES;
  }

  void add(String query, Vector vector, CacheKey answerKey) {
    float[] v = vector.values();
    if (dimension < 0) {
      dimension = v.length;
      simHash = SimHash.forDimension(dimension);
    } else if (v.length != dimension) {
      return;
    }
    Integer existing = rowOfQuery.get(query);
    int row;
    if (existing != null) {
      row = existing;
    } else if (queries.size() < capacity) {
      row = queries.size();
      queries.add(null);
      terms.add(null);
      answerKeys.add(null);
      if (vectors.length < (row + 1) * dimension) {
        int rows = Math.min(capacity, Math.max(8, (row + 1) * 2));
        vectors = Arrays.copyOf(vectors, rows * dimension);
        codes = Arrays.copyOf(codes, rows * dimension);
        scales = Arrays.copyOf(scales, rows);
        codeNorms = Arrays.copyOf(codeNorms, rows);
        sketches = Arrays.copyOf(sketches, rows * SimHash.WORDS);
      }
    } else {
      row = next;
      next = (next + 1) % capacity;
      rowOfQuery.remove(queries.get(row));
      textBytes -= 2 * queries.get(row).length();
    }
    if (existing == null) {
      textBytes += 2 * query.length();
    }
    System.arraycopy(v, 0, vectors, row * dimension, dimension);
    scales[row] = VectorOps.quantize(v, 0, dimension, codes, row * dimension);
    codeNorms[row] = absSum(codes, row * dimension, dimension);
    simHash.sketch(v, 0, sketches, row * SimHash.WORDS);
    queries.set(row, query);
    terms.set(row, QueryTerms.of(query));
    answerKeys.set(row, answerKey);
    rowOfQuery.put(query, row);
  }

  /**
   * The most similar earlier query with cosine at least {@code threshold} that the guard accepts,
   * looking at no more than {@code maxCandidates} candidates, most similar first.
   */
  Outcome find(String query, Vector vector, double threshold, int maxCandidates, NearMissGuard guard) {
    float[] q = vector.values();
    if (dimension < 0 || q.length != dimension) {
      return new Miss(0, Optional.empty());
    }
    int n = queries.size();
    int[] candidates = new int[Math.min(maxCandidates, n)];
    float[] scores = new float[candidates.length];
    int found = 0;
    long[] qSketch = new long[SimHash.WORDS];
    simHash.sketch(q, 0, qSketch, 0);
    int maxDistance = simHash.maxDistance(threshold);
    byte[] qCodes = new byte[dimension];
    float qScale = VectorOps.quantize(q, 0, dimension, qCodes, 0);
    int qNorm = absSum(qCodes, 0, dimension);
    for (int row = 0; row < n; row++) {
      if (SimHash.distance(qSketch, 0, sketches, row * SimHash.WORDS) > maxDistance) {
        continue;
      }
      // q = qScale (c + a), x = scale (d + b) with |a|, |b| <= 1/2 per component, so
      // |q.x - qScale scale c.d| <= qScale scale (|c|_1 / 2 + |d|_1 / 2 + dimension / 4)
      float both = qScale * scales[row];
      float approximate = both * OPS.dot(qCodes, 0, codes, row * dimension, dimension);
      float error = both * (0.5f * (qNorm + codeNorms[row]) + 0.25f * dimension) + 1e-6f;
      if (approximate + error < threshold) {
        continue;
      }
      float score = dot(q, row * dimension);
      if (score < threshold || queries.get(row).equals(query)) {
        continue;
      }
      // keep the best maxCandidates, sorted descending
      int at;
      if (found < candidates.length) {
        at = found++;
      } else if (score > scores[candidates.length - 1]) {
        at = candidates.length - 1;
      } else {
        continue;
      }
      while (at > 0 && scores[at - 1] < score) {
        candidates[at] = candidates[at - 1];
        scores[at] = scores[at - 1];
        at--;
      }
      candidates[at] = row;
      scores[at] = score;
    }
    if (found == 0) {
      return new Miss(0, Optional.empty());
    }
    QueryTerms mine = QueryTerms.of(query);
    Optional<NearMissGuard.Reason> firstReason = Optional.empty();
    for (int i = 0; i < found; i++) {
      int row = candidates[i];
      Optional<NearMissGuard.Reason> rejected = guard.reject(mine, terms.get(row));
      if (rejected.isEmpty()) {
        return new Match(answerKeys.get(row), queries.get(row), Math.min(1.0, scores[i]), firstReason);
      }
      if (firstReason.isEmpty()) {
        firstReason = rejected;
      }
    }
    return new Miss(found, firstReason);
  }

  private static int absSum(byte[] codes, int offset, int length) {
    int sum = 0;
    for (int i = 0; i < length; i++) {
      sum += Math.abs(codes[offset + i]);
    }
    return sum;
  }

  private float dot(float[] q, int offset) {
    return OPS.dot(q, 0, vectors, offset, dimension);
  }
}
