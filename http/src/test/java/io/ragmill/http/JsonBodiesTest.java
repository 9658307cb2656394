package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragmill.query.QueryRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written fast paths of JsonBodies against the general ones they stand in for. */
class JsonBodiesTest {
  private static final int DEFAULT_K = 5;
  private static final int MAX_K = 100;
  private static final int MAX_CHARS = 40;
  private final JsonBodies bodies = new JsonBodies(Json.mapper());

  /** What the tree path makes of a body: the request, or null where it refuses it or the body has a session. */
  private QueryRequest viaTree(String body) {
    try {
      JsonNode root = bodies.parse(body);
      if (JsonBodies.sessionId(root, Optional.empty()).isPresent()) {
        return null;
      }
      return bodies.query(root, DEFAULT_K, MAX_K, MAX_CHARS);
    } catch (RuntimeException refused) {
      return null;
    }
  }

  @Test
  void theStreamingReaderTakesOnlyWhatTheTreePathReadsTheSameWay() {
    List<String> plain =
        List.of(
            "{\"query\":\"what is caffeine\"}", "{\"query\": \"a\", \"k\": 3}", "{\"k\":7,\"query\":\"b\"}",
            " {\n \"query\" : \"caf\\u00e9 \\\"quoted\\\"\" } ", "{\"query\":\"x\",\"k\":1}", "{\"query\":\"x\",\"k\":100}",
            "{\"query\":\"ünïcödé — 漢字\"}");
    List<String> others =
        List.of(
            "", " ", "[]", "\"query\"", "{}", "{\"query\":\" \"}", "{\"query\":\"\"}", "{\"query\":null}", "{\"query\":1}",
            "{\"query\":\"a\",\"k\":0}", "{\"query\":\"a\",\"k\":101}", "{\"query\":\"a\",\"k\":3.0}", "{\"query\":\"a\",\"k\":1e1}",
            "{\"query\":\"a\",\"k\":99999999999}", "{\"query\":\"a\",\"k\":null}", "{\"query\":\"a\",\"k\":\"3\"}",
            "{\"query\":\"a\",\"query\":\"b\"}", "{\"query\":\"a\",\"k\":2,\"k\":3}", "{\"query\":\"a\",\"sessionId\":\"s-1\"}",
            "{\"query\":\"a\",\"filter\":{\"lang\":\"en\"}}", "{\"query\":\"a\",\"filter\":null}", "{\"query\":\"a\",\"querry\":1}",
            "{\"query\":\"a\"} {\"query\":\"b\"}", "{\"query\":\"a\"} trailing", "{\"query\":\"a\"", "{\"query\":\"a\",}",
            "{\"query\":\"" + "x".repeat(MAX_CHARS + 1) + "\"}", "{\"query\":[\"a\"]}", "{\"query\":{\"text\":\"a\"}}");
    for (String body : plain) {
      Optional<QueryRequest> fast = bodies.plainQuery(body, DEFAULT_K, MAX_K, MAX_CHARS);
      assertTrue(fast.isPresent(), body);
      assertEquals(viaTree(body), fast.get(), body);
    }
    int taken = 0;
    List<String> all = new ArrayList<>(others);
    all.addAll(plain);
    for (String body : all) {
      Optional<QueryRequest> fast = bodies.plainQuery(body, DEFAULT_K, MAX_K, MAX_CHARS);
      if (fast.isPresent()) {
        taken++;
        assertEquals(viaTree(body), fast.get(), body);
      }
    }
    assertEquals(plain.size(), taken, "only the plain bodies take the streaming path");
  }

  @Test
  void theWrittenOutNameCheckAgreesWithItsRegex() {
    Random random = new Random(11);
    String alphabet = "aZ09._- é٣/%\u0000A";
    List<String> names = new ArrayList<>(List.of("", "a", "-a", "a-", ".", "A.b_c-9", "x".repeat(128), "x".repeat(129), "é"));
    for (int i = 0; i < 20_000; i++) {
      int length = random.nextInt(8) == 0 ? 120 + random.nextInt(12) : random.nextInt(6);
      StringBuilder name = new StringBuilder();
      for (int j = 0; j < length; j++) {
        name.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      names.add(name.toString());
    }
    int valid = 0;
    for (String name : names) {
      boolean expected = JsonBodies.matchesNamePattern(name);
      assertEquals(expected, JsonBodies.isName(name), name);
      valid += expected ? 1 : 0;
    }
    assertTrue(valid > 1_000 && valid < names.size() - 1_000, "both outcomes are exercised: " + valid);
  }
}
