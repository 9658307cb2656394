package io.ragmill.ingest;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Bounds how many ingestion steps run at once on this node: a job takes a permit before each step
 * (parse, chunk, embed, index) and gives it back after, so any number of running jobs share the
 * node's embedding and journal capacity instead of all pushing at once; waiting jobs are served in
 * arrival order. The queue is bounded by the number of jobs, each of which waits for one step.
 */
public final class StepPermits {
  private final int permits;
  private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
  private int inUse;

  public StepPermits(int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("ragmill.ingest.max-concurrent-steps must be >= 1, was " + permits);
    }
    this.permits = permits;
  }

  /** Runs {@code step} once a permit is free, and frees it when the step's stage completes. */
  public <T> CompletionStage<T> run(Supplier<CompletionStage<T>> step) {
    return acquire()
        .thenCompose(ignored -> {
          try {
            return step.get();
          } catch (RuntimeException e) {
            return CompletableFuture.<T>failedFuture(e);
          }
        })
        .whenComplete((result, error) -> release());
  }

  private synchronized CompletableFuture<Void> acquire() {
    if (inUse < permits) {
      inUse++;
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> turn = new CompletableFuture<>();
    waiting.add(turn);
    return turn;
  }

  private void release() {
    CompletableFuture<Void> next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        inUse--;
        return;
      }
    }
    // the permit passes straight to the next step, outside the lock
    next.complete(null);
  }

  public synchronized int inUse() {
    return inUse;
  }

  public synchronized int waiting() {
    return waiting.size();
  }
}
