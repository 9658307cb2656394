package io.ragmill.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QuestionDeriverTest {
  private static CorpusGenerator.Document doc(String id, String format, String text) {
    return new CorpusGenerator.Document(id, text, Map.of(), format);
  }

  private static final List<CorpusGenerator.Document> DOCS = List.of(
      doc("harbour.txt", "text",
          "The harbour keeps its boats in the water all winter. The harbourmaster Ottoline logged every trawler "
              + "that sailed past the breakwater at dawn.\n\nThe harbour keeps its boats in the water all winter."),
      doc("notes/garden.md", "markdown",
          "# The garden\n\nThe gardener grew *quinces* and medlars beside the [glasshouse](https://example.org/wisteria) "
              + "every spring.\n\n```\nsecretcodeword appears only in code and should never be asked about here\n```\n"),
      doc("web/mill.html", "html",
          "<html><head><title>Titleonlyword mill</title><style>.millwheel { color: red }</style></head><body>"
              + "<p>The miller &amp; his apprentice Barnaby ground buckwheat flour beside the millrace each morning.</p>"
              + "<script>var scriptonlyword = 1;</script></body></html>"),
      doc("common.txt", "text",
          "The harbour keeps its boats in the water all winter. The garden grew beside the millrace every spring."));

  @Test
  void everyQuestionHasAWordFoundOnlyInItsDocument() {
    List<CorpusGenerator.Question> questions = QuestionDeriver.derive(DOCS, 3);
    assertFalse(questions.isEmpty());
    for (CorpusGenerator.Question q : questions) {
      Set<String> asked = new HashSet<>(QuestionDeriver.words(q.text()));
      assertTrue(asked.contains(q.keyWord()), q.toString());
      for (CorpusGenerator.Document d : DOCS) {
        Set<String> words = new HashSet<>(QuestionDeriver.words(QuestionDeriver.plainText(d)));
        assertEquals(d.id().equals(q.documentId()), words.contains(q.keyWord()), q + " / " + d.id());
        if (d.id().equals(q.documentId())) {
          assertTrue(words.containsAll(asked.stream().filter(w -> !Set.of("what", "does", "the", "text", "say", "about").contains(w)).toList()),
              "every keyword comes from the document: " + q);
        }
      }
      assertTrue(q.text().startsWith("What does the text say about ") && q.text().endsWith("?"), q.text());
    }
  }

  @Test
  void aDocumentWithNothingOfItsOwnGetsNoQuestion() {
    List<CorpusGenerator.Question> questions = QuestionDeriver.derive(DOCS, 3);
    assertTrue(questions.stream().noneMatch(q -> q.documentId().equals("common.txt")), questions.toString());
    assertEquals(Set.of("harbour.txt", "notes/garden.md", "web/mill.html"),
        new HashSet<>(questions.stream().map(CorpusGenerator.Question::documentId).toList()));
  }

  @Test
  void picksTheSentenceWithTheMostUniqueWordsAndKeepsTheRarestWordsInOrder() {
    List<CorpusGenerator.Question> questions = QuestionDeriver.derive(DOCS, 3);
    CorpusGenerator.Question harbour = questions.get(0);
    assertEquals("harbour.txt", harbour.documentId());
    // the repeated sentence about boats has no word of its own; the other one has several
    assertEquals("What does the text say about harbourmaster ottoline logged trawler sailed past?", harbour.text());
    assertEquals(1, questions.stream().filter(q -> q.documentId().equals("harbour.txt")).count());
  }

  @Test
  void markupCodeScriptsAndLinkTargetsAreNotAskedAbout() {
    String all = String.join(" ", QuestionDeriver.derive(DOCS, 3).stream().map(CorpusGenerator.Question::text).toList());
    for (String word : List.of("secretcodeword", "scriptonlyword", "titleonlyword", "millwheel", "wisteria", "example", "amp")) {
      assertFalse(all.contains(word), word + " in " + all);
    }
    assertTrue(all.contains("quinces") && all.contains("barnaby"), all);
  }

  @Test
  void questionsComeInRoundsAcrossDocumentsUpToTheLimitEach() {
    List<CorpusGenerator.Document> docs = List.of(
        doc("a.txt", "text", "Alpha sentence mentions aardvarks roaming the savanna plains freely. "
            + "Second alpha sentence mentions anteaters digging termite mounds daily. "
            + "Third alpha sentence mentions armadillos curling into armoured balls quickly."),
        doc("b.txt", "text", "Beta sentence mentions bison grazing across prairie grasslands slowly. "
            + "Second beta sentence mentions beavers building river dams patiently."));
    List<CorpusGenerator.Question> two = QuestionDeriver.derive(docs, 2);
    assertEquals(List.of("a.txt", "b.txt", "a.txt", "b.txt"), two.stream().map(CorpusGenerator.Question::documentId).toList());
    assertEquals(5, QuestionDeriver.derive(docs, 5).size());
    assertEquals(2, QuestionDeriver.derive(docs, 1).size());
    assertEquals(two, QuestionDeriver.derive(docs, 2), "deterministic");
  }

  @Test
  void splitsParagraphsAndSentences() {
    assertEquals(List.of("One two.", "Three four!", "Five", "six seven?"),
        QuestionDeriver.sentences("One two. Three\nfour!\n\n  Five\r\n\r\nsix\tseven?"));
    assertEquals(List.of("ünïcode", "wörds", "42", "x"), QuestionDeriver.words("Ünïcode wörds, 42 x!"));
  }
}
