package io.ragmill.loadtest;

/**
 * The fixed send times of an open-loop run: request i is due at start + i/rate, whatever happened to
 * the requests before it. Latency is measured from these times, so a stall is never hidden.
 */
public record OpenLoopSchedule(long startNanos, double ratePerSecond) {
  public OpenLoopSchedule {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("the rate must be a positive number of requests per second, was "
          + ratePerSecond);
    }
  }

  public long intendedNanos(long index) {
    return startNanos + (long) (index * (1_000_000_000.0 / ratePerSecond));
  }
}
