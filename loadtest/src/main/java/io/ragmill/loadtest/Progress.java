package io.ragmill.loadtest;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.HdrHistogram.Histogram;

/**
 * The progress line of a run, on standard error: where the run is (warm-up or measuring), measured
 * requests settled so far and their rate, p99 over the last period, requests in flight and errors.
 * On a terminal it rewrites one line every second; otherwise (a log, a pipe) it writes a line every
 * five seconds.
 */
final class Progress implements AutoCloseable {
  private final PrintStream out;
  private final boolean terminal;
  private final String scenario;
  private final long startNanos;
  private final long warmupNanos;
  private final long durationNanos;
  private final Stats stats;
  private final IntSupplier inFlight;
  private final ScheduledExecutorService timer;
  private long lastSettled;
  private long lastNanos;

  Progress(PrintStream out, boolean terminal, String scenario, long warmupNanos, long durationNanos, Stats stats,
      IntSupplier inFlight) {
    this.out = out;
    this.terminal = terminal;
    this.scenario = scenario;
    this.startNanos = System.nanoTime();
    this.lastNanos = startNanos;
    this.warmupNanos = warmupNanos;
    this.durationNanos = durationNanos;
    this.stats = stats;
    this.inFlight = inFlight;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "loadtest-progress");
      t.setDaemon(true);
      return t;
    });
    long period = terminal ? 1 : 5;
    timer.scheduleAtFixedRate(this::print, period, period, TimeUnit.SECONDS);
  }

  /** Prints to {@code System.err}, as a rewritten line when the process has a terminal. */
  static Progress start(String scenario, long warmupNanos, long durationNanos, Stats stats, IntSupplier inFlight) {
    return new Progress(System.err, System.console() != null, scenario, warmupNanos, durationNanos, stats, inFlight);
  }

  private synchronized void print() {
    long now = System.nanoTime();
    long settled = stats.settledSoFar();
    Histogram recent = stats.takeProgressHistogram();
    double rate = (settled - lastSettled) / ((now - lastNanos) / 1e9);
    lastSettled = settled;
    lastNanos = now;
    String text = line(scenario, now - startNanos, warmupNanos, durationNanos, settled, rate,
        recent.getTotalCount() == 0 ? null : recent.getValueAtPercentile(99) / 1000.0, inFlight.getAsInt(),
        stats.errorsSoFar());
    if (terminal) {
      out.print("\r" + text + "   ");
    } else {
      out.println(text);
    }
    out.flush();
  }

  /** The line itself: {@code p99Ms} null when nothing settled in the period. */
  static String line(String scenario, long elapsedNanos, long warmupNanos, long durationNanos, long settled,
      double ratePerSecond, Double p99Ms, int inFlight, long errors) {
    double elapsed = elapsedNanos / 1e9;
    double total = (warmupNanos + durationNanos) / 1e9;
    String phase = elapsedNanos < warmupNanos ? "warm-up" : elapsedNanos < warmupNanos + durationNanos ? "measuring" : "draining";
    return String.format(Locale.ROOT, "loadtest: %s %.0f/%.0f s %s | %d measured, %.0f/s | p99 %s | in flight %d | errors %d",
        scenario, elapsed, total, phase, settled, ratePerSecond,
        p99Ms == null ? "-" : String.format(Locale.ROOT, "%.1f ms", p99Ms), inFlight, errors);
  }

  @Override
  public synchronized void close() {
    timer.shutdownNow();
    if (terminal) {
      out.println();
    }
  }
}
