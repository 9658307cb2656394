package io.ragmill.embedding;

import java.util.List;

/**
 * A text embedding model. {@link #embed} blocks; callers run it on the inference dispatcher.
 * Implementations are thread-safe and return unit-length vectors in input order.
 */
public interface Embedder {
  /** Stable name, part of every embedding cache key. */
  String modelId();

  int dimension();

  List<Vector> embed(List<String> texts);

  /**
   * Each text embedded on its own, as {@code embed(List.of(text))} would: for a model whose vectors
   * depend on their batch companions, the vector a text gets alone. Implementations may run the
   * texts side by side.
   */
  default List<Vector> embedEach(List<String> texts) {
    List<Vector> out = new java.util.ArrayList<>(texts.size());
    for (String text : texts) {
      out.add(embed(List.of(text)).get(0));
    }
    return out;
  }
}
