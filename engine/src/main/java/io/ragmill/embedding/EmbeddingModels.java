package io.ragmill.embedding;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The node's embedding model, loaded in the background so the HTTP server is up at once.
 * Readiness reports {@link #isLoaded()}; work that needs the model before then waits on
 * {@link #model()}.
 */
public final class EmbeddingModels {
  private final String modelId;
  private final int dimension;
  private final CompletableFuture<Embedder> model;

  private EmbeddingModels(String modelId, int dimension, CompletableFuture<Embedder> model) {
    this.modelId = modelId;
    this.dimension = dimension;
    this.model = model;
  }

  /** Loads the configured model on {@code loader} once {@code after} completes (e.g. the HTTP bind). */
  public static EmbeddingModels load(EmbeddingSettings settings, Executor loader, CompletionStage<?> after) {
    return switch (settings.model()) {
      case "hashing" -> ready(new HashingEmbedder(settings.hashingDimension()));
      case MiniLmEmbedder.MODEL_ID ->
          new EmbeddingModels(
              MiniLmEmbedder.MODEL_ID,
              MiniLmEmbedder.DIMENSION,
              after.toCompletableFuture().thenApplyAsync(
                  ignored -> new MiniLmEmbedder(
                      settings.intraOpThreads(), settings.allowSpinning(), settings.parallelRuns(), settings.geluApproximation()), loader));
      default ->
          throw new IllegalArgumentException(
              "ragmill.embedding.model must be " + MiniLmEmbedder.MODEL_ID + " or hashing, was "
                  + settings.model());
    };
  }

  public static EmbeddingModels ready(Embedder embedder) {
    return new EmbeddingModels(embedder.modelId(), embedder.dimension(), CompletableFuture.completedFuture(embedder));
  }

  /** The model's id, known before it has loaded: part of every embedding cache key. */
  public String modelId() {
    return modelId;
  }

  /** The length of the model's vectors, known before it has loaded. */
  public int dimension() {
    return dimension;
  }

  public CompletionStage<Embedder> model() {
    return model;
  }

  public boolean isLoaded() {
    return model.isDone() && !model.isCompletedExceptionally();
  }

  /** Why the model failed to load, if it did. */
  public Optional<Throwable> failure() {
    if (!model.isCompletedExceptionally()) {
      return Optional.empty();
    }
    try {
      model.join();
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(e.getCause() != null ? e.getCause() : e);
    }
  }
}
