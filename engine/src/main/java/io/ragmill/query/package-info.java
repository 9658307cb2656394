/**
 * Answering queries: the {@link io.ragmill.query.QueryPipeline} (answer cache, embedding,
 * retrieval cache, scatter-gather search, answer). Session-affine querying (QuerySession) and the
 * QueryWorker router pool grow here.
 */
package io.ragmill.query;
