package io.ragmill.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTest {
  @Test
  void parsesOptionsAndDefaults() {
    Options o = Options.parse(new String[] {
        "cached", "--url", "http://h:1", "--concurrency", "8", "--duration=2m", "--warmup", "500ms", "--no-verify"});
    assertEquals("cached", o.command());
    assertEquals("http://h:1", o.url());
    assertEquals(8, o.concurrency());
    assertEquals(Duration.ofMinutes(2), o.duration());
    assertEquals(Duration.ofMillis(500), o.warmup());
    assertFalse(o.verify());
    assertTrue(o.ingest());
    assertFalse(o.openLoop());
    assertEquals("bench", o.collection());
    assertTrue(Options.parse(new String[] {"uncached", "--rate", "250"}).openLoop());
    assertEquals(Duration.ofMillis(1500), Options.duration("x", "1.5"));
  }

  @Test
  void ingestQueryOptions() {
    Options o = Options.parse(new String[] {"ingest-query", "--collection", "docs", "--corpus", "/data/notes"});
    assertEquals("docs-ingest", o.ingestCollection());
    assertEquals("mixed", o.queries());
    assertEquals("/data/notes", o.corpus());
    assertTrue(o.alone());
    Options p = Options.parse(new String[] {
        "ingest-query", "--queries", "Uncached", "--ingest-collection", "side", "--no-alone", "--rate", "50"});
    assertEquals("uncached", p.queries());
    assertEquals("side", p.ingestCollection());
    assertFalse(p.alone());
    assertEquals(null, Options.parse(new String[] {"ingest"}).corpus());
    Options logged = Options.parse(new String[] {"ingest-query", "--answers", "a.jsonl", "--control", "--rate", "50"});
    assertEquals("a.jsonl", logged.answers());
    assertTrue(logged.control());
    assertEquals(null, Options.parse(new String[] {"ingest-query"}).answers());
    assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"ingest-query", "--queries", "session"}));
    assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"ingest-query", "--sweep", "10,20"}));
    assertThrows(IllegalArgumentException.class,
        () -> Options.parse(new String[] {"ingest-query", "--collection", "a", "--ingest-collection", "a"}));
  }

  @Test
  void refusesWhatItDoesNotKnow() {
    assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"warm"}));
    assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"cached", "--speed", "1"}));
    assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"cached", "--concurrency"}));
    assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"ingest", "--batch", "5000"}));
    assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"cached", "--duration", "x"}));
  }

  @Test
  void aRateIsAPositiveFiniteNumberNeverASilentClosedLoop() {
    for (String bad : new String[] {"0", "-5", "NaN", "Infinity", "fast", "0,0"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"cached", "--rate", bad}), bad);
      assertTrue(e.getMessage().contains("--rate"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"cached", "--sweep", "10,Infinity"}));
    assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"cached", "--zipf-exponent", "NaN"}));
    assertEquals(0.5, Options.parse(new String[] {"cached", "--rate", "0.5"}).rate());
    IllegalArgumentException closed =
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"cached", "--answers", "a.jsonl"}));
    assertTrue(closed.getMessage().contains("open-loop"), closed.getMessage());
  }

  @Test
  void cachedQuestionsFollowZipfUnlessToldOtherwise() {
    assertEquals("zipf", Options.parse(new String[] {"cached"}).distribution());
    assertEquals("uniform", Options.parse(new String[] {"cached", "--distribution", "uniform"}).distribution());
    assertEquals(3, Options.parse(new String[] {"session"}).turns());
  }

  @Test
  void poolQueueIsAPowerOfTwo() {
    assertEquals(32, LoadTest.powerOfTwoAtLeast(32));
    assertEquals(64, LoadTest.powerOfTwoAtLeast(33));
    assertEquals(4096, LoadTest.powerOfTwoAtLeast(4096));
  }
}
