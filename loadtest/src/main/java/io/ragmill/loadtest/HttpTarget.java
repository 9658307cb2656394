package io.ragmill.loadtest;

import java.util.concurrent.CompletionStage;

/**
 * The client side of a run: sends requests to one base URL and completes with the status, the
 * {@code X-Cache} header and the body, or fails on a transport error. Implementations are thread-safe.
 */
public interface HttpTarget extends AutoCloseable {
  /** A response as the load generator needs it; {@code cache} is null when the header is absent. */
  record Reply(int status, String cache, String body) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  /** POSTs a JSON body to {@code path} (which starts with '/'). */
  CompletionStage<Reply> post(String path, byte[] json);

  CompletionStage<Reply> get(String path);

  /** A short name for reports: "pekko" or "jdk". */
  String name();

  @Override
  void close();
}
