package io.ragmill.query;

import com.fasterxml.jackson.annotation.JsonValue;
import io.ragmill.answer.Answer;
import io.ragmill.index.ChunkHit;
import java.util.List;
import java.util.Locale;

/** The answer, the chunks it came from, whether it was a cache hit, and where the time went. */
public record QueryResult(
    Answer answer, List<ChunkHit> chunks, CacheStatus cache, long generation, Timings timings) {

  public enum CacheStatus {
    HIT,
    MISS;

    @JsonValue
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Milliseconds per stage; stages that did not run (a cache hit) are zero. */
  public record Timings(double embedMs, double searchMs, double answerMs, double totalMs) {}
}
