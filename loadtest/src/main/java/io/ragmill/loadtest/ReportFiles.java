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
    row(out, "latency ms", String.format(Locale.ROOT, "p50 %.3f, p90 %.3f, p99 %.3f, p99.9 %.3f, max %.3f",
        l.p50(), l.p90(), l.p99(), l.p999(), l.max()));
    row(out, "errors", r.errors() + (r.dropped() > 0 ? " (dropped " + r.dropped() + ")" : ""));
    row(out, "status codes", format(r.statusCounts()));
    if (r.cacheHits() + r.semanticHits() + r.cacheMisses() > 0) {
      row(out, "cache", "hit " + r.cacheHits() + ", semantic " + r.semanticHits() + ", miss " + r.cacheMisses());
    }
    if (r.hitRatio() != null) {
      row(out, "hit ratio", String.format(Locale.ROOT, "%.3f of attainable %.3f (%.3f)",
          r.hitRatio().achieved(), r.hitRatio().attainable(), r.hitRatio().ofAttainable()));
    }
    if (r.retrieval() != null) {
      row(out, "retrieval", String.format(Locale.ROOT, "%d of %d answers cite the question's document (%.1f%%)",
          r.retrieval().correct(), r.retrieval().checked(), r.retrieval().recall() * 100));
    }
    if (r.loadGeneratorCpuCores() != null) {
      row(out, "load generator CPU", String.format(Locale.ROOT, "%.2f cores", r.loadGeneratorCpuCores()));
    }
    return out.toString();
  }

  static String markdown(Sweep s) {
    StringBuilder out = new StringBuilder();
    out.append("# ").append(s.scenario()).append(" rate sweep\n\n");
    out.append(String.format(Locale.ROOT, "Highest offered rate with p99 <= %.1f ms, no errors and at least %.0f%% of it achieved: **%s**.%n%n",
        s.p99BoundMs(), Sweep.KEPT_UP * 100,
        s.maxRateWithinBound() == null ? "none" : fmt(s.maxRateWithinBound()) + " req/s"));
    out.append("![latency against offered rate](sweep.png)\n\n");
    out.append("| offered req/s | achieved req/s | p50 ms | p99 ms | p99.9 ms | max ms | errors | within bound |\n");
    out.append("|---|---|---|---|---|---|---|---|\n");
    for (Report r : s.steps()) {
      out.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.3f | %d | %s |%n",
          fmt(r.offeredRate()), fmt(r.throughput()), r.latencyMs().p50(), r.latencyMs().p99(), r.latencyMs().p999(),
          r.latencyMs().max(), r.errors(), Sweep.within(r, s.p99BoundMs()) ? "yes" : "no"));
    }
    return out.toString();
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
