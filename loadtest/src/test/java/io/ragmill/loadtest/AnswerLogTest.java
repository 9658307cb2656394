package io.ragmill.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnswerLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void recordsWhereAWrongAnswerCameFrom(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("answers.jsonl");
    Workload.Call call = new Workload.Call("/v1/collections/bench/query",
        Workloads.queryBody("Can you tell me who charted the lozuga nebula?", 5), "doc-000001", true);
    String semantic = "{\"answer\":{},\"chunks\":[{\"documentId\":\"doc-000562\",\"chunk\":0,\"score\":0.67},"
        + "{\"documentId\":\"doc-000886\",\"chunk\":0,\"score\":0.59}],\"cache\":\"semantic\",\"cacheTier\":\"near\","
        + "\"semantic\":{\"matchedQuery\":\"i want to know who charted the lozuga nebula\",\"similarity\":0.978},"
        + "\"generation\":1}";
    String right = "{\"chunks\":[{\"documentId\":\"doc-000001\",\"chunk\":0,\"score\":0.58}],\"cache\":\"miss\",\"generation\":1}";
    try (AnswerLog log = new AnswerLog(file)) {
      log.phase("ingest-query/with-ingestion");
      log.answered(call, new HttpTarget.Reply(200, "semantic", semantic), true);
      log.answered(call, new HttpTarget.Reply(200, "miss", right), true);
      // warm-up answers are logged but not counted
      log.answered(call, new HttpTarget.Reply(200, "semantic", semantic), false);
      assertEquals("wrong answers in ingest-query/with-ingestion: by cache/tier {semantic/near=1}, "
          + "by expected document {doc-000001=1}", log.summary());
    }
    List<String> lines = Files.readAllLines(file);
    assertEquals(3, lines.size());
    JsonNode wrong = JSON.readTree(lines.get(0));
    assertEquals("Can you tell me who charted the lozuga nebula?", wrong.get("question").asText());
    assertEquals("doc-000001", wrong.get("expected").asText());
    assertEquals(false, wrong.get("correct").asBoolean());
    assertEquals("near", wrong.get("tier").asText());
    assertEquals("i want to know who charted the lozuga nebula", wrong.get("matchedQuery").asText());
    assertEquals(0.978, wrong.get("similarity").asDouble(), 1e-9);
    assertEquals("doc-000562:0@0.67", wrong.get("cited").get(0).asText());
    assertTrue(JSON.readTree(lines.get(1)).get("correct").asBoolean());
    assertEquals(false, JSON.readTree(lines.get(2)).get("measured").asBoolean());
  }
}
