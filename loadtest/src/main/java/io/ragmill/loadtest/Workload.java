package io.ragmill.loadtest;

import java.util.List;

/**
 * What a scenario sends: the n-th request of a run, and which document its answer must cite.
 * Implementations are called from many threads at once and must be thread-safe; see {@link Workloads}.
 */
public interface Workload {
  /**
   * One request; {@code expectedDocumentId} is null when there is nothing to check. {@code repeat}
   * says whether the request asks a question asked before in this run (in its own or other words),
   * so could at best be a cache hit; null where the scenario does not track it.
   */
  record Call(String path, byte[] body, String expectedDocumentId, Boolean repeat) {
    public Call(String path, byte[] body, String expectedDocumentId) {
      this(path, body, expectedDocumentId, null);
    }
  }

  Call call(long sequence);

  /** Requests to send once before the warm-up, e.g. to fill the answer cache. */
  default List<Call> primers() {
    return List.of();
  }
}
