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
        new Report.Latency(0.1, 0.5, 0.4, 0.8, p99, p99, p99), Map.of("200", 10L), 10, 0, 0, errors, Map.of(), 0, null, null, null, null, null);
  }

  @Test
  void theAnswerIsTheHighestRateWithinTheBoundThatKeptUp() {
    Sweep s = Sweep.of("cached", List.of(
        step(100, 100, 2, 0), step(200, 199, 8, 0), step(400, 395, 30, 0), step(800, 600, 20, 0), step(1600, 620, 400, 0)),
        Duration.ofMillis(25));
    // 400 broke the bound, 800 fell behind (600 of 800): 200 is the answer
    assertEquals(200.0, s.maxRateWithinBound());
    assertTrue(Sweep.saturated(s.steps().get(3)));
    assertTrue(ReportFiles.markdown(s).contains("**200 req/s**"), ReportFiles.markdown(s));
    assertNull(Sweep.of("cached", List.of(step(100, 100, 2, 3)), Duration.ofMillis(25)).maxRateWithinBound(), "errors disqualify");
  }

  @Test
  void optionsParseRates() {
    assertEquals(List.of(50.0, 100.0, 200.0), Options.rates("200, 50,100"));
    assertEquals(List.of(), Options.rates(null));
  }
}
