package io.ragmill.loadtest;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples this process's CPU time at the start and end of the measured window, to show how much of
 * the machine the load generator itself used (on a small machine it competes with the server).
 */
final class CpuMeter implements AutoCloseable {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "cpu-meter");
    thread.setDaemon(true);
    return thread;
  });
  private volatile long startCpu = -1;
  private volatile long startWall;
  private volatile long endCpu = -1;
  private volatile long endWall;

  /** Takes the samples {@code fromNanos} and {@code toNanos} from now. */
  CpuMeter(long fromNanos, long toNanos) {
    timer.schedule(() -> {
      startCpu = processCpuNanos();
      startWall = System.nanoTime();
    }, fromNanos, TimeUnit.NANOSECONDS);
    timer.schedule(() -> {
      endCpu = processCpuNanos();
      endWall = System.nanoTime();
    }, toNanos, TimeUnit.NANOSECONDS);
  }

  /** CPU cores used on average over the window, or null when unknown or not yet over. */
  Double cores() {
    if (startCpu < 0 || endCpu < 0 || endWall <= startWall) {
      return null;
    }
    return Report.round((double) (endCpu - startCpu) / (endWall - startWall));
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
