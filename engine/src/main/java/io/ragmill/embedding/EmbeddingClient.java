package io.ragmill.embedding;

import io.ragmill.api.Stages;
import io.ragmill.api.RagmillException;
import io.ragmill.cache.Cache;
import io.ragmill.cache.CacheKey;
import io.ragmill.cache.CacheKind;
import java.time.Duration;
import java.util.ArrayList;
import io.ragmill.persistence.EmbeddingStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.slf4j.Logger;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Embeds text cache-first: the embedding cache by (model, text), then, for document chunks, the
 * persistent embedding store (L3, when there is one), then the model's batcher lanes; a chunk's
 * vector from the model is written to the store in the background. Query texts skip the store:
 * they rarely repeat across restarts, and a database read and write per distinct question cost more
 * than they save. The store never fails a request: when it cannot be read the model answers, when
 * it cannot be written the vector is simply not kept.
 * Embeddings are kept per tenant, in every tier, although a vector depends on the text alone:
 * shared, the speed of an answer would tell one tenant which texts another has embedded.
 */
public final class EmbeddingClient {

  private final ClusterSharding sharding;
  private final Cache cache;
  private final EmbeddingModels models;
  private final BatcherLanes lanes;
  private final Duration askTimeout;
  private final Optional<EmbeddingStore> store;
  private final Executor blocking;
  private final Logger log;

  public EmbeddingClient(
      ActorSystem<?> system, Cache cache, EmbeddingModels models, BatcherLanes lanes, Duration askTimeout,
      Optional<EmbeddingStore> store) {
    this.sharding = ClusterSharding.get(system);
    this.cache = cache;
    this.models = models;
    this.lanes = lanes;
    this.askTimeout = askTimeout;
    this.store = store;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    this.log = system.log();
  }

  public String modelId() {
    return models.modelId();
  }

  /** A query's text (not persisted), reporting whether the vector came from the cache. */
  public CompletionStage<Cache.Result<Vector>> embed(String tenant, String text) {
    return embed(tenant, text, false);
  }

  private CompletionStage<Cache.Result<Vector>> embed(String tenant, String text, boolean persist) {
    CacheKey key = CacheKey.of(CacheKind.EMBEDDING, tenant, models.modelId(), text);
    return cache
        .getOrCompute(
            key,
            CachedEmbedding.class,
            () -> (persist ? fromStoreOrModel(tenant, text) : fromModel(text, true)).thenApply(CachedEmbedding::new))
        .thenApply(r -> new Cache.Result<>(r.value().vector(), r.tier()));
  }

  /**
   * Document chunks, in order, through the persistent store as well; misses reach the batcher
   * together and are batched there.
   */
  public CompletionStage<List<Vector>> embedAll(String tenant, List<String> texts) {
    List<CompletableFuture<Cache.Result<Vector>>> all = new ArrayList<>(texts.size());
    for (String text : texts) {
      all.add(embed(tenant, text, true).toCompletableFuture());
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              List<Vector> out = new ArrayList<>(all.size());
              all.forEach(f -> out.add(f.join().value()));
              return out;
            });
  }

  private CompletionStage<Vector> fromStoreOrModel(String tenant, String text) {
    if (store.isEmpty()) {
      return fromModel(text, false);
    }
    EmbeddingStore l3 = store.get();
    // the tenant is part of the stored digest: the store is a tier like the others
    String digest = CacheKey.of(CacheKind.EMBEDDING, tenant, tenant, text).digest();
    return CompletableFuture.supplyAsync(() -> l3.get(models.modelId(), digest), blocking)
        .exceptionally(
            error -> {
              log.warn("embedding store unreadable, asking the model: {}", error.getMessage());
              return Optional.empty();
            })
        .thenCompose(
            stored -> {
              if (stored.isPresent()) {
                return CompletableFuture.completedFuture(Vector.fromBytes(stored.get()));
              }
              return fromModel(text, false)
                  .thenApply(
                      vector -> {
                        CompletableFuture.runAsync(() -> l3.put(models.modelId(), digest, vector.toBytes()), blocking)
                            .exceptionally(
                                error -> {
                                  log.warn("embedding not kept in the store: {}", error.getMessage());
                                  return null;
                                });
                        return vector;
                      });
            });
  }

  /** {@code interactive}: a query's text, which the batcher embeds before queued document chunks. */
  private CompletionStage<Vector> fromModel(String text, boolean interactive) {
    return Stages.direct(
            sharding
                .entityRefFor(EmbeddingBatcher.ENTITY_KEY, lanes.forText(text))
                .<EmbeddingBatcher.Reply>ask(replyTo -> new EmbeddingBatcher.Embed(List.of(text), interactive, replyTo), askTimeout))
        .thenApply(
            reply -> {
              if (reply instanceof EmbeddingBatcher.Embedded embedded) {
                return embedded.vectors().get(0);
              }
              if (reply instanceof EmbeddingBatcher.Overloaded o) {
                throw RagmillException.overloaded(
                    "the embedding queue is full (" + o.pending() + " of " + o.limit() + " texts waiting)");
              }
              throw new IllegalStateException(
                  "embedding failed: " + ((EmbeddingBatcher.Failed) reply).reason());
            });
  }
}
