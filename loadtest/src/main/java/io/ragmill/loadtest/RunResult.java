package io.ragmill.loadtest;

/**
 * What a driver measured besides the per-request figures: the length of the measured window and how
 * many answers arrived within it (the achieved throughput, whenever their requests were sent).
 */
public record RunResult(double seconds, long completedInWindow) {
  public double throughput() {
    return seconds > 0 ? completedInWindow / seconds : 0;
  }
}
