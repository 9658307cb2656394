package io.ragmill.loadtest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A deterministic synthetic corpus: each document is a few topic sentences around one fact sentence
 * naming an invented code word, and each question asks about one document's code word, so the
 * document that must be retrieved for it is known. The same seed and size always give the same corpus.
 */
public final class CorpusGenerator {
  /**
   * One document as the ingestion API takes it: {@code text} is its content in {@code format}, which
   * is also the name of the JSON field the node reads it from ("text", "markdown" or "html").
   */
  public record Document(String id, String text, Map<String, String> metadata, String format) {
    /** A plain-text document, as the synthetic corpus makes them. */
    public Document(String id, String text, Map<String, String> metadata) {
      this(id, text, metadata, "text");
    }
  }

  /** A question whose answer is in {@code documentId}; {@code keyWord} is the code word both contain. */
  public record Question(String text, String documentId, String keyWord) {}

  /**
   * Documents and questions about them; the synthetic corpus has one question per document, in the
   * same order, a folder corpus those {@link QuestionDeriver} could derive.
   */
  public record Corpus(List<Document> documents, List<Question> questions) {}

  private static final Map<String, Topic> TOPICS = Map.of(
      "astronomy", new Topic(
          List.of("telescope", "comet", "nebula", "orbit", "observatory", "satellite", "eclipse", "quasar"),
          List.of("charted", "photographed", "tracked", "catalogued", "measured", "observed"),
          List.of("mountain ridge", "desert plateau", "polar station", "island summit", "valley dome")),
      "botany", new Topic(
          List.of("orchid", "fern", "seedbank", "greenhouse", "cultivar", "herbarium", "lichen", "moss"),
          List.of("grafted", "pollinated", "propagated", "classified", "harvested", "pressed"),
          List.of("river delta", "cloud forest", "alpine meadow", "coastal marsh", "limestone gorge")),
      "geology", new Topic(
          List.of("basalt", "granite", "fault", "mineral", "crystal", "sediment", "quarry", "fossil"),
          List.of("surveyed", "drilled", "excavated", "mapped", "sampled", "dated"),
          List.of("canyon wall", "volcanic rim", "salt flat", "glacier bed", "sandstone arch")),
      "maritime", new Topic(
          List.of("schooner", "lighthouse", "harbor", "anchor", "cargo", "lantern", "tide", "compass"),
          List.of("navigated", "salvaged", "restored", "charted", "launched", "moored"),
          List.of("northern strait", "fishing village", "rocky cape", "trading port", "coral reef")),
      "railways", new Topic(
          List.of("locomotive", "viaduct", "signal", "carriage", "timetable", "tunnel", "junction", "depot"),
          List.of("engineered", "electrified", "rebuilt", "inspected", "extended", "scheduled"),
          List.of("mountain pass", "river crossing", "border town", "industrial quarter", "plains county")),
      "cuisine", new Topic(
          List.of("saffron", "sourdough", "cheese", "vinegar", "pastry", "broth", "spice", "orchard"),
          List.of("fermented", "smoked", "baked", "distilled", "pickled", "roasted"),
          List.of("market square", "hill monastery", "farm cooperative", "old quarter", "lakeside inn")));

  private static final List<String> TOPIC_NAMES = TOPICS.keySet().stream().sorted().toList();
  private static final List<String> PEOPLE = List.of(
      "Adele", "Bruno", "Chiara", "Dmitri", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kaia", "Lorenzo",
      "Mirela", "Nikolai", "Odile", "Pavel", "Quinn", "Rosa", "Sven", "Talia", "Ulrich", "Vera", "Wren", "Yusuf");
  private static final List<String> YEARS = List.of(
      "1887", "1902", "1919", "1926", "1938", "1947", "1955", "1963", "1971", "1984", "1996", "2008");
  private static final String[] ONSETS = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z"};
  private static final String[] VOWELS = {"a", "e", "i", "o", "u"};
  private static final String[] CODAS = {"", "", "n", "r", "l", "x", "k"};

  private record Topic(List<String> things, List<String> verbs, List<String> places) {}

  private CorpusGenerator() {}

  /** {@code size} documents and their questions, fully determined by {@code seed}. */
  public static Corpus generate(long seed, int size) {
    if (size < 1) {
      throw new IllegalArgumentException("a corpus needs at least one document, was " + size);
    }
    Random random = new Random(seed);
    Set<String> used = new HashSet<>();
    List<Document> documents = new ArrayList<>(size);
    List<Question> questions = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      String id = String.format(Locale.ROOT, "doc-%06d", i);
      String topicName = TOPIC_NAMES.get(random.nextInt(TOPIC_NAMES.size()));
      Topic topic = TOPICS.get(topicName);
      String code = codeWord(random, used);
      String thing = pick(random, topic.things());
      String verb = pick(random, topic.verbs());
      String place = pick(random, topic.places());
      String person = pick(random, PEOPLE);
      String year = pick(random, YEARS);

      String fact =
          "The " + code + " " + thing + " was " + verb + " near the " + place + " by " + person + " in " + year + ".";
      List<String> sentences = new ArrayList<>();
      int filler = 2 + random.nextInt(3);
      for (int s = 0; s < filler; s++) {
        sentences.add(fillerSentence(random, topicName, topic));
      }
      sentences.add(random.nextInt(sentences.size() + 1), fact);
      documents.add(new Document(id, String.join(" ", sentences), Map.of("topic", topicName, "year", year)));
      questions.add(new Question(
          "Who " + verb + " the " + code + " " + thing + " near the " + place + " in " + year + "?", id, code));
    }
    return new Corpus(List.copyOf(documents), List.copyOf(questions));
  }

  /** {@code count} questions spread evenly over the corpus (all of them when count reaches its size). */
  public static List<Question> spread(List<Question> all, int count) {
    if (count >= all.size()) {
      return all;
    }
    List<Question> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(all.get((int) ((long) i * all.size() / count)));
    }
    return List.copyOf(out);
  }

  private static String fillerSentence(Random random, String topicName, Topic topic) {
    String a = pick(random, topic.things());
    String b = pick(random, topic.things());
    String place = pick(random, topic.places());
    return switch (random.nextInt(4)) {
      case 0 -> "Records of " + topicName + " describe the " + a + " and the " + b + " of the " + place + ".";
      case 1 -> "Visitors to the " + place + " often ask about the " + a + " and its " + b + ".";
      case 2 -> "Every " + a + " in the " + place + " was " + pick(random, topic.verbs()) + " with care.";
      default -> "Local guides compare the " + a + " with the " + b + " found elsewhere.";
    };
  }

  /** A pronounceable invented word of three syllables, unique within the corpus. */
  private static String codeWord(Random random, Set<String> used) {
    while (true) {
      StringBuilder word = new StringBuilder();
      for (int s = 0; s < 3; s++) {
        word.append(ONSETS[random.nextInt(ONSETS.length)])
            .append(VOWELS[random.nextInt(VOWELS.length)])
            .append(s == 2 ? CODAS[random.nextInt(CODAS.length)] : "");
      }
      String candidate = word.toString();
      if (used.add(candidate)) {
        return candidate;
      }
    }
  }

  private static <T> T pick(Random random, List<T> items) {
    return items.get(random.nextInt(items.size()));
  }
}
