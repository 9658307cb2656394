package io.ragmill.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StepPermitsTest {

  @Test
  void atMostThePermitsRunAtOnceAndWaitersGoInOrder() {
    StepPermits permits = new StepPermits(2);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    List<CompletableFuture<Integer>> gates = new ArrayList<>();
    List<Integer> started = new ArrayList<>();
    List<CompletionStage<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int step = i;
      CompletableFuture<Integer> gate = new CompletableFuture<>();
      gates.add(gate);
      results.add(permits.run(() -> {
        synchronized (started) {
          started.add(step);
        }
        peak.accumulateAndGet(running.incrementAndGet(), Math::max);
        return gate.whenComplete((v, e) -> running.decrementAndGet());
      }));
    }
    assertEquals(List.of(0, 1), started);
    assertEquals(3, permits.waiting());
    gates.get(1).complete(1);
    assertEquals(List.of(0, 1, 2), started);
    gates.get(0).completeExceptionally(new IllegalStateException("a failed step frees its permit too"));
    assertEquals(List.of(0, 1, 2, 3), started);
    gates.get(2).complete(2);
    gates.get(3).complete(3);
    gates.get(4).complete(4);
    assertEquals(List.of(0, 1, 2, 3, 4), started);
    assertEquals(2, peak.get());
    assertEquals(0, permits.inUse());
    assertEquals(4, results.get(4).toCompletableFuture().join());
    assertTrue(results.get(0).toCompletableFuture().isCompletedExceptionally());
  }
}
