package io.ragmill.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A rate sweep: one open-loop report per offered rate, and the answer to "how fast can it go": the
 * highest rate at which, and at every lower rate swept, p99 stayed within the bound with no errors
 * and the node kept up (achieved at least 95% of offered). A rate that passes after a lower one
 * failed is not taken (it is listed in {@code passedAfterFailure}: noise, or a cache warmed by the
 * earlier steps). {@code firstFailingRate} is null when every rate passed: the bound was not
 * reached and the answer is a lower bound.
 */
public record Sweep(
    String scenario, double p99BoundMs, List<Report> steps, Double maxRateWithinBound, Double firstFailingRate,
    String firstFailure, List<Double> passedAfterFailure) {

  static final double KEPT_UP = 0.95;

  public static Sweep of(String scenario, List<Report> steps, Duration p99Bound) {
    double bound = p99Bound.toNanos() / 1e6;
    List<Report> byRate = new ArrayList<>(steps);
    byRate.sort(Comparator.comparingDouble(Report::offeredRate));
    Double best = null;
    Report failed = null;
    List<Double> passedAfter = new ArrayList<>();
    for (Report step : byRate) {
      boolean ok = within(step, bound);
      if (failed == null && ok) {
        best = step.offeredRate();
      } else if (failed == null) {
        failed = step;
      } else if (ok) {
        passedAfter.add(step.offeredRate());
      }
    }
    return new Sweep(scenario, bound, List.copyOf(steps), best, failed == null ? null : failed.offeredRate(),
        failed == null ? null : why(failed, bound), List.copyOf(passedAfter));
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

  /** What broke the bound at a step: p99, errors, or falling behind. */
  static String why(Report step, double boundMs) {
    List<String> reasons = new ArrayList<>();
    if (step.latencyMs().p99() > boundMs) {
      reasons.add(String.format(Locale.ROOT, "p99 %.1f ms", step.latencyMs().p99()));
    }
    if (step.errors() > 0) {
      reasons.add(step.errors() + " errors");
    }
    if (!keptUp(step)) {
      reasons.add(String.format(Locale.ROOT, "achieved %.0f req/s", step.throughput()));
    }
    return String.join(", ", reasons);
  }

  public String summary() {
    String head = String.format(Locale.ROOT, "%s sweep over %d rates: highest rate with p99 <= %.1f ms, no errors and kept up: ",
        scenario, steps.size(), p99BoundMs);
    String answer;
    if (maxRateWithinBound == null) {
      answer = String.format(Locale.ROOT, "none; already the lowest rate, %.0f req/s, failed (%s): sweep lower rates",
          firstFailingRate, firstFailure);
    } else if (firstFailingRate == null) {
      answer = String.format(Locale.ROOT, "at least %.0f req/s; every rate passed, so the bound was not reached: sweep higher rates",
          maxRateWithinBound);
    } else {
      answer = String.format(Locale.ROOT, "%.0f req/s (%.0f req/s failed: %s)", maxRateWithinBound, firstFailingRate, firstFailure);
    }
    if (!passedAfterFailure.isEmpty()) {
      answer += "; " + passedAfterFailure.stream().map(r -> String.format(Locale.ROOT, "%.0f", r)).toList()
          + " req/s passed again above the failure and are not counted";
    }
    return head + answer;
  }
}
