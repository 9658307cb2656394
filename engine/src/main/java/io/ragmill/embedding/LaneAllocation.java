package io.ragmill.embedding;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.dispatch.Futures;
import scala.collection.Seq;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Where {@link EmbeddingBatcher} lanes live. Every lane is a shard of its own. A lane named for a
 * node ({@code model#lane@host:port}) is allocated to the node that first asks for it, which is
 * that node (only it sends to its own lanes) and never moves. Any other lane goes to the node
 * holding the fewest, and moves one at a time while the nodes differ by two or more (as lanes
 * allocated before the other nodes registered would): a move fails the requests the lane holds,
 * so it is the least that spreads them.
 */
final class LaneAllocation extends ShardCoordinator.AbstractShardAllocationStrategy {
  static final String NODE_SEPARATOR = "@";

  /** One shard per lane, so that two lanes never share a node by the chance of a hash. */
  static final ShardingMessageExtractor<ShardingEnvelope<EmbeddingBatcher.Command>, EmbeddingBatcher.Command> EXTRACTOR =
      new ShardingMessageExtractor<>() {
        @Override
        public String entityId(ShardingEnvelope<EmbeddingBatcher.Command> envelope) {
          return envelope.entityId();
        }

        @Override
        public String shardId(String entityId) {
          return entityId;
        }

        @Override
        public EmbeddingBatcher.Command unwrapMessage(ShardingEnvelope<EmbeddingBatcher.Command> envelope) {
          return envelope.message();
        }
      };

  @Override
  public Future<ActorRef> allocateShard(
      ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
    return Futures.successful(choose(requester, shardId, currentShardAllocations));
  }

  static <R extends Comparable<R>> R choose(R requester, String shardId, Map<R, ? extends Seq<String>> current) {
    return shardId.contains(NODE_SEPARATOR) || current.isEmpty() ? requester : fewest(current);
  }

  private static <R extends Comparable<R>> R fewest(Map<R, ? extends Seq<String>> current) {
    return current.entrySet().stream()
        .min(Comparator.<Map.Entry<R, ? extends Seq<String>>>comparingInt(e -> shared(e.getValue()).size())
            .thenComparing(Map.Entry::getKey))
        .orElseThrow()
        .getKey();
  }

  /** The shared lanes among a node's shards (its own lanes are not counted: every node has them). */
  private static List<String> shared(Seq<String> shards) {
    return CollectionConverters.asJava(shards).stream().filter(id -> !id.contains(NODE_SEPARATOR)).toList();
  }

  @Override
  public Future<Set<String>> rebalance(
      Map<ActorRef, IndexedSeq<String>> currentShardAllocations, Set<String> rebalanceInProgress) {
    return Futures.successful(rebalanced(currentShardAllocations, rebalanceInProgress));
  }

  /**
   * One shared lane a round, from the node holding the most to be allocated again (to the node
   * holding the fewest), while they differ by two or more: lanes allocated while only the first
   * node had registered spread out once the others have. A node's own lanes never move.
   */
  static <R> Set<String> rebalanced(Map<R, ? extends Seq<String>> current, Set<String> inProgress) {
    if (!inProgress.isEmpty() || current.size() < 2) {
      return Set.of();
    }
    List<String> most = List.of();
    int fewest = Integer.MAX_VALUE;
    for (Seq<String> shards : current.values()) {
      List<String> shared = shared(shards);
      fewest = Math.min(fewest, shared.size());
      if (shared.size() > most.size()) {
        most = shared;
      }
    }
    return most.size() - fewest >= 2 ? Set.of(most.get(0)) : Set.of();
  }
}
