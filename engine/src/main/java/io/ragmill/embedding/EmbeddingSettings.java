package io.ragmill.embedding;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code ragmill.embedding} block. */
public record EmbeddingSettings(
    String model,
    int hashingDimension,
    int intraOpThreads,
    boolean allowSpinning,
    int parallelRuns,
    boolean geluApproximation,
    BatcherSettings batcher) {

  /**
   * Limits of one {@link EmbeddingBatcher} lane. {@code questionsAlone}: a batch of questions runs
   * the model once per question, so a question's vector does not depend on what it was batched with
   * (the quantized MiniLM picks its ranges per run); chunks are batched either way. {@code placement}:
   * whether the {@code lanes} are each node's own or the cluster's, shared ({@link BatcherLanes}).
   */
  public record BatcherSettings(
      int lanes, int maxBatchSize, int maxBatchTokens, int maxInFlight, Duration maxWait, int maxPending,
      boolean questionsAlone, Placement placement) {
    public enum Placement {
      LOCAL,
      SPREAD;

      static Placement parse(String value) {
        return switch (value) {
          case "local" -> LOCAL;
          case "spread" -> SPREAD;
          default -> throw new IllegalArgumentException(
              "ragmill.embedding.batcher.placement must be local or spread, was '" + value + "'");
        };
      }
    }

    public BatcherSettings(
        int lanes, int maxBatchSize, int maxBatchTokens, int maxInFlight, Duration maxWait, int maxPending) {
      this(lanes, maxBatchSize, maxBatchTokens, maxInFlight, maxWait, maxPending, false);
    }

    public BatcherSettings(
        int lanes, int maxBatchSize, int maxBatchTokens, int maxInFlight, Duration maxWait, int maxPending,
        boolean questionsAlone) {
      this(lanes, maxBatchSize, maxBatchTokens, maxInFlight, maxWait, maxPending, questionsAlone, Placement.SPREAD);
    }

    public BatcherSettings {
      positive("lanes", lanes);
      positive("max-batch-size", maxBatchSize);
      positive("max-batch-tokens", maxBatchTokens);
      positive("max-in-flight", maxInFlight);
      positive("max-pending", maxPending);
    }

    private static void positive(String name, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(
            "ragmill.embedding.batcher." + name + " must be > 0, was " + value);
      }
    }
  }

  public static EmbeddingSettings fromConfig(Config root) {
    Config c = root.getConfig("ragmill.embedding");
    Config b = c.getConfig("batcher");
    return new EmbeddingSettings(
        c.getString("model"),
        c.getInt("hashing.dimension"),
        c.getInt("onnx.intra-op-threads") > 0 ? c.getInt("onnx.intra-op-threads") : Runtime.getRuntime().availableProcessors(),
        c.getBoolean("onnx.allow-spinning"),
        c.getInt("onnx.parallel-runs") > 0 ? c.getInt("onnx.parallel-runs") : Runtime.getRuntime().availableProcessors(),
        c.getBoolean("onnx.gelu-approximation"),
        new BatcherSettings(
            b.getInt("lanes"),
            b.getInt("max-batch-size"),
            b.getInt("max-batch-tokens"),
            b.getInt("max-in-flight"),
            b.getDuration("max-wait"),
            b.getInt("max-pending"),
            b.getBoolean("questions-alone"),
            BatcherSettings.Placement.parse(b.getString("placement"))));
  }
}
