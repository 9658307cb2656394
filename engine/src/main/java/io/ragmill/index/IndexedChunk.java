package io.ragmill.index;

import io.ragmill.embedding.Vector;
import io.ragmill.persistence.CborSerializable;
import java.util.Map;

/** A chunk as stored in a shard: its ordinal in the document, text, metadata and vector. */
public record IndexedChunk(int chunk, String text, Map<String, String> metadata, Vector vector)
    implements CborSerializable {}
