package io.ragmill.query;

import io.ragmill.api.Stages;
import io.ragmill.answer.Answer;
import io.ragmill.answer.AnswerGenerator;
import io.ragmill.api.RagmillException;
import io.ragmill.cache.Cache;
import io.ragmill.cache.CacheKey;
import io.ragmill.cache.CacheKind;
import io.ragmill.cache.CacheTier;
import io.ragmill.cache.NearKey;
import io.ragmill.collection.Collections;
import io.ragmill.collection.CollectionSettings;
import io.ragmill.embedding.EmbeddingClient;
import io.ragmill.embedding.EmbeddingModels;
import io.ragmill.embedding.Vector;
import io.ragmill.index.ChunkHit;
import io.ragmill.index.IndexShard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The query path: answer cache (keyed by tenant, collection, generation, normalized query, k,
 * filter, mode) → embedding (cache, then batcher) → semantic answer cache (the nearest earlier
 * query of the same scope that the near-miss guard accepts) → retrieval cache → scatter to every
 * shard of the collection and merge the top k → extractive answer → stored in both caches and
 * remembered in the semantic index. Concurrent identical misses compute once (the cache's
 * single-flight).
 */
public final class QueryPipeline {
  private final ClusterSharding sharding;
  private final Collections collections;
  private final Cache cache;
  private final EmbeddingClient embeddings;
  private final EmbeddingModels models;
  private final AnswerGenerator generator;
  private final Duration askTimeout;

  public QueryPipeline(
      ActorSystem<?> system, Collections collections, Cache cache, EmbeddingClient embeddings,
      EmbeddingModels models, AnswerGenerator generator, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.collections = collections;
    this.cache = cache;
    this.embeddings = embeddings;
    this.models = models;
    this.generator = generator;
    this.askTimeout = askTimeout;
  }

  /**
   * Lower case, single spaces, trimmed, without trailing punctuation: "What is X?", "what  is x" and
   * "what is x?!" share cache entries.
   */
  static String normalize(String query) {
    StringBuilder out = new StringBuilder(query.length());
    boolean space = false;
    for (int i = 0; i < query.length(); i++) {
      char c = query.charAt(i);
      if (Character.isWhitespace(c)) {
        space = out.length() > 0;
      } else {
        if (space) {
          out.append(' ');
          space = false;
        }
        out.append(c);
      }
    }
    int end = out.length();
    while (end > 0 && TRAILING.indexOf(out.charAt(end - 1)) >= 0) {
      end--;
    }
    // a question of punctuation alone keeps it: it still needs a key of its own
    return (end == 0 ? out.toString() : out.substring(0, end).trim()).toLowerCase(Locale.ROOT);
  }

  private static final String TRAILING = "?!.;:, ";

  /** Per-request stage clock, written by the computing caller only. */
  private static final class Clock {
    final long start = System.nanoTime();
    double embedMs;
    double searchMs;
    double answerMs;
    /** The query's embedding, once computed: remembered in the semantic index after a fresh answer. */
    Vector vector;

    static double since(long t) {
      return (System.nanoTime() - t) / 1e6;
    }
  }

  public CompletionStage<QueryResult> query(String tenant, String collection, QueryRequest request) {
    Clock clock = new Clock();
    return collections
        .view(tenant, collection)
        .thenCompose(
            view -> {
              Keys keys = keys(tenant, collection, request, view);
              CollectionSettings settings = view.settings();
              return cache
                  .getOrCompute(
                      keys.answer(),
                      CachedAnswer.class,
                      () -> computeAnswer(keys.scope(), settings, request, clock))
                  .thenApply(
                      result -> {
                        CachedAnswer value = result.value();
                        if (!result.hit() && value.semantic() == null && clock.vector != null) {
                          cache.semanticAdd(keys.scope().semanticKey(generator.mode()), keys.scope().normalized(), clock.vector, keys.answer().cacheKey());
                        }
                        QueryResult.CacheStatus status =
                            value.semantic() != null
                                ? QueryResult.CacheStatus.SEMANTIC
                                : result.hit() ? QueryResult.CacheStatus.HIT : QueryResult.CacheStatus.MISS;
                        return result(value, status, result.tier().orElse(null), view, clock);
                      });
            });
  }

  /**
   * The answer when this node's near cache holds it, found without a worker, a partition or an
   * embedding: the collection's current generation (a local read of its replica) and the answer key
   * are all it takes. Empty when the near cache does not have it; then {@link #query} does the rest.
   */
  public CompletionStage<Optional<QueryResult>> nearHit(String tenant, String collection, QueryRequest request) {
    Clock clock = new Clock();
    return collections
        .view(tenant, collection)
        .thenApply(
            view -> {
              Keys keys = keys(tenant, collection, request, view);
              return cache
                  .near(keys.answer(), CachedAnswer.class)
                  .map(value -> result(
                      value,
                      value.semantic() != null ? QueryResult.CacheStatus.SEMANTIC : QueryResult.CacheStatus.HIT,
                      CacheTier.NEAR, view, clock));
            });
  }

  private record Keys(NearKey answer, Scope scope) {}

