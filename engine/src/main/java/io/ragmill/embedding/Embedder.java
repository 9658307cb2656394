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
}
