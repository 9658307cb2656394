/**
 * Turning text into vectors: the {@link io.ragmill.embedding.Embedder} models (in-process MiniLM,
 * hashing), the sharded {@link io.ragmill.embedding.EmbeddingBatcher} and the cache-first client.
 */
package io.ragmill.embedding;
