package io.ragmill.ingest;

import com.typesafe.config.Config;
import io.ragmill.collection.CollectionSettings.ChunkUnit;
import java.time.Duration;
import java.util.Locale;

/** The {@code ragmill.ingest} block. */
public record IngestSettings(
    int defaultChunkSize,
    int defaultChunkOverlap,
    ChunkUnit defaultChunkUnit,
    int stepChunks,
    int maxDocumentsPerRequest,
    int maxDocumentChars,
    int maxStepRetries,
    Duration retryBackoff,
    Duration lingerAfterDone,
    int maxConcurrentSteps) {

  public static IngestSettings fromConfig(Config root) {
    Config c = root.getConfig("ragmill.ingest");
    return new IngestSettings(
        c.getInt("default-chunk-size"),
        c.getInt("default-chunk-overlap"),
        ChunkUnit.valueOf(c.getString("default-chunk-unit").toUpperCase(Locale.ROOT)),
        c.getInt("step-chunks"),
        c.getInt("max-documents-per-request"),
        c.getInt("max-document-chars"),
        c.getInt("max-step-retries"),
        c.getDuration("retry-backoff"),
        c.getDuration("linger-after-done"),
        c.getInt("max-concurrent-steps"));
  }
}
