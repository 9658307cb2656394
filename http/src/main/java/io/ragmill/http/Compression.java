package io.ragmill.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * Gzip for large responses. Pekko's {@code encodeResponse} compresses everything compressible,
 * however small (and a 200-byte cached answer costs more to gzip than to send), and turns strict
 * entities into streamed ones; this compresses only strict entities within the size bounds, in
 * one pass, keeping the Content-Length.
 */
final class Compression {
  private final CompressionSettings settings;

  Compression(CompressionSettings settings) {
    this.settings = settings;
  }

  static boolean acceptsGzip(HttpRequest request) {
    return request.getHeader("Accept-Encoding").map(h -> h.value().toLowerCase().contains("gzip")).orElse(false);
  }

  HttpResponse maybeCompress(HttpResponse response) {
    if (!settings.enabled()
        || !(response.entity() instanceof HttpEntity.Strict strict)
        || response.getHeader("Content-Encoding").isPresent()
        || strict.getData().size() < settings.minSize()
        || strict.getData().size() > settings.maxSize()
        || !compressible(strict.getContentType().mediaType().toString())) {
      return response;
    }
    byte[] gzipped = gzip(strict.getData().toArray());
    return response
        .withEntity(org.apache.pekko.http.javadsl.model.HttpEntities.create(strict.getContentType(), gzipped))
        .addHeader(RawHeader.create("Content-Encoding", "gzip"))
        .addHeader(RawHeader.create("Vary", "Accept-Encoding"));
  }

  private static boolean compressible(String mediaType) {
    return mediaType.startsWith("text/") || mediaType.endsWith("json") || mediaType.endsWith("javascript")
        || mediaType.endsWith("xml");
  }

  private byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length / 4));
    try (GZIPOutputStream gz =
        new GZIPOutputStream(out, 8192) {
          {
            def.setLevel(settings.level());
          }
        }) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
