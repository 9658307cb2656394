package io.ragmill.loadtest;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A rate sweep: one open-loop report per offered rate, and the answer to "how fast can it go": the
 * highest rate at which p99 stayed within the bound with no errors and the node kept up (achieved
 * at least 95% of offered).
 */
public record Sweep(String scenario, double p99BoundMs, List<Report> steps, Double maxRateWithinBound) {

  static final double KEPT_UP = 0.95;

  public static Sweep of(String scenario, List<Report> steps, Duration p99Bound) {
    double bound = p99Bound.toNanos() / 1e6;
    Double best = null;
    for (Report step : steps) {
      if (within(step, bound)) {
        best = best == null ? step.offeredRate() : Math.max(best, step.offeredRate());
      }
    }
    return new Sweep(scenario, bound, List.copyOf(steps), best);
  }

  /** p99 within the bound, no errors, and the node answered what was offered. */
  static boolean within(Report step, double boundMs) {
    return step.latencyMs().p99() <= boundMs && step.errors() == 0 && keptUp(step);
  }

  static boolean keptUp(Report step) {
    return step.offeredRate() != null && step.throughput() >= KEPT_UP * step.offeredRate();
  }

  /** Falling behind the offered rate: a higher rate will not do better. */
  static boolean saturated(Report step) {
    return !keptUp(step);
  }

  public String summary() {
    return String.format(
        Locale.ROOT, "%s sweep over %d rates: highest rate with p99 <= %.1f ms and no errors: %s", scenario,
        steps.size(), p99BoundMs, maxRateWithinBound == null ? "none" : String.format(Locale.ROOT, "%.0f req/s", maxRateWithinBound));
  }
}
