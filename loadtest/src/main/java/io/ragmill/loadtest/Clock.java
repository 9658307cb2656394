package io.ragmill.loadtest;

import java.util.concurrent.locks.LockSupport;

/** Monotonic time in nanoseconds and a way to wait for a moment; tests substitute a manual one. */
public interface Clock {
  long nanoTime();

  /** Returns at or after {@code deadlineNanos}; returns at once when that moment has passed. */
  void sleepUntil(long deadlineNanos);

  static Clock system() {
    return SystemClock.INSTANCE;
  }

  /** {@link System#nanoTime()} and {@link LockSupport#parkNanos(long)}. */
  enum SystemClock implements Clock {
    INSTANCE;

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleepUntil(long deadlineNanos) {
      long left;
      while ((left = deadlineNanos - System.nanoTime()) > 0) {
        LockSupport.parkNanos(left);
      }
    }
  }
}
