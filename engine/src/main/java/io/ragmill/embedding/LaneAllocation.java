package io.ragmill.embedding;

import java.util.Comparator;
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

/**
 * Where {@link EmbeddingBatcher} lanes live. Every lane is a shard of its own. A lane named for a
 * node ({@code model#lane@host:port}) is allocated to the node that first asks for it, which is
 * that node (only it sends to its own lanes); any other lane goes to the node holding the fewest.
 * Lanes are never rebalanced: a batcher keeps nothing worth moving, and a move would fail the
 * requests it holds.
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
        .min(Comparator.<Map.Entry<R, ? extends Seq<String>>>comparingInt(e -> e.getValue().size())
            .thenComparing(Map.Entry::getKey))
        .orElseThrow()
        .getKey();
  }

  @Override
  public Future<Set<String>> rebalance(
      Map<ActorRef, IndexedSeq<String>> currentShardAllocations, Set<String> rebalanceInProgress) {
    return Futures.successful(Set.of());
  }
}
