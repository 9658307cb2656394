package io.ragmill.query;

import io.ragmill.answer.Answer;
import io.ragmill.cache.CachedValue;
import io.ragmill.index.ChunkHit;
import java.util.List;

/**
 * An answer with its chunks, as stored in the answer cache. {@code semantic} is set when the
 * answer was borrowed from an earlier, similar query, so a later exact hit on it still says so.
 */
public record CachedAnswer(Answer answer, List<ChunkHit> chunks, QueryResult.Semantic semantic) implements CachedValue {

  public CachedAnswer(Answer answer, List<ChunkHit> chunks) {
    this(answer, chunks, null);
  }

  @Override
  public int weightBytes() {
    int bytes = 64 + 2 * answer.text().length();
    for (Answer.Citation c : answer.citations()) {
      bytes += 48 + 2 * (c.documentId().length() + c.sentence().length());
    }
    for (ChunkHit hit : chunks) {
      bytes += hit.weightBytes();
    }
    if (semantic != null) {
      bytes += 24 + 2 * semantic.matchedQuery().length();
    }
    return bytes;
  }
}
