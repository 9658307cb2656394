package io.ragmill.answer;

import io.ragmill.index.ChunkHit;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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

  private final int maxSentences;

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

  private record Candidate(int order, ChunkHit hit, String sentence, Set<String> terms) {}

  @Override
  public Answer answer(String question, List<ChunkHit> hits) {
    if (hits.isEmpty()) {
      return new Answer("", List.of());
    }
    Set<String> questionTerms = terms(question);
    List<Candidate> candidates = new ArrayList<>();
    for (ChunkHit hit : hits) {
      for (String sentence : sentences(hit.text())) {
        candidates.add(new Candidate(candidates.size(), hit, sentence, terms(sentence)));
      }
    }
    Map<String, Integer> documentFrequency = new HashMap<>();
    for (Candidate c : candidates) {
      for (String t : c.terms()) {
        if (questionTerms.contains(t)) {
          documentFrequency.merge(t, 1, Integer::sum);
        }
      }
    }
    Map<Candidate, Double> scores = new HashMap<>();
    for (Candidate c : candidates) {
      double score = 0.5 * c.hit().score();
      for (String t : c.terms()) {
        Integer df = documentFrequency.get(t);
        if (df != null) {
          score += Math.log(1.0 + (double) candidates.size() / df);
        }
      }
      scores.put(c, score);
    }
    double best = scores.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    List<Candidate> chosen =
        candidates.stream()
            .sorted(Comparator.comparingDouble((Candidate c) -> -scores.get(c)).thenComparingInt(Candidate::order))
            .limit(maxSentences)
            // a sentence far weaker than the best one dilutes the answer more than it adds
            .filter(c -> scores.get(c) >= 0.5 * best)
            .toList();
    StringBuilder text = new StringBuilder();
    List<Answer.Citation> citations = new ArrayList<>();
    for (Candidate c : chosen) {
      if (text.length() > 0) {
        text.append(' ');
      }
      text.append(c.sentence());
      citations.add(new Answer.Citation(c.hit().documentId(), c.hit().chunk(), c.sentence()));
    }
    return new Answer(text.toString(), citations);
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

  static Set<String> terms(String text) {
    Set<String> out = new HashSet<>();
    for (String token : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (token.length() > 1 && !STOPWORDS.contains(token)) {
        out.add(token);
      }
    }
    return out;
  }
}
