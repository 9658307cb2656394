package io.ragmill.loadtest;

/**
 * What a driver measured besides the per-request figures: the length of the measured window, how
 * many measured requests were answered with a 2xx, and the time those answers took to arrive from
 * the window's start ({@code spanSeconds}: the window, or longer when an open loop's backlog was
 * still being answered after it). The achieved throughput is answered over span, so neither a
 * warm-up backlog answered inside the window nor fast errors count, and a node that falls behind
 * reads below the offered rate even when it answers everything in the end.
 */
public record RunResult(double seconds, long answered, double spanSeconds) {
  /** Every answer within the window. */
  public RunResult(double seconds, long answered) {
    this(seconds, answered, seconds);
  }

  public double throughput() {
    return spanSeconds > 0 ? answered / spanSeconds : 0;
  }
}
