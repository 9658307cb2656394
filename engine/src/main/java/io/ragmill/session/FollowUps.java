package io.ragmill.session;

import java.util.Locale;
import java.util.Set;

/**
 * Resolves a follow-up question against the previous turn: "and in 2024?" or "who maintains it?"
 * mean little alone, so they are retrieved and cached as the previous (resolved) question followed
 * by the new one. A question that stands on its own (no pronoun pointing back, no continuation
 * opener, more than a few words) is left as it is. The rule is deliberately simple and
 * deterministic: the resolved text is part of the answer key, so the same conversation always
 * reaches the same cache entry.
 */
public final class FollowUps {
  private static final Set<String> POINTING_BACK =
      Set.of("it", "its", "they", "them", "their", "theirs", "this", "that", "these", "those", "he", "him", "his",
          "she", "her", "hers", "there", "then", "same", "former", "latter", "above", "previous", "one", "ones");
  private static final Set<String> OPENERS = Set.of("and", "also", "but", "so", "or", "what about", "how about", "why");
  private static final int STANDALONE_WORDS = 4;

  private FollowUps() {}

  /** The question to retrieve and cache for {@code question}, given the previous turn's resolved question. */
  public static String resolve(String question, String previousResolved, int maxContextChars) {
    if (previousResolved == null || !isFollowUp(question)) {
      return question;
    }
    String context = previousResolved.length() > maxContextChars
        ? previousResolved.substring(previousResolved.length() - maxContextChars)
        : previousResolved;
    return context + " / " + question;
  }

  static boolean isFollowUp(String question) {
    String q = question.toLowerCase(Locale.ROOT).trim();
    for (String opener : OPENERS) {
      if (q.startsWith(opener + " ") || q.equals(opener)) {
        return true;
      }
    }
    String[] words = q.split("[^\\p{L}\\p{N}']+");
    int count = 0;
    for (String w : words) {
      if (w.isEmpty()) {
        continue;
      }
      count++;
      if (POINTING_BACK.contains(w)) {
        return true;
      }
    }
    return count < STANDALONE_WORDS;
  }
}
