package io.ragmill.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A corpus of real files instead of the synthetic one: every {@code .txt}, {@code .md} /
 * {@code .markdown} and {@code .html} / {@code .htm} file under a folder, recursively, becomes one
 * document whose id is its path relative to the folder (with '/') and whose format is the node's
 * matching ingestion field, so the node parses Markdown and HTML itself, as it would in production.
 * Files the node would refuse (empty, larger than its per-document limit, ids too long) are skipped
 * and counted rather than failing a whole batch; hidden files and folders (a name starting with '.')
 * are left out, so a checkout's {@code .git} does not count as content.
 */
public final class FolderCorpus {
  /** Extension (lower case) to the node's field for that format. */
  static final Map<String, String> FORMATS = Map.of(
      "txt", "text", "md", "markdown", "markdown", "markdown", "html", "html", "htm", "html");
  /** The node's default {@code ragmill.ingest.max-document-chars}. */
  static final int MAX_DOCUMENT_CHARS = 2_000_000;
  /** The node's limit on a document id. */
  static final int MAX_ID_CHARS = 512;

  private FolderCorpus() {}

  /**
   * What was loaded: the documents in path order, files skipped by reason, and how many files had
   * an extension that is not read.
   */
  public record Loaded(Path folder, List<CorpusGenerator.Document> documents, Map<String, Integer> skipped, int otherFiles) {
    /** One line for people. */
    public String summary() {
      Map<String, Integer> formats = new TreeMap<>();
      long chars = 0;
      for (CorpusGenerator.Document d : documents) {
        formats.merge(d.format(), 1, Integer::sum);
        chars += d.text().length();
      }
      return "corpus " + folder + ": " + documents.size() + " documents " + formats + ", " + chars + " characters"
          + (skipped.isEmpty() ? "" : "; skipped " + skipped) + (otherFiles == 0 ? "" : "; " + otherFiles
          + " files of other types ignored");
    }
  }

  /** Reads the folder; throws when it is not a folder or a file cannot be read. */
  public static Loaded load(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("--corpus " + folder + " is not a folder");
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(folder)) {
      files = walk.filter(Files::isRegularFile).filter(p -> !hidden(folder.relativize(p))).sorted().toList();
    }
    List<CorpusGenerator.Document> documents = new ArrayList<>();
    Map<String, Integer> skipped = new TreeMap<>();
    int other = 0;
    for (Path file : files) {
      String id = id(folder.relativize(file));
      String format = format(file.getFileName().toString());
      if (format == null) {
        other++;
        continue;
      }
      // malformed UTF-8 becomes U+FFFD rather than failing the run
      String content = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
      if (content.isBlank()) {
        skipped.merge("empty", 1, Integer::sum);
      } else if (content.length() > MAX_DOCUMENT_CHARS) {
        skipped.merge("over " + MAX_DOCUMENT_CHARS + " characters", 1, Integer::sum);
      } else if (id.length() > MAX_ID_CHARS) {
        skipped.merge("path over " + MAX_ID_CHARS + " characters", 1, Integer::sum);
      } else {
        documents.add(new CorpusGenerator.Document(id, content, Map.of("format", format), format));
      }
    }
    return new Loaded(folder, List.copyOf(documents), Map.copyOf(skipped), other);
  }

  /** The ingestion field for a file name, or null when the extension is not one that is read. */
  static String format(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot <= 0 ? null : FORMATS.get(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private static String id(Path relative) {
    List<String> parts = new ArrayList<>();
    relative.forEach(p -> parts.add(p.toString()));
    return String.join("/", parts);
  }

  private static boolean hidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}
