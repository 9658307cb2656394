package io.ragmill.loadtest;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * An open-loop run at a fixed rate: request i is sent at its {@link OpenLoopSchedule} time (or at once
 * when the sender is late) and its latency runs from that intended time, so there is no coordinated
 * omission. At most {@code maxInFlight} requests are outstanding; a due request beyond that is
 * dropped. Every measured request ends in the figures: answered, failed, or unserved (dropped, or
 * still unanswered when the drain gives up) at the time from its intended send to the run's end.
 */
public final class OpenLoop {
  private final Clock clock;
  private final HttpTarget target;
  private final Workload workload;
  private final Sink sink;
  private final AtomicInteger inFlight = new AtomicInteger();
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

  /** Requests sent and not answered yet, warm-up ones included. */
  public int outstanding() {
    return inFlight.get();
  }

  /** Runs for warm-up plus duration and waits up to {@code drainNanos} for the last answers. */
  public RunResult run(double rate, int maxInFlight, long warmupNanos, long durationNanos, long drainNanos) {
    long start = clock.nanoTime();
    OpenLoopSchedule schedule = new OpenLoopSchedule(start, rate);
    long measureFrom = start + warmupNanos;
    long end = measureFrom + durationNanos;
    // measured requests not settled yet, by sequence: whoever removes one reports it, exactly once
    Map<Long, Long> unsettled = new ConcurrentHashMap<>();
    long[] droppedAt = new long[16];
    int drops = 0;
    LongAdder answered = new LongAdder();
    AtomicLong lastAnswer = new AtomicLong(end);
    for (long i = 0; ; i++) {
      long intended = schedule.intendedNanos(i);
      if (intended >= end) {
        break;
      }
      clock.sleepUntil(intended);
      boolean measured = intended >= measureFrom;
      if (inFlight.get() >= maxInFlight) {
        if (measured) {
          if (drops == droppedAt.length) {
            droppedAt = Arrays.copyOf(droppedAt, drops * 2);
          }
          droppedAt[drops++] = intended;
        }
        continue;
      }
      inFlight.incrementAndGet();
      Workload.Call call = workload.call(i);
      long sequence = i;
      if (measured) {
        unsettled.put(sequence, intended);
      }
      CompletableFuture<HttpTarget.Reply> reply;
      try {
        reply = target.post(call.path(), call.body()).toCompletableFuture();
      } catch (RuntimeException e) {
        reply = CompletableFuture.failedFuture(e);
      }
      reply.whenComplete((r, e) -> {
        long now = clock.nanoTime();
        if (measured && unsettled.remove(sequence) != null) {
          sink.completed(now - intended, r, e, call);
          if (e == null && r.ok()) {
            answered.increment();
            lastAnswer.accumulateAndGet(now, Math::max);
          }
        }
        if (answers != null && r != null) {
          answers.answered(call, r, measured);
        }
        inFlight.decrementAndGet();
      });
    }
    long drainUntil = System.nanoTime() + drainNanos;
    while (!unsettled.isEmpty() && System.nanoTime() < drainUntil) {
      Clock.system().sleepUntil(System.nanoTime() + 1_000_000);
    }
    long finished = Math.max(end, clock.nanoTime());
    for (Map.Entry<Long, Long> left : unsettled.entrySet()) {
      if (unsettled.remove(left.getKey()) != null) {
        sink.unserved(finished - left.getValue(), false);
      }
    }
    for (int d = 0; d < drops; d++) {
      sink.unserved(finished - droppedAt[d], true);
    }
    return new RunResult((end - measureFrom) / 1e9, answered.sum(), (lastAnswer.get() - measureFrom) / 1e9);
  }
}
