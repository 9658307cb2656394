package io.ragmill.query;

import io.ragmill.index.MetadataFilter;

/** A validated query: text, how many chunks, and a metadata filter. */
public record QueryRequest(String query, int k, MetadataFilter filter) {}
