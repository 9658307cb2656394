package io.ragmill.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes a run's report as JSON and Markdown, and a sweep's as JSON, Markdown and a PNG of latency
 * (p50, p99, p99.9) against the offered rate, with the p99 bound drawn across. The plot is drawn
 * with XChart, headless.
 */
public final class ReportFiles {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportFiles() {}

  public static void writeRun(Path dir, Report report) throws IOException {
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve("report.json").toFile(), report);
    Files.writeString(dir.resolve("report.md"), markdown(report));
  }

  public static void writeIngestQuery(Path dir, IngestQueryReport report) throws IOException {
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve("report.json").toFile(), report);
    Files.writeString(dir.resolve("report.md"), markdown(report));
  }

  public static void writeSweep(Path dir, Sweep sweep) throws IOException {
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve("sweep.json").toFile(), sweep);
    Files.writeString(dir.resolve("sweep.md"), markdown(sweep));
    BitmapEncoder.saveBitmap(chart(sweep), dir.resolve("sweep.png").toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  static String markdown(Report r) {
    StringBuilder out = new StringBuilder();
    out.append("# ").append(r.scenario()).append(" (").append(r.mode()).append(" loop)\n\n");
    out.append("| | |\n|---|---|\n");
    row(out, "target", r.url() + " (" + r.client() + " client, " + r.concurrency() + " connections)");
    if (r.offeredRate() != null) {
      row(out, "offered rate", fmt(r.offeredRate()) + " req/s");
    }
    row(out, "measured", fmt(r.durationSeconds()) + " s after " + fmt(r.warmupSeconds()) + " s of warm-up");
    row(out, "requests", Long.toString(r.requests()));
    row(out, "throughput", fmt(r.throughput()) + " req/s");
    Report.Latency l = r.latencyMs();
    row(out, "latency ms", String.format(Locale.ROOT, "min %.3f, mean %.3f, p50 %.3f, p90 %.3f, p99 %.3f, p99.9 %.3f, max %.3f",
        l.min(), l.mean(), l.p50(), l.p90(), l.p99(), l.p999(), l.max()));
    if (r.answeredLatencyMs() != null) {
      Report.Latency a = r.answeredLatencyMs();
      row(out, "latency ms, 2xx answers only", String.format(Locale.ROOT, "p50 %.3f, p90 %.3f, p99 %.3f, max %.3f",
          a.p50(), a.p90(), a.p99(), a.max()));
    }
    if (r.refusedLatencyMs() != null) {
      Report.Latency x = r.refusedLatencyMs();
      row(out, "latency ms, 429/503 refusals", String.format(Locale.ROOT, "p50 %.3f, p90 %.3f, p99 %.3f, max %.3f",
          x.p50(), x.p90(), x.p99(), x.max()));
    }
    row(out, "errors", errors(r));
    row(out, "status codes", format(r.statusCounts()));
    if (!r.failures().isEmpty()) {
      row(out, "failures", format(r.failures()));
    }
    if (r.cacheHits() + r.semanticHits() + r.cacheMisses() > 0) {
      row(out, "cache", "hit " + r.cacheHits() + ", semantic " + r.semanticHits() + ", miss " + r.cacheMisses());
    }
    if (r.hitRatio() != null) {
      row(out, "hit ratio", String.format(Locale.ROOT, "%.3f of attainable %.3f (%.3f)",
          r.hitRatio().achieved(), r.hitRatio().attainable(), r.hitRatio().ofAttainable()));
    }
    if (r.retrieval() != null) {
      row(out, "retrieval", String.format(Locale.ROOT,
          "%d of %d answers cite the question's document (%.1f%%); per distinct question %.1f%% over %d",
          r.retrieval().correct(), r.retrieval().checked(), r.retrieval().recall() * 100,
          r.retrieval().questionRecall() * 100, r.retrieval().questions()));
    }
    if (r.loadGeneratorCpuCores() != null) {
      row(out, "load generator CPU", String.format(Locale.ROOT, "%.2f cores", r.loadGeneratorCpuCores()));
    }
    return out.toString();
  }

  /** The query figures side by side (alone, with ingestion, ratio), then the ingestion's. */
  static String markdown(IngestQueryReport r) {
    Report with = r.withIngestion();
    Report alone = r.alone();
    StringBuilder out = new StringBuilder();
    out.append("# ingest-query: ").append(r.queries()).append(" queries on '").append(r.collection())
        .append("' while ingesting into '").append(r.ingestion().collection()).append("' (").append(with.mode())
        .append(" loop)\n\n");
    out.append(String.format(Locale.ROOT, "Target %s (%s client, %d connections%s); each phase measured %s s after %s s of warm-up.%n%n",
        with.url(), with.client(), with.concurrency(), with.offeredRate() == null ? "" : ", " + fmt(with.offeredRate()) + " req/s offered",
        fmt(with.durationSeconds()), fmt(with.warmupSeconds())));
    out.append(alone == null ? "| queries | with ingestion |\n|---|---|\n" : "| queries | alone | with ingestion | with / alone |\n|---|---|---|---|\n");
    IngestQueryReport.Impact impact = r.impact();
    compare(out, alone, "requests", Long.toString(with.requests()), alone == null ? null : Long.toString(alone.requests()), null);
    compare(out, alone, "throughput req/s", fmt(with.throughput()), alone == null ? null : fmt(alone.throughput()),
        impact == null ? null : impact.throughputRatio());
    compare(out, alone, "p50 ms", ms(with.latencyMs().p50()), alone == null ? null : ms(alone.latencyMs().p50()),
        impact == null ? null : impact.p50Ratio());
    compare(out, alone, "p90 ms", ms(with.latencyMs().p90()), alone == null ? null : ms(alone.latencyMs().p90()), null);
    compare(out, alone, "p99 ms", ms(with.latencyMs().p99()), alone == null ? null : ms(alone.latencyMs().p99()),
        impact == null ? null : impact.p99Ratio());
    compare(out, alone, "p99.9 ms", ms(with.latencyMs().p999()), alone == null ? null : ms(alone.latencyMs().p999()), null);
    compare(out, alone, "max ms", ms(with.latencyMs().max()), alone == null ? null : ms(alone.latencyMs().max()), null);
    compare(out, alone, "errors", Long.toString(with.errors()), alone == null ? null : Long.toString(alone.errors()), null);
    compare(out, alone, "status codes", format(with.statusCounts()), alone == null ? null : format(alone.statusCounts()), null);
    compare(out, alone, "cache hit / semantic / miss", cache(with), alone == null ? null : cache(alone), null);
    if (with.retrieval() != null) {
      compare(out, alone, "recall", recall(with), alone == null ? null : recall(alone), null);
    }
    ContinuousIngester.Result in = r.ingestion();
    out.append("\n## Ingestion meanwhile\n\n| | |\n|---|---|\n");
    row(out, "batches", in.batchesAcknowledged() + " of " + in.batchesSent() + " acknowledged, " + in.batchSize()
        + " documents each, " + in.parallel() + " at a time");
    row(out, "acknowledged", in.documentsAcknowledged() + " documents, " + in.chunksAcknowledged() + " chunks in "
        + fmt(in.seconds()) + " s");
    row(out, "rate", String.format(Locale.ROOT, "%.1f chunks/s, %.1f documents/s", in.chunksPerSecond(), in.documentsPerSecond()));
    row(out, "errors", in.errors() + (in.errorsByKind().isEmpty() ? "" : " " + in.errorsByKind())
        + (in.firstError() == null ? "" : "; first: " + in.firstError().replace("|", "\\|").replace("\n", " ")));
    if (in.abandoned() > 0) {
      row(out, "unanswered at the end", Integer.toString(in.abandoned()));
    }
    return out.toString();
  }

  private static void compare(StringBuilder out, Report alone, String name, String with, String aloneValue, Double ratio) {
    if (alone == null) {
      row(out, name, with);
    } else {
      out.append("| ").append(name).append(" | ").append(aloneValue).append(" | ").append(with).append(" | ")
          .append(ratio == null ? "" : String.format(Locale.ROOT, "%.2f", ratio)).append(" |\n");
    }
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private static String cache(Report r) {
    return r.cacheHits() + " / " + r.semanticHits() + " / " + r.cacheMisses();
  }

  private static String recall(Report r) {
    return String.format(Locale.ROOT, "%.1f%% (%d of %d); per question %.1f%% of %d", r.retrieval().recall() * 100,
        r.retrieval().correct(), r.retrieval().checked(), r.retrieval().questionRecall() * 100, r.retrieval().questions());
  }

  static String markdown(Sweep s) {
    StringBuilder out = new StringBuilder();
    out.append("# ").append(s.scenario()).append(" rate sweep\n\n");
    out.append(String.format(Locale.ROOT,
        "Highest offered rate at which, and at every lower rate swept, p99 <= %.1f ms with no errors and at least %.0f%% of it achieved: **%s**.%n%n",
        s.p99BoundMs(), Sweep.KEPT_UP * 100, sweepAnswer(s)));
    out.append("![latency against offered rate](sweep.png)\n\n");
    out.append("| offered req/s | achieved req/s | p50 ms | p99 ms | p99.9 ms | max ms | errors | status codes | cache hit / semantic / miss | within bound |\n");
    out.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Report r : s.steps()) {
      out.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.3f | %s | %s | %s | %s |%n",
          fmt(r.offeredRate()), fmt(r.throughput()), r.latencyMs().p50(), r.latencyMs().p99(), r.latencyMs().p999(),
          r.latencyMs().max(), errors(r), format(r.statusCounts()), cache(r),
          Sweep.within(r, s.p99BoundMs()) ? "yes" : "no (" + Sweep.why(r, s.p99BoundMs()) + ")"));
    }
    return out.toString();
  }

  private static String sweepAnswer(Sweep s) {
    if (s.maxRateWithinBound() == null) {
      return "none: the lowest rate, " + fmt(s.firstFailingRate()) + " req/s, already failed (" + s.firstFailure()
          + "); sweep lower rates";
    }
    if (s.firstFailingRate() == null) {
      return "at least " + fmt(s.maxRateWithinBound()) + " req/s: every rate passed, the bound was not reached";
    }
    String answer = fmt(s.maxRateWithinBound()) + " req/s (" + fmt(s.firstFailingRate()) + " req/s failed: "
        + s.firstFailure() + ")";
    if (!s.passedAfterFailure().isEmpty()) {
      answer += "; " + s.passedAfterFailure() + " req/s passed again above it and are not counted";
    }
    return answer;
  }

  private static String errors(Report r) {
    return r.errors() + (r.dropped() + r.unanswered() > 0 ? " (" + r.unserved() + ")" : "");
  }

  static XYChart chart(Sweep s) {
    XYChart chart =
        new XYChartBuilder().width(900).height(540).title(s.scenario() + ": latency against offered rate")
            .xAxisTitle("offered rate (req/s)").yAxisTitle("latency (ms)").build();
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
    List<Report> steps = s.steps();
    double[] x = steps.stream().mapToDouble(Report::offeredRate).toArray();
    series(chart, "p50", x, steps.stream().mapToDouble(r -> positive(r.latencyMs().p50())).toArray());
    series(chart, "p99", x, steps.stream().mapToDouble(r -> positive(r.latencyMs().p99())).toArray());
    series(chart, "p99.9", x, steps.stream().mapToDouble(r -> positive(r.latencyMs().p999())).toArray());
    XYSeries bound = chart.addSeries(
        String.format(Locale.ROOT, "p99 bound %.0f ms", s.p99BoundMs()), new double[] {x[0], x[x.length - 1]},
        new double[] {s.p99BoundMs(), s.p99BoundMs()});
    bound.setMarker(SeriesMarkers.NONE);
    bound.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    return chart;
  }

  private static void series(XYChart chart, String name, double[] x, double[] y) {
    chart.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
  }

  /** A log axis cannot show zero. */
  private static double positive(double ms) {
    return Math.max(ms, 0.001);
  }

  private static void row(StringBuilder out, String name, String value) {
    out.append("| ").append(name).append(" | ").append(value).append(" |\n");
  }

  private static String format(Map<String, Long> counts) {
    return counts.isEmpty() ? "none" : counts.toString();
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }
}
