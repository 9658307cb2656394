package io.ragmill.http;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.ragmill.collection.Collection;
import io.ragmill.collection.CollectionSettings;
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
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .registerModule(new JavaTimeModule())
        // the engine's flags for PUT (created, conflict) are the status code over HTTP
        .addMixIn(Collection.Info.class, CollectionInfoView.class)
        // as requests name it ("chars"), not as the journal stores it ("CHARS")
        .addMixIn(CollectionSettings.ChunkUnit.class, ChunkUnitView.class)
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

  @JsonIgnoreProperties({"created", "conflict"})
  private abstract static class CollectionInfoView {}

  private abstract static class ChunkUnitView {
    @JsonValue
    abstract String wire();
  }
}
