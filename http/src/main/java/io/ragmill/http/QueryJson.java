package io.ragmill.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ragmill.answer.Answer;
import io.ragmill.cache.CacheTier;
import io.ragmill.index.ChunkHit;
import io.ragmill.query.QueryResult;
import java.util.List;

/**
 * Writes a {@link QueryResult} as JSON. The answer and its chunks are most of the bytes, and for a
 * cache hit they are the very objects the cache holds: their JSON is kept beside them (keyed by the
 * chunk list's identity, weakly, so it goes when the cached value goes) and copied, and only the
 * few fields that change per request (cache status, tier, similarity, generation, timings) are
 * written each time. Profiling the cached path (JFR, docs/BENCHMARKS.md) found Jackson writing the
 * chunks to be its largest single cost. The output is the same JSON object as Jackson's for the
 * whole record (field order aside).
 */
final class QueryJson {
  /** The per-request fields; null ones are left out, as for the whole record. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  private record Tail(
      QueryResult.CacheStatus cache, CacheTier cacheTier, QueryResult.Semantic semantic, long generation,
      QueryResult.Timings timings) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  private record Head(Answer answer, List<ChunkHit> chunks) {}

  /**
   * The per-request fields as {@code {"cache":..,..}}: written by hand when they are only enums and
   * numbers (a generator per call cost more than the writing, in the same profile), by Jackson when
   * a semantic match brings a string to escape.
   */
  private byte[] tail(QueryResult result) throws JsonProcessingException {
    if (result.semantic() != null) {
      return mapper.writeValueAsBytes(
          new Tail(result.cache(), result.cacheTier(), result.semantic(), result.generation(), result.timings()));
    }
    QueryResult.Timings t = result.timings();
    Ascii out = new Ascii().append("{\"cache\":\"").append(result.cache().wire()).append("\"");
    if (result.cacheTier() != null) {
      out.append(",\"cacheTier\":\"").append(result.cacheTier().wire()).append("\"");
    }
    return out.append(",\"generation\":").append(Long.toString(result.generation()))
        .append(",\"timings\":{\"embedMs\":").append(t.embedMs())
        .append(",\"searchMs\":").append(t.searchMs())
        .append(",\"answerMs\":").append(t.answerMs())
        .append(",\"totalMs\":").append(t.totalMs())
        .append("}}")
        .bytes();
  }

  /**
   * ASCII written straight into bytes: the tail is only names, enum wires and numbers, and a
   * StringBuilder turned into a String and then into bytes cost twice the writing.
   */
  private static final class Ascii {
    private byte[] buffer = new byte[192];
    private int length;

    Ascii append(String ascii) {
      int n = ascii.length();
      if (length + n > buffer.length) {
        buffer = java.util.Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + n));
      }
      ascii.getBytes(0, n, buffer, length); // deprecated for its lossy cut of chars to bytes, exact for ASCII
      length += n;
      return this;
    }

    /** As Jackson writes a double: Double.toString. */
    Ascii append(double value) {
      return append(Double.toString(value));
    }

    byte[] bytes() {
      return java.util.Arrays.copyOf(buffer, length);
    }
  }

  /** The JSON of one answer with its chunks, without the closing brace; for that answer only. */
  private record Fragment(Answer answer, byte[] open) {}

  private final ObjectMapper mapper;
  private final Cache<List<ChunkHit>, Fragment> fragments;

  QueryJson(ObjectMapper mapper, long maxFragments) {
    this.mapper = mapper;
    this.fragments = Caffeine.newBuilder().weakKeys().maximumSize(maxFragments).build();
  }

  byte[] write(QueryResult result) {
    try {
      Fragment fragment = fragments.getIfPresent(result.chunks());
      // a chunk list is shared only by answers made from it; an empty one (List.of()) by any
      if (fragment == null || fragment.answer() != result.answer()) {
        byte[] head = mapper.writeValueAsBytes(new Head(result.answer(), result.chunks()));
        fragment = new Fragment(result.answer(), java.util.Arrays.copyOf(head, head.length - 1));
        fragments.put(result.chunks(), fragment);
      }
      byte[] tail = tail(result);
      byte[] open = fragment.open();
      // {"answer":..,"chunks":[..]  +  ,  +  "cache":..}
      byte[] out = new byte[open.length + tail.length];
      System.arraycopy(open, 0, out, 0, open.length);
      out[open.length] = ',';
      System.arraycopy(tail, 1, out, open.length + 1, tail.length - 1);
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a query result as JSON", e);
    }
  }
}
