package io.ragmill.loadtest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Locale;

/**
 * The ingest-query scenario's outcome: the same query load measured alone ({@code alone}, null
 * when skipped) and while ingestion ran into another collection ({@code withIngestion}), what the
 * ingestion achieved meanwhile, and the ratios with / alone that put a figure on what concurrent
 * ingestion costs queries.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IngestQueryReport(
    String scenario, String queries, String collection, Report alone, Report withIngestion,
    ContinuousIngester.Result ingestion, Impact impact) {

  /** Query figures with ingestion divided by the same figures alone; null where alone was zero. */
  public record Impact(Double p50Ratio, Double p99Ratio, Double throughputRatio) {
    static Impact of(Report alone, Report with) {
      if (alone == null) {
        return null;
      }
      return new Impact(ratio(with.latencyMs().p50(), alone.latencyMs().p50()),
          ratio(with.latencyMs().p99(), alone.latencyMs().p99()), ratio(with.throughput(), alone.throughput()));
    }

    private static Double ratio(double with, double alone) {
      return alone > 0 ? Math.round(with / alone * 100.0) / 100.0 : null;
    }
  }

  static IngestQueryReport of(
      String queries, String collection, Report alone, Report withIngestion, ContinuousIngester.Result ingestion) {
    return new IngestQueryReport("ingest-query", queries, collection, alone, withIngestion, ingestion,
        Impact.of(alone, withIngestion));
  }

  /** Whether both sides worked at all: some query answered 2xx with ingestion, some chunk acknowledged. */
  boolean anyWork() {
    boolean answered = withIngestion.statusCounts().entrySet().stream()
        .anyMatch(e -> e.getKey().startsWith("2") && e.getValue() > 0);
    return answered && ingestion.chunksAcknowledged() > 0;
  }

  /** Lines for people: each query phase, the ingestion, and the comparison. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    if (alone != null) {
      out.append("queries alone:          ").append(alone.summary()).append('\n');
    }
    out.append("queries with ingestion: ").append(withIngestion.summary()).append('\n');
    out.append(ingestion.summary());
    if (impact != null) {
      out.append('\n').append(impactLine());
    }
    return out.toString();
  }

  /** The comparison in one line; null when the alone phase was skipped. */
  public String impactLine() {
    if (impact == null) {
      return null;
    }
    return String.format(Locale.ROOT,
        "with / alone: p50 %.3f -> %.3f ms (x%s), p99 %.3f -> %.3f ms (x%s), throughput %.1f -> %.1f req/s (x%s)",
        alone.latencyMs().p50(), withIngestion.latencyMs().p50(), text(impact.p50Ratio()), alone.latencyMs().p99(),
        withIngestion.latencyMs().p99(), text(impact.p99Ratio()), alone.throughput(), withIngestion.throughput(),
        text(impact.throughputRatio()));
  }

  private static String text(Double ratio) {
    return ratio == null ? "n/a" : String.format(Locale.ROOT, "%.2f", ratio);
  }
}
