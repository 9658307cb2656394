package io.ragmill.loadtest;

/** Where a driver reports each measured request; {@link Stats} is the real one, tests capture calls. */
public interface Sink {
  /**
   * A request finished: {@code latencyNanos} is completion time minus the time it was meant to be
   * sent (closed loop: actually sent). Exactly one of {@code reply} and {@code error} is non-null.
   */
  void completed(long latencyNanos, HttpTarget.Reply reply, Throwable error, Workload.Call call);

  /**
   * A measured request that got no answer: {@code dropped}, due but not sent because too many were
   * outstanding (open loop), or sent and still unanswered when the run gave up waiting.
   * {@code latencyNanos} runs from its intended send time to that end: the least it would have
   * taken, so the percentiles still cover every request that was due.
   */
  void unserved(long latencyNanos, boolean dropped);
}
