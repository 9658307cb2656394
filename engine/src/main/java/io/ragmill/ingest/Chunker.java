package io.ragmill.ingest;

import io.ragmill.collection.CollectionSettings;
import io.ragmill.collection.CollectionSettings.ChunkUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into overlapping chunks of at most {@code chunkSize} characters or words, always at
 * word boundaries; a chunk ends at a sentence end when one falls in its last fifth, so chunks
 * tend to hold whole sentences.
 */
final class Chunker {
  private Chunker() {}

  /** A word with its span in the text. */
  private record Word(int start, int end) {}

  static List<String> chunk(String text, CollectionSettings settings) {
    List<Word> words = words(text);
    List<String> chunks = new ArrayList<>();
    if (words.isEmpty()) {
      return chunks;
    }
    int first = 0;
    while (first < words.size()) {
      int last = first;
      while (last + 1 < words.size() && size(words, first, last + 1, settings.chunkUnit()) <= settings.chunkSize()) {
        last++;
      }
      if (last + 1 < words.size()) {
        last = preferSentenceEnd(text, words, first, last);
      }
      chunks.add(text.substring(words.get(first).start(), words.get(last).end()));
      if (last + 1 >= words.size()) {
        break;
      }
      int next = last + 1;
      while (next - 1 > first && size(words, next - 1, last, settings.chunkUnit()) <= settings.chunkOverlap()) {
        next--;
      }
      first = next;
    }
    return chunks;
  }

  private static int size(List<Word> words, int from, int to, ChunkUnit unit) {
    return unit == ChunkUnit.WORDS ? to - from + 1 : words.get(to).end() - words.get(from).start();
  }

  private static int preferSentenceEnd(String text, List<Word> words, int first, int last) {
    int floor = last - Math.max(1, (last - first) / 5);
    for (int i = last; i > first && i >= floor; i--) {
      char c = text.charAt(words.get(i).end() - 1);
      if (c == '.' || c == '!' || c == '?') {
        return i;
      }
    }
    return last;
  }

  private static List<Word> words(String text) {
    List<Word> words = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      while (i < n && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i > start) {
        words.add(new Word(start, i));
      }
    }
    return words;
  }
}
