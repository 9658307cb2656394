package io.ragmill.http;

import com.typesafe.config.Config;

/**
 * The {@code ragmill.http.compression} block: responses between {@code min-size} and
 * {@code max-size} bytes are gzipped for clients that accept it; request bodies may be gzip or
 * deflate, and are limited to {@code ragmill.http.max-body} after decompression.
 */
record CompressionSettings(boolean enabled, long minSize, long maxSize, int level) {
  CompressionSettings {
    if (minSize < 0 || maxSize < minSize) {
      throw new IllegalArgumentException(
          "ragmill.http.compression needs 0 <= min-size <= max-size, was " + minSize + " and " + maxSize);
    }
    if (level < 1 || level > 9) {
      throw new IllegalArgumentException("ragmill.http.compression.level must be 1..9, was " + level);
    }
  }

  static CompressionSettings fromConfig(Config root) {
    Config c = root.getConfig("ragmill.http.compression");
    return new CompressionSettings(c.getBoolean("enabled"), c.getBytes("min-size"), c.getBytes("max-size"), c.getInt("level"));
  }
}
