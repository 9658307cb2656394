package io.ragmill.embedding;

import io.ragmill.embedding.EmbeddingSettings.BatcherSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Which {@link EmbeddingBatcher} lane a text goes to. Placed {@code local} (the default), each node
 * has its own lanes, {@code model#lane@host:port}, which live on that node ({@link LaneAllocation}):
 * a node embeds the texts of the requests it serves, no text crosses the network, and the model's
 * capacity grows with the nodes. Placed {@code spread}, the cluster shares {@code lanes} lanes,
 * {@code model#lane}, spread over the nodes by shard count, and a text goes to the lane its hash
 * picks, wherever that is: every node's texts fill the same batches. Measured on 3 nodes of 4 cores,
 * local lanes served 1.9x and 2.3x the uncached queries of one shared lane, and 1.1x those of three
 * spread lanes (docs/BENCHMARKS.md, Scaling out).
 */
public final class BatcherLanes {
  private final String modelId;
  private final BatcherSettings settings;
  private final String node;

  /** {@code node}: this node's {@code host:port}, used where lanes are local. */
  BatcherLanes(String modelId, BatcherSettings settings, String node) {
    this.modelId = modelId;
    this.settings = settings;
    this.node = settings.placement() == BatcherSettings.Placement.LOCAL ? node : "";
  }

  public static BatcherLanes of(ActorSystem<?> system, String modelId, BatcherSettings settings) {
    return new BatcherLanes(modelId, settings, hostPort(Cluster.get(system).selfMember().address()));
  }

  static String hostPort(Address address) {
    return address.host().getOrElse(() -> "local") + ":" + address.port().getOrElse(() -> 0);
  }

  /** The lane that embeds {@code text}. */
  public String forText(String text) {
    return id(Math.floorMod(text.hashCode(), settings.lanes()));
  }

  /** The lanes a reload on this node reconfigures: its own, or every lane where they are spread. */
  public List<String> reconfigured() {
    List<String> ids = new ArrayList<>(settings.lanes());
    for (int lane = 0; lane < settings.lanes(); lane++) {
      ids.add(id(lane));
    }
    return ids;
  }

  private String id(int lane) {
    return node.isEmpty() ? modelId + "#" + lane : modelId + "#" + lane + LaneAllocation.NODE_SEPARATOR + node;
  }
}
