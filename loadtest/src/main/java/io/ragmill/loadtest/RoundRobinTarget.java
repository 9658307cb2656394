package io.ragmill.loadtest;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Several nodes behind one target, as a round-robin load balancer would put them: each request goes
 * to the next node in turn ({@code --url} with URLs separated by commas).
 */
final class RoundRobinTarget implements HttpTarget {
  private final List<HttpTarget> nodes;
  private final AtomicInteger next = new AtomicInteger();

  RoundRobinTarget(List<HttpTarget> nodes) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("a round robin needs at least one node");
    }
    this.nodes = List.copyOf(nodes);
  }

  int size() {
    return nodes.size();
  }

  private HttpTarget pick() {
    return nodes.get(Math.floorMod(next.getAndIncrement(), nodes.size()));
  }

  @Override
  public CompletionStage<Reply> post(String path, byte[] json) {
    return pick().post(path, json);
  }

  @Override
  public CompletionStage<Reply> get(String path) {
    return pick().get(path);
  }

  @Override
  public String name() {
    return nodes.get(0).name();
  }

  @Override
  public void close() {
    nodes.forEach(HttpTarget::close);
  }
}
