package io.ragmill.cache;

import io.ragmill.embedding.Vector;
import io.ragmill.index.VectorOps;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The earlier queries of one scope (tenant, collection, generation, k, filter, mode) with their
 * embeddings and the keys of their answers: a ring of at most {@code capacity} rows, the oldest
 * replaced first. A lookup is a linear scan of at most a few thousand short dot products, which
 * costs less than one embedding; an approximate index would buy nothing at this size. Owned by one
 * {@link CachePartition}, so not thread-safe.
 */
final class SemanticScope {
  private static final int ROW_OVERHEAD_BYTES = 160;
  /** SIMD where the JVM has the Vector API (bin/ragmill adds it), the scalar loop otherwise. */
  private static final VectorOps OPS = VectorOps.best();
  /** One remembered question of a 384-dimension model with its text and terms, for budgeting. */
  static final int ESTIMATED_ROW_BYTES = 384 * Float.BYTES + ROW_OVERHEAD_BYTES + 200;

  sealed interface Outcome permits Match, Miss {}

  /** The best candidate that passed the guard, and why it rejected the more similar ones, if any. */
  record Match(CacheKey answerKey, String query, double similarity, Optional<NearMissGuard.Reason> passedOver)
      implements Outcome {}

  /** Nothing passed: how many candidates above the threshold the guard rejected, and the first reason. */
  record Miss(int rejected, Optional<NearMissGuard.Reason> reason) implements Outcome {}

  private final int capacity;
  private int dimension = -1;
  private float[] vectors = new float[0];
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
    return vectors.length * Float.BYTES + textBytes + queries.size() * ROW_OVERHEAD_BYTES;
  }

  void add(String query, Vector vector, CacheKey answerKey) {
    float[] v = vector.values();
    if (dimension < 0) {
      dimension = v.length;
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
        vectors = java.util.Arrays.copyOf(vectors, Math.min(capacity, Math.max(8, (row + 1) * 2)) * dimension);
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
    for (int row = 0; row < n; row++) {
      if (queries.get(row).equals(query)) {
        continue;
      }
      float score = dot(q, row * dimension);
      if (score < threshold) {
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

  private float dot(float[] q, int offset) {
    return OPS.dot(q, 0, vectors, offset, dimension);
  }
}
