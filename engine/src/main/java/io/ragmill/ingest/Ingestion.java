package io.ragmill.ingest;

import io.ragmill.api.Stages;
import io.ragmill.api.RagmillException;
import io.ragmill.collection.CollectionSettings;
import io.ragmill.collection.Collections;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The client of ingestion: checks a submission, creates the collection with default settings if
 * it is new, and starts a durable {@link IngestionJob}. The returned status means the job is
 * persisted: from then on it completes even if the node dies.
 */
public final class Ingestion {
  private final ClusterSharding sharding;
  private final Collections collections;
  private final IngestSettings settings;
  private final CollectionSettings defaults;
  private final Duration askTimeout;

  public Ingestion(
      ActorSystem<?> system, Collections collections, IngestSettings settings, CollectionSettings defaults,
      Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.collections = collections;
    this.settings = settings;
    this.defaults = defaults;
    this.askTimeout = askTimeout;
  }

  public CollectionSettings defaults() {
    return defaults;
  }

  public CompletionStage<IngestionJob.Status> submit(String tenant, String collection, List<SourceDocument> documents) {
    validate(documents);
    String jobId = UUID.randomUUID().toString();
    return collections
        .create(tenant, collection, defaults, false)
        .thenCompose(
            info -> {
              if (!info.settings().modelId().equals(defaults.modelId())) {
                throw new RagmillException(
                    RagmillException.Kind.CONFLICT,
                    "collection '" + collection + "' was indexed with model " + info.settings().modelId()
                        + " but this node embeds with " + defaults.modelId());
              }
              return Stages.direct(
                  sharding
                      .entityRefFor(IngestionJob.ENTITY_KEY, jobId)
                      .<IngestionJob.Status>ask(
                          replyTo -> new IngestionJob.Start(tenant, collection, info.settings(), documents, replyTo),
                          askTimeout));
            });
  }

  /** The job's status; another tenant's job is as unknown as one that does not exist. */
  public CompletionStage<IngestionJob.Status> status(String tenant, String jobId) {
    return Stages.direct(
            sharding.entityRefFor(IngestionJob.ENTITY_KEY, jobId).<IngestionJob.Status>ask(IngestionJob.GetStatus::new, askTimeout))
        .thenApply(visibleTo(tenant, jobId));
  }

  /** Completes when the job has completed or failed, or fails after {@code timeout}. */
  public CompletionStage<IngestionJob.Status> awaitDone(String tenant, String jobId, Duration timeout) {
    return Stages.direct(
            sharding.entityRefFor(IngestionJob.ENTITY_KEY, jobId).<IngestionJob.Status>ask(IngestionJob.AwaitDone::new, timeout))
        .thenApply(visibleTo(tenant, jobId));
  }

  private static java.util.function.Function<IngestionJob.Status, IngestionJob.Status> visibleTo(
      String tenant, String jobId) {
    return status -> {
      if (status.phase() == IngestionJob.Phase.UNKNOWN || !tenant.equals(status.tenant())) {
        throw RagmillException.notFound("no job '" + jobId + "'");
      }
      return status;
    };
  }

  private void validate(List<SourceDocument> documents) {
    if (documents.isEmpty()) {
      throw RagmillException.invalid("no documents to ingest");
    }
    if (documents.size() > settings.maxDocumentsPerRequest()) {
      throw RagmillException.invalid(
          "at most " + settings.maxDocumentsPerRequest() + " documents per request, got " + documents.size());
    }
    Set<String> ids = new HashSet<>();
    for (SourceDocument doc : documents) {
      if (!ids.add(doc.id())) {
        throw RagmillException.invalid("document id '" + doc.id() + "' appears twice in one request");
      }
      if (doc.content().length() > settings.maxDocumentChars()) {
        throw RagmillException.invalid(
            "document '" + doc.id() + "' has " + doc.content().length() + " characters, more than the limit of "
                + settings.maxDocumentChars());
      }
    }
  }
}
