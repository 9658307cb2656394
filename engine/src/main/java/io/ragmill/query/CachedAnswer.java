package io.ragmill.query;

import io.ragmill.answer.Answer;
import io.ragmill.cache.CachedValue;
import io.ragmill.index.ChunkHit;
import java.util.List;

/** An answer with its chunks, as stored in the answer cache. */
public record CachedAnswer(Answer answer, List<ChunkHit> chunks) implements CachedValue {
  @Override
  public int weightBytes() {
    int bytes = 64 + 2 * answer.text().length();
    for (Answer.Citation c : answer.citations()) {
      bytes += 48 + 2 * (c.documentId().length() + c.sentence().length());
    }
    for (ChunkHit hit : chunks) {
      bytes += hit.weightBytes();
    }
    return bytes;
  }
}
