package io.ragmill.routing;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The {@code ragmill.query.router} block: how session-less queries are spread over this node's
 * {@link QueryWorker}s, how many each may hold at once, and when the pool grows or shrinks.
 */
public record RouterSettings(
    Strategy strategy, int minWorkers, int maxWorkers, int initialWorkers, int maxInFlightPerWorker,
    List<Integer> weights, Duration resizeInterval, double growAbove, double shrinkBelow, Duration cooldown) {

  public enum Strategy {
    ROUND_ROBIN,
    RANDOM,
    LEAST_BUSY,
    CONSISTENT_HASHING,
    WEIGHTED;

    static Strategy parse(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "ragmill.query.router.strategy must be round-robin, random, least-busy, consistent-hashing or weighted, was '"
                + name + "'");
      }
    }

    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  public RouterSettings {
    if (minWorkers < 1 || maxWorkers < minWorkers || initialWorkers < minWorkers || initialWorkers > maxWorkers) {
      throw new IllegalArgumentException(
          "ragmill.query.router: 1 <= min-workers <= initial-workers <= max-workers is required, was "
              + minWorkers + ", " + initialWorkers + ", " + maxWorkers);
    }
    if (maxInFlightPerWorker < 1) {
      throw new IllegalArgumentException("ragmill.query.router.max-in-flight-per-worker must be >= 1");
    }
    if (weights.isEmpty() || weights.stream().anyMatch(w -> w < 1)) {
      throw new IllegalArgumentException("ragmill.query.router.weights must be a non-empty list of whole numbers >= 1");
    }
    if (!(shrinkBelow < growAbove) || growAbove > 1 || shrinkBelow < 0) {
      throw new IllegalArgumentException("ragmill.query.router.resize: 0 <= shrink-below < grow-above <= 1 is required");
    }
    weights = List.copyOf(weights);
  }

  public static RouterSettings fromConfig(Config root) {
    Config c = root.getConfig("ragmill.query.router");
    return new RouterSettings(
        Strategy.parse(c.getString("strategy")), c.getInt("min-workers"), c.getInt("max-workers"),
        c.getInt("initial-workers"), c.getInt("max-in-flight-per-worker"), c.getIntList("weights"),
        c.getDuration("resize.interval"), c.getDouble("resize.grow-above"), c.getDouble("resize.shrink-below"),
        c.getDuration("resize.cooldown"));
  }

  /** The same settings with another minimum pool size (and the initial size raised to it). */
  public RouterSettings withMin(int min) {
    return new RouterSettings(
        strategy, min, Math.max(min, maxWorkers), Math.max(min, initialWorkers), maxInFlightPerWorker, weights,
        resizeInterval, growAbove, shrinkBelow, cooldown);
  }

  /** Weight of the {@code i}-th worker: the list, cycled. */
  int weight(int i) {
    return weights.get(i % weights.size());
  }
}
