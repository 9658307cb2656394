package io.ragmill.node;

import io.ragmill.api.Stages;
import io.ragmill.cache.CachePartition;
import io.ragmill.collection.Collection;
import io.ragmill.embedding.EmbeddingBatcher;
import io.ragmill.index.IndexShard;
import io.ragmill.ingest.IngestionJob;
import io.ragmill.session.QuerySession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * What {@code GET /admin/cluster} shows: the members with their status and roles, which of them
 * are unreachable, the leader, and for every sharded entity type the shards and entities each node
 * hosts (from sharding's cluster-wide statistics).
 */
public final class ClusterOverview {
  private static final List<EntityTypeKey<?>> ENTITY_TYPES =
      List.of(
          CachePartition.ENTITY_KEY, EmbeddingBatcher.ENTITY_KEY, IndexShard.ENTITY_KEY, Collection.ENTITY_KEY,
          IngestionJob.ENTITY_KEY, QuerySession.ENTITY_KEY);

  public record MemberInfo(String address, String status, List<String> roles, boolean reachable) {}

  /** Shards and entities one node hosts for one entity type. */
  public record Hosted(int shards, int entities) {}

  public record Overview(
      String self, String leader, List<MemberInfo> members, List<String> unreachable,
      Map<String, Map<String, Hosted>> shardsByType, List<String> statsFailures) {}

  private ClusterOverview() {}

  public static CompletionStage<Overview> of(ActorSystem<?> system, Duration timeout) {
    Cluster cluster = Cluster.get(system);
    var state = cluster.state();
    List<String> unreachable = new ArrayList<>();
    state.getUnreachable().forEach(m -> unreachable.add(m.address().toString()));
    List<MemberInfo> members = new ArrayList<>();
    for (Member m : state.getMembers()) {
      members.add(
          new MemberInfo(
              m.address().toString(), m.status().toString().toLowerCase(), new ArrayList<>(m.getRoles()),
              !unreachable.contains(m.address().toString())));
    }
    Map<String, CompletableFuture<ShardRegion.ClusterShardingStats>> asks = new LinkedHashMap<>();
    for (EntityTypeKey<?> type : ENTITY_TYPES) {
      asks.put(
          type.name(),
          Stages.direct(
              AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(
                  ClusterSharding.get(system).shardState(),
                  replyTo -> new GetClusterShardingStats(type, timeout, replyTo),
                  timeout.plusSeconds(1),
                  system.scheduler())));
    }
    return CompletableFuture.allOf(asks.values().toArray(CompletableFuture[]::new))
        .handle((ignored, error) -> null)
        .thenApply(
            ignored -> {
              Map<String, Map<String, Hosted>> byType = new LinkedHashMap<>();
              List<String> failures = new ArrayList<>();
              asks.forEach(
                  (type, f) -> {
                    if (f.isCompletedExceptionally()) {
                      failures.add(type + ": " + f.handle((v, e) -> String.valueOf(e.getMessage())).join());
                      return;
                    }
                    Map<String, Hosted> perNode = new TreeMap<>();
                    f.join().getRegions().forEach(
                        (address, region) ->
                            perNode.put(
                                address.toString(),
                                new Hosted(
                                    region.getStats().size(),
                                    region.getStats().values().stream().mapToInt(v -> ((Number) v).intValue()).sum())));
                    byType.put(type, perNode);
                  });
              String leader = state.getLeader() == null ? null : state.getLeader().toString();
              return new Overview(
                  cluster.selfMember().address().toString(), leader, members, unreachable, byType, failures);
            });
  }
}
