package io.ragmill.api;

import java.time.Duration;
import java.util.Optional;

/**
 * An error the engine reports to its caller, with the HTTP-neutral kind that decides its status.
 * {@code retryAfter} is set for overload and temporary unavailability.
 */
public class RagmillException extends RuntimeException {

  public enum Kind {
    INVALID,
    NOT_FOUND,
    CONFLICT,
    OVERLOADED,
    UNAVAILABLE
  }

  private final Kind kind;
  private final Duration retryAfter;

  public RagmillException(Kind kind, String message) {
    this(kind, message, null);
  }

  public RagmillException(Kind kind, String message, Duration retryAfter) {
    super(message, null, false, false);
    this.kind = kind;
    this.retryAfter = retryAfter;
  }

  public static RagmillException invalid(String message) {
    return new RagmillException(Kind.INVALID, message);
  }

  public static RagmillException notFound(String message) {
    return new RagmillException(Kind.NOT_FOUND, message);
  }

  public static RagmillException overloaded(String message) {
    return new RagmillException(Kind.OVERLOADED, message, Duration.ofSeconds(1));
  }

  public static RagmillException unavailable(String message, Duration retryAfter) {
    return new RagmillException(Kind.UNAVAILABLE, message, retryAfter);
  }

  public Kind kind() {
    return kind;
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** The RagmillException behind a failed stage, unwrapping CompletionException layers. */
  public static Optional<RagmillException> find(Throwable error) {
    Throwable t = error;
    while (t != null) {
      if (t instanceof RagmillException r) {
        return Optional.of(r);
      }
      t = t.getCause();
    }
    return Optional.empty();
  }
}
