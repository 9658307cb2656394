/**
 * Vector search: {@link io.ragmill.index.IndexShard} entities, each an event-sourced partition of
 * a collection's chunks held in one contiguous matrix, answering exact top-k by cosine.
 */
package io.ragmill.index;
