package io.ragmill.answer;

import io.ragmill.persistence.CborSerializable;
import java.util.List;

/** An answer and the chunks it cites. */
public record Answer(String text, List<Citation> citations) implements CborSerializable {

  /** Where a sentence of the answer came from. */
  public record Citation(String documentId, int chunk, String sentence) implements CborSerializable {}
}
