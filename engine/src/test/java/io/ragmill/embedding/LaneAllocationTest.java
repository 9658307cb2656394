package io.ragmill.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import io.ragmill.embedding.EmbeddingSettings.BatcherSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import scala.collection.immutable.Vector;
import scala.jdk.javaapi.CollectionConverters;

class LaneAllocationTest {
  private static scala.collection.immutable.Seq<String> shards(String... ids) {
    return Vector.from(CollectionConverters.asScala(List.of(ids)));
  }

  @Test
  void aNodesOwnLaneGoesToTheNodeThatAskedForIt() {
    Map<String, scala.collection.immutable.Seq<String>> regions = new TreeMap<>(Map.of("a", shards(), "b", shards("x", "y")));
    assertEquals("b", LaneAllocation.choose("b", "minilm#0@127.0.0.1:25522", regions));
  }

  @Test
  void aSharedLaneGoesToTheNodeWithTheFewestLanes() {
    Map<String, scala.collection.immutable.Seq<String>> regions =
        new TreeMap<>(Map.of("a", shards("minilm#0"), "b", shards("minilm#1", "minilm#2"), "c", shards("minilm#3")));
    assertEquals("a", LaneAllocation.choose("b", "minilm#4", regions));
  }

  @Test
  void sharedLanesOnOneNodeMoveOneARoundUntilTheNodesDifferByOne() {
    Map<String, scala.collection.immutable.Seq<String>> regions = new TreeMap<>(Map.of(
        "a", shards("minilm#0", "minilm#1", "minilm#2", "minilm#0@a:1"), "b", shards("minilm#0@b:1")));
    assertEquals(java.util.Set.of("minilm#0"), LaneAllocation.rebalanced(regions, java.util.Set.of()));
    assertEquals(java.util.Set.of(), LaneAllocation.rebalanced(regions, java.util.Set.of("minilm#1")), "one at a time");
    Map<String, scala.collection.immutable.Seq<String>> even =
        new TreeMap<>(Map.of("a", shards("minilm#1", "minilm#2"), "b", shards("minilm#0")));
    assertEquals(java.util.Set.of(), LaneAllocation.rebalanced(even, java.util.Set.of()));
    Map<String, scala.collection.immutable.Seq<String>> ownLanes =
        new TreeMap<>(Map.of("a", shards("minilm#0@a:1", "minilm#1@a:1", "minilm#2@a:1"), "b", shards()));
    assertEquals(java.util.Set.of(), LaneAllocation.rebalanced(ownLanes, java.util.Set.of()), "a node's own lanes moved");
  }

  @Test
  void laneIdsNameTheNodeOnlyWhenPlacedLocally() {
    BatcherSettings local =
        new BatcherSettings(2, 32, 4096, 1, Duration.ofMillis(2), 100, false, BatcherSettings.Placement.LOCAL);
    BatcherSettings spread = new BatcherSettings(2, 32, 4096, 1, Duration.ofMillis(2), 100);
    assertEquals(List.of("minilm#0@10.0.0.7:25520", "minilm#1@10.0.0.7:25520"),
        new BatcherLanes("minilm", local, "10.0.0.7:25520").reconfigured());
    assertEquals(List.of("minilm#0", "minilm#1"), new BatcherLanes("minilm", spread, "10.0.0.7:25520").reconfigured());
    String text = "what is a lane";
    assertEquals("minilm#" + Math.floorMod(text.hashCode(), 2), new BatcherLanes("minilm", spread, "n:1").forText(text));
  }

  @Test
  void anUnknownPlacementIsRefusedByName() {
    var config =
        ConfigFactory.parseString("ragmill.embedding.batcher.placement = everywhere")
            .withFallback(ConfigFactory.defaultReference())
            .resolve();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EmbeddingSettings.fromConfig(config));
    assertEquals("ragmill.embedding.batcher.placement must be local or spread, was 'everywhere'", e.getMessage());
  }
}
