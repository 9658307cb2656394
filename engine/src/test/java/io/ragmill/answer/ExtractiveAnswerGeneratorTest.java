package io.ragmill.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragmill.index.ChunkHit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExtractiveAnswerGeneratorTest {
  private final ExtractiveAnswerGenerator generator = new ExtractiveAnswerGenerator(2);

  @Test
  void picksTheSentencesThatAnswerTheQuestionAndCitesThem() {
    List<ChunkHit> hits =
        List.of(
            new ChunkHit("paris", 0, "France is in Europe. The capital of France is Paris. It has many museums.", Map.of(), 0.8f),
            new ChunkHit("rome", 2, "Rome is old. The capital of Italy is Rome.", Map.of(), 0.5f));
    Answer answer = generator.answer("What is the capital of France?", hits);
    assertTrue(answer.text().startsWith("The capital of France is Paris."), answer.text());
    assertEquals("paris", answer.citations().get(0).documentId());
    assertEquals(0, answer.citations().get(0).chunk());
    assertTrue(answer.citations().size() <= 2);
  }

  @Test
  void lineBreaksEndSentences() {
    assertEquals(
        List.of("Caffeine", "Caffeine is a cache.", "It is fast."),
        ExtractiveAnswerGenerator.sentences("Caffeine\nCaffeine is a cache.  It\n\nis fast.".replace("It\n\nis", "It is")));
  }

  @Test
  void termsAreTheRegexTokensOfTheText() {
    java.util.Random random = new java.util.Random(5);
    String alphabet = "aZé9 .,-'\u00a0\t\nßİ٣Ⅻ½_x\ud835\udc00";
    for (int n = 0; n < 2_000; n++) {
      StringBuilder text = new StringBuilder();
      for (int i = random.nextInt(40); i > 0; i--) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      java.util.Set<String> expected = new java.util.HashSet<>();
      for (String token : text.toString().toLowerCase(java.util.Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
        if (token.length() > 1 && !List.of("a", "is", "the").contains(token)) {
          expected.add(token);
        }
      }
      java.util.Set<String> actual = ExtractiveAnswerGenerator.terms(text.toString());
      assertEquals(expected, actual, "text " + text);
    }
    assertEquals(java.util.Set.of("paris", "capital", "42"), ExtractiveAnswerGenerator.terms("Paris is the capital, 42!"));
  }

  @Test
  void aRepeatedChunkGivesTheSameAnswer() {
    List<ChunkHit> hits = List.of(new ChunkHit("d", 0, "Redis is an L2. Caffeine is the L1 cache.", Map.of(), 0.7f));
    Answer first = generator.answer("Which cache is the L1?", hits);
    Answer second = generator.answer("Which cache is the L1?", hits);
    assertEquals(first, second);
    assertEquals("Caffeine is the L1 cache.", first.citations().get(0).sentence());
  }

  @Test
  void noHitsGiveAnEmptyAnswer() {
    Answer answer = generator.answer("anything", List.of());
    assertEquals("", answer.text());
    assertTrue(answer.citations().isEmpty());
  }
}
