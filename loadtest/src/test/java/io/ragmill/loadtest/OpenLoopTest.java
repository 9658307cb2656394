package io.ragmill.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class OpenLoopTest {
  private static final long MS = 1_000_000;

  @Test
  void intendedTimesAreEvenlySpacedFromTheStart() {
    OpenLoopSchedule schedule = new OpenLoopSchedule(5_000, 100.0);
    assertEquals(5_000, schedule.intendedNanos(0));
    assertEquals(5_000 + 10 * MS, schedule.intendedNanos(1));
    assertEquals(5_000 + 250 * MS, schedule.intendedNanos(25));
    assertEquals(5_000 + 1_000_000 * 10 * MS, schedule.intendedNanos(1_000_000));
    assertEquals(333_333, new OpenLoopSchedule(0, 3000.0).intendedNanos(1));
  }

  @Test
  void aStalledServerDelaysLaterRequestsAndTheirLatencyCountsFromTheIntendedTime() {
    // 100 requests/s for 50 ms: due at 0, 10, 20, 30, 40 ms. The first answer takes 35 ms and the
    // sender is stuck until then (the worst case for coordinated omission); the others take 1 ms.
    ManualClock clock = new ManualClock();
    FakeTarget target = new FakeTarget(clock, new long[] {35 * MS, MS, MS, MS, MS});
    Capture sink = new Capture();
    RunResult run = new OpenLoop(clock, target, sequence -> new Workload.Call("/q", new byte[0], null), sink)
        .run(100.0, 64, 0, 50 * MS, 0);

    assertEquals(List.of(0L, 35 * MS, 36 * MS, 37 * MS, 40 * MS), target.sentAt);
    // completion − intended: 35−0, 36−10, 37−20, 38−30, 41−40
    assertEquals(List.of(35 * MS, 26 * MS, 17 * MS, 8 * MS, MS), sink.latencies);
    // all five answers arrived within the 50 ms window (at 35, 36, 37, 38 and 41 ms)
    assertEquals(new RunResult(0.05, 5), run);
  }

  @Test
  void warmUpRequestsAreNotMeasuredAndUnservedOnesAreCountedAtTheirTimeToTheEnd() {
    ManualClock clock = new ManualClock();
    List<CompletableFuture<HttpTarget.Reply>> pending = new ArrayList<>();
    HttpTarget never = new FakeTarget(clock, null) {
      @Override
      public CompletionStage<Reply> post(String path, byte[] json) {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        pending.add(f);
        return f;
      }
    };
    Capture sink = new Capture();
    // 1000/s: 10 warm-up requests, then 10 measured ones; only 12 may be outstanding
    RunResult run = new OpenLoop(clock, never, sequence -> new Workload.Call("/q", new byte[0], null), sink)
        .run(1000.0, 12, 10 * MS, 10 * MS, 0);
    assertEquals(12, pending.size());
    // measured: 10 and 11 sent and never answered, 12..19 dropped; the run ends at 20 ms
    assertEquals(List.of(9 * MS, 10 * MS), sorted(sink.unanswered));
    assertEquals(List.of(MS, 2 * MS, 3 * MS, 4 * MS, 5 * MS, 6 * MS, 7 * MS, 8 * MS), sorted(sink.dropped));
    assertEquals(0, run.answered());
    // answers after the run gave up are not counted a second time
    clock.now = 100 * MS;
    pending.forEach(f -> f.complete(new HttpTarget.Reply(200, null, "{}")));
    assertEquals(List.of(), sink.latencies);
  }

  @Test
  void aWarmUpBacklogAnsweredInTheWindowDoesNotRaiseTheAchievedRate() {
    // 100/s, 50 ms of warm-up, 50 measured. The first answer takes 60 ms and holds the sender, so the
    // four other warm-up requests are answered at 61-64 ms, inside the window: not counted
    ManualClock clock = new ManualClock();
    long[] service = new long[10];
    Arrays.fill(service, MS);
    service[0] = 60 * MS;
    RunResult run = new OpenLoop(clock, new FakeTarget(clock, service), sequence -> new Workload.Call("/q", new byte[0], null),
        new Capture()).run(100.0, 64, 50 * MS, 50 * MS, 0);
    assertEquals(5, run.answered());
    assertEquals(100.0, run.throughput(), 1e-9);
  }

  @Test
  void aNodeThatFallsBehindReadsBelowTheOfferedRateEvenIfItAnswersEverything() {
    // 100/s for 50 ms, 30 ms per request, one at a time: answers at 30, 60, 90, 120 and 150 ms
    ManualClock clock = new ManualClock();
    long[] service = new long[5];
    Arrays.fill(service, 30 * MS);
    Capture sink = new Capture();
    RunResult run = new OpenLoop(clock, new FakeTarget(clock, service), sequence -> new Workload.Call("/q", new byte[0], null),
        sink).run(100.0, 64, 0, 50 * MS, 0);
    assertEquals(5, run.answered());
    assertEquals(0.15, run.spanSeconds(), 1e-9);
    assertEquals(5 / 0.15, run.throughput(), 1e-6);
    assertEquals(List.of(30 * MS, 50 * MS, 70 * MS, 90 * MS, 110 * MS), sink.latencies);
  }

  @Test
  void aClosedLoopReportsRequestsStillUnansweredWhenItGivesUp() throws InterruptedException {
    ManualClock clock = new ManualClock();
    HttpTarget never = new FakeTarget(clock, null) {
      @Override
      public CompletionStage<Reply> post(String path, byte[] json) {
        return new CompletableFuture<>();
      }
    };
    Capture sink = new Capture();
    RunResult run = new ClosedLoop(clock, never, sequence -> new Workload.Call("/q", new byte[0], null), sink)
        .run(2, 0, 50 * MS, 0);
    assertEquals(List.of(50 * MS, 50 * MS), sink.unanswered);
    assertEquals(0, run.answered());
  }

  private static List<Long> sorted(List<Long> values) {
    List<Long> out = new ArrayList<>(values);
    out.sort(null);
    return out;
  }

  @Test
  void aClosedLoopMeasuresFromTheActualSendTimeAfterTheWarmUp() throws InterruptedException {
    // one worker, 10 ms per answer: sends at 0, 10, ..., 60 ms; the warm-up ends at 20 ms, the run at 70 ms
    ManualClock clock = new ManualClock();
    long[] service = new long[20];
    Arrays.fill(service, 10 * MS);
    FakeTarget target = new FakeTarget(clock, service);
    Capture sink = new Capture();
    RunResult run = new ClosedLoop(clock, target, sequence -> new Workload.Call("/q", new byte[0], null), sink)
        .run(1, 20 * MS, 50 * MS, 0);
    assertEquals(List.of(0L, 10 * MS, 20 * MS, 30 * MS, 40 * MS, 50 * MS, 60 * MS), target.sentAt);
    assertEquals(List.of(10 * MS, 10 * MS, 10 * MS, 10 * MS, 10 * MS), sink.latencies);
    // answers at 20, 30, 40, 50 and 60 ms fall in [20, 70); the one at 70 ms does not
    assertEquals(new RunResult(0.05, 5), run);
  }

  /** A clock that moves only when told to, or when someone sleeps past now. */
  static final class ManualClock implements Clock {
    long now;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepUntil(long deadlineNanos) {
      now = Math.max(now, deadlineNanos);
    }
  }

  /** Answers each request synchronously after its service time, holding up the caller meanwhile. */
  static class FakeTarget implements HttpTarget {
    final ManualClock clock;
    final long[] serviceNanos;
    final List<Long> sentAt = new ArrayList<>();

    FakeTarget(ManualClock clock, long[] serviceNanos) {
      this.clock = clock;
      this.serviceNanos = serviceNanos;
    }

    @Override
    public CompletionStage<Reply> post(String path, byte[] json) {
      sentAt.add(clock.now);
      clock.now += serviceNanos[sentAt.size() - 1];
      return CompletableFuture.completedFuture(new Reply(200, "miss", "{}"));
    }

    @Override
    public CompletionStage<Reply> get(String path) {
      return post(path, null);
    }

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public void close() {}
  }

  /** Remembers the latencies in the order they were reported. */
  static final class Capture implements Sink {
    final List<Long> latencies = new ArrayList<>();
    final List<Long> dropped = new ArrayList<>();
    final List<Long> unanswered = new ArrayList<>();

    @Override
    public synchronized void completed(long latencyNanos, HttpTarget.Reply reply, Throwable error, Workload.Call call) {
      latencies.add(latencyNanos);
    }

    @Override
    public synchronized void unserved(long latencyNanos, boolean wasDropped) {
      (wasDropped ? dropped : unanswered).add(latencyNanos);
    }
  }
}
