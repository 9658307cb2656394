package io.ragmill.metrics;

/**
 * Every metric name, in Kamon's dotted form. The Prometheus reporter writes dots and dashes as
 * underscores, counters with {@code _total} and timers in seconds ({@code _seconds_bucket},
 * {@code _sum}, {@code _count}): {@code ragmill.actor.messages} is scraped as
 * {@code ragmill_actor_messages_total}. Every series carries a {@code node} tag (host:port of the
 * node's remoting address); label values are bounded (entity types, route templates, cache kinds).
 */
public final class MetricNames {
  private MetricNames() {}

  public static final String NODE = "node";

  /** Messages an actor of this type processed (tag {@code actor}: entity type). */
  public static final String ACTOR_MESSAGES = "ragmill.actor.messages";
  public static final String ACTOR_PROCESSING_TIME = "ragmill.actor.processing-time";
  /** Exceptions thrown while processing a message (the actor restarts or stops). */
  public static final String ACTOR_ERRORS = "ragmill.actor.errors";
  /** Messages waiting in the mailboxes of all actors of this type on the node. */
  public static final String ACTOR_MAILBOX_SIZE = "ragmill.actor.mailbox-size";
  /** How long a message waited in the mailbox before its actor took it. */
  public static final String ACTOR_TIME_IN_MAILBOX = "ragmill.actor.time-in-mailbox";
  public static final String ACTOR_STARTS = "ragmill.actor.starts";
  /** Entities stopped: passivated when idle, handed off in a rebalance, or stopped at shutdown. */
  public static final String ACTOR_PASSIVATIONS = "ragmill.actor.passivations";
  /** Shards and entities of a type hosted by this node. */
  public static final String SHARDS = "ragmill.sharding.shards";
  public static final String ENTITIES = "ragmill.sharding.entities";

  /** Tag {@code lane}: the batcher's entity id, {@code model#lane}. */
  public static final String BATCH_SIZE = "ragmill.batcher.batch-size";
  public static final String BATCH_TOKENS = "ragmill.batcher.batch-tokens";
  public static final String BATCH_QUEUE_WAIT = "ragmill.batcher.queue-wait";
  public static final String BATCH_INFERENCE_TIME = "ragmill.batcher.inference-time";
  public static final String BATCH_PENDING = "ragmill.batcher.pending";
  public static final String BATCH_REJECTED = "ragmill.batcher.rejected";

  /** Tags {@code kind} (embedding, retrieval, answer), {@code tier} (l1, l2), {@code result} (hit, miss). */
  public static final String CACHE_LOOKUPS = "ragmill.cache.lookups";
  public static final String CACHE_MERGES = "ragmill.cache.single-flight-merges";
  public static final String CACHE_FILLS = "ragmill.cache.fills";
  public static final String CACHE_EVICTIONS = "ragmill.cache.evictions";
  /** Tier l1: a caller's lookup round trip to its partition; tier l2: one Redis read. */
  public static final String CACHE_LOOKUP_TIME = "ragmill.cache.lookup-time";
  /** Tag {@code result}: hit (a near query's answer served) or rejected (the guard refused it). */
  public static final String CACHE_SEMANTIC = "ragmill.cache.semantic";

  /** Tags {@code route} (the path template), {@code method}, {@code status}. */
  public static final String HTTP_REQUESTS = "ragmill.http.requests";
  public static final String HTTP_REQUEST_TIME = "ragmill.http.request-time";
}
