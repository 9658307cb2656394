package io.ragmill.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every answered query of a run, warm-up included, one JSON line each ({@code --answers FILE}): the
 * phase, the question as sent, the document it must cite, whether it did, the cache status and tier,
 * the semantic match (query and similarity) and the cited documents with their scores. Made to find
 * out which answers are wrong and where they came from; the phase's wrong answers are also counted
 * by question and by cache status for a summary line. Thread-safe.
 */
final class AnswerLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BufferedWriter out;
  private final long startNanos = System.nanoTime();
  private volatile String phase = "";
  private final Map<String, LongAdder> wrongByStatus = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, LongAdder> wrongByExpected = new java.util.concurrent.ConcurrentHashMap<>();

  AnswerLog(Path file) throws IOException {
    this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
  }

  /** Starts a phase: the lines that follow carry its name, and the wrong-answer counts restart. */
  void phase(String name) {
    phase = name;
    wrongByStatus.clear();
    wrongByExpected.clear();
  }

  void answered(Workload.Call call, HttpTarget.Reply reply, boolean measured) {
    ObjectNode line = JSON.createObjectNode();
    line.put("phase", phase);
    line.put("ms", (System.nanoTime() - startNanos) / 1_000_000);
    line.put("measured", measured);
    line.put("expected", call.expectedDocumentId());
    if (call.repeat() != null) {
      line.put("repeat", call.repeat());
    }
    try {
      line.put("question", JSON.readTree(call.body()).path("query").asText());
      line.put("status", reply.status());
      line.put("xCache", reply.cache());
      if (reply.ok()) {
        JsonNode body = JSON.readTree(reply.body());
        line.put("cache", body.path("cache").asText(null));
        line.put("tier", body.path("cacheTier").asText(null));
        line.put("generation", body.path("generation").asLong());
        JsonNode semantic = body.path("semantic");
        if (!semantic.isMissingNode()) {
          line.put("matchedQuery", semantic.path("matchedQuery").asText(null));
          line.put("similarity", semantic.path("similarity").asDouble());
        }
        ArrayNode cited = line.putArray("cited");
        for (JsonNode chunk : body.path("chunks")) {
          cited.add(chunk.path("documentId").asText() + ":" + chunk.path("chunk").asInt() + "@" + chunk.path("score").asText());
        }
        // the report's own judgment, so the log and the recall figure always agree
        boolean correct = call.expectedDocumentId() != null && Stats.cites(reply.body(), call.expectedDocumentId());
        line.put("correct", correct);
        if (!correct && measured && call.expectedDocumentId() != null) {
          wrongByStatus.computeIfAbsent(body.path("cache").asText() + "/" + body.path("cacheTier").asText("-"),
              k -> new LongAdder()).increment();
          wrongByExpected.computeIfAbsent(call.expectedDocumentId(), k -> new LongAdder()).increment();
        }
      }
    } catch (IOException e) {
      line.put("unparsed", String.valueOf(e.getMessage()));
    }
    String text = line.toString();
    synchronized (out) {
      try {
        out.write(text);
        out.newLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The measured wrong answers of the phase by cache status/tier and by expected document. */
  String summary() {
    Map<String, Long> byStatus = new TreeMap<>();
    wrongByStatus.forEach((k, v) -> byStatus.put(k, v.sum()));
    Map<String, Long> byDoc = new TreeMap<>();
    wrongByExpected.forEach((k, v) -> byDoc.put(k, v.sum()));
    return "wrong answers in " + phase + ": by cache/tier " + byStatus + ", by expected document " + byDoc;
  }

  @Override
  public void close() throws IOException {
    synchronized (out) {
      out.close();
    }
  }
}
