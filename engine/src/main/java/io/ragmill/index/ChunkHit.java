package io.ragmill.index;

import io.ragmill.persistence.CborSerializable;
import java.util.Map;

/** A search result: which chunk of which document, its text and metadata, and cosine score. */
public record ChunkHit(String documentId, int chunk, String text, Map<String, String> metadata, float score)
    implements CborSerializable {

  public int weightBytes() {
    return 64 + 2 * (documentId.length() + text.length()) + 64 * metadata.size();
  }
}
