package io.ragmill.metrics;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code ragmill.metrics} block. */
public record MetricsSettings(Duration tickInterval, Duration window, Duration sampleInterval) {
  public MetricsSettings {
    if (tickInterval.toMillis() < 100) {
      throw new IllegalArgumentException("ragmill.metrics.tick-interval must be >= 100ms, was " + tickInterval);
    }
    if (window.compareTo(tickInterval) < 0) {
      throw new IllegalArgumentException("ragmill.metrics.window must be >= tick-interval, was " + window);
    }
    if (sampleInterval.isNegative() || sampleInterval.isZero()) {
      throw new IllegalArgumentException("ragmill.metrics.sample-interval must be > 0, was " + sampleInterval);
    }
  }

  public static MetricsSettings fromConfig(Config root) {
    Config c = root.getConfig("ragmill.metrics");
    return new MetricsSettings(c.getDuration("tick-interval"), c.getDuration("window"), c.getDuration("sample-interval"));
  }
}
