package io.ragmill.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
  /**
   * Content characters per request: a folder corpus can hold large files, and the node refuses
   * bodies over {@code ragmill.http.max-body} (16 MB by default); 4M characters stay under it even
   * when every character takes 3 bytes of UTF-8.
   */
  static final long MAX_BATCH_CHARS = 4_000_000;

  /** A batch the node did not take: {@code kind} groups failures in reports ("HTTP 429", "job failed"). */
  static final class BatchFailed extends IllegalStateException {
    private final String kind;

    BatchFailed(String kind, String message, Throwable cause) {
      super(message, cause);
      this.kind = kind;
    }

    String kind() {
      return kind;
    }
  }

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
    List<List<CorpusGenerator.Document>> batches = batches(documents, batchSize, MAX_BATCH_CHARS);
    AtomicLong chunks = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    long start = System.nanoTime();
    try {
      List<Future<?>> running = new ArrayList<>();
      for (List<CorpusGenerator.Document> batch : batches) {
        running.add(pool.submit(() -> {
          chunks.addAndGet(send(batch, MAX_OVERLOAD_RETRIES));
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

  /**
   * Consecutive batches of at most {@code maxDocuments} documents and, unless one document alone is
   * larger, at most {@code maxChars} characters of content.
   */
  static List<List<CorpusGenerator.Document>> batches(
      List<CorpusGenerator.Document> documents, int maxDocuments, long maxChars) {
    List<List<CorpusGenerator.Document>> batches = new ArrayList<>();
    int from = 0;
    long chars = 0;
    for (int i = 0; i < documents.size(); i++) {
      long size = documents.get(i).text().length();
      if (i > from && (i - from == maxDocuments || chars + size > maxChars)) {
        batches.add(documents.subList(from, i));
        from = i;
        chars = 0;
      }
      chars += size;
    }
    if (from < documents.size()) {
      batches.add(documents.subList(from, documents.size()));
    }
    return batches;
  }

  /** The request body: each document's content goes in the field its format names. */
  static byte[] body(List<CorpusGenerator.Document> batch) throws IOException {
    ArrayNode array = JSON.createArrayNode();
    for (CorpusGenerator.Document d : batch) {
      ObjectNode node = array.addObject().put("id", d.id()).put(d.format(), d.text());
      if (!d.metadata().isEmpty()) {
        node.set("metadata", JSON.valueToTree(d.metadata()));
      }
    }
    return JSON.writeValueAsBytes(array);
  }

  /**
   * Sends one batch and waits for its job; returns the chunks it indexed. A refusal as overloaded
   * (429, 503) is retried a second later, up to {@code overloadRetries} times; any other failure
   * throws {@link BatchFailed}.
   */
  long send(List<CorpusGenerator.Document> batch, int overloadRetries) throws IOException, InterruptedException {
    byte[] body = body(batch);
    String path = "/v1/collections/" + collection + "/documents?wait=true";
    for (int attempt = 0; ; attempt++) {
      HttpTarget.Reply reply;
      try {
        reply = await(target.post(path, body));
      } catch (IllegalStateException e) {
        throw new BatchFailed("transport", e.getMessage(), e.getCause());
      }
      if ((reply.status() == 429 || reply.status() == 503) && attempt < overloadRetries) {
        Thread.sleep(1000);
        continue;
      }
      if (!reply.ok()) {
        throw new BatchFailed("HTTP " + reply.status(), "HTTP " + reply.status() + ": " + reply.body(), null);
      }
      JsonNode job = JSON.readTree(reply.body());
      if (reply.status() == 202) {
        job = poll(job.path("jobId").asText());
      }
      if (!"completed".equals(job.path("phase").asText())) {
        throw new BatchFailed("job " + job.path("phase").asText(), "job " + job.path("jobId").asText() + " ended "
            + job.path("phase").asText() + ": " + job.path("error").asText(), null);
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
