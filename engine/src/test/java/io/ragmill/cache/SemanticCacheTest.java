package io.ragmill.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragmill.embedding.MiniLmEmbedder;
import io.ragmill.embedding.Vector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The semantic answer cache's decision (cosine threshold, then the near-miss guard) on the real
 * MiniLM embeddings of two committed sets written for this test: near-miss pairs (negations,
 * numbers, antonyms, other entities) that must not share an answer, and paraphrases that should.
 */
class SemanticCacheTest {
  private static final CacheSettings.Semantic SETTINGS = CacheSettings.Semantic.DEFAULT;
  private static MiniLmEmbedder model;

  record Pair(String category, String a, String b) {}

  @BeforeAll
  static void load() {
    model = new MiniLmEmbedder();
  }

  static List<Pair> pairs(String resource, boolean categorized) throws IOException {
    List<Pair> out = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                Objects.requireNonNull(SemanticCacheTest.class.getResourceAsStream(resource)), StandardCharsets.UTF_8))) {
      in.readLine();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] f = line.split("\t");
        out.add(categorized ? new Pair(f[0], f[1], f[2]) : new Pair("paraphrase", f[0], f[1]));
      }
    }
    return out;
  }

  /** Whether B, asked after A in an otherwise empty scope, gets A's answer. */
  private static Optional<SemanticScope.Match> asks(Pair pair) {
    String a = normalize(pair.a());
    String b = normalize(pair.b());
    List<Vector> v = model.embed(List.of(a, b));
    SemanticScope scope = new SemanticScope(SETTINGS.maxEntriesPerScope());
    CacheKey answerOfA = CacheKey.of(CacheKind.ANSWER, "t", a);
    scope.add(a, v.get(0), answerOfA);
    SemanticScope.Outcome outcome =
        scope.find(b, v.get(1), SETTINGS.similarityThreshold(), SETTINGS.maxCandidates(),
            new NearMissGuard(SETTINGS.maxDifferingContentWords()));
    return outcome instanceof SemanticScope.Match m ? Optional.of(m) : Optional.empty();
  }

  /** The pipeline's normalization: lower case, single spaces. */
  private static String normalize(String q) {
    return q.trim().replaceAll("\\s+", " ").toLowerCase(java.util.Locale.ROOT);
  }

  @Test
  void nearMissPairsGiveAtMostOnePercentFalseHits() throws IOException {
    List<Pair> nearMisses = pairs("/semantic/near-miss-pairs.tsv", true);
    assertTrue(nearMisses.size() >= 100, "the committed set has " + nearMisses.size() + " pairs");
    List<String> falseHits = new ArrayList<>();
    int aboveThreshold = 0;
    for (Pair p : nearMisses) {
      List<Vector> v = model.embed(List.of(normalize(p.a()), normalize(p.b())));
      if (v.get(0).dot(v.get(1)) >= SETTINGS.similarityThreshold()) {
        aboveThreshold++;
      }
      // both directions: the cache may have seen either first
      if (asks(p).isPresent() || asks(new Pair(p.category(), p.b(), p.a())).isPresent()) {
        falseHits.add(p.category() + ": " + p.a() + " | " + p.b());
      }
    }
    System.out.printf(
        "near-miss pairs: %d, above the similarity threshold %.2f: %d, false hits: %d %s%n",
        nearMisses.size(), SETTINGS.similarityThreshold(), aboveThreshold, falseHits.size(), falseHits);
    // the embedding alone cannot tell them apart: many pairs clear the threshold
    assertTrue(aboveThreshold >= nearMisses.size() / 4, "only " + aboveThreshold + " near-miss pairs above threshold");
    assertTrue(falseHits.size() <= nearMisses.size() / 100, "false hits: " + falseHits);
  }

  @Test
  void paraphrasesHit() throws IOException {
    List<Pair> paraphrases = pairs("/semantic/paraphrase-pairs.tsv", false);
    assertTrue(paraphrases.size() >= 50, "the committed set has " + paraphrases.size() + " pairs");
    List<String> misses = new ArrayList<>();
    for (Pair p : paraphrases) {
      Optional<SemanticScope.Match> match = asks(p);
      if (match.isEmpty()) {
        List<Vector> v = model.embed(List.of(normalize(p.a()), normalize(p.b())));
        misses.add(
            p.a() + " | " + p.b() + String.format(" (%.3f %s)", v.get(0).dot(v.get(1)),
                new NearMissGuard(0).reject(QueryTerms.of(normalize(p.b())), QueryTerms.of(normalize(p.a())))));
      } else {
        assertTrue(match.get().similarity() >= SETTINGS.similarityThreshold());
      }
    }
    double hitRate = 1.0 - (double) misses.size() / paraphrases.size();
    System.out.printf("paraphrase pairs: %d, hit rate %.3f, misses: %s%n", paraphrases.size(), hitRate, misses);
    assertTrue(hitRate >= 0.8, "paraphrase hit rate " + hitRate + "; misses: " + misses);
  }

  @Test
  void theGuardNamesWhyItRejects() {
    NearMissGuard guard = new NearMissGuard(0);
    assertEquals(
        Optional.of(NearMissGuard.Reason.NEGATION),
        guard.reject(QueryTerms.of("which plans include sso"), QueryTerms.of("which plans don't include sso")));
    assertEquals(
        Optional.of(NearMissGuard.Reason.NUMBER),
        guard.reject(QueryTerms.of("top 5 customers by revenue"), QueryTerms.of("top ten customers by revenue")));
    assertEquals(
        Optional.of(NearMissGuard.Reason.DIRECTION),
        guard.reject(QueryTerms.of("convert usd to eur"), QueryTerms.of("convert eur to usd")));
    assertEquals(
        Optional.of(NearMissGuard.Reason.CONTENT),
        guard.reject(QueryTerms.of("how do I enable two-factor login"), QueryTerms.of("how do I disable two-factor login")));
    assertEquals(
        Optional.empty(),
        guard.reject(QueryTerms.of("can you tell me how to rotate the API keys?"), QueryTerms.of("how do i rotate an api key")));
    assertEquals(Optional.empty(), guard.reject(QueryTerms.of("reset my pasword"), QueryTerms.of("reset my password")));
    assertEquals(
        Optional.empty(), guard.reject(QueryTerms.of("why can't I log in"), QueryTerms.of("why cannot i log in")));
    assertEquals(
        Optional.of(NearMissGuard.Reason.CONTENT), guard.reject(QueryTerms.of("upload a file"), QueryTerms.of("unload a file")));
    // identifiers with digits must match exactly, one character apart or not
    assertEquals(
        Optional.of(NearMissGuard.Reason.CONTENT),
        guard.reject(QueryTerms.of("status of order rk7x41a"), QueryTerms.of("status of order rk7x41b")));
    // a looser guard lets one content word differ
    assertEquals(
        Optional.empty(),
        new NearMissGuard(1).reject(QueryTerms.of("pricing in the eu region"), QueryTerms.of("pricing in the us region")));
  }

  @Test
  void aScopeKeepsItsNewestQueriesAndTheMostSimilarMatchWins() {
    SemanticScope scope = new SemanticScope(2);
    List<Vector> v = model.embed(List.of("how do i rotate an api key", "rotate api keys", "how to rotate the api key"));
    scope.add("how do i rotate an api key", v.get(0), CacheKey.of(CacheKind.ANSWER, "t", "first"));
    scope.add("rotate api keys", v.get(1), CacheKey.of(CacheKind.ANSWER, "t", "second"));
    var match = assertInstanceOf(
        SemanticScope.Match.class, scope.find("how to rotate the api key", v.get(2), 0.5, 8, new NearMissGuard(0)));
    float toFirst = v.get(2).dot(v.get(0));
    float toSecond = v.get(2).dot(v.get(1));
    assertEquals(toFirst >= toSecond ? "how do i rotate an api key" : "rotate api keys", match.query());
    // capacity 2: a third query replaces the oldest
    scope.add("how to rotate the api key", v.get(2), CacheKey.of(CacheKind.ANSWER, "t", "third"));
    assertEquals(2, scope.size());
    var again = assertInstanceOf(
        SemanticScope.Match.class, scope.find("how do i rotate an api key", v.get(0), 0.5, 8, new NearMissGuard(0)));
    assertTrue(!again.query().equals("how do i rotate an api key"));
  }
}
