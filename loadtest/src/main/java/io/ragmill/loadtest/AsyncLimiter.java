package io.ragmill.loadtest;

import java.util.ArrayDeque;

/**
 * Runs at most {@code limit} asynchronous tasks at once; the others wait in order. A task calls
 * {@link #release()} when it is done, which starts the next waiting one. Never blocks a caller.
 */
final class AsyncLimiter {
  private final int limit;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int running;

  AsyncLimiter(int limit) {
    this.limit = limit;
  }

  void submit(Runnable task) {
    synchronized (this) {
      if (running >= limit) {
        waiting.add(task);
        return;
      }
      running++;
    }
    task.run();
  }

  void release() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        running--;
        return;
      }
    }
    next.run();
  }

  synchronized int running() {
    return running;
  }

  synchronized int waiting() {
    return waiting.size();
  }
}