  private Keys keys(String tenant, String collection, QueryRequest request, Collections.View view) {
    CollectionSettings settings = view.settings();
    if (!settings.modelId().equals(embeddings.modelId())) {
      throw new RagmillException(
          RagmillException.Kind.CONFLICT,
          "collection '" + collection + "' was indexed with model " + settings.modelId()
              + " but this node embeds with " + embeddings.modelId());
    }
    String normalized = normalize(request.query());
    String generation = Long.toString(view.generation());
    String k = Integer.toString(request.k());
    String filter = request.filter().canonical();
    NearKey answerKey = NearKey.of(tenant, collection, generation, normalized, k, filter, generator.mode());
    return new Keys(answerKey, new Scope(tenant, collection, generation, k, filter, normalized));
  }

  private static QueryResult result(
      CachedAnswer value, QueryResult.CacheStatus status, CacheTier tier, Collections.View view, Clock clock) {
    return new QueryResult(
        value.answer(), value.chunks(), status, tier, value.semantic(), view.generation(),
        new QueryResult.Timings(clock.embedMs, clock.searchMs, clock.answerMs, Clock.since(clock.start)));
  }

  /** What an answer depends on besides the query's wording: the semantic index's scope. */
  private record Scope(String tenant, String collection, String generation, String k, String filter, String normalized) {
    CacheKey semanticKey(String mode) {
      return CacheKey.scoped(CacheKind.ANSWER, tenant, collection, "semantic-scope", generation, k, filter, mode);
    }

    CacheKey retrievalKey() {
      return CacheKey.scoped(CacheKind.RETRIEVAL, tenant, collection, generation, normalized, k, filter);
    }
  }

  private CompletionStage<CachedAnswer> computeAnswer(
      Scope scope, CollectionSettings settings, QueryRequest request, Clock clock) {
    if (!models.isLoaded()) {
      throw RagmillException.unavailable(
          models.failure().map(e -> "the embedding model failed to load: " + e.getMessage())
              .orElse("the embedding model is still loading"),
          Duration.ofSeconds(2));
    }
    long embedStart = System.nanoTime();
    CacheKey semanticKey = scope.semanticKey(generator.mode());
    return embeddings
        .embed(scope.tenant(), scope.normalized())
        .thenCompose(
            embedded -> {
              clock.embedMs = Clock.since(embedStart);
              clock.vector = embedded.value();
              return cache
                  .semanticFind(semanticKey, scope.normalized(), embedded.value())
                  .thenCompose(
                      match ->
                          match.isEmpty()
                              ? CompletableFuture.completedFuture(Optional.<CachedAnswer>empty())
                              : cache.peek(match.get().answerKey(), CachedAnswer.class)
                                  .thenApply(
                                      found -> {
                                        if (found.isEmpty()) {
                                          cache.semanticStale(semanticKey);
                                          return Optional.<CachedAnswer>empty();
                                        }
                                        CachedAnswer earlier = found.get().value();
                                        return Optional.of(
                                            new CachedAnswer(
                                                earlier.answer(), earlier.chunks(),
                                                new QueryResult.Semantic(match.get().query(), match.get().similarity())));
                                      }))
                  .thenCompose(
                      semantic ->
                          semantic.isPresent()
                              ? CompletableFuture.completedFuture(semantic.get())
                              : answerFresh(scope, settings, request, embedded.value(), clock));
            });
  }

  private CompletionStage<CachedAnswer> answerFresh(
      Scope scope, CollectionSettings settings, QueryRequest request, Vector vector, Clock clock) {
    long searchStart = System.nanoTime();
    return cache
        .getOrCompute(
            scope.retrievalKey(),
            CachedRetrieval.class,
            () -> search(scope.tenant(), scope.collection(), settings, vector, request).thenApply(CachedRetrieval::new))
        .thenApply(
            retrieval -> {
              clock.searchMs = Clock.since(searchStart);
              long answerStart = System.nanoTime();
              Answer answer = generator.answer(request.query(), retrieval.value().hits());
              clock.answerMs = Clock.since(answerStart);
              return new CachedAnswer(answer, retrieval.value().hits());
            });
  }

  private CompletionStage<List<ChunkHit>> search(
      String tenant, String collection, CollectionSettings settings, Vector query, QueryRequest request) {
    List<CompletableFuture<IndexShard.SearchResult>> parts = new ArrayList<>(settings.shards());
    for (int shard = 0; shard < settings.shards(); shard++) {
      parts.add(
          Stages.direct(
              sharding
                  .entityRefFor(IndexShard.ENTITY_KEY, IndexShard.entityId(tenant, collection, shard))
                  .<IndexShard.SearchResult>ask(
                      replyTo -> new IndexShard.Search(query, request.k(), request.filter(), replyTo), askTimeout)));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              List<ChunkHit> all = new ArrayList<>();
              for (CompletableFuture<IndexShard.SearchResult> part : parts) {
                IndexShard.SearchResult result = part.join();
                if (result.error() != null) {
                  throw new RagmillException(RagmillException.Kind.CONFLICT, result.error());
                }
                all.addAll(result.hits());
              }
              all.sort(Comparator.comparingDouble((ChunkHit h) -> -h.score()));
              return List.copyOf(all.subList(0, Math.min(request.k(), all.size())));
            });
  }
}
