package io.ragmill.index;

/**
 * The k best (score, row) pairs seen so far, as a binary min-heap on two primitive arrays: a scan
 * over a million rows offers every row, so boxing each candidate (as a {@code PriorityQueue}
 * would) dominates the cost of the small k it keeps.
 */
final class TopK {
  private final float[] scores;
  private final int[] rows;
  private int size;

  TopK(int k) {
    if (k <= 0) {
      throw new IllegalArgumentException("k must be > 0, was " + k);
    }
    scores = new float[k];
    rows = new int[k];
  }

  int size() {
    return size;
  }

  /** The score a new row must beat to enter once the heap is full. */
  float threshold() {
    return size < scores.length ? Float.NEGATIVE_INFINITY : scores[0];
  }

  void offer(float score, int row) {
    if (size < scores.length) {
      int i = size++;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (scores[parent] <= score) {
          break;
        }
        scores[i] = scores[parent];
        rows[i] = rows[parent];
        i = parent;
      }
      scores[i] = score;
      rows[i] = row;
    } else if (score > scores[0]) {
      siftDownFromRoot(score, row);
    }
  }

  private void siftDownFromRoot(float score, int row) {
    int i = 0;
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && scores[right] < scores[child]) {
        child = right;
      }
      if (score <= scores[child]) {
        break;
      }
      scores[i] = scores[child];
      rows[i] = rows[child];
      i = child;
    }
    scores[i] = score;
    rows[i] = row;
  }

  /** Empties the heap into {@code outRows}/{@code outScores}, best first; returns the count. */
  int drainDescending(int[] outRows, float[] outScores) {
    int n = size;
    for (int i = n - 1; i >= 0; i--) {
      outRows[i] = rows[0];
      outScores[i] = scores[0];
      size--;
      if (size > 0) {
        siftDownFromRoot(scores[size], rows[size]);
      }
    }
    return n;
  }
}
