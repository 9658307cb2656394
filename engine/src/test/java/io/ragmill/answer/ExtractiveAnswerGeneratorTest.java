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
  void noHitsGiveAnEmptyAnswer() {
    Answer answer = generator.answer("anything", List.of());
    assertEquals("", answer.text());
    assertTrue(answer.citations().isEmpty());
  }
}
