package io.ragmill.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweepTest {
  private static Report step(double offered, double achieved, double p99, long errors) {
    return new Report("cached", "open", "u", "socket", 8, offered, 0, 10, (long) (achieved * 10), achieved,
        new Report.Latency(0.1, 0.5, 0.4, 0.8, p99, p99, p99), Map.of("200", 10L), 10, 0, 0, errors, Map.of(), 0, 0, null, null, null, null, null);
  }

  @Test
  void theAnswerIsTheHighestRateWithinTheBoundThatKeptUp() {
    Sweep s = Sweep.of("cached", List.of(
        step(100, 100, 2, 0), step(200, 199, 8, 0), step(400, 395, 30, 0), step(800, 600, 20, 0), step(1600, 620, 400, 0)),
        Duration.ofMillis(25));
    // 400 broke the bound, 800 fell behind (600 of 800): 200 is the answer
    assertEquals(200.0, s.maxRateWithinBound());
    assertTrue(Sweep.saturated(s.steps().get(3)));
    assertEquals(400.0, s.firstFailingRate());
    assertTrue(ReportFiles.markdown(s).contains("**200 req/s (400 req/s failed: p99 30.0 ms)**"), ReportFiles.markdown(s));
    assertTrue(s.summary().endsWith("200 req/s (400 req/s failed: p99 30.0 ms)"), s.summary());
    Sweep errors = Sweep.of("cached", List.of(step(100, 100, 2, 3)), Duration.ofMillis(25));
    assertNull(errors.maxRateWithinBound(), "errors disqualify");
    assertTrue(errors.summary().contains("none; already the lowest rate, 100 req/s, failed (3 errors): sweep lower rates"),
        errors.summary());
  }

  @Test
  void aRateAboveAFailureDoesNotCount() {
    // 200 broke the bound and 400 passed: noise, or a cache the lower steps warmed; 100 is the answer
    Sweep s = Sweep.of("cached", List.of(step(100, 100, 20, 0), step(200, 200, 80, 0), step(400, 400, 40, 0)),
        Duration.ofMillis(50));
    assertEquals(100.0, s.maxRateWithinBound());
    assertEquals(200.0, s.firstFailingRate());
    assertEquals(List.of(400.0), s.passedAfterFailure());
    assertTrue(s.summary().contains("[400] req/s passed again above the failure and are not counted"), s.summary());
  }

  @Test
  void whenEveryRatePassesTheAnswerIsALowerBound() {
    Sweep s = Sweep.of("cached", List.of(step(100, 100, 2, 0), step(200, 200, 3, 0)), Duration.ofMillis(50));
    assertEquals(200.0, s.maxRateWithinBound());
    assertNull(s.firstFailingRate());
    assertTrue(s.summary().contains("at least 200 req/s; every rate passed, so the bound was not reached"), s.summary());
    assertTrue(ReportFiles.markdown(s).contains("at least 200 req/s: every rate passed"), ReportFiles.markdown(s));
  }

  @Test
  void fallingBehindFailsAStepAndSaysSo() {
    Sweep s = Sweep.of("uncached", List.of(step(100, 100, 2, 0), step(200, 150, 3, 0)), Duration.ofMillis(50));
    assertEquals(100.0, s.maxRateWithinBound());
    assertEquals("achieved 150 req/s", s.firstFailure());
  }

  @Test
  void optionsParseRates() {
    assertEquals(List.of(50.0, 100.0, 200.0), Options.rates("200, 50,100"));
    assertEquals(List.of(), Options.rates(null));
  }
}
