package io.ragmill.loadtest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one scenario run as printed and written with {@code --json}: what ran, for how long,
 * throughput, latency percentiles in milliseconds, status codes, cache hits and misses, and errors.
 * {@code requests} are those sent in the measured window (open loop: those due then and not dropped)
 * and answered or failed; the percentiles cover them and the {@code dropped} and {@code unanswered}
 * ones too, each of those at its time from intended send to the run's end (the least it would have
 * taken), so shedding load never makes the percentiles look better. {@code throughput} is 2xx answers
 * to measured requests per second ({@link RunResult}); {@code errors} counts non-2xx answers,
 * failures, dropped and unanswered requests.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Report(
    String scenario, String mode, String url, String client, int concurrency, Double offeredRate,
    double warmupSeconds, double durationSeconds, long requests, double throughput, Latency latencyMs,
    Map<String, Long> statusCounts, long cacheHits, long semanticHits, long cacheMisses, long errors,
    Map<String, Long> failures, long dropped, long unanswered, Retrieval retrieval, HitRatio hitRatio, Double loadGeneratorCpuCores,
    Latency answeredLatencyMs, Latency refusedLatencyMs) {

  /**
   * Exact and semantic hits over answered requests, against the attainable ratio: the share of
   * requests that repeated an earlier question, the most any cache could hit.
   */
  public record HitRatio(double achieved, double attainable, double ofAttainable) {}

  /** What was run: the scenario, "closed" or "open" loop, against what, with which client. */
  public record Setup(
      String scenario, String mode, String url, String client, int concurrency, Double offeredRate,
      double warmupSeconds) {}

  /** Latency percentiles in milliseconds. */
  public record Latency(double min, double mean, double p50, double p90, double p99, double p999, double max) {
    /** From a histogram of microseconds; all zero when it is empty. */
    public static Latency fromMicros(Histogram h) {
      if (h.getTotalCount() == 0) {
        return new Latency(0, 0, 0, 0, 0, 0, 0);
      }
      return new Latency(
          ms(h.getMinValue()), round(h.getMean() / 1000.0), ms(h.getValueAtPercentile(50)),
          ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
          ms(h.getMaxValue()));
    }

    private static double ms(long micros) {
      return round(micros / 1000.0);
    }
  }

  /** Answers checked for the expected document among their chunks, and how many had it. */
  /**
   * {@code recall}: the share of checked answers that cite the question's document;
   * {@code questionRecall}: the same per distinct question (with its paraphrases), averaged over
   * the {@code questions} asked, so that a hot question weighs as much as any other.
   */
  public record Retrieval(long checked, long correct, double recall, int questions, double questionRecall) {}

  /**
   * The report of a run; {@code cpuCores} is the CPU this process used while measuring (for the
   * baseline that includes the in-process server), null when unknown.
   */
  public static Report of(Setup setup, RunResult run, Histogram micros, Stats.Counts counts, Double cpuCores) {
    return of(setup, run, micros, counts, cpuCores, null, null);
  }

  /**
   * With the latencies of 2xx answers and of 429/503 refusals apart ({@code answeredLatencyMs},
   * {@code refusedLatencyMs}): under overload, a fast refusal and a kept latency for what is accepted
   * are what matters. The answered ones are reported when the run had refusals or unserved requests,
   * the refused ones when it had refusals.
   */
  public static Report of(
      Setup setup, RunResult run, Histogram micros, Stats.Counts counts, Double cpuCores, Histogram answeredMicros,
      Histogram refusedMicros) {
    long refused = refusedMicros == null ? 0 : refusedMicros.getTotalCount();
    Retrieval retrieval = counts.checked() == 0 ? null
        : new Retrieval(counts.checked(), counts.correct(), round4((double) counts.correct() / counts.checked()),
            counts.questions(), round4(counts.questionRecall()));
    long answered = counts.cacheHits() + counts.semanticHits() + counts.cacheMisses();
    HitRatio hitRatio = null;
    if (counts.tracked() > 0 && answered > 0) {
      double achieved = (double) (counts.cacheHits() + counts.semanticHits()) / answered;
      double attainable = (double) counts.repeats() / counts.tracked();
      hitRatio = new HitRatio(round4(achieved), round4(attainable), attainable == 0 ? 0 : round4(achieved / attainable));
    }
    return new Report(
        setup.scenario(), setup.mode(), setup.url(), setup.client(), setup.concurrency(), setup.offeredRate(),
        setup.warmupSeconds(), round(run.seconds()), counts.requests(), round(run.throughput()),
        Latency.fromMicros(micros), counts.statusCounts(), counts.cacheHits(), counts.semanticHits(),
        counts.cacheMisses(), counts.errors(), counts.failures(), counts.dropped(), counts.unanswered(), retrieval,
        hitRatio, cpuCores,
        answeredMicros == null || (refused == 0 && counts.dropped() + counts.unanswered() == 0) ? null
            : Latency.fromMicros(answeredMicros),
        refused == 0 ? null : Latency.fromMicros(refusedMicros));
  }

  /** One line for people: the figures that matter when comparing runs. */
  public String summary() {
    StringBuilder line = new StringBuilder();
    if (offeredRate == null) {
      line.append(String.format(Locale.ROOT, "%s closed-loop c=%d %.1fs: %d requests, %.1f req/s",
          scenario, concurrency, durationSeconds, requests, throughput));
    } else {
      line.append(String.format(Locale.ROOT, "%s open-loop %.1fs: %d requests, achieved %.1f req/s of %.1f offered",
          scenario, durationSeconds, requests, throughput, offeredRate));
    }
    line.append(String.format(Locale.ROOT, " | latency ms p50 %.3f p90 %.3f p99 %.3f p99.9 %.3f max %.3f",
        latencyMs.p50(), latencyMs.p90(), latencyMs.p99(), latencyMs.p999(), latencyMs.max()));
    line.append(" | errors ").append(errors);
    if (dropped + unanswered > 0) {
      line.append(" (").append(unserved()).append(')');
    }
    if (cacheHits + semanticHits + cacheMisses > 0) {
      line.append(" | cache hit ").append(cacheHits);
      if (semanticHits > 0) {
        line.append(" semantic ").append(semanticHits);
      }
      line.append(" miss ").append(cacheMisses);
    }
    if (hitRatio != null) {
      line.append(String.format(Locale.ROOT, " | hit ratio %.3f of attainable %.3f (%.3f)",
          hitRatio.achieved(), hitRatio.attainable(), hitRatio.ofAttainable()));
    }
    if (retrieval != null) {
      line.append(String.format(Locale.ROOT, " | recall %.1f%% (per question %.1f%% of %d)",
          retrieval.recall() * 100, retrieval.questionRecall() * 100, retrieval.questions()));
    }
    if (answeredLatencyMs != null) {
      line.append(String.format(Locale.ROOT, " | answered p50 %.3f p99 %.3f ms", answeredLatencyMs.p50(), answeredLatencyMs.p99()));
    }
    if (refusedLatencyMs != null) {
      line.append(String.format(Locale.ROOT, ", refused p50 %.3f p99 %.3f max %.3f ms",
          refusedLatencyMs.p50(), refusedLatencyMs.p99(), refusedLatencyMs.max()));
    }
    if (!statusCounts.isEmpty() && (statusCounts.size() > 1 || !statusCounts.containsKey("200"))) {
      line.append(" | status ").append(statusCounts);
    }
    if (!failures.isEmpty()) {
      line.append(" | failures ").append(failures);
    }
    if (loadGeneratorCpuCores != null) {
      line.append(String.format(Locale.ROOT, " | load generator CPU %.2f cores", loadGeneratorCpuCores));
    }
    return line.toString();
  }

  /** "dropped D, unanswered U, in the percentiles at their time to the end of the run". */
  String unserved() {
    StringBuilder out = new StringBuilder();
    if (dropped > 0) {
      out.append("dropped ").append(dropped);
    }
    if (unanswered > 0) {
      out.append(out.length() > 0 ? ", " : "").append("unanswered ").append(unanswered);
    }
    return out.append(", in the percentiles at their time to the end of the run").toString();
  }

  static double round(double value) {
    return Math.round(value * 1000.0) / 1000.0;
  }

  private static double round4(double value) {
    return Math.round(value * 10000.0) / 10000.0;
  }
}
