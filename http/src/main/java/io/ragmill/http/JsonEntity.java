package io.ragmill.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.util.ByteString;

/**
 * A request body as JSON text: {@code application/json} (or a {@code +json} type, or none named) in
 * UTF-8, as RFC 8259 wants. Another media type (a form, plain text) is a 415; a declared charset other than UTF-8 a 415; bytes that
 * are not UTF-8 a 400. Reading the body as a string decoded anything, under any media type, and
 * turned bad bytes into U+FFFD that were then stored and searched.
 */
final class JsonEntity extends AllDirectives {
  private final Problems problems;

  JsonEntity(Problems problems) {
    this.problems = problems;
  }

  /** The body's text to {@code inner}; an empty body is "" whatever its type. */
  Route text(Function<String, Route> inner) {
    return extractRequestEntity(
        entity ->
            entity(
                Unmarshaller.entityToByteString(),
                bytes -> {
                  if (bytes.isEmpty()) {
                    return inner.apply("");
                  }
                  Optional<String> refused = refusal(entity.getContentType());
                  if (refused.isPresent()) {
                    return complete(
                        problems.response(
                            StatusCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type", refused.get()));
                  }
                  return utf8(bytes)
                      .map(inner)
                      .orElseGet(() -> complete(problems.badRequest("the request body is not valid UTF-8; JSON is sent as UTF-8")));
                }));
  }

  /** Why a body of this type is not JSON text we read, if it is not. */
  static Optional<String> refusal(ContentType type) {
    MediaType media = type.mediaType();
    boolean json =
        media.mainType().equals("application") && (media.subType().equals("json") || media.subType().endsWith("+json"));
    // what Pekko reports when a request names no type at all: read as JSON, like a client that forgot
    boolean undeclared = media.mainType().equals("application") && media.subType().equals("octet-stream");
    if (!json && !undeclared) {
      return Optional.of("send the body as application/json, not " + media);
    }
    if (type.getCharsetOption().filter(c -> !c.nioCharset().equals(StandardCharsets.UTF_8)).isPresent()) {
      return Optional.of("send JSON in UTF-8, not " + type.getCharsetOption().get().value());
    }
    return Optional.empty();
  }

  /**
   * The bytes as UTF-8, or empty when they are not UTF-8. The common case costs one decode: only
   * a text holding U+FFFD (a replacement, or a real one) is decoded again, strictly.
   */
  static Optional<String> utf8(ByteString bytes) {
    String text = bytes.utf8String();
    if (text.indexOf('\uFFFD') < 0) {
      return Optional.of(text);
    }
    try {
      ByteBuffer buffer = bytes.asByteBuffer();
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(buffer)
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }
}
