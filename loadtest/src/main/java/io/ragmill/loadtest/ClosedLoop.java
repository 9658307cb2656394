package io.ragmill.loadtest;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A closed-loop run: {@code concurrency} workers, each sending its next request as soon as the last
 * one is answered. Requests sent after the warm-up and before the end are measured from their send
 * time; one still unanswered when the drain gives up is reported unserved. The throughput is the 2xx
 * answers that arrive within the window, per second of it.
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
    Window window = new Window(start + warmupNanos, start + warmupNanos + durationNanos, new LongAdder(),
        new ConcurrentHashMap<>());
    current = window;
    CountDownLatch finished = new CountDownLatch(concurrency);
    AtomicLong sequence = new AtomicLong();
    for (int i = 0; i < concurrency; i++) {
      new Worker(window, sequence, finished).next();
    }
    clock.sleepUntil(window.end());
    finished.await(drainNanos, TimeUnit.NANOSECONDS);
    long gaveUp = Math.max(window.end(), clock.nanoTime());
    for (Map.Entry<Long, Long> left : window.unsettled().entrySet()) {
      if (window.unsettled().remove(left.getKey()) != null) {
        sink.unserved(gaveUp - left.getValue(), false);
      }
    }
    double seconds = (window.end() - window.measureFrom()) / 1e9;
    return new RunResult(seconds, window.answered().sum(), seconds);
  }

  /** Requests sent and not answered yet (at most one per worker), measured ones only. */
  public int outstanding() {
    Window w = current;
    return w == null ? 0 : w.unsettled().size();
  }

  private volatile Window current;

  /** {@code unsettled}: measured requests in flight, by sequence, with their send times. */
  private record Window(long measureFrom, long end, LongAdder answered, Map<Long, Long> unsettled) {}

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
        long n = sequence.getAndIncrement();
        Workload.Call call = workload.call(n);
        if (sent >= window.measureFrom()) {
          window.unsettled().put(n, sent);
        }
        CompletableFuture<HttpTarget.Reply> reply;
        try {
          reply = target.post(call.path(), call.body()).toCompletableFuture();
        } catch (RuntimeException e) {
          reply = CompletableFuture.failedFuture(e);
        }
        if (reply.isDone()) {
          Throwable error = failure(reply);
          settle(n, sent, call, error == null ? reply.join() : null, error);
          continue;
        }
        reply.whenComplete((r, e) -> {
          settle(n, sent, call, r, e);
          next();
        });
        return;
      }
    }

    private void settle(long n, long sent, Workload.Call call, HttpTarget.Reply reply, Throwable error) {
      long now = clock.nanoTime();
      if (sent >= window.measureFrom() && window.unsettled().remove(n) != null) {
        sink.completed(now - sent, reply, error, call);
      }
      if (now >= window.measureFrom() && now < window.end() && error == null && reply.ok()) {
        window.answered().increment();
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
