package io.ragmill.query;

import io.ragmill.cache.CachedValue;
import io.ragmill.index.ChunkHit;
import java.util.List;

/** The merged top-k of a search, as stored in the retrieval cache. */
public record CachedRetrieval(List<ChunkHit> hits) implements CachedValue {
  @Override
  public int weightBytes() {
    int bytes = 32;
    for (ChunkHit hit : hits) {
      bytes += hit.weightBytes();
    }
    return bytes;
  }
}
