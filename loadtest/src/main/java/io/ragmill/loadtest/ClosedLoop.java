package io.ragmill.loadtest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A closed-loop run: {@code concurrency} workers, each sending its next request as soon as the last
 * one is answered. Requests sent after the warm-up and before the end are measured from their send time.
 */
public final class ClosedLoop {
  private final Clock clock;
  private final HttpTarget target;
  private final Workload workload;
  private final Sink sink;

  public ClosedLoop(Clock clock, HttpTarget target, Workload workload, Sink sink) {
    this.clock = clock;
    this.target = target;
    this.workload = workload;
    this.sink = sink;
  }

  /** Runs for warm-up plus duration and waits up to {@code drainNanos} for the last answers. */
  public RunResult run(int concurrency, long warmupNanos, long durationNanos, long drainNanos)
      throws InterruptedException {
    long start = clock.nanoTime();
    Window window = new Window(start + warmupNanos, start + warmupNanos + durationNanos, new LongAdder());
    CountDownLatch finished = new CountDownLatch(concurrency);
    AtomicLong sequence = new AtomicLong();
    for (int i = 0; i < concurrency; i++) {
      new Worker(window, sequence, finished).next();
    }
    clock.sleepUntil(window.end());
    finished.await(drainNanos, TimeUnit.NANOSECONDS);
    return new RunResult((window.end() - window.measureFrom()) / 1e9, window.completed().sum());
  }

  private record Window(long measureFrom, long end, LongAdder completed) {}

  /** One closed-loop worker; loops instead of recursing when a request completes synchronously. */
  private final class Worker {
    private final Window window;
    private final AtomicLong sequence;
    private final CountDownLatch finished;

    Worker(Window window, AtomicLong sequence, CountDownLatch finished) {
      this.window = window;
      this.sequence = sequence;
      this.finished = finished;
    }

    void next() {
      while (true) {
        long sent = clock.nanoTime();
        if (sent >= window.end()) {
          finished.countDown();
          return;
        }
        Workload.Call call = workload.call(sequence.getAndIncrement());
        CompletableFuture<HttpTarget.Reply> reply;
        try {
          reply = target.post(call.path(), call.body()).toCompletableFuture();
        } catch (RuntimeException e) {
          reply = CompletableFuture.failedFuture(e);
        }
        if (reply.isDone()) {
          Throwable error = failure(reply);
          settle(sent, call, error == null ? reply.join() : null, error);
          continue;
        }
        reply.whenComplete((r, e) -> {
          settle(sent, call, r, e);
          next();
        });
        return;
      }
    }

    private void settle(long sent, Workload.Call call, HttpTarget.Reply reply, Throwable error) {
      long now = clock.nanoTime();
      if (sent >= window.measureFrom()) {
        sink.completed(now - sent, reply, error, call);
      }
      if (now >= window.measureFrom() && now < window.end()) {
        window.completed().increment();
      }
    }
  }

  static Throwable failure(CompletableFuture<?> done) {
    try {
      done.join();
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }
}
