package io.ragmill.loadtest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The measured requests of one run: latencies in an HdrHistogram at microsecond resolution, and
 * counts of status codes, cache hits and misses, transport failures and retrieval checks. Thread-safe.
 */
public final class Stats implements Sink {
  private final boolean verify;
  private final Recorder recorder = new Recorder(3);
  /** Answers with 2xx, and refusals (429, 503): an overload test compares the two. */
  private final Recorder answered = new Recorder(3);
  private final Recorder refused = new Recorder(3);
  private final LongAdder requests = new LongAdder();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder semantic = new LongAdder();
  private final LongAdder tracked = new LongAdder();
  private final LongAdder repeats = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder unanswered = new LongAdder();
  /** Non-2xx answers, failures and unserved requests so far, for the progress line. */
  private final LongAdder errorsSoFar = new LongAdder();
  /** The same latencies again, read by the progress line once a period. */
  private final Recorder progress = new Recorder(3);
  private final LongAdder checked = new LongAdder();
  private final LongAdder correct = new LongAdder();
  private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  /** Checked and correct answers by expected document: one question and its paraphrases. */
  private final Map<String, LongAdder[]> byQuestion = new ConcurrentHashMap<>();

  /** {@code verify}: check that each answer's chunks include the call's expected document. */
  public Stats(boolean verify) {
    this.verify = verify;
  }

  @Override
  public void completed(long latencyNanos, HttpTarget.Reply reply, Throwable error, Workload.Call call) {
    recorder.recordValue(Math.max(1, latencyNanos / 1_000));
    progress.recordValue(Math.max(1, latencyNanos / 1_000));
    requests.increment();
    if (error != null || reply.status() < 200 || reply.status() >= 300) {
      errorsSoFar.increment();
    }
    if (call.repeat() != null) {
      tracked.increment();
      if (call.repeat()) {
        repeats.increment();
      }
    }
    if (error != null) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      failures.computeIfAbsent(cause.getClass().getSimpleName(), k -> new LongAdder()).increment();
      return;
    }
    statuses.computeIfAbsent(reply.status(), k -> new LongAdder()).increment();
    if (reply.status() >= 200 && reply.status() < 300) {
      answered.recordValue(Math.max(1, latencyNanos / 1_000));
    } else if (reply.status() == 429 || reply.status() == 503) {
      refused.recordValue(Math.max(1, latencyNanos / 1_000));
    }
    if ("hit".equals(reply.cache())) {
      hits.increment();
    } else if ("semantic".equals(reply.cache())) {
      semantic.increment();
    } else if ("miss".equals(reply.cache())) {
      misses.increment();
    }
    if (verify && reply.ok() && call.expectedDocumentId() != null) {
      checked.increment();
      LongAdder[] question =
          byQuestion.computeIfAbsent(call.expectedDocumentId(), k -> new LongAdder[] {new LongAdder(), new LongAdder()});
      question[0].increment();
      if (cites(reply.body(), call.expectedDocumentId())) {
        correct.increment();
        question[1].increment();
      }
    }
  }

  @Override
  public void unserved(long latencyNanos, boolean wasDropped) {
    recorder.recordValue(Math.max(1, latencyNanos / 1_000));
    progress.recordValue(Math.max(1, latencyNanos / 1_000));
    errorsSoFar.increment();
    (wasDropped ? dropped : unanswered).increment();
  }

  /** Measured requests settled so far (answered, failed or unserved) and the errors among them. */
  public long settledSoFar() {
    return requests.sum() + dropped.sum() + unanswered.sum();
  }

  public long errorsSoFar() {
    return errorsSoFar.sum();
  }

  /** The latencies recorded since the last call, for the progress line. */
  public Histogram takeProgressHistogram() {
    return progress.getIntervalHistogram();
  }

  /** Whether a query answer's "chunks" list holds a chunk of the document; cheaper than parsing it. */
  static boolean cites(String body, String documentId) {
    int chunks = body.indexOf("\"chunks\":");
    return chunks >= 0 && body.indexOf("\"documentId\":\"" + documentId + "\"", chunks) >= 0;
  }

  /** The latencies recorded so far, in microseconds; each call returns those since the last one. */
  public Histogram takeHistogram() {
    return recorder.getIntervalHistogram();
  }

  /** Latencies of 2xx answers only, in microseconds, since the last call. */
  public Histogram takeAnsweredHistogram() {
    return answered.getIntervalHistogram();
  }

  /** Latencies of 429/503 refusals only, in microseconds, since the last call. */
  public Histogram takeRefusedHistogram() {
    return refused.getIntervalHistogram();
  }

  /** The counters as they stand. */
  public Counts counts() {
    Map<String, Long> byStatus = new TreeMap<>();
    long errors = 0;
    for (Map.Entry<Integer, LongAdder> e : statuses.entrySet()) {
      long n = e.getValue().sum();
      byStatus.put(String.valueOf(e.getKey()), n);
      if (e.getKey() < 200 || e.getKey() >= 300) {
        errors += n;
      }
    }
    Map<String, Long> byFailure = new TreeMap<>();
    for (Map.Entry<String, LongAdder> e : failures.entrySet()) {
      byFailure.put(e.getKey(), e.getValue().sum());
      errors += e.getValue().sum();
    }
    errors += dropped.sum() + unanswered.sum();
    double questionRecall = 0;
    for (LongAdder[] q : byQuestion.values()) {
      questionRecall += (double) q[1].sum() / q[0].sum();
    }
    int questions = byQuestion.size();
    return new Counts(requests.sum(), byStatus, hits.sum(), semantic.sum(), misses.sum(), errors, byFailure,
        dropped.sum(), unanswered.sum(), checked.sum(), correct.sum(), questions, questions == 0 ? 0 : questionRecall / questions,
        tracked.sum(), repeats.sum());
  }

  /**
   * Counters of a run. {@code requests} were sent and settled (answered or failed); {@code dropped}
   * were due and not sent, {@code unanswered} sent and not answered before the run gave up; {@code
   * errors} counts non-2xx responses, transport failures, dropped and unanswered requests; {@code checked}/{@code correct} count answers whose chunks did (not) cite the expected
   * document; {@code questions} is how many distinct questions (expected documents, paraphrases
   * included) were checked and {@code questionRecall} the mean over them of each one's share of
   * correct answers, which one hot question cannot move much; {@code tracked}/{@code repeats} count
   * requests whose repeat status the scenario knew, and the repeats among them.
   */
  public record Counts(
      long requests, Map<String, Long> statusCounts, long cacheHits, long semanticHits, long cacheMisses, long errors,
      Map<String, Long> failures, long dropped, long unanswered, long checked, long correct, int questions, double questionRecall,
      long tracked, long repeats) {}
}
