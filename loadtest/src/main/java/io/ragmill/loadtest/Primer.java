package io.ragmill.loadtest;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/** Sends a list of requests once, a bounded number at a time, before a run (e.g. to fill a cache). */
final class Primer {
  private Primer() {}

  /** Returns how many of the calls got a 2xx answer. */
  static int prime(HttpTarget target, List<Workload.Call> calls, int parallelism) throws InterruptedException {
    Semaphore permits = new Semaphore(Math.max(1, parallelism));
    CompletableFuture<?>[] all = new CompletableFuture<?>[calls.size()];
    AtomicInteger ok = new AtomicInteger();
    for (int i = 0; i < calls.size(); i++) {
      permits.acquire();
      Workload.Call call = calls.get(i);
      all[i] = target.post(call.path(), call.body()).toCompletableFuture().whenComplete((reply, error) -> {
        if (reply != null && reply.ok()) {
          ok.incrementAndGet();
        }
        permits.release();
      });
    }
    CompletableFuture.allOf(all).exceptionally(e -> null).join();
    return ok.get();
  }
}
