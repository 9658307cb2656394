/**
 * Vector search: {@link io.ragmill.index.IndexShard} entities, each an event-sourced partition of
 * a collection's chunks held in one contiguous matrix, answering top-k by cosine with an exact
 * (SIMD, optionally int8) scan below a size threshold and a Lucene HNSW graph above it.
 */
package io.ragmill.index;
