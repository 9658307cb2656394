package io.ragmill.collection;

import io.ragmill.api.Stages;
import io.ragmill.api.RagmillException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The client of the {@link Collection} entities, and the node-local view the query path reads:
 * settings never change after creation, so they are cached here; the generation comes from this
 * node's Distributed Data replica, and only when the replica has none (first query after a
 * restart) from the entity itself.
 */
public final class Collections {

  /** What a query needs to know of a collection. */
  public record View(CollectionSettings settings, long generation) {}

  private final ClusterSharding sharding;
  private final Generations generations;
  private final Duration askTimeout;
  private final Map<String, CollectionSettings> settingsCache = new ConcurrentHashMap<>();

  public Collections(ActorSystem<?> system, Generations generations, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.generations = generations;
    this.askTimeout = askTimeout;
  }

  /** Settings and current generation; fails NOT_FOUND for a collection that does not exist. */
  public CompletionStage<View> view(String tenant, String collection) {
    CollectionSettings settings = settingsCache.get(Collection.entityId(tenant, collection));
    if (settings == null) {
      return infoOrNotFound(tenant, collection).thenApply(info -> new View(info.settings(), info.generation()));
    }
    return generations
        .current(tenant, collection)
        .thenCompose(
            generation ->
                generation.isPresent()
                    ? CompletableFuture.completedFuture(new View(settings, generation.get()))
                    : infoOrNotFound(tenant, collection).thenApply(info -> new View(info.settings(), info.generation())));
  }

  public CompletionStage<Collection.Info> info(String tenant, String collection) {
    return Stages.direct(entity(tenant, collection).<Collection.Info>ask(Collection.GetInfo::new, askTimeout))
        .thenApply(info -> remember(tenant, collection, info));
  }

  /** Creates the collection; with {@code failIfDifferent}, existing different settings are a conflict. */
  public CompletionStage<Collection.Info> create(
      String tenant, String collection, CollectionSettings settings, boolean failIfDifferent) {
    return Stages.direct(
            entity(tenant, collection)
                .<Collection.Info>ask(replyTo -> new Collection.Create(settings, failIfDifferent, replyTo), askTimeout))
        .thenApply(
            info -> {
              if (info.conflict()) {
                throw new RagmillException(
                    RagmillException.Kind.CONFLICT,
                    "collection '" + collection + "' exists with other settings: " + info.settings().describe());
              }
              return remember(tenant, collection, info);
            });
  }

  public CompletionStage<Collection.Deleted> deleteDocument(String tenant, String collection, String documentId) {
    return Stages.direct(
            entity(tenant, collection)
                .<Collection.Deleted>ask(replyTo -> new Collection.DeleteDocument(documentId, replyTo), askTimeout))
        .thenApply(
            deleted -> {
              if (deleted.error() != null) {
                throw RagmillException.unavailable(
                    "deleting '" + documentId + "' did not complete: " + deleted.error(), Duration.ofSeconds(1));
              }
              if (!deleted.existed()) {
                throw RagmillException.notFound(
                    "collection '" + collection + "' has no document '" + documentId + "'");
              }
              return deleted;
            });
  }

  private CompletionStage<Collection.Info> infoOrNotFound(String tenant, String collection) {
    return info(tenant, collection)
        .thenApply(
            info -> {
              if (!info.exists()) {
                throw RagmillException.notFound("collection '" + collection + "' does not exist");
              }
              return info;
            });
  }

  private Collection.Info remember(String tenant, String collection, Collection.Info info) {
    if (info.exists()) {
      settingsCache.put(Collection.entityId(tenant, collection), info.settings());
    }
    return info;
  }

  private EntityRef<Collection.Command> entity(String tenant, String collection) {
    return sharding.entityRefFor(Collection.ENTITY_KEY, Collection.entityId(tenant, collection));
  }
}
