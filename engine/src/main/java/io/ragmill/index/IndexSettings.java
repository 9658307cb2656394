package io.ragmill.index;

import com.typesafe.config.Config;

/** The {@code ragmill.index} block. */
public record IndexSettings(int defaultShards, int snapshotEvery, int maxK, int snapshotMaxChunks) {
  public IndexSettings {
    if (defaultShards <= 0) {
      throw new IllegalArgumentException("ragmill.index.default-shards must be > 0, was " + defaultShards);
    }
    if (snapshotEvery <= 0) {
      throw new IllegalArgumentException("ragmill.index.snapshot-every must be > 0, was " + snapshotEvery);
    }
  }

  public static IndexSettings fromConfig(Config root) {
    Config c = root.getConfig("ragmill.index");
    return new IndexSettings(
        c.getInt("default-shards"), c.getInt("snapshot-every"), c.getInt("max-k"), c.getInt("snapshot-max-chunks"));
  }
}
