package io.ragmill.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CorpusGeneratorTest {
  @Test
  void theSameSeedGivesTheSameCorpus() {
    assertEquals(CorpusGenerator.generate(7, 500), CorpusGenerator.generate(7, 500));
    assertNotEquals(CorpusGenerator.generate(7, 50), CorpusGenerator.generate(8, 50));
  }

  @Test
  void aLargerCorpusStartsWithTheSmallerOne() {
    CorpusGenerator.Corpus small = CorpusGenerator.generate(42, 100);
    CorpusGenerator.Corpus large = CorpusGenerator.generate(42, 300);
    assertEquals(small.documents(), large.documents().subList(0, 100));
    assertEquals(small.questions(), large.questions().subList(0, 100));
  }

  @Test
  void everyQuestionsKeyWordIsInItsDocumentAndNoOther() {
    CorpusGenerator.Corpus corpus = CorpusGenerator.generate(42, 2000);
    Map<String, CorpusGenerator.Document> byId = corpus.documents().stream()
        .collect(Collectors.toMap(CorpusGenerator.Document::id, Function.identity()));
    Set<String> keyWords = new HashSet<>();
    for (CorpusGenerator.Question q : corpus.questions()) {
      String text = byId.get(q.documentId()).text();
      assertTrue(words(text).contains(q.keyWord()), q + " not in " + text);
      assertTrue(words(q.text()).contains(q.keyWord()), q.toString());
      assertTrue(keyWords.add(q.keyWord()), "duplicate key word " + q.keyWord());
    }
    assertEquals(2000, keyWords.size());
    for (CorpusGenerator.Document d : corpus.documents().subList(0, 50)) {
      long holders = corpus.questions().stream().filter(q -> words(d.text()).contains(q.keyWord())).count();
      assertEquals(1, holders, d.text());
    }
  }

  @Test
  void documentsHaveIdsTextAndMetadata() {
    List<CorpusGenerator.Document> docs = CorpusGenerator.generate(1, 10).documents();
    assertEquals("doc-000000", docs.get(0).id());
    assertEquals("doc-000009", docs.get(9).id());
    for (CorpusGenerator.Document d : docs) {
      assertTrue(d.text().length() > 100 && d.text().length() < 800, d.text());
      assertTrue(d.metadata().containsKey("topic"));
    }
  }

  @Test
  void spreadPicksEvenlyAcrossTheCorpus() {
    List<CorpusGenerator.Question> all = CorpusGenerator.generate(3, 1000).questions();
    List<CorpusGenerator.Question> ten = CorpusGenerator.spread(all, 10);
    assertEquals(10, ten.size());
    assertEquals("doc-000000", ten.get(0).documentId());
    assertEquals("doc-000900", ten.get(9).documentId());
    assertEquals(all, CorpusGenerator.spread(all, 5000));
  }

  private static Set<String> words(String text) {
    return new HashSet<>(Arrays.asList(text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")));
  }
}
