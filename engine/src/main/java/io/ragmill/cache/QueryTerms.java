package io.ragmill.cache;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What decides a query's meaning beyond its embedding: its negations, its numbers, its content
 * words (light-stemmed, filler and function words dropped) and the words after directional markers
 * ("from X to Y"). Two queries the embedding finds close are the same question only when these
 * agree; see {@link NearMissGuard}.
 *
 * <p>Hand-written rather than a Lucene analyzer: the guard needs exactly three facts from a short
 * query (negators, numbers, content words) and a stemmer that only folds inflection, and a
 * dependency the size of Lucene's analysis module for a 150-line tokenizer is not worth it.
 */
public record QueryTerms(List<String> negations, List<String> numbers, List<String> content, List<String> directed) {

  private static final Set<String> NEGATORS =
      Set.of("not", "no", "never", "without", "none", "neither", "nor", "nothing", "nobody", "nowhere", "non",
          "except", "excluding", "unless");

  /** Words that carry no meaning of their own in a question, so dropping or adding them is a paraphrase. */
  private static final Set<String> FILLER =
      Set.of(
          "a", "an", "the", "and", "or", "of", "in", "on", "at", "by", "for", "with", "about", "as", "into", "onto",
          "i", "me", "my", "mine", "we", "us", "our", "you", "your", "it", "its", "they", "them", "their", "this", "that",
          "these", "those", "there", "here", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did",
          "doing", "have", "has", "had", "can", "could", "would", "should", "shall", "will", "may", "might", "must",
          "what", "which", "who", "whom", "whose", "how", "why", "when", "where", "if", "whether", "so", "then", "just",
          "please", "tell", "know", "want", "wanted", "need", "like", "kindly", "explain", "describe", "help", "way",
          "ways", "step", "steps", "go", "going", "get", "got", "some", "any", "anyone", "someone", "possible",
          "exactly", "actually", "really", "also", "too", "very", "quick", "quickly", "question", "wondering",
          "guide", "instructions", "procedure", "process", "able", "s", "ok", "okay", "hi", "hello", "thanks", "thank",
          "to", "from", "than", "vs", "versus", "between", "per", "find", "show", "list", "allowed", "permitted");

  private static final Set<String> INFINITIVE_LEADS =
      Set.of("how", "need", "want", "way", "ways", "steps", "step", "able", "allowed", "trying", "try", "like", "going");

  /** Short forms folded into the long one before comparison. */
  private static final Map<String, String> SHORT_FORMS =
      Map.of(
          "info", "information", "max", "maximum", "min", "minimum", "config", "configuration", "docs",
          "documentation", "app", "application", "repo", "repository", "pwd", "password", "acct", "account");

  /** "cant", "dont": negations typed without their apostrophe. */
  private static final Map<String, String> APOSTROPHE_LESS_NEGATIONS =
      Map.ofEntries(
          Map.entry("cant", "can"), Map.entry("dont", "do"), Map.entry("doesnt", "does"), Map.entry("didnt", "did"),
          Map.entry("isnt", "is"), Map.entry("arent", "are"), Map.entry("wasnt", "was"), Map.entry("werent", "were"),
          Map.entry("wouldnt", "would"), Map.entry("shouldnt", "should"), Map.entry("couldnt", "could"),
          Map.entry("havent", "have"), Map.entry("hasnt", "has"), Map.entry("hadnt", "had"), Map.entry("wont", "will"));

  /** Markers whose following content word says which way something goes. */
  private static final Set<String> DIRECTIONAL = Set.of("from", "to", "into", "than", "vs", "versus", "per");

  private static final Map<String, String> NUMBER_WORDS =
      Map.ofEntries(
          Map.entry("zero", "0"), Map.entry("one", "1"), Map.entry("two", "2"), Map.entry("three", "3"),
          Map.entry("four", "4"), Map.entry("five", "5"), Map.entry("six", "6"), Map.entry("seven", "7"),
          Map.entry("eight", "8"), Map.entry("nine", "9"), Map.entry("ten", "10"), Map.entry("eleven", "11"),
          Map.entry("twelve", "12"), Map.entry("thirteen", "13"), Map.entry("fourteen", "14"),
          Map.entry("fifteen", "15"), Map.entry("sixteen", "16"), Map.entry("seventeen", "17"),
          Map.entry("eighteen", "18"), Map.entry("nineteen", "19"), Map.entry("twenty", "20"),
          Map.entry("thirty", "30"), Map.entry("forty", "40"), Map.entry("fifty", "50"), Map.entry("sixty", "60"),
          Map.entry("seventy", "70"), Map.entry("eighty", "80"), Map.entry("ninety", "90"),
          Map.entry("hundred", "100"), Map.entry("thousand", "1000"), Map.entry("million", "1000000"),
          Map.entry("billion", "1000000000"), Map.entry("dozen", "12"), Map.entry("half", "0.5"),
          Map.entry("single", "1"), Map.entry("double", "2"), Map.entry("triple", "3"), Map.entry("twice", "2x"),
          Map.entry("once", "1x"), Map.entry("first", "1st"), Map.entry("second", "2nd"), Map.entry("third", "3rd"),
          Map.entry("fourth", "4th"), Map.entry("fifth", "5th"), Map.entry("sixth", "6th"),
          Map.entry("seventh", "7th"), Map.entry("eighth", "8th"), Map.entry("ninth", "9th"),
          Map.entry("tenth", "10th"), Map.entry("last", "last"));

