package io.ragmill.testing;

import com.typesafe.config.Config;
import io.ragmill.embedding.Embedder;
import io.ragmill.embedding.EmbeddingModels;
import io.ragmill.node.RagmillNode;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** A whole node in the test's JVM: its own ActorSystem, cluster of one, journal and embedder. */
public final class TestNode implements AutoCloseable {
  private final ActorSystem<Void> system;
  private final RagmillNode node;

  public TestNode(Config config, Embedder embedder) {
    this.system = ActorSystem.create(Behaviors.empty(), "ragmill", config);
    try {
      this.node = RagmillNode.start(system, EmbeddingModels.ready(embedder));
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  public RagmillNode node() {
    return node;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  @Override
  public void close() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
  }
}
