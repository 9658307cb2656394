package io.ragmill.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether two queries that the embedding finds close ask the same question. Sentence
 * embeddings place "enable two-factor login" and "disable two-factor login", or "top 5" and
 * "top 10", almost on top of each other, so similarity alone would serve one's answer for the
 * other. The guard rejects a candidate when the queries differ in negation, in any number, in the
 * word after a directional marker ("from X to Y"), or in more than {@code maxDifferingContentWords}
 * content words; a content word that differs from its counterpart by one typo (a letter missing,
 * doubled or swapped; a wrong letter only in words of seven or more; same first letter) counts as
 * the same word.
 *
 * <p>It is deliberately strict: a false hit serves a wrong answer, a false rejection costs one
 * computation.
 */
public final class NearMissGuard {

  /** Why a candidate was rejected; reported in the cache statistics. */
  public enum Reason {
    NEGATION,
    NUMBER,
    DIRECTION,
    CONTENT
  }

  private final int maxDifferingContentWords;

  public NearMissGuard(int maxDifferingContentWords) {
    if (maxDifferingContentWords < 0) {
      throw new IllegalArgumentException("max-differing-content-words must be >= 0, was " + maxDifferingContentWords);
    }
    this.maxDifferingContentWords = maxDifferingContentWords;
  }

  /** Empty when the two may share an answer, else the first reason they may not. */
  public Optional<Reason> reject(QueryTerms a, QueryTerms b) {
    if (!a.negations().equals(b.negations())) {
      return Optional.of(Reason.NEGATION);
    }
    if (!a.numbers().equals(b.numbers())) {
      return Optional.of(Reason.NUMBER);
    }
    if (!sameDirections(a.directed(), b.directed())) {
      return Optional.of(Reason.DIRECTION);
    }
    if (differingContentWords(a.content(), b.content()) > maxDifferingContentWords) {
      return Optional.of(Reason.CONTENT);
    }
    return Optional.empty();
  }

  /**
   * For every marker both queries use ("to", "from", "than"...), the words after it agree: "usd to
   * eur" is not "eur to usd". One side may say more ("how to request access to the folder" / "request
   * access to the folder"). A marker only one side uses ("how to rotate" / "rotating") says
   * nothing; its word is compared as a content word.
   */
  static boolean sameDirections(List<String> a, List<String> b) {
    java.util.Map<String, List<String>> byMarkerA = byMarker(a);
    java.util.Map<String, List<String>> byMarkerB = byMarker(b);
    for (var e : byMarkerA.entrySet()) {
      List<String> other = byMarkerB.get(e.getKey());
      if (other != null && !other.containsAll(e.getValue()) && !e.getValue().containsAll(other)) {
        return false;
      }
    }
    return true;
  }

  private static java.util.Map<String, List<String>> byMarker(List<String> directed) {
    java.util.Map<String, List<String>> out = new java.util.TreeMap<>();
    for (String d : directed) {
      int colon = d.indexOf(':');
      out.computeIfAbsent(d.substring(0, colon), k -> new ArrayList<>()).add(d.substring(colon + 1));
    }
    return out;
  }

  /** Words of either side without a counterpart on the other, after pairing one-typo variants. */
  static int differingContentWords(List<String> a, List<String> b) {
    List<String> onlyA = new ArrayList<>(a);
    List<String> onlyB = new ArrayList<>(b);
    // multiset difference: repeated words must repeat on both sides
    for (String w : b) {
      onlyA.remove(w);
    }
    for (String w : a) {
      onlyB.remove(w);
    }
    int differing = 0;
    for (String w : onlyA) {
      String twin = null;
      for (String v : onlyB) {
        if (oneTypoApart(w, v)) {
          twin = v;
          break;
        }
      }
      if (twin == null) {
        differing++;
      } else {
        onlyB.remove(twin);
      }
    }
    return differing + onlyB.size();
  }

  /** "sku4471x" and "sku4472x" are identifiers, not a word and its typo. */
  private static boolean hasDigit(String w) {
    for (int i = 0; i < w.length(); i++) {
      if (Character.isDigit(w.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /**
   * One insertion, deletion, substitution or swap of neighbours apart (never in a word with a digit); both words at least five
   * letters and starting alike, so "lock"/"block" and "import"/"export" stay different words.
   */
  static boolean oneTypoApart(String a, String b) {
    if (a.length() < 5 || b.length() < 5 || a.charAt(0) != b.charAt(0) || Math.abs(a.length() - b.length()) > 1
        || hasDigit(a) || hasDigit(b)) {
      return false;
    }
    int i = 0;
    int n = Math.min(a.length(), b.length());
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    if (i == n) {
      return a.length() != b.length();
    }
    if (a.length() == b.length()) {
      // a wrong letter only in a long word: "upload"/"unload" are two words, "pasword"/"passwrd" one
      if (a.length() >= 7 && a.substring(i + 1).equals(b.substring(i + 1))) {
        return true;
      }
      return i + 1 < a.length()
          && a.charAt(i) == b.charAt(i + 1)
          && a.charAt(i + 1) == b.charAt(i)
          && a.substring(i + 2).equals(b.substring(i + 2));
    }
    String longer = a.length() > b.length() ? a : b;
    String shorter = a.length() > b.length() ? b : a;
    return longer.substring(i + 1).equals(shorter.substring(i));
  }
}
