package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.answer.Answer;
import io.ragmill.cache.CacheTier;
import io.ragmill.index.ChunkHit;
import io.ragmill.query.QueryResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** QueryJson writes what Jackson writes for the whole record, whatever it reuses. */
class QueryJsonTest {
  private final ObjectMapper mapper = Json.mapper();
  private final QueryJson json = new QueryJson(mapper, 100);

  private static final Answer ANSWER =
      new Answer("Caffeine is a \"caching\" library.", List.of(new Answer.Citation("doc-1", 0, "Caffeine is a library.")));
  private static final List<ChunkHit> CHUNKS =
      List.of(new ChunkHit("doc-1", 0, "Caffeine is a caching library for Java — fast.", Map.of("lang", "en"), 0.91f),
          new ChunkHit("doc-2", 3, "Other text", Map.of(), 0.5f));

  private void assertSameAsJackson(QueryResult result) throws Exception {
    JsonNode expected = mapper.readTree(mapper.writeValueAsBytes(result));
    JsonNode written = mapper.readTree(json.write(result));
    assertEquals(expected, written);
  }

  private static QueryResult result(Answer answer, List<ChunkHit> chunks, QueryResult.CacheStatus status, CacheTier tier,
      QueryResult.Semantic semantic, long generation) {
    return new QueryResult(answer, chunks, status, tier, semantic, generation, new QueryResult.Timings(1.5, 0.25, 0, 2.125));
  }

  @Test
  void missHitAndSemanticHitWriteTheWholeRecord() throws Exception {
    assertSameAsJackson(result(ANSWER, CHUNKS, QueryResult.CacheStatus.MISS, null, null, 3));
    // the same cached objects again: the fragment is reused, the per-request fields are not
    assertSameAsJackson(result(ANSWER, CHUNKS, QueryResult.CacheStatus.HIT, CacheTier.NEAR, null, 3));
    assertSameAsJackson(new QueryResult(ANSWER, CHUNKS, QueryResult.CacheStatus.HIT, CacheTier.L2, null, Long.MAX_VALUE,
        new QueryResult.Timings(1e-7, 12345.678, 0.1 + 0.2, Double.MIN_VALUE)));
    assertSameAsJackson(result(ANSWER, CHUNKS, QueryResult.CacheStatus.SEMANTIC, CacheTier.L1,
        new QueryResult.Semantic("what is caffeine?", 0.97), 4));
  }

  @Test
  void aChunkListSharedByDifferentAnswersNeverGetsTheOthersAnswer() throws Exception {
    Answer none = new Answer("No passage answers this.", List.of());
    Answer other = new Answer("Nothing found either.", List.of());
    assertSameAsJackson(result(none, List.of(), QueryResult.CacheStatus.MISS, null, null, 1));
    assertSameAsJackson(result(other, List.of(), QueryResult.CacheStatus.HIT, CacheTier.L2, null, 1));
    assertSameAsJackson(result(new Answer("A third answer.", List.of()), CHUNKS, QueryResult.CacheStatus.HIT, CacheTier.L1, null, 1));
    assertSameAsJackson(result(ANSWER, CHUNKS, QueryResult.CacheStatus.HIT, CacheTier.L1, null, 1));
  }
}
