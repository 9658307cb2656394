package io.ragmill.answer;

import io.ragmill.index.ChunkHit;
import java.text.BreakIterator;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Picks the sentences of the top chunks that best match the question: question words found in the
 * sentence, weighted by how rare they are among the candidate sentences, plus the chunk's own
 * retrieval score. The chosen sentences are returned best first, each cited.
 */
public final class ExtractiveAnswerGenerator implements AnswerGenerator {
  private static final Set<String> STOPWORDS =
      Set.of(
          "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "in",
          "is", "it", "of", "on", "or", "that", "the", "this", "to", "was", "what", "when", "where", "which",
          "who", "why", "with", "you", "your", "my", "we", "our", "me");

  /** Sentences are cut and tokenised once per chunk text, not once per question. */
  private static final long PARSED_MAX_BYTES = 16L << 20;

  private final int maxSentences;
  private final Cache<String, List<Sentence>> parsed =
      Caffeine.newBuilder()
          .maximumWeight(PARSED_MAX_BYTES)
          .weigher(ExtractiveAnswerGenerator::weight)
          .build();

  public ExtractiveAnswerGenerator(int maxSentences) {
    if (maxSentences <= 0) {
      throw new IllegalArgumentException("ragmill.query.answer-sentences must be > 0, was " + maxSentences);
    }
    this.maxSentences = maxSentences;
  }

  @Override
  public String mode() {
    return "extractive";
  }

  private record Sentence(String text, Set<String> terms) {}

  private record Candidate(ChunkHit hit, Sentence sentence) {}

  @Override
  public Answer answer(String question, List<ChunkHit> hits) {
    if (hits.isEmpty()) {
      return new Answer("", List.of());
    }
    String[] questionTerms = terms(question).toArray(String[]::new);
    List<Candidate> candidates = new ArrayList<>();
    for (ChunkHit hit : hits) {
      for (Sentence sentence : parsed.get(hit.text(), ExtractiveAnswerGenerator::parse)) {
        candidates.add(new Candidate(hit, sentence));
      }
    }
    // how many candidate sentences hold each question term
    int[] documentFrequency = new int[questionTerms.length];
    for (Candidate c : candidates) {
      for (int t = 0; t < questionTerms.length; t++) {
        if (c.sentence().terms().contains(questionTerms[t])) {
          documentFrequency[t]++;
        }
      }
    }
    double[] scores = new double[candidates.size()];
    double best = 0;
    for (int i = 0; i < scores.length; i++) {
      Candidate c = candidates.get(i);
      double score = 0.5 * c.hit().score();
      for (int t = 0; t < questionTerms.length; t++) {
        if (documentFrequency[t] > 0 && c.sentence().terms().contains(questionTerms[t])) {
          score += Math.log(1.0 + (double) candidates.size() / documentFrequency[t]);
        }
      }
      scores[i] = score;
      best = Math.max(best, score);
    }
    double floor = 0.5 * best;
    List<Integer> chosen =
        IntStream.range(0, scores.length)
            .boxed()
            .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i))
            .limit(maxSentences)
            // a sentence far weaker than the best one dilutes the answer more than it adds
            .filter(i -> scores[i] >= floor)
            .toList();
    StringBuilder text = new StringBuilder();
    List<Answer.Citation> citations = new ArrayList<>();
    for (int i : chosen) {
      Candidate c = candidates.get(i);
      if (text.length() > 0) {
        text.append(' ');
      }
      text.append(c.sentence().text());
      citations.add(new Answer.Citation(c.hit().documentId(), c.hit().chunk(), c.sentence().text()));
    }
    return new Answer(text.toString(), citations);
  }

  /** Heap bytes of a parsed chunk, roughly: the key, each sentence's text, each term in its hash set. */
  private static int weight(String text, List<Sentence> sentences) {
    int bytes = 64 + 2 * text.length();
    for (Sentence s : sentences) {
      bytes += 96 + 2 * s.text().length();
      for (String term : s.terms()) {
        bytes += 88 + 2 * term.length();
      }
    }
    return bytes;
  }

  private static List<Sentence> parse(String text) {
    List<Sentence> out = new ArrayList<>();
    for (String sentence : sentences(text)) {
      out.add(new Sentence(sentence, terms(sentence)));
    }
    return List.copyOf(out);
  }

  /** Sentences by the JDK's rules; a line break (a heading, a list item) also ends one. */
  static List<String> sentences(String text) {
    List<String> out = new ArrayList<>();
    BreakIterator it = BreakIterator.getSentenceInstance(Locale.ROOT);
    for (String line : text.split("\\R+")) {
      it.setText(line);
      int start = it.first();
      for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
        String s = line.substring(start, end).strip().replaceAll("\\s+", " ");
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** Lower-cased runs of letters and digits (regex {@code [\p{L}\p{N}]+}) of two chars or more, less stopwords. */
  static Set<String> terms(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    Set<String> out = new HashSet<>();
    int start = -1;
    for (int i = 0; i <= lower.length(); ) {
      int cp = i < lower.length() ? lower.codePointAt(i) : ' ';
      if (isTermChar(cp)) {
        if (start < 0) {
          start = i;
        }
      } else if (start >= 0) {
        String token = lower.substring(start, i);
        if (token.length() > 1 && !STOPWORDS.contains(token)) {
          out.add(token);
        }
        start = -1;
      }
      i += i < lower.length() ? Character.charCount(cp) : 1;
    }
    return out;
  }

  private static boolean isTermChar(int cp) {
    if (Character.isLetter(cp)) {
      return true;
    }
    int type = Character.getType(cp);
    return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
  }
}
