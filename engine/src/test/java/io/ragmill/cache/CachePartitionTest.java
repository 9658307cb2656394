package io.ragmill.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CachePartitionTest {
  private static ActorTestKit testKit;

  record Text(String value) implements CachedValue {
    @Override
    public int weightBytes() {
      return value.length();
    }
  }

  /** Caffeine time that only moves when the test says so. */
  static final class ManualTicker implements Ticker {
    final AtomicLong nanos = new AtomicLong();

    @Override
    public long read() {
      return nanos.get();
    }
  }

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static CacheSettings settings(long maxBytes, Duration ttl) {
    Map<CacheKind, CacheSettings.KindSettings> kinds =
        Map.of(
            CacheKind.ANSWER, new CacheSettings.KindSettings(maxBytes, ttl),
            CacheKind.RETRIEVAL, new CacheSettings.KindSettings(maxBytes, ttl),
            CacheKind.EMBEDDING, new CacheSettings.KindSettings(maxBytes, ttl));
    return new CacheSettings(1, Duration.ofSeconds(30), kinds);
  }

  private final CacheKey key = CacheKey.of(CacheKind.ANSWER, "t1", "question");

  private CachePartition.LookupReply lookup(ActorRef<CachePartition.Command> partition, TestProbe<CachePartition.LookupReply> probe) {
    partition.tell(new CachePartition.Lookup(key, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(3));
  }

  @Test
  void missLeasesThenHitsAfterFill() {
    var partition = testKit.spawn(CachePartition.create(settings(1 << 20, Duration.ofHours(1)), Ticker.systemTicker()));
    TestProbe<CachePartition.LookupReply> probe = testKit.createTestProbe();
    var lease = assertInstanceOf(CachePartition.Lease.class, lookup(partition, probe));
    partition.tell(new CachePartition.Fill(key, lease.leaseId(), new Text("answer")));
    var hit = assertInstanceOf(CachePartition.Hit.class, lookup(partition, probe));
    assertEquals(new Text("answer"), hit.value());
  }

  @Test
  void concurrentMissesWaitForOneComputation() {
    var partition = testKit.spawn(CachePartition.create(settings(1 << 20, Duration.ofHours(1)), Ticker.systemTicker()));
    TestProbe<CachePartition.LookupReply> first = testKit.createTestProbe();
    TestProbe<CachePartition.LookupReply> second = testKit.createTestProbe();
    TestProbe<CachePartition.LookupReply> third = testKit.createTestProbe();
    var lease = assertInstanceOf(CachePartition.Lease.class, lookup(partition, first));
    partition.tell(new CachePartition.Lookup(key, second.getRef()));
    partition.tell(new CachePartition.Lookup(key, third.getRef()));
    second.expectNoMessage(Duration.ofMillis(100));
    partition.tell(new CachePartition.Fill(key, lease.leaseId(), new Text("once")));
    assertEquals(new Text("once"), assertInstanceOf(CachePartition.Hit.class, second.receiveMessage()).value());
    assertEquals(new Text("once"), assertInstanceOf(CachePartition.Hit.class, third.receiveMessage()).value());

    TestProbe<CachePartition.PartitionStats> stats = testKit.createTestProbe();
    partition.tell(new CachePartition.GetStats(stats.getRef()));
    CachePartition.KindStats answers = stats.receiveMessage().kinds().get(CacheKind.ANSWER);
    assertEquals(2, answers.merges());
    assertEquals(1, answers.fills());
  }

  @Test
  void failedComputationIsNotCachedAndTheNextWaiterComputes() {
    var partition = testKit.spawn(CachePartition.create(settings(1 << 20, Duration.ofHours(1)), Ticker.systemTicker()));
    TestProbe<CachePartition.LookupReply> first = testKit.createTestProbe();
    TestProbe<CachePartition.LookupReply> second = testKit.createTestProbe();
    var lease = assertInstanceOf(CachePartition.Lease.class, lookup(partition, first));
    partition.tell(new CachePartition.Lookup(key, second.getRef()));
    partition.tell(new CachePartition.Abandon(key, lease.leaseId()));
    var next = assertInstanceOf(CachePartition.Lease.class, second.receiveMessage(Duration.ofSeconds(3)));
    partition.tell(new CachePartition.Abandon(key, next.leaseId()));
    // nothing was stored: a later caller misses and computes
    assertInstanceOf(CachePartition.Lease.class, lookup(partition, first));
  }

  @Test
  void entriesExpireAfterTheirTtl() {
    ManualTicker ticker = new ManualTicker();
    var partition = testKit.spawn(CachePartition.create(settings(1 << 20, Duration.ofMinutes(10)), ticker));
    TestProbe<CachePartition.LookupReply> probe = testKit.createTestProbe();
    partition.tell(new CachePartition.Fill(key, 0, new Text("fresh")));
    assertInstanceOf(CachePartition.Hit.class, lookup(partition, probe));
    ticker.nanos.addAndGet(Duration.ofMinutes(11).toNanos());
    assertInstanceOf(CachePartition.Lease.class, lookup(partition, probe));
  }

  @Test
  void sizeIsBoundedInBytes() {
    var partition = testKit.spawn(CachePartition.create(settings(2_000, Duration.ofHours(1)), Ticker.systemTicker()));
    for (int i = 0; i < 50; i++) {
      partition.tell(new CachePartition.Fill(CacheKey.of(CacheKind.ANSWER, "t1", "q" + i), 0, new Text("x".repeat(100))));
    }
    TestProbe<CachePartition.PartitionStats> stats = testKit.createTestProbe();
    partition.tell(new CachePartition.GetStats(stats.getRef()));
    CachePartition.KindStats answers = stats.receiveMessage().kinds().get(CacheKind.ANSWER);
    assertEquals(true, answers.bytes() <= 2_000, "bytes " + answers.bytes());
    assertEquals(true, answers.evictions() > 0);
  }

  @Test
  void keysOfDifferentTenantsDiffer() {
    assertEquals(false, CacheKey.of(CacheKind.ANSWER, "a", "q").equals(CacheKey.of(CacheKind.ANSWER, "b", "q")));
    assertEquals(false, CacheKey.of(CacheKind.ANSWER, "t", "ab", "c").equals(CacheKey.of(CacheKind.ANSWER, "t", "a", "bc")));
  }
}
