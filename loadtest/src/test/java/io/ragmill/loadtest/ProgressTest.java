package io.ragmill.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private static final long S = 1_000_000_000L;

  @Test
  void theLineSaysThePhaseAndTheFigures() {
    assertEquals("loadtest: cached 3/25 s warm-up | 0 measured, 0/s | p99 - | in flight 4 | errors 0",
        Progress.line("cached", 3 * S, 5 * S, 20 * S, 0, 0, null, 4, 0));
    assertEquals("loadtest: uncached 12/25 s measuring | 2100 measured, 301/s | p99 84.2 ms | in flight 31 | errors 2",
        Progress.line("uncached", 12 * S, 5 * S, 20 * S, 2100, 301.4, 84.2, 31, 2));
    assertTrue(Progress.line("x", 26 * S, 5 * S, 20 * S, 1, 0, null, 1, 0).contains("draining"));
  }

  @Test
  void onATerminalItRewritesItsLineEverySecond() throws Exception {
    Stats stats = new Stats(false);
    stats.completed(2_000_000, new HttpTarget.Reply(200, "hit", "{}"), null, new Workload.Call("/q", new byte[0], null));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, "cached", 0, 10 * S, stats,
        () -> 3)) {
      Thread.sleep(2_300);
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.startsWith("\rloadtest: cached 1/10 s measuring | 1 measured"), out);
    assertTrue(out.contains("p99 2.0 ms | in flight 3 | errors 0"), out);
    assertTrue(out.chars().filter(c -> c == '\r').count() >= 2, out);
    assertTrue(out.endsWith("\n"), "the line is ended when the run is");
  }
}
