/**
 * The sharded cache: {@link io.ragmill.cache.CachePartition} entities each own a slice of the keys
 * in Caffeine, with single-flight for concurrent misses; {@link io.ragmill.cache.Cache} is the
 * client every feature uses.
 */
package io.ragmill.cache;
