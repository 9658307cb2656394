package io.ragmill.loadtest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * An open-loop run at a fixed rate: request i is sent at its {@link OpenLoopSchedule} time (or at once
 * when the sender is late) and its latency runs from that intended time, so there is no coordinated
 * omission. At most {@code maxInFlight} requests are outstanding; a due request beyond that is dropped.
 */
public final class OpenLoop {
  private final Clock clock;
  private final HttpTarget target;
  private final Workload workload;
  private final Sink sink;
  private AnswerLog answers;

  public OpenLoop(Clock clock, HttpTarget target, Workload workload, Sink sink) {
    this.clock = clock;
    this.target = target;
    this.workload = workload;
    this.sink = sink;
  }

  /** Also logs every answer, warm-up included, to {@code log} (null: none). */
  OpenLoop logAnswers(AnswerLog log) {
    this.answers = log;
    return this;
  }

  /** Runs for warm-up plus duration and waits up to {@code drainNanos} for the last answers. */
  public RunResult run(double rate, int maxInFlight, long warmupNanos, long durationNanos, long drainNanos) {
    long start = clock.nanoTime();
    OpenLoopSchedule schedule = new OpenLoopSchedule(start, rate);
    long measureFrom = start + warmupNanos;
    long end = measureFrom + durationNanos;
    AtomicInteger inFlight = new AtomicInteger();
    LongAdder completedInWindow = new LongAdder();
    for (long i = 0; ; i++) {
      long intended = schedule.intendedNanos(i);
      if (intended >= end) {
        break;
      }
      clock.sleepUntil(intended);
      boolean measured = intended >= measureFrom;
      if (inFlight.get() >= maxInFlight) {
        if (measured) {
          sink.dropped();
        }
        continue;
      }
      inFlight.incrementAndGet();
      Workload.Call call = workload.call(i);
      CompletableFuture<HttpTarget.Reply> reply;
      try {
        reply = target.post(call.path(), call.body()).toCompletableFuture();
      } catch (RuntimeException e) {
        reply = CompletableFuture.failedFuture(e);
      }
      reply.whenComplete((r, e) -> {
        long now = clock.nanoTime();
        if (measured) {
          sink.completed(now - intended, r, e, call);
        }
        if (answers != null && r != null) {
          answers.answered(call, r, measured);
        }
        if (now >= measureFrom && now < end) {
          completedInWindow.increment();
        }
        inFlight.decrementAndGet();
      });
    }
    long drainUntil = System.nanoTime() + drainNanos;
    while (inFlight.get() > 0 && System.nanoTime() < drainUntil) {
      Clock.system().sleepUntil(System.nanoTime() + 1_000_000);
    }
    return new RunResult((end - measureFrom) / 1e9, completedInWindow.sum());
  }
}
