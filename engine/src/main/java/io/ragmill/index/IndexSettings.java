package io.ragmill.index;

import com.typesafe.config.Config;

/** The {@code ragmill.index} block. */
public record IndexSettings(
    int defaultShards,
    int snapshotEvery,
    int maxK,
    int snapshotMaxChunks,
    int keepSnapshots,
    boolean deleteEventsOnSnapshot,
    SearchSettings search) {
  public IndexSettings {
    if (keepSnapshots < 0) {
      throw new IllegalArgumentException("ragmill.index.keep-snapshots must be >= 0, was " + keepSnapshots);
    }
    if (defaultShards <= 0) {
      throw new IllegalArgumentException("ragmill.index.default-shards must be > 0, was " + defaultShards);
    }
    if (snapshotEvery <= 0) {
      throw new IllegalArgumentException("ragmill.index.snapshot-every must be > 0, was " + snapshotEvery);
    }
  }

  /** Snapshots up to this many chunks in a shard unless configured otherwise (see reference.conf). */
  public static final int DEFAULT_SNAPSHOT_MAX_CHUNKS = 10_000;

  /** Snapshots kept per shard unless configured otherwise; older ones (and their events) are deleted. */
  public static final int DEFAULT_KEEP_SNAPSHOTS = 2;

  public IndexSettings(int defaultShards, int snapshotEvery, int maxK, int snapshotMaxChunks, SearchSettings search) {
    this(defaultShards, snapshotEvery, maxK, snapshotMaxChunks, DEFAULT_KEEP_SNAPSHOTS, true, search);
  }

  /** With the default search settings (SIMD where available, float exact scan, HNSW from 20,000 vectors). */
  public IndexSettings(int defaultShards, int snapshotEvery, int maxK) {
    this(defaultShards, snapshotEvery, maxK, DEFAULT_SNAPSHOT_MAX_CHUNKS, SearchSettings.DEFAULT);
  }

  public IndexSettings(int defaultShards, int snapshotEvery, int maxK, int snapshotMaxChunks) {
    this(defaultShards, snapshotEvery, maxK, snapshotMaxChunks, SearchSettings.DEFAULT);
  }

  public IndexSettings(int defaultShards, int snapshotEvery, int maxK, SearchSettings search) {
    this(defaultShards, snapshotEvery, maxK, DEFAULT_SNAPSHOT_MAX_CHUNKS, search);
  }

  public static IndexSettings fromConfig(Config root) {
    Config c = root.getConfig("ragmill.index");
    return new IndexSettings(
        c.getInt("default-shards"), c.getInt("snapshot-every"), c.getInt("max-k"), c.getInt("snapshot-max-chunks"),
        c.getInt("keep-snapshots"), c.getBoolean("delete-events-on-snapshot"), SearchSettings.fromConfig(c));
  }

  /** How an exact scan scores rows. */
  public enum Quantization {
    /** Every row on float32. */
    NONE,
    /** Every row on int8 codes, the best {@code k * int8-oversample} re-scored on float32. */
    INT8
  }

  /**
   * How a shard answers a search: an exact scan (float32 or int8 with re-scoring) below
   * {@code hnswMinVectors} live vectors, an HNSW graph from there on.
   */
  public record SearchSettings(
      boolean simd,
      Quantization quantization,
      int int8Oversample,
      int hnswMinVectors,
      int hnswM,
      int hnswBeamWidth,
      int hnswEfSearch,
      int hnswBuildThreads,
      double hnswFilteredExactBelow) {
    public static final SearchSettings DEFAULT =
        new SearchSettings(true, Quantization.NONE, 4, 20_000, 16, 100, 100, 1, 0.05);

    public SearchSettings {
      if (int8Oversample < 1) {
        throw new IllegalArgumentException("ragmill.index.int8-oversample must be >= 1, was " + int8Oversample);
      }
      if (hnswMinVectors < 0) {
        throw new IllegalArgumentException("ragmill.index.hnsw.min-vectors must be >= 0, was " + hnswMinVectors);
      }
      if (hnswM < 2 || hnswM > 512) {
        throw new IllegalArgumentException("ragmill.index.hnsw.m must be in 2..512, was " + hnswM);
      }
      if (hnswBeamWidth < 1) {
        throw new IllegalArgumentException("ragmill.index.hnsw.beam-width must be > 0, was " + hnswBeamWidth);
      }
      if (hnswEfSearch < 1) {
        throw new IllegalArgumentException("ragmill.index.hnsw.ef-search must be > 0, was " + hnswEfSearch);
      }
      if (hnswBuildThreads < 1) {
        throw new IllegalArgumentException(
            "ragmill.index.hnsw.build-threads must be > 0, was " + hnswBuildThreads);
      }
      if (hnswFilteredExactBelow < 0 || hnswFilteredExactBelow > 1) {
        throw new IllegalArgumentException(
            "ragmill.index.hnsw.filtered-exact-below must be in [0, 1], was " + hnswFilteredExactBelow);
      }
    }

    static SearchSettings fromConfig(Config index) {
      String q = index.getString("quantization");
      Quantization quantization =
          switch (q) {
            case "none" -> Quantization.NONE;
            case "int8" -> Quantization.INT8;
            default -> throw new IllegalArgumentException(
                "ragmill.index.quantization must be none or int8, was " + q);
          };
      Config h = index.getConfig("hnsw");
      return new SearchSettings(
          index.getBoolean("simd"),
          quantization,
          index.getInt("int8-oversample"),
          h.getInt("min-vectors"),
          h.getInt("m"),
          h.getInt("beam-width"),
          h.getInt("ef-search"),
          h.getInt("build-threads"),
          h.getDouble("filtered-exact-below"));
    }

    VectorOps ops() {
      return simd ? VectorOps.best() : VectorOps.scalar();
    }
  }
}
