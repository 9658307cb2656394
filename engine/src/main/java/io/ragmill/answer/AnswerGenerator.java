package io.ragmill.answer;

import io.ragmill.index.ChunkHit;
import java.util.List;

/** Writes an answer to a question from the retrieved chunks, best first. */
public interface AnswerGenerator {
  /** The mode name, part of every answer cache key. */
  String mode();

  Answer answer(String question, List<ChunkHit> hits);
}
