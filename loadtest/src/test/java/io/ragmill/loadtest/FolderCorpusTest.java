package io.ragmill.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderCorpusTest {
  @TempDir Path dir;

  private void write(String relative, String content) throws Exception {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  @Test
  void readsTextMarkdownAndHtmlRecursivelyWithRelativeIds() throws Exception {
    write("a.txt", "Plain words about harbours.");
    write("notes/b.md", "# Title\n\nSome *markdown* text.");
    write("notes/deep/c.markdown", "More markdown.");
    write("web/d.html", "<p>An html page.</p>");
    write("web/E.HTM", "<p>Upper-case extension.</p>");
    write("empty.txt", "");
    write("notes/blank.md", "  \n\t\n");
    write("image.png", "not really a png");
    write("data.json", "{}");
    write("README", "no extension");
    write(".hidden/x.txt", "inside a hidden folder");
    write("notes/.secret.txt", "a hidden file");

    FolderCorpus.Loaded loaded = FolderCorpus.load(dir);

    List<String> ids = loaded.documents().stream().map(CorpusGenerator.Document::id).toList();
    assertEquals(List.of("a.txt", "notes/b.md", "notes/deep/c.markdown", "web/E.HTM", "web/d.html"), ids);
    Map<String, String> formats = new java.util.HashMap<>();
    loaded.documents().forEach(d -> formats.put(d.id(), d.format()));
    assertEquals(Map.of("a.txt", "text", "notes/b.md", "markdown", "notes/deep/c.markdown", "markdown",
        "web/E.HTM", "html", "web/d.html", "html"), formats);
    assertEquals("# Title\n\nSome *markdown* text.", loaded.documents().get(1).text(), "content is sent as it is");
    assertEquals(Map.of("empty", 2), loaded.skipped());
    assertEquals(3, loaded.otherFiles());
    assertTrue(loaded.summary().contains("5 documents {html=2, markdown=2, text=1}"), loaded.summary());
  }

  @Test
  void skipsFilesTheNodeWouldRefuse() throws Exception {
    write("big.txt", "x".repeat(FolderCorpus.MAX_DOCUMENT_CHARS + 1));
    write("ok.txt", "fine");
    FolderCorpus.Loaded loaded = FolderCorpus.load(dir);
    assertEquals(1, loaded.documents().size());
    assertEquals(Map.of("over 2000000 characters", 1), loaded.skipped());
  }

  @Test
  void aMissingFolderIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> FolderCorpus.load(dir.resolve("nope")));
  }

  @Test
  void formatsByExtension() {
    assertEquals("text", FolderCorpus.format("a.TXT"));
    assertEquals("markdown", FolderCorpus.format("a.b.markdown"));
    assertEquals("html", FolderCorpus.format("x.htm"));
    assertNull(FolderCorpus.format("x.pdf"));
    assertNull(FolderCorpus.format(".md"));
    assertNull(FolderCorpus.format("md"));
  }

  @Test
  void eachDocumentsContentGoesInTheFieldOfItsFormat() throws Exception {
    List<CorpusGenerator.Document> docs = List.of(
        new CorpusGenerator.Document("a.md", "# A", Map.of("format", "markdown"), "markdown"),
        new CorpusGenerator.Document("b.html", "<p>B</p>", Map.of(), "html"),
        new CorpusGenerator.Document("doc-1", "plain", Map.of("topic", "x")));
    JsonNode body = new ObjectMapper().readTree(Ingester.body(docs));
    assertEquals("{\"id\":\"a.md\",\"markdown\":\"# A\",\"metadata\":{\"format\":\"markdown\"}}", body.get(0).toString());
    assertEquals("{\"id\":\"b.html\",\"html\":\"<p>B</p>\"}", body.get(1).toString());
    assertEquals("{\"id\":\"doc-1\",\"text\":\"plain\",\"metadata\":{\"topic\":\"x\"}}", body.get(2).toString());
  }

  @Test
  void batchesStayUnderTheDocumentCountAndTheCharacterBudget() {
    List<CorpusGenerator.Document> docs = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      docs.add(new CorpusGenerator.Document("d" + i, "x".repeat(i == 3 ? 50 : 10), Map.of()));
    }
    List<Integer> sizes = Ingester.batches(docs, 3, 35).stream().map(List::size).toList();
    // d0-d2 (30 chars), d3 alone (50: larger than the budget by itself), d4-d6 (30)
    assertEquals(List.of(3, 1, 3), sizes);
    assertEquals(List.of(3, 3, 1), Ingester.batches(docs, 3, 1_000).stream().map(List::size).toList());
  }
}
