/**
 * Collections: the {@link io.ragmill.collection.Collection} entity (settings, documents, the
 * generation counter) and {@link io.ragmill.collection.Generations}, which replicates each
 * collection's generation to every node so cache keys need no extra hop.
 */
package io.ragmill.collection;
