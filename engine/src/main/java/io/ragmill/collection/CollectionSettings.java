package io.ragmill.collection;

import io.ragmill.persistence.CborSerializable;

/**
 * Per-collection settings, fixed when the collection is created: how documents are chunked, how
 * many index shards hold them, and which model embedded them (a query must use the same model).
 */
public record CollectionSettings(int chunkSize, int chunkOverlap, ChunkUnit chunkUnit, int shards, String modelId)
    implements CborSerializable {

  public enum ChunkUnit {
    CHARS,
    WORDS;

    /** As the API names it: {@code chars}, {@code words}. */
    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The settings in the API's own terms, for messages. */
  public String describe() {
    return "chunkSize " + chunkSize + ", chunkOverlap " + chunkOverlap + ", chunkUnit " + chunkUnit.wire() + ", shards "
        + shards + ", model " + modelId;
  }

  public CollectionSettings {
    if (chunkSize < 4 || chunkSize > 100_000) {
      throw new IllegalArgumentException("chunkSize must be between 4 and 100000, was " + chunkSize);
    }
    if (chunkOverlap < 0 || chunkOverlap >= chunkSize) {
      throw new IllegalArgumentException(
          "chunkOverlap must be >= 0 and < chunkSize (" + chunkSize + "), was " + chunkOverlap);
    }
    if (shards < 1 || shards > 256) {
      throw new IllegalArgumentException("shards must be between 1 and 256, was " + shards);
    }
  }
}
