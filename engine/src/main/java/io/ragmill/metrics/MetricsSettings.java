package io.ragmill.metrics;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code ragmill.metrics} block. */
public record MetricsSettings(Duration window, Duration sampleInterval) {
  public MetricsSettings {
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("ragmill.metrics.window must be > 0, was " + window);
    }
    if (sampleInterval.isNegative() || sampleInterval.isZero()) {
      throw new IllegalArgumentException("ragmill.metrics.sample-interval must be > 0, was " + sampleInterval);
    }
  }

  public static MetricsSettings fromConfig(Config root) {
    Config c = root.getConfig("ragmill.metrics");
    return new MetricsSettings(c.getDuration("window"), c.getDuration("sample-interval"));
  }
}
