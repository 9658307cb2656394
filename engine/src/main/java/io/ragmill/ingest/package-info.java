/**
 * Ingestion: durable background {@link io.ragmill.ingest.IngestionJob}s that parse, chunk, embed
 * and index documents, and resume after a crash.
 */
package io.ragmill.ingest;
