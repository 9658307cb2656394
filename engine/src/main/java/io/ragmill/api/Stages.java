package io.ragmill.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Pekko's ask returns Scala's CompletableFuture wrapper, whose {@code thenApply}, {@code handle} and
 * friends always run asynchronously on the common ForkJoinPool; on a 2-core machine that pool has
 * parallelism 1, so the JDK runs every such callback on a brand-new thread (measured: ~1,300
 * threads a second under a cached-query load). {@link #direct} turns an ask's stage into a plain
 * CompletableFuture whose callbacks run on the thread that completed it.
 */
public final class Stages {
  private Stages() {}

  public static <T> CompletableFuture<T> direct(CompletionStage<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenCompleteAsync(
        (value, error) -> {
          if (error != null) {
            out.completeExceptionally(error);
          } else {
            out.complete(value);
          }
        },
        Runnable::run);
    return out;
  }
}
