package io.ragmill.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportTest {
  @Test
  void percentilesOfKnownValuesInMilliseconds() {
    Histogram micros = new Histogram(3);
    for (int v = 1; v <= 1000; v++) {
      micros.recordValue(v);
    }
    Report.Latency latency = Report.Latency.fromMicros(micros);
    assertEquals(0.001, latency.min());
    assertEquals(0.5, latency.p50());
    assertEquals(0.9, latency.p90());
    assertEquals(0.99, latency.p99());
    assertEquals(0.999, latency.p999());
    assertEquals(1.0, latency.max());
    assertEquals(0.5005, latency.mean(), 0.001);
  }

  @Test
  void aSlowTailShowsInTheHighPercentilesOnly() {
    Histogram micros = new Histogram(3);
    micros.recordValueWithCount(1_000, 990);
    micros.recordValueWithCount(200_000, 10);
    Report.Latency latency = Report.Latency.fromMicros(micros);
    assertEquals(1.0, latency.p50());
    assertEquals(1.0, latency.p99());
    assertEquals(200.0, latency.p999(), 0.1);
    assertEquals(200.0, latency.max(), 0.1);
  }

  @Test
  void anEmptyRunReportsZeros() {
    assertEquals(new Report.Latency(0, 0, 0, 0, 0, 0, 0), Report.Latency.fromMicros(new Histogram(3)));
  }

  @Test
  void statsCountStatusesCacheErrorsAndRetrieval() {
    Stats stats = new Stats(true);
    Workload.Call call = new Workload.Call("/q", new byte[0], "doc-000007");
    String cites = "{\"answer\":{},\"chunks\":[{\"documentId\":\"doc-000007\",\"chunk\":0}]}";
    String misses =
        "{\"answer\":{\"citations\":[{\"documentId\":\"doc-000007\"}]},\"chunks\":[{\"documentId\":\"doc-1\"}]}";
    stats.completed(2_000_000, new HttpTarget.Reply(200, "hit", cites), null, call);
    stats.completed(4_000_000, new HttpTarget.Reply(200, "miss", misses), null, call);
    stats.completed(1_000_000, new HttpTarget.Reply(503, null, "{}"), null, call);
    stats.completed(9_000_000, null, new TimeoutException("slow"), call);
    stats.unserved(30_000_000, true);
    stats.unserved(20_000_000, false);

    Stats.Counts counts = stats.counts();
    assertEquals(4, counts.requests());
    assertEquals(1, counts.dropped());
    assertEquals(1, counts.unanswered());
    assertEquals(6, stats.settledSoFar());
    assertEquals(4, stats.errorsSoFar());
    assertEquals(2L, counts.statusCounts().get("200"));
    assertEquals(1L, counts.statusCounts().get("503"));
    assertEquals(1, counts.cacheHits());
    assertEquals(1, counts.cacheMisses());
    assertEquals(4, counts.errors(), "503, the timeout, the dropped and the unanswered");
    assertEquals(1L, counts.failures().get("TimeoutException"));
    assertEquals(2, counts.checked());
    assertEquals(1, counts.correct());

    Report report = Report.of(
        new Report.Setup("cached", "closed", "http://x", "fake", 4, null, 1.0), new RunResult(2.0, 4),
        stats.takeHistogram(), counts, null);
    assertEquals(2.0, report.throughput());
    // the unserved requests are in the percentiles at their time to the end of the run
    assertEquals(30.0, report.latencyMs().max(), 0.05);
    assertEquals(4.0, report.latencyMs().p50(), 0.01, "of 1, 2, 4, 9, 20 and 30 ms");
    assertTrue(report.summary().contains("errors 4 (dropped 1, unanswered 1, in the percentiles"), report.summary());
    assertTrue(ReportFiles.markdown(report).contains("dropped 1, unanswered 1"), ReportFiles.markdown(report));
    assertTrue(ReportFiles.markdown(report).contains("| failures | {TimeoutException=1} |"), ReportFiles.markdown(report));
    assertTrue(ReportFiles.markdown(report).contains("min 1.000, mean"), ReportFiles.markdown(report));
    assertEquals(0.5, report.retrieval().recall());
    assertNull(report.offeredRate());
    assertTrue(report.summary().startsWith("cached closed-loop c=4 2.0s: 4 requests, 2.0 req/s"), report.summary());
  }

  @Test
  void recallPerQuestionWeighsAHotQuestionLikeAnyOther() {
    Stats stats = new Stats(true);
    String wrong = "{\"chunks\":[{\"documentId\":\"doc-x\"}]}";
    // one hot question answered wrong 8 times, two others right once each
    for (int i = 0; i < 8; i++) {
      stats.completed(1_000_000, new HttpTarget.Reply(200, "hit", wrong), null, new Workload.Call("/q", new byte[0], "doc-1"));
    }
    stats.completed(1_000_000, new HttpTarget.Reply(200, "miss", "{\"chunks\":[{\"documentId\":\"doc-2\"}]}"), null,
        new Workload.Call("/q", new byte[0], "doc-2"));
    stats.completed(1_000_000, new HttpTarget.Reply(200, "miss", "{\"chunks\":[{\"documentId\":\"doc-3\"}]}"), null,
        new Workload.Call("/q", new byte[0], "doc-3"));
    Report report = Report.of(
        new Report.Setup("cached", "closed", "http://x", "fake", 4, null, 1.0), new RunResult(1.0, 10),
        stats.takeHistogram(), stats.counts(), null);
    assertEquals(0.2, report.retrieval().recall());
    assertEquals(3, report.retrieval().questions());
    assertEquals(0.6667, report.retrieval().questionRecall());
    assertTrue(report.summary().contains("recall 20.0% (per question 66.7% of 3)"), report.summary());
  }

  @Test
  void citesLooksOnlyAtTheChunks() {
    assertTrue(Stats.cites("{\"chunks\":[{\"documentId\":\"a\"}]}", "a"));
    assertFalse(Stats.cites("{\"chunks\":[{\"documentId\":\"ab\"}]}", "a"));
    assertFalse(Stats.cites("{\"citations\":[{\"documentId\":\"a\"}]}", "a"));
  }

  @Test
  void answersAndRefusalsAreTimedApartOnlyWhenThereWereRefusals() {
    Stats stats = new Stats(false);
    Workload.Call call = new Workload.Call("/q", new byte[0], null);
    stats.completed(40_000_000, new HttpTarget.Reply(200, "miss", "{}"), null, call);
    stats.completed(200_000, new HttpTarget.Reply(429, null, "{}"), null, call);
    stats.completed(300_000, new HttpTarget.Reply(429, null, "{}"), null, call);
    Report report = Report.of(
        new Report.Setup("uncached", "open", "u", "f", 4, 100.0, 0), new RunResult(1.0, 3), stats.takeHistogram(),
        stats.counts(), null, stats.takeAnsweredHistogram(), stats.takeRefusedHistogram());
    assertEquals(40.0, report.answeredLatencyMs().p50(), 0.1);
    assertTrue(report.refusedLatencyMs().max() < 0.31, report.refusedLatencyMs().toString());
    assertTrue(report.summary().contains("refused p50"), report.summary());

    Stats calm = new Stats(false);
    calm.completed(1_000_000, new HttpTarget.Reply(200, "hit", "{}"), null, call);
    assertNull(Report.of(new Report.Setup("cached", "open", "u", "f", 4, 100.0, 0), new RunResult(1.0, 1),
        calm.takeHistogram(), calm.counts(), null, calm.takeAnsweredHistogram(), calm.takeRefusedHistogram()).refusedLatencyMs());
  }
}
