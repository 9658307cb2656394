package io.ragmill.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.ragmill.answer.Answer;
import io.ragmill.cache.CacheTier;
import io.ragmill.index.ChunkHit;
import java.util.List;
import java.util.Locale;

/**
 * The answer, the chunks it came from, whether it was a cache hit (exact or semantic) and from
 * which tier, and where the time went.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueryResult(
    Answer answer, List<ChunkHit> chunks, CacheStatus cache, CacheTier cacheTier, Semantic semantic, long generation,
    Timings timings) {

  public enum CacheStatus {
    /** The same (normalized) query was answered before. */
    HIT,
    /** A similar earlier query's answer, accepted by the near-miss guard. */
    SEMANTIC,
    MISS;

    @JsonValue
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The earlier query whose answer this is, and the cosine similarity of the two. */
  public record Semantic(String matchedQuery, double similarity) {}

  /** Milliseconds per stage; stages that did not run (a cache hit) are zero. */
  public record Timings(double embedMs, double searchMs, double answerMs, double totalMs) {}
}
