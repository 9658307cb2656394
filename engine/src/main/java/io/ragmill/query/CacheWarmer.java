package io.ragmill.query;

import com.fasterxml.jackson.annotation.JsonValue;
import io.ragmill.api.RagmillException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Warms the answer cache in the background: a list of queries for one collection runs through the
 * ordinary {@link QueryPipeline} a few at a time, as a stream, so it never crowds out live traffic
 * more than {@code parallelism} requests would. Warm jobs live on the node that accepted them and
 * are not persisted: a warm job that dies with its node has lost nothing but a head start, and is
 * resubmitted as easily. The newest {@code keep} jobs are kept for status polls.
 */
public final class CacheWarmer {

  public enum State {
    RUNNING,
    DONE;

    @JsonValue
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A job's progress: queries answered from the cache already, computed now, failed. */
  public record Status(
      String id, String tenant, String collection, State state, int queries, long alreadyCached, long computed,
      long failed, Instant submittedAt, Instant finishedAt) {}

  private static final class Job {
    final String id;
    final String tenant;
    final String collection;
    final int queries;
    final Instant submittedAt = Instant.now();
    final AtomicLong alreadyCached = new AtomicLong();
    final AtomicLong computed = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    volatile Instant finishedAt;

    Job(String id, String tenant, String collection, int queries) {
      this.id = id;
      this.tenant = tenant;
      this.collection = collection;
      this.queries = queries;
    }

    Status status() {
      return new Status(
          id, tenant, collection, finishedAt == null ? State.RUNNING : State.DONE, queries, alreadyCached.get(),
          computed.get(), failed.get(), submittedAt, finishedAt);
    }
  }

  private final ActorSystem<?> system;
  private final QueryPipeline pipeline;
  private final int parallelism;
  private final int keep;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();

  public CacheWarmer(ActorSystem<?> system, QueryPipeline pipeline, int parallelism, int keep) {
    this.system = system;
    this.pipeline = pipeline;
    this.parallelism = parallelism;
    this.keep = keep;
  }

  /** Starts warming; the returned status is the job's first. */
  public Status submit(String tenant, String collection, List<QueryRequest> queries) {
    forgetOldest();
    Job job = new Job(UUID.randomUUID().toString(), tenant, collection, queries.size());
    jobs.put(job.id, job);
    Source.from(queries)
        .mapAsyncUnordered(
            parallelism,
            request ->
                pipeline
                    .query(tenant, collection, request)
                    .handle(
                        (result, error) -> {
                          if (error != null) {
                            job.failed.incrementAndGet();
                          } else if (result.cache() == QueryResult.CacheStatus.MISS) {
                            job.computed.incrementAndGet();
                          } else {
                            job.alreadyCached.incrementAndGet();
                          }
                          return result;
                        }))
        .runWith(Sink.ignore(), system)
        .whenComplete((done, error) -> job.finishedAt = Instant.now());
    return job.status();
  }

  public Optional<Status> status(String id) {
    return Optional.ofNullable(jobs.get(id)).map(Job::status);
  }

  /** Makes room for one more job: drops the oldest finished one, or refuses when all are running. */
  private void forgetOldest() {
    while (jobs.size() >= keep) {
      Optional<Job> oldest =
          jobs.values().stream().filter(j -> j.finishedAt != null).min(Comparator.comparing(j -> j.submittedAt));
      if (oldest.isEmpty()) {
        throw RagmillException.overloaded(keep + " warm jobs are running already; try again when one is done");
      }
      jobs.remove(oldest.get().id);
    }
  }
}
