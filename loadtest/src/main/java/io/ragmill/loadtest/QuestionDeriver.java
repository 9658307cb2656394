package io.ragmill.loadtest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Questions with a known source for documents the load test did not write (a folder corpus), so
 * the query scenarios can check that answers cite the right document. Simple on purpose: a question
 * is a sentence of one document boiled down to its rarest content words, at least one of which
 * occurs in no other document of the corpus ("What does the text say about hurtigruten fjord
 * coastal voyage?"). Such a question has exactly one document that holds all its words, which is
 * the document {@code verify} expects among the cited chunks.
 *
 * <p>Limits, on purpose: these are keyword questions, not the natural questions people ask, and
 * they contain a word unique to the answer's document, the easiest case for retrieval, so recall
 * on them is an upper bound for real questions; a document with no sentence holding a word unique
 * to it gets no question; Markdown and HTML are reduced to text here with a few regular
 * expressions, not the node's parsers, so a question can (rarely) use a word the node's text lacks.
 */
public final class QuestionDeriver {
  /** Words a question keeps from its sentence. */
  static final int MAX_KEYWORDS = 6;
  /** Sentences shorter or longer than this (in words) are headings, lists or run-ons: skipped. */
  static final int MIN_SENTENCE_WORDS = 6;
  static final int MAX_SENTENCE_WORDS = 60;
  /** Content words have at least this many characters, a letter, and are not stop words. */
  static final int MIN_CONTENT_CHARS = 4;

  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
  private static final Pattern LETTER = Pattern.compile("\\p{L}");
  private static final Pattern PARAGRAPH = Pattern.compile("\\n\\s*\\n");
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+");
  private static final Set<String> STOP_WORDS = Set.of(
      "about", "above", "after", "again", "also", "although", "another", "because", "been", "before", "being", "below",
      "between", "both", "cannot", "could", "does", "doing", "down", "during", "each", "either", "even", "every",
      "from", "further", "have", "having", "here", "into", "itself", "just", "like", "made", "make", "many", "more",
      "most", "much", "must", "never", "only", "other", "ours", "over", "same", "shall", "should", "some", "such",
      "than", "that", "their", "them", "then", "there", "these", "they", "this", "those", "through", "under", "until",
      "upon", "very", "what", "when", "where", "which", "while", "whom", "will", "with", "within", "without",
      "would", "your", "yours", "were", "said", "says");

  private QuestionDeriver() {}

  /**
   * Up to {@code perDocument} questions per document, from different sentences (those with the
   * most words unique to their document first), in rounds: every document's first question, then
   * every document's second, so a prefix of the list covers as many documents as it can.
   */
  public static List<CorpusGenerator.Question> derive(List<CorpusGenerator.Document> documents, int perDocument) {
    List<List<String>> sentencesByDocument = new ArrayList<>();
    Map<String, Integer> documentFrequency = new HashMap<>();
    for (CorpusGenerator.Document d : documents) {
      String text = plainText(d);
      sentencesByDocument.add(sentences(text));
      for (String word : new HashSet<>(words(text))) {
        documentFrequency.merge(word, 1, Integer::sum);
      }
    }
    List<List<CorpusGenerator.Question>> byDocument = new ArrayList<>();
    int rounds = 0;
    for (int i = 0; i < documents.size(); i++) {
      List<CorpusGenerator.Question> questions =
          questions(documents.get(i).id(), sentencesByDocument.get(i), documentFrequency, perDocument);
      byDocument.add(questions);
      rounds = Math.max(rounds, questions.size());
    }
    List<CorpusGenerator.Question> out = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      for (List<CorpusGenerator.Question> questions : byDocument) {
        if (round < questions.size()) {
          out.add(questions.get(round));
        }
      }
    }
    return List.copyOf(out);
  }

  private record Candidate(int position, int unique, CorpusGenerator.Question question) {}

  private static List<CorpusGenerator.Question> questions(
      String documentId, List<String> sentences, Map<String, Integer> documentFrequency, int perDocument) {
    List<Candidate> candidates = new ArrayList<>();
    Set<String> texts = new HashSet<>();
    for (int s = 0; s < sentences.size(); s++) {
      List<String> words = words(sentences.get(s));
      if (words.size() < MIN_SENTENCE_WORDS || words.size() > MAX_SENTENCE_WORDS) {
        continue;
      }
      List<String> content = new ArrayList<>(new LinkedHashSet<>(words.stream().filter(QuestionDeriver::content).toList()));
      long unique = content.stream().filter(w -> documentFrequency.get(w) == 1).count();
      if (unique == 0 || content.size() < 3) {
        continue;
      }
      // the rarest words, in the order the sentence has them
      List<String> keywords = content.stream()
          .sorted(Comparator.comparingInt((String w) -> documentFrequency.get(w)).thenComparingInt(content::indexOf))
          .limit(MAX_KEYWORDS).toList();
      String keyWord = keywords.get(0);
      keywords = keywords.stream().sorted(Comparator.comparingInt(content::indexOf)).toList();
      String text = "What does the text say about " + String.join(" ", keywords) + "?";
      if (texts.add(text)) {
        candidates.add(new Candidate(s, (int) unique, new CorpusGenerator.Question(text, documentId, keyWord)));
      }
    }
    return candidates.stream()
        .sorted(Comparator.comparingInt((Candidate c) -> -c.unique()).thenComparingInt(Candidate::position))
        .limit(perDocument).map(Candidate::question).toList();
  }

  private static boolean content(String word) {
    return word.length() >= MIN_CONTENT_CHARS && LETTER.matcher(word).find() && !STOP_WORDS.contains(word);
  }

  /** Lower-case words: runs of letters and digits, in any script. */
  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = WORD.matcher(text);
    while (m.find()) {
      out.add(m.group().toLowerCase(Locale.ROOT));
    }
    return out;
  }

  /** Sentences: paragraphs (split at blank lines), each split after '.', '!' or '?'. */
  static List<String> sentences(String text) {
    List<String> out = new ArrayList<>();
    for (String paragraph : PARAGRAPH.split(text.replace("\r", ""))) {
      String flat = paragraph.replaceAll("\\s+", " ").trim();
      for (String sentence : SENTENCE_END.split(flat)) {
        if (!sentence.isBlank()) {
          out.add(sentence.trim());
        }
      }
    }
    return out;
  }

  /** The document's prose, roughly as a reader sees it; paragraphs stay apart by blank lines. */
  static String plainText(CorpusGenerator.Document d) {
    return switch (d.format()) {
      case "html" -> html(d.text());
      case "markdown" -> markdown(d.text());
      default -> d.text();
    };
  }

  private static String html(String html) {
    String s = html.replaceAll("(?is)<(head|script|style|noscript|template)\\b.*?</\\1\\s*>", " ")
        .replaceAll("(?s)<!--.*?-->", " ")
        .replaceAll("(?i)</?(p|div|li|h[1-6]|tr|br|pre|blockquote|section|article|ul|ol|table|header|footer)\\b[^>]*>",
            "\n\n")
        .replaceAll("<[^>]*>", " ");
    return entities(s);
  }

  private static String entities(String s) {
    StringBuilder out = new StringBuilder();
    Matcher m = Pattern.compile("&(#\\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos|nbsp);").matcher(s);
    while (m.find()) {
      String e = m.group(1);
      String replacement = switch (e) {
        case "amp" -> "&";
        case "lt" -> "<";
        case "gt" -> ">";
        case "quot" -> "\"";
        case "apos" -> "'";
        case "nbsp" -> " ";
        default -> codePoint(e);
      };
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String codePoint(String entity) {
    try {
      int cp = entity.startsWith("#x") ? Integer.parseInt(entity.substring(2), 16) : Integer.parseInt(entity.substring(1));
      return Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : " ";
    } catch (NumberFormatException e) {
      return " ";
    }
  }

  private static String markdown(String markdown) {
    return markdown.replaceAll("(?ms)^\\s*(```|~~~).*?^\\s*\\1[^\\n]*$", "\n\n")
        .replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
        .replaceAll("<[^>]*>", " ")
        .replaceAll("(?m)^\\s{0,3}(#{1,6}|[-*+]|\\d+[.)]|>)\\s+", "")
        .replaceAll("[*_`~|]", " ");
  }
}
