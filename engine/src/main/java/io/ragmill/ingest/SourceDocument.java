package io.ragmill.ingest;

import io.ragmill.persistence.CborSerializable;
import java.util.Map;

/** A document as submitted: id, content in one format, and metadata copied to every chunk. */
public record SourceDocument(String id, Format format, String content, Map<String, String> metadata)
    implements CborSerializable {

  public enum Format {
    TEXT,
    MARKDOWN,
    HTML
  }
}
