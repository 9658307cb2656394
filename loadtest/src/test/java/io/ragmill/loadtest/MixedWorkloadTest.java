package io.ragmill.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The mixed scenario: repeats tracked exactly, paraphrases keep the question's content, hit ratio against attainable. */
class MixedWorkloadTest {
  private final List<CorpusGenerator.Question> questions = CorpusGenerator.generate(7, 50).questions();

  @Test
  void aCallIsARepeatExactlyWhenItsQuestionWasAskedBefore() {
    Workload mixed = Workloads.mixed("c", questions, QuestionSampler.zipf(questions.size(), 1.0), 0.3, 5);
    Set<String> seenDocuments = new HashSet<>();
    int repeats = 0;
    int reworded = 0;
    for (int i = 0; i < 2_000; i++) {
      Workload.Call call = mixed.call(i);
      boolean seen = !seenDocuments.add(call.expectedDocumentId());
      assertEquals(seen, call.repeat(), "call " + i);
      String body = new String(call.body(), StandardCharsets.UTF_8);
      if (call.repeat()) {
        repeats++;
        CorpusGenerator.Question q =
            questions.stream().filter(x -> x.documentId().equals(call.expectedDocumentId())).findFirst().orElseThrow();
        if (!body.contains(q.text().replace("\"", "\\\""))) {
          reworded++;
          assertTrue(body.contains(q.keyWord()), body);
        }
      } else {
        // a first ask is always the question as written
        assertTrue(body.contains("\"query\":\"Who "), body);
      }
    }
    double share = (double) reworded / repeats;
    assertTrue(share > 0.2 && share < 0.4, "paraphrased share of repeats " + share);
  }

  @Test
  void paraphrasesKeepEveryContentWordAndDiffer() {
    String q = "Who charted the bakotex comet near the desert plateau in 1955?";
    Set<String> texts = new HashSet<>();
    for (int v = 0; v < Workloads.PARAPHRASES; v++) {
      String p = Workloads.paraphrase(q, v);
      assertNotEquals(q, p);
      texts.add(p);
      for (String word : List.of("charted", "bakotex", "comet", "desert", "plateau", "1955")) {
        assertTrue(p.contains(word), p);
      }
    }
    assertEquals(Workloads.PARAPHRASES, texts.size());
  }

  @Test
  void sessionRequestsCycleThroughTheRunsSessions() {
    Workload chat = Workloads.session("c", questions, QuestionSampler.uniform(questions.size()), 3, 1, "tag", 5);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 9; i++) {
      String body = new String(chat.call(i).body(), StandardCharsets.UTF_8);
      assertTrue(body.contains("\"sessionId\":\"lt-tag-" + (i % 3) + "\""), body);
      ids.add(body.substring(body.indexOf("lt-tag-")));
    }
    assertEquals(3, ids.size());
  }

  @Test
  void aConversationIsAQuestionThenFollowUpsThatExpectItsDocument() {
    // 2 sessions, 3 turns: requests 0,1 open conversations, 2,3 and 4,5 follow them up, 6,7 open new ones
    Workload chat = Workloads.session("c", questions, QuestionSampler.uniform(questions.size()), 2, 3, "tag", 5);
    List<Workload.Call> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(chat.call(i));
    }
    for (int session = 0; session < 2; session++) {
      Workload.Call first = calls.get(session);
      String opening = text(first);
      assertTrue(questions.stream().anyMatch(q -> q.text().equals(opening)), opening);
      for (int turn = 1; turn < 3; turn++) {
        Workload.Call followUp = calls.get(turn * 2 + session);
        assertEquals(Workloads.FOLLOW_UPS.get(turn - 1), text(followUp));
        assertEquals(first.expectedDocumentId(), followUp.expectedDocumentId(), "a follow-up is about the same document");
        assertTrue(new String(followUp.body(), StandardCharsets.UTF_8).contains("\"sessionId\":\"lt-tag-" + session + "\""));
      }
      String next = text(calls.get(6 + session));
      assertTrue(questions.stream().anyMatch(q -> q.text().equals(next)), "a new conversation: " + next);
    }
  }

  private static String text(Workload.Call call) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(call.body()).get("query").asText();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void hitRatioIsSetAgainstTheShareOfRepeats() {
    Stats stats = new Stats(false);
    String ok = "{}";
    stats.completed(1_000, new HttpTarget.Reply(200, "miss", ok), null, new Workload.Call("/q", new byte[0], null, false));
    stats.completed(1_000, new HttpTarget.Reply(200, "hit", ok), null, new Workload.Call("/q", new byte[0], null, true));
    stats.completed(1_000, new HttpTarget.Reply(200, "semantic", ok), null, new Workload.Call("/q", new byte[0], null, true));
    stats.completed(1_000, new HttpTarget.Reply(200, "miss", ok), null, new Workload.Call("/q", new byte[0], null, true));
    Report report = Report.of(
        new Report.Setup("mixed", "closed", "http://x", "fake", 1, null, 0), new RunResult(1.0, 4),
        stats.takeHistogram(), stats.counts(), null);
    assertEquals(1, report.semanticHits());
    assertEquals(0.5, report.hitRatio().achieved());
    assertEquals(0.75, report.hitRatio().attainable());
    assertEquals(0.6667, report.hitRatio().ofAttainable());
    assertTrue(report.summary().contains("semantic 1"), report.summary());

    Stats untracked = new Stats(false);
    untracked.completed(1_000, new HttpTarget.Reply(200, "hit", ok), null, new Workload.Call("/q", new byte[0], null));
    assertNull(Report.of(new Report.Setup("cached", "closed", "u", "f", 1, null, 0), new RunResult(1.0, 1),
        untracked.takeHistogram(), untracked.counts(), null).hitRatio());
  }
}