  public static QueryTerms of(String query) {
    List<String> tokens = tokenize(query);
    List<String> negations = new ArrayList<>();
    List<String> numbers = new ArrayList<>();
    List<String> content = new ArrayList<>();
    List<String> directed = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      if (NEGATORS.contains(t)) {
        negations.add(t);
      } else if (isNumber(t)) {
        numbers.add(canonicalNumber(t));
      } else if (NUMBER_WORDS.containsKey(t)) {
        numbers.add(NUMBER_WORDS.get(t));
      } else if (!FILLER.contains(t) && !FILLER.contains(inflection(t))) {
        content.add(stem(SHORT_FORMS.getOrDefault(t, t)));
      }
      // "how to rotate": an infinitive, not a direction
      boolean infinitive = t.equals("to") && i > 0 && INFINITIVE_LEADS.contains(tokens.get(i - 1));
      if (DIRECTIONAL.contains(t) && !infinitive) {
        String next = nextContent(tokens, i + 1);
        if (next != null) {
          directed.add(t + ":" + next);
        }
      }
    }
    Collections.sort(negations);
    Collections.sort(numbers);
    Collections.sort(directed);
    return new QueryTerms(List.copyOf(negations), List.copyOf(numbers), List.copyOf(content), List.copyOf(directed));
  }

  private static String nextContent(List<String> tokens, int from) {
    for (int j = from; j < tokens.size() && j < from + 3; j++) {
      String t = tokens.get(j);
      if (isNumber(t) || NUMBER_WORDS.containsKey(t)) {
        return isNumber(t) ? canonicalNumber(t) : NUMBER_WORDS.get(t);
      }
      if (!FILLER.contains(t) && !NEGATORS.contains(t)) {
        return stem(SHORT_FORMS.getOrDefault(t, t));
      }
    }
    return null;
  }

  /**
   * Lower-cased words, digits kept with inner dots and commas ("3.11", "10,000"), contractions
   * expanded so "can't" and "cannot" both read as "can not".
   */
  static List<String> tokenize(String query) {
    String s = query.toLowerCase(Locale.ROOT).replace('\u2019', '\'');
    s = s.replace("whats", "what is").replace("hows", "how is").replace("wheres", "where is")
        .replace("won't", "will not").replace("can't", "can not").replace("cannot", "can not")
        .replace("shan't", "shall not").replace("n't", " not");
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (Character.isLetterOrDigit(c)) {
        int start = i;
        while (i < n) {
          char d = s.charAt(i);
          if (Character.isLetterOrDigit(d)) {
            i++;
          } else if ((d == '.' || d == ',') && i + 1 < n && Character.isDigit(s.charAt(i + 1))
              && Character.isDigit(s.charAt(i - 1))) {
            i++;
          } else {
            break;
          }
        }
        String word = s.substring(start, i);
        // "it's", "user's": the clitic says nothing about the question
        if (i + 1 < n && s.charAt(i) == '\'' && Character.isLetter(s.charAt(i + 1))) {
          int end = i + 1;
          while (end < n && Character.isLetter(s.charAt(end))) {
            end++;
          }
          i = end;
        }
        String base = APOSTROPHE_LESS_NEGATIONS.get(word);
        if (base != null) {
          out.add(base);
          out.add("not");
        } else {
          out.add(word);
        }
      } else if (c == '%') {
        out.add("percent");
        i++;
      } else {
        i++;
      }
    }
    return out;
  }

  private static boolean isNumber(String t) {
    if (t.isEmpty() || !Character.isDigit(t.charAt(0))) {
      return false;
    }
    return true;
  }

  /** "10,000" and "10000" agree; "3.10" stays apart from "3.1" (versions); "5th" stays ordinal. */
  private static String canonicalNumber(String t) {
    return t.replace(",", "");
  }

  /**
   * Folds plural and verb inflection only ("keys"→"key", "policies"→"policy", "started"→"start"),
   * and a final e, so "enable", "enabled" and "enabling" all read "enabl".
   */
  static String stem(String w) {
    String s = inflection(w);
    return s.length() > 3 && s.endsWith("e") ? s.substring(0, s.length() - 1) : s;
  }

  private static String inflection(String w) {
    return verbForm(plural(w));
  }

  private static String plural(String w) {
    int n = w.length();
    if (n > 4 && w.endsWith("ies")) {
      return w.substring(0, n - 3) + "y";
    }
    if (n > 4 && (w.endsWith("sses") || w.endsWith("shes") || w.endsWith("ches") || w.endsWith("xes"))) {
      return w.substring(0, n - 2);
    }
    if (n > 3 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) {
      return w.substring(0, n - 1);
    }
    return w;
  }

  private static String verbForm(String w) {
    int n = w.length();
    if (n > 5 && w.endsWith("ing")) {
      return undouble(w.substring(0, n - 3));
    }
    if (n > 4 && w.endsWith("ed") && !w.endsWith("eed")) {
      return undouble(w.substring(0, n - 2));
    }
    return w;
  }

  /** "stopp" → "stop", so "stopped" and "stopping" meet "stop". */
  private static String undouble(String w) {
    int n = w.length();
    if (n > 3 && w.charAt(n - 1) == w.charAt(n - 2) && "lsz".indexOf(w.charAt(n - 1)) < 0) {
      return w.substring(0, n - 1);
    }
    return w;
  }
}
