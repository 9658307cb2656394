package io.ragmill.embedding;

import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The model's own throughput, side by side in one run on the same texts: Ragmill's MiniLM at batch
 * 1 and at the batcher's batch size (runs side by side, one thread each), the same batch with its
 * runs one after another on one intra-op thread per core (the threading before), langchain4j's
 * wrapper of the same model file (one session run per text), the model's ceiling (ONNX Runtime
 * alone on runs of 16 texts of the texts' mean token count, fewer where the planner's attention
 * cap cuts smaller runs; no padding, tokenizing or pooling: the limit any wrapper of this model and
 * runtime could reach here), the batch with ONNX Runtime's GELU approximation, and the batch
 * planned without the cap on a run's attention scores ({@link MiniLmEmbedder#MAX_RUN_ATTENTION}).
 * Each has a session of its own. Rounds alternate between them so machine noise hits them alike; medians are
 * reported, and for the ratio to langchain4j also the median of the per-round ratios. {@code bin/ragmill bench-model [texts|FILE] [rounds] [batch] [min-words] [max-words]}: generated
 * texts, or the lines of FILE (e.g. the load test's uncached questions).
 */
public final class ModelBenchmark {
  private ModelBenchmark() {}

  public static void main(String[] args) {
    java.nio.file.Path file = args.length > 0 && !args[0].matches("\\d+") ? java.nio.file.Path.of(args[0]) : null;
    int count = args.length > 0 && file == null ? Integer.parseInt(args[0]) : 256;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    // batches as the batcher forms them: at most max-batch-size texts and max-batch-tokens
    EmbeddingSettings.BatcherSettings batcher =
        EmbeddingSettings.fromConfig(com.typesafe.config.ConfigFactory.load()).batcher();
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : batcher.maxBatchSize();
    int batchTokens = batcher.maxBatchTokens();
    int minWords = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    int maxWords = args.length > 4 ? Integer.parseInt(args[4]) : 40;
    if (count < 1 || rounds < 1 || batch < 1 || minWords < 1 || maxWords < minWords) {
      throw new IllegalArgumentException("usage: bench-model [texts>0] [rounds>0] [batch>0] [min-words>0] [max-words>=min]");
    }
    List<String> texts;
    String described;
    if (file != null) {
      try {
        texts = java.nio.file.Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      count = texts.size();
      described = count + " texts from " + file;
    } else {
      texts = sentences(count, minWords, maxWords, new Random(42));
      described = count + " texts of " + minWords + "-" + maxWords + " words";
    }
    int cores = Runtime.getRuntime().availableProcessors();
    MiniLmEmbedder ragmill = new MiniLmEmbedder();
    // batch 1 and the ceiling on sessions of their own: sharing one with the batch left the batch
    // 4-7% slower on chunk-length texts than the same code on another session in the same rounds
    MiniLmEmbedder single = new MiniLmEmbedder();
    MiniLmEmbedder packed = new MiniLmEmbedder();
    MiniLmEmbedder serial = new MiniLmEmbedder(cores, false, 1);
    MiniLmEmbedder approximate = new MiniLmEmbedder(1, false, cores, true);
    MiniLmEmbedder uncapped = new MiniLmEmbedder(1, false, cores, false, Long.MAX_VALUE);
    AllMiniLmL6V2QuantizedEmbeddingModel langchain4j = new AllMiniLmL6V2QuantizedEmbeddingModel(Runnable::run);
    int[] tokens = ragmill.tokenCounts(texts);
    int packedLength = (int) Math.ceil(Arrays.stream(tokens).average().orElse(1));
    // 16 texts a run, or fewer where the planner would cut smaller runs (MAX_RUN_ATTENTION)
    int packedRows = MiniLmEmbedder.runRows(packedLength, 16, MiniLmEmbedder.MAX_RUN_ATTENTION);
    int packedRuns = (count + packedRows - 1) / packedRows;
    List<Consumer<List<String>>> runs =
        List.of(
            list -> list.forEach(t -> single.embed(List.of(t))),
            inBatches(ragmill, batch, batchTokens),
            inBatches(serial, batch, batchTokens),
            list -> list.forEach(langchain4j::embed),
            list -> packed.packedRuns(packedRuns, packedRows, packedLength),
            inBatches(approximate, batch, batchTokens),
            inBatches(uncapped, batch, batchTokens));
    // warm-up: JIT and ONNX Runtime's first-run allocations
    List<String> warmUp = texts.subList(0, Math.min(64, count));
    runs.forEach(run -> run.accept(warmUp));
    double[][] rates = new double[runs.size()][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int v = 0; v < runs.size(); v++) {
        rates[v][r] = rate(runs.get(v), texts);
      }
    }
    double b1 = median(rates[0]);
    double bn = median(rates[1]);
    double serialRate = median(rates[2]);
    double lc = median(rates[3]);
    double ceiling = median(rates[4]);
    double approx = median(rates[5]);
    double uncappedRate = median(rates[6]);
    double[] perRound = ratios(rates[1], rates[3]);
    System.out.printf(
        Locale.ROOT,
        "model %s, %s (%.1f tokens on average), %d rounds, %d cores (%s); batches as the batcher's:"
            + " at most %d texts and %d estimated tokens, %.1f texts on average%n"
            + "ragmill batch 1:        %8.1f sentences/s (median)%n"
            + "ragmill batch %-3d:      %8.1f sentences/s (median)  %.2fx batch 1, %.2fx serial runs%n"
            + "serial runs, %d threads: %8.1f sentences/s (median)  (batch %d, runs one after another on %d intra-op threads)%n"
            + "langchain4j per text:   %8.1f sentences/s (median)  ragmill batch %d = %.2fx langchain4j"
            + " (per round: median %.2fx, %.2f-%.2f)%n"
            + "model ceiling:          %8.1f sentences/s (median)  runs of %d x %d tokens side by side, no padding,"
            + " tokenizing or pooling: ragmill batch %d = %.2f of it, langchain4j = %.2f%n"
            + "approximate GELU:       %8.1f sentences/s (median)  batch %d with ONNX Runtime's GELU approximation"
            + " = %.2fx langchain4j (per round: median %.2fx)%n"
            + "no attention cap:       %8.1f sentences/s (median)  batch %d with runs of up to 32 texts whatever their"
            + " length: ragmill batch %d = %.2fx it (per round: median %.2fx)%n",
        MiniLmEmbedder.MODEL_ID, described, Arrays.stream(tokens).average().orElse(0), rounds, cores, cpuFeatures(), batch,
        batchTokens, (double) count / batches(texts, batch, batchTokens).size(), b1, batch, bn,
        bn / b1, bn / serialRate, cores, serialRate, batch, cores, lc, batch, bn / lc,
        median(perRound), Arrays.stream(perRound).min().orElse(0), Arrays.stream(perRound).max().orElse(0),
        ceiling, packedRows, packedLength, batch, bn / ceiling, lc / ceiling,
        approx, batch, approx / lc, median(ratios(rates[5], rates[3])),
        uncappedRate, batch, batch, bn / uncappedRate, median(ratios(rates[1], rates[6])));
    ragmill.close();
    single.close();
    packed.close();
    uncapped.close();
    serial.close();
    approximate.close();
  }

  /** Consecutive batches of at most {@code batch} texts and {@code maxTokens} estimated tokens. */
  static Consumer<List<String>> inBatches(MiniLmEmbedder embedder, int batch, int maxTokens) {
    return list -> batches(list, batch, maxTokens).forEach(embedder::embed);
  }

  /** The batcher's rule ({@link EmbeddingBatcher}): a batch closes at {@code batch} texts, or before a text that would take it past {@code maxTokens}. */
  static List<List<String>> batches(List<String> texts, int batch, int maxTokens) {
    List<List<String>> out = new ArrayList<>();
    int from = 0;
    int tokens = 0;
    for (int i = 0; i < texts.size(); i++) {
      int t = EmbeddingBatcher.estimateTokens(texts.get(i));
      if (i > from && (i - from >= batch || tokens + t > maxTokens)) {
        out.add(texts.subList(from, i));
        from = i;
        tokens = 0;
      }
      tokens += t;
    }
    if (from < texts.size()) {
      out.add(texts.subList(from, texts.size()));
    }
    return out;
  }

  /** Per-round ratios: rounds next to each other share the machine's state. */
  private static double[] ratios(double[] a, double[] b) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] / b[i];
    }
    return out;
  }

  private static double rate(Consumer<List<String>> run, List<String> texts) {
    long start = System.nanoTime();
    run.accept(texts);
    return texts.size() / ((System.nanoTime() - start) / 1e9);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Sentences of {@code minWords} to {@code maxWords} words from a fixed vocabulary. */
  static List<String> sentences(int count, int minWords, int maxWords, Random random) {
    String[] words =
        ("the a cache shard cluster node query answer embedding vector index batch model latency throughput replica "
                + "journal document chunk search ranking token tenant session failover partition memory disk network "
                + "request response error retry timeout budget policy eviction generation invalidation rebalance")
            .split(" ");
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int n = minWords + random.nextInt(maxWords - minWords + 1);
      StringBuilder s = new StringBuilder();
      for (int w = 0; w < n; w++) {
        s.append(w == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
      }
      out.add(s.append('.').toString());
    }
    return out;
  }

  /**
   * The instruction sets that pick ONNX Runtime's int8 kernels, from Linux's /proc/cpuinfo: with
   * AVX-512 VNNI the model runs about 4x faster than with AVX2 alone, and langchain4j's share of the
   * ceiling changes with it (docs/BENCHMARKS.md, The model).
   */
  static String cpuFeatures() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      Set<String> flags =
          lines.filter(l -> l.startsWith("flags"))
              .findFirst()
              .map(l -> Set.copyOf(Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))))
              .orElse(Set.of());
      List<String> named = Stream.of("avx2", "avx512f", "avx512_vnni", "avx_vnni").filter(flags::contains).toList();
      return named.isEmpty() ? "no AVX2" : String.join("+", named);
    } catch (IOException | RuntimeException e) {
      return "instruction sets unknown";
    }
  }
}
