package io.ragmill.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The interceptor counts what an actor processes, throws and how often it stops; the metered
 * mailbox counts what waits. Read back through the node's summary, as /health/metrics does.
 */
class ActorMetricsTest {
  private static ActorTestKit kit;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create(
        "actor-metrics",
        ConfigFactory.parseString(
                "ragmill-metered-mailbox.mailbox-type = \"io.ragmill.metrics.MeteredMailbox\"\npekko.loglevel = OFF")
            .withFallback(ConfigFactory.defaultReference()));
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static Behavior<String> worker(CountDownLatch gate) {
    return Behaviors.receive(String.class)
        .onMessageEquals("wait", () -> {
          gate.await(10, TimeUnit.SECONDS);
          return Behaviors.same();
        })
        .onMessageEquals("boom", () -> {
          throw new IllegalStateException("boom");
        })
        .onMessageEquals("stop", Behaviors::stopped)
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  @Test
  void countsMessagesErrorsStopsAndWaitingMessagesPerActorType() {
    Metrics metrics = Metrics.get(kit.system());
    CountDownLatch gate = new CountDownLatch(1);
    ActorRef<String> a = kit.spawn(ActorMetrics.instrument("Worker", worker(gate)), "a", MailboxSelector.fromConfig(ActorMetrics.MAILBOX));
    ActorRef<String> b = kit.spawn(ActorMetrics.instrument("Worker", worker(gate)), "b");

    a.tell("wait");
    for (int i = 0; i < 4; i++) {
      a.tell("hello " + i);
    }
    // the first message blocks the actor, the other four wait in its mailbox (owner /user/a: type "user")
    await().atMost(5, TimeUnit.SECONDS).until(() -> metrics.actor("user").queued.sum() == 4);
    gate.countDown();
    await().atMost(5, TimeUnit.SECONDS).until(() -> metrics.actor("user").queued.sum() == 0);

    b.tell("boom"); // an exception stops b (no supervision): one error, one stop
    a.tell("stop");

    await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
      NodeSummary.ActorStats worker = metrics.summary().actors().get("Worker");
      assertTrue(worker != null, String.valueOf(metrics.summary().actors()));
      assertEquals(7, worker.messages(), worker.toString()); // wait, 4 x hello, stop on a; boom on b
      assertEquals(1, worker.errors());
      assertEquals(2, worker.starts());
      assertEquals(2, worker.passivations());
      assertTrue(worker.p99Ms() >= worker.p50Ms() && worker.p99Ms() > 0, worker.toString());
      // the four that waited behind the blocked message spent time in a's mailbox
      NodeSummary.ActorStats user = metrics.summary().actors().get("user");
      assertTrue(user != null && user.mailboxWaitP99Ms() > 0, String.valueOf(user));
    });
  }

  @Test
  void theActorTypeOfAShardedEntityIsItsEntityTypeName() {
    assertEquals(
        "CachePartition",
        MeteredMailbox.actorType(
            org.apache.pekko.actor.ActorPaths.fromString("pekko://ragmill/system/sharding/CachePartition/12/12")));
    assertEquals(
        "workers",
        MeteredMailbox.actorType(org.apache.pekko.actor.ActorPaths.fromString("pekko://ragmill/user/workers/$a")));
  }
}
