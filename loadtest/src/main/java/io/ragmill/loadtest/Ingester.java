package io.ragmill.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loads a corpus into a collection in batches with {@code ?wait=true}, a few batches at a time,
 * polling the job when the server answers 202 and retrying a batch refused as overloaded.
 */
final class Ingester {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_OVERLOAD_RETRIES = 60;

  private final HttpTarget target;
  private final String collection;

  Ingester(HttpTarget target, String collection) {
    this.target = target;
    this.collection = collection;
  }

  /** How an ingestion went: sizes, wall time and rates. */
  record Result(
      String scenario, String url, String collection, int documents, long chunks, int batches, int batchSize,
      int parallel, double seconds, double chunksPerSecond, double documentsPerSecond) {
    String summary() {
      return String.format(Locale.ROOT,
          "ingest %s: %d documents, %d chunks in %d batches of <=%d (%d at a time) in %.2fs: %.1f chunks/s, "
              + "%.1f docs/s",
          collection, documents, chunks, batches, batchSize, parallel, seconds, chunksPerSecond, documentsPerSecond);
    }
  }

  Result ingest(List<CorpusGenerator.Document> documents, int batchSize, int parallel, String url)
      throws InterruptedException {
    List<List<CorpusGenerator.Document>> batches = new ArrayList<>();
    for (int from = 0; from < documents.size(); from += batchSize) {
      batches.add(documents.subList(from, Math.min(documents.size(), from + batchSize)));
    }
    AtomicLong chunks = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    long start = System.nanoTime();
    try {
      List<Future<?>> running = new ArrayList<>();
      for (List<CorpusGenerator.Document> batch : batches) {
        running.add(pool.submit(() -> {
          chunks.addAndGet(send(batch));
          return null;
        }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("ingestion failed: " + e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result("ingest", url, collection, documents.size(), chunks.get(), batches.size(), batchSize, parallel,
        Report.round(seconds), Report.round(chunks.get() / seconds), Report.round(documents.size() / seconds));
  }

  /** Sends one batch and waits for its job; returns the chunks it indexed. */
  private long send(List<CorpusGenerator.Document> batch) throws IOException, InterruptedException {
    byte[] body = JSON.writeValueAsBytes(batch);
    String path = "/v1/collections/" + collection + "/documents?wait=true";
    for (int attempt = 0; ; attempt++) {
      HttpTarget.Reply reply = await(target.post(path, body));
      if ((reply.status() == 429 || reply.status() == 503) && attempt < MAX_OVERLOAD_RETRIES) {
        Thread.sleep(1000);
        continue;
      }
      JsonNode job = parse(reply);
      if (reply.status() == 202) {
        job = poll(job.path("jobId").asText());
      }
      if (!"completed".equals(job.path("phase").asText())) {
        throw new IllegalStateException("job " + job.path("jobId").asText() + " ended " + job.path("phase").asText()
            + ": " + job.path("error").asText());
      }
      return job.path("chunksIndexed").asLong();
    }
  }

  private JsonNode poll(String jobId) throws IOException, InterruptedException {
    while (true) {
      Thread.sleep(500);
      JsonNode job = parse(await(target.get("/v1/jobs/" + jobId)));
      String phase = job.path("phase").asText();
      if (!"running".equals(phase) && !"unknown".equals(phase)) {
        return job;
      }
    }
  }

  private static JsonNode parse(HttpTarget.Reply reply) throws IOException {
    if (!reply.ok()) {
      throw new IllegalStateException("HTTP " + reply.status() + ": " + reply.body());
    }
    return JSON.readTree(reply.body());
  }

  static HttpTarget.Reply await(CompletionStage<HttpTarget.Reply> stage) {
    try {
      return stage.toCompletableFuture().join();
    } catch (CompletionException e) {
      throw new IllegalStateException("request failed: " + e.getCause(), e.getCause());
    }
  }
}
