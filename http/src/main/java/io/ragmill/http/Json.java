package io.ragmill.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;

/** The one JSON mapper of the HTTP edge and the response it writes. */
final class Json {
  private Json() {}

  static ObjectMapper mapper() {
    return new ObjectMapper()
        // a body is one JSON value: '{"id":"a"...}{"id":"b"...}' is refused, not read as its first
        // document, and a repeated field is refused rather than the last one winning
        .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .registerModule(new JavaTimeModule())
        // the engine's flags for PUT (created, conflict) are the status code over HTTP
        .addMixIn(io.ragmill.collection.Collection.Info.class, CollectionInfoView.class)
        // as requests name it ("chars"), not as the journal stores it
        .registerModule(
            new com.fasterxml.jackson.databind.module.SimpleModule()
                .addSerializer(
                    io.ragmill.collection.CollectionSettings.ChunkUnit.class,
                    new com.fasterxml.jackson.databind.ser.std.StdSerializer<>(io.ragmill.collection.CollectionSettings.ChunkUnit.class) {
                      @Override
                      public void serialize(
                          io.ragmill.collection.CollectionSettings.ChunkUnit unit,
                          com.fasterxml.jackson.core.JsonGenerator out,
                          com.fasterxml.jackson.databind.SerializerProvider provider)
                          throws java.io.IOException {
                        out.writeString(unit.wire());
                      }
                    }))
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .setSerializationInclusion(JsonInclude.Include.NON_NULL);
  }

  static HttpResponse response(ObjectMapper mapper, StatusCode status, Object value) {
    try {
      return HttpResponse.create()
          .withStatus(status)
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, mapper.writeValueAsBytes(value)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  @com.fasterxml.jackson.annotation.JsonIgnoreProperties({"created", "conflict"})
  private abstract static class CollectionInfoView {}
}
