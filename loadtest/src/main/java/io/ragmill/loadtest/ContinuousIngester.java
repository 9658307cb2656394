package io.ragmill.loadtest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Ingestion as background load: {@code parallel} threads each send a batch of fresh synthetic
 * documents ({@code ?wait=true}), and the next as soon as it is acknowledged, until stopped. Every
 * batch is new text (its own seed, code words and ids), so the node's embedding caches cannot make
 * ingestion cheaper than it is. A failed batch is counted by kind, not retried, and the next one
 * follows (a quarter of a second later after a refusal), so the report shows what ingestion met.
 */
final class ContinuousIngester {
  private static final long REFUSAL_PAUSE_MILLIS = 250;

  /**
   * What the ingestion did between start and stop: batches sent and acknowledged, documents and
   * chunks acknowledged (jobs completed), their rates over {@code seconds} (start until the last
   * batch in flight at the stop came back), failed batches by kind and the first failure's
   * message, and batches still unanswered when the drain gave up ({@code abandoned}).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Result(
      String collection, int batchSize, int parallel, double seconds, long batchesSent, long batchesAcknowledged,
      long documentsAcknowledged, long chunksAcknowledged, double chunksPerSecond, double documentsPerSecond,
      long errors, Map<String, Long> errorsByKind, String firstError, int abandoned) {
    String summary() {
      return String.format(Locale.ROOT,
          "concurrent ingestion into %s: %d of %d batches of %d acknowledged (%d at a time), %d documents, %d chunks "
              + "in %.1fs: %.1f chunks/s, %.1f docs/s | errors %d%s%s",
          collection, batchesAcknowledged, batchesSent, batchSize, parallel, documentsAcknowledged, chunksAcknowledged,
          seconds, chunksPerSecond, documentsPerSecond, errors, errorsByKind.isEmpty() ? "" : " " + errorsByKind,
          abandoned == 0 ? "" : " | " + abandoned + " batches unanswered at the end");
    }
  }

  private final Ingester ingester;
  private final String collection;
  private final int batchSize;
  private final int parallel;
  private final long seed;
  private final String runTag;
  private final AtomicLong nextBatch = new AtomicLong();
  private final LongAdder acknowledged = new LongAdder();
  private final LongAdder documents = new LongAdder();
  private final LongAdder chunks = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final AtomicReference<String> firstError = new AtomicReference<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stopped;
  private long startNanos;

  ContinuousIngester(HttpTarget target, String collection, int batchSize, int parallel, long seed, String runTag) {
    this.ingester = new Ingester(target, collection);
    this.collection = collection;
    this.batchSize = batchSize;
    this.parallel = parallel;
    this.seed = seed;
    this.runTag = runTag;
  }

  void start() {
    startNanos = System.nanoTime();
    for (int i = 0; i < parallel; i++) {
      Thread thread = new Thread(this::loop, "ingest-load-" + i);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
  }

  /** The {@code n}-th batch: fresh synthetic documents with ids unique to this run and batch. */
  List<CorpusGenerator.Document> batch(long n) {
    List<CorpusGenerator.Document> out = new ArrayList<>(batchSize);
    for (CorpusGenerator.Document d : CorpusGenerator.generate(seed * 1_000_003L + n, batchSize).documents()) {
      out.add(new CorpusGenerator.Document("ing-" + runTag + "-" + n + "-" + d.id(), d.text(), d.metadata()));
    }
    return out;
  }

  private void loop() {
    while (!stopped) {
      List<CorpusGenerator.Document> batch = batch(nextBatch.getAndIncrement());
      try {
        long indexed = ingester.send(batch, 0);
        acknowledged.increment();
        documents.add(batch.size());
        chunks.add(indexed);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        String kind = e instanceof Ingester.BatchFailed failed ? failed.kind() : e.getClass().getSimpleName();
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
        firstError.compareAndSet(null, String.valueOf(e.getMessage()));
        if (kind.equals("HTTP 429") || kind.equals("HTTP 503")) {
          try {
            Thread.sleep(REFUSAL_PAUSE_MILLIS);
          } catch (InterruptedException interrupted) {
            return;
          }
        }
      }
    }
  }

  /** Sends no further batch, waits up to {@code drainNanos} for those in flight, and reports. */
  Result stop(long drainNanos) throws InterruptedException {
    stopped = true;
    long deadline = System.nanoTime() + drainNanos;
    int abandoned = 0;
    for (Thread thread : threads) {
      thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      if (thread.isAlive()) {
        thread.interrupt();
        abandoned++;
      }
    }
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    Map<String, Long> byKind = new TreeMap<>();
    errors.forEach((kind, n) -> byKind.put(kind, n.sum()));
    long failed = byKind.values().stream().mapToLong(Long::longValue).sum();
    return new Result(collection, batchSize, parallel, Report.round(seconds), nextBatch.get(),
        acknowledged.sum(), documents.sum(), chunks.sum(), Report.round(chunks.sum() / seconds),
        Report.round(documents.sum() / seconds), failed, byKind, firstError.get(), abandoned);
  }
}
