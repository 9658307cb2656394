package io.ragmill.collection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ragmill.testing.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The generation read lease across two cluster nodes: node B reuses a generation it read for the
 * lease, yet once node A's publish of a newer one completes, B never answers the older one again.
 */
class GenerationsLeaseTest {
  private static final Duration LEASE = Duration.ofMillis(300);
  private final List<ActorSystem<?>> systems = new ArrayList<>();

  @AfterEach
  void stop() {
    for (ActorSystem<?> system : systems) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
    }
  }

  private ActorSystem<?> start(int port, int seedPort) {
    Config config =
        ConfigFactory.parseString(
                "pekko.actor.provider = cluster\n"
                    + "pekko.remote.artery.canonical { hostname = 127.0.0.1, port = " + port + " }\n"
                    + "pekko.cluster.seed-nodes = [\"pekko://lease@127.0.0.1:" + seedPort + "\"]\n"
                    + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                    + "pekko.loglevel = WARNING\n")
            .withFallback(ConfigFactory.defaultReference())
            .resolve();
    ActorSystem<?> system = ActorSystem.create(Behaviors.empty(), "lease", config);
    systems.add(system);
    return system;
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
  }

  private static void awaitUp(ActorSystem<?> system, int members) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      long up = 0;
      for (var m : Cluster.get(system).state().getMembers()) {
        if (m.status() == MemberStatus.up()) {
          up++;
        }
      }
      if (up == members) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("cluster did not reach " + members + " members up");
  }

  @Test
  void noNodeReadsAnOlderGenerationOnceAPublishHasCompleted() throws Exception {
    int portA = TestNodes.freePort();
    int portB = TestNodes.freePort();
    ActorSystem<?> a = start(portA, portA);
    ActorSystem<?> b = start(portB, portA);
    awaitUp(a, 2);
    awaitUp(b, 2);
    Generations writer = new Generations(a, Duration.ofSeconds(5), LEASE);
    Generations reader = new Generations(b, Duration.ofSeconds(5), LEASE);

    // a replicator learns of a new member a little after the cluster marks it up; until then
    // WriteAll writes to the nodes it knows, and B has no replica yet (queries then ask the entity)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    Optional<Long> seen = Optional.empty();
    while (seen.isEmpty() && System.nanoTime() < deadline) {
      await(writer.publish("t", "c", 1));
      seen = await(reader.current("t", "c"));
      if (seen.isEmpty()) {
        Thread.sleep(100);
      }
    }
    assertEquals(Optional.of(1L), seen, "WriteAll reached node B");

    for (long next = 2; next <= 4; next++) {
      // B takes a lease on the current generation, then A publishes the next one at once
      assertEquals(Optional.of(next - 1), await(reader.current("t", "c")));
      long start = System.nanoTime();
      CompletionStage<?> published = writer.publish("t", "c", next);
      boolean servedLeased = false;
      while (!published.toCompletableFuture().isDone()) {
        // reads during the publish may still answer the leased value: that is what the lease saves
        servedLeased |= await(reader.current("t", "c")).equals(Optional.of(next - 1));
        Thread.sleep(1);
      }
      await(published);
      long tookNanos = System.nanoTime() - start;
      assertTrue(tookNanos >= LEASE.toNanos(), "a publish completes only after the lease: took " + tookNanos / 1_000_000 + " ms");
      assertTrue(servedLeased, "node B kept answering its leased generation while the publish ran");
      // once acknowledged, neither node ever answers an older generation
      long until = System.nanoTime() + LEASE.toNanos() + TimeUnit.MILLISECONDS.toNanos(100);
      int reads = 0;
      while (System.nanoTime() < until) {
        assertEquals(Optional.of(next), await(reader.current("t", "c")), "read " + reads + " after the publish of " + next);
        assertEquals(Optional.of(next), await(writer.current("t", "c")));
        reads++;
      }
    }
  }

  @Test
  void withoutALeaseEveryReadGoesToTheReplica() throws Exception {
    int port = TestNodes.freePort();
    ActorSystem<?> a = start(port, port);
    awaitUp(a, 1);
    Generations generations = new Generations(a, Duration.ofSeconds(5));
    assertEquals(Optional.empty(), await(generations.current("t", "none")));
    await(generations.publish("t", "c", 7));
    assertEquals(Optional.of(7L), await(generations.current("t", "c")));
    await(generations.publish("t", "c", 8));
    assertEquals(Optional.of(8L), await(generations.current("t", "c")));
  }
}
