package io.ragmill.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragmill.collection.CollectionSettings;
import io.ragmill.collection.CollectionSettings.ChunkUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChunkerTest {
  private static CollectionSettings chars(int size, int overlap) {
    return new CollectionSettings(size, overlap, ChunkUnit.CHARS, 1, "m");
  }

  @Test
  void shortTextIsOneChunk() {
    assertEquals(List.of("Hello world."), Chunker.chunk("  Hello world.  ", chars(100, 10)));
  }

  @Test
  void emptyTextHasNoChunks() {
    assertEquals(List.of(), Chunker.chunk("   \n ", chars(100, 10)));
  }

  @Test
  void chunksRespectTheSizeAndCoverEveryWord() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      text.append("word").append(i).append(i % 10 == 9 ? ". " : " ");
    }
    List<String> chunks = Chunker.chunk(text.toString(), chars(200, 40));
    assertTrue(chunks.size() > 5);
    for (String c : chunks) {
      assertTrue(c.length() <= 200, c.length() + " chars: " + c);
    }
    for (int i = 0; i < 300; i++) {
      String w = "word" + i;
      assertTrue(chunks.stream().anyMatch(c -> c.matches("(?s).*\\b" + w + "\\b.*")), w + " missing");
    }
  }

  @Test
  void consecutiveChunksOverlap() {
    String text = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma";
    List<String> chunks = Chunker.chunk(text, new CollectionSettings(6, 2, ChunkUnit.WORDS, 1, "m"));
    for (int i = 1; i < chunks.size(); i++) {
      String[] previous = chunks.get(i - 1).split(" ");
      String first = chunks.get(i).split(" ")[0];
      assertTrue(List.of(previous).contains(first), "chunk " + i + " does not start inside chunk " + (i - 1));
    }
  }

  @Test
  void wordUnitCountsWords() {
    String text = String.join(" ", java.util.Collections.nCopies(100, "w"));
    List<String> chunks = Chunker.chunk(text, new CollectionSettings(20, 0, ChunkUnit.WORDS, 1, "m"));
    assertEquals(5, chunks.size());
    assertEquals(20, chunks.get(0).split(" ").length);
  }

  @Test
  void parsesMarkdownAndHtmlToText() {
    String md = DocumentParser.toText(new SourceDocument("d", SourceDocument.Format.MARKDOWN, "# Title\n\nSome **bold** text.", Map.of()));
    assertTrue(md.contains("Title") && md.contains("Some bold text.") && !md.contains("**"), md);
    String html =
        DocumentParser.toText(
            new SourceDocument("d", SourceDocument.Format.HTML,
                "<html><head><style>p{}</style><script>var x=1;</script></head><body><p>First.</p><p>Second &amp; last.</p></body></html>",
                Map.of()));
    assertTrue(html.contains("First.") && html.contains("Second & last."), html);
    assertTrue(!html.contains("var x") && !html.contains("p{}"), html);
  }
}
