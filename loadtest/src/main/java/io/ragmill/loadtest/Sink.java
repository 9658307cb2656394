package io.ragmill.loadtest;

/** Where a driver reports each measured request; {@link Stats} is the real one, tests capture calls. */
public interface Sink {
  /**
   * A request finished: {@code latencyNanos} is completion time minus the time it was meant to be
   * sent (closed loop: actually sent). Exactly one of {@code reply} and {@code error} is non-null.
   */
  void completed(long latencyNanos, HttpTarget.Reply reply, Throwable error, Workload.Call call);

  /** An open-loop request that was due but not sent because too many were already in flight. */
  void dropped();
}
