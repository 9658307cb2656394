/**
 * Kamon instruments shared by every feature: actor-level metrics for each sharded entity type
 * (messages, processing time, errors, mailbox depth, passivations, shards), batchers, caches and
 * HTTP, the Prometheus scrape text and the node's JSON summary that the dashboard and alerts read.
 */
package io.ragmill.metrics;
