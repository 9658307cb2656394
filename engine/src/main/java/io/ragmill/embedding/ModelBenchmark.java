package io.ragmill.embedding;

import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The model's own throughput, side by side in one run on the same texts: Ragmill's MiniLM at batch
 * 1 and at the batcher's batch size (runs side by side, one thread each), the same batch with its
 * runs one after another on one intra-op thread per core (the threading before), and langchain4j's wrapper of the
 * same model file (one session run per text). Rounds alternate between the four so machine noise
 * hits them alike; medians are reported. {@code bin/ragmill bench-model [texts|FILE] [rounds] [batch] [min-words] [max-words]}: generated
 * texts, or the lines of FILE (e.g. the load test's uncached questions).
 */
public final class ModelBenchmark {
  private ModelBenchmark() {}

  public static void main(String[] args) {
    java.nio.file.Path file = args.length > 0 && !args[0].matches("\\d+") ? java.nio.file.Path.of(args[0]) : null;
    int count = args.length > 0 && file == null ? Integer.parseInt(args[0]) : 256;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
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
    MiniLmEmbedder serial = new MiniLmEmbedder(cores, false, 1);
    AllMiniLmL6V2QuantizedEmbeddingModel langchain4j = new AllMiniLmL6V2QuantizedEmbeddingModel(Runnable::run);
    Consumer<List<String>> single = list -> list.forEach(t -> ragmill.embed(List.of(t)));
    Consumer<List<String>> batched =
        list -> {
          for (int i = 0; i < list.size(); i += batch) {
            ragmill.embed(list.subList(i, Math.min(list.size(), i + batch)));
          }
        };
    Consumer<List<String>> batchedSerial =
        list -> {
          for (int i = 0; i < list.size(); i += batch) {
            serial.embed(list.subList(i, Math.min(list.size(), i + batch)));
          }
        };
    Consumer<List<String>> reference = list -> list.forEach(langchain4j::embed);
    // warm-up: JIT and ONNX Runtime's first-run allocations
    single.accept(texts.subList(0, Math.min(32, count)));
    batched.accept(texts.subList(0, Math.min(64, count)));
    batchedSerial.accept(texts.subList(0, Math.min(64, count)));
    reference.accept(texts.subList(0, Math.min(32, count)));
    double[][] rates = new double[4][rounds];
    for (int r = 0; r < rounds; r++) {
      rates[0][r] = rate(single, texts);
      rates[1][r] = rate(batched, texts);
      rates[2][r] = rate(batchedSerial, texts);
      rates[3][r] = rate(reference, texts);
    }
    double b1 = median(rates[0]);
    double bn = median(rates[1]);
    double serialRate = median(rates[2]);
    double lc = median(rates[3]);
    System.out.printf(
        Locale.ROOT,
        "model %s, %s, %d rounds, %d cores%n"
            + "ragmill batch 1:        %8.1f sentences/s (median)%n"
            + "ragmill batch %-3d:      %8.1f sentences/s (median)  %.2fx batch 1, %.2fx serial runs%n"
            + "serial runs, %d threads: %8.1f sentences/s (median)  (batch %d, runs one after another on %d intra-op threads)%n"
            + "langchain4j per text:   %8.1f sentences/s (median)  ragmill batch %d = %.2fx langchain4j%n",
        MiniLmEmbedder.MODEL_ID, described, rounds, cores, b1, batch, bn, bn / b1, bn / serialRate,
        cores, serialRate, batch, cores, lc, batch, bn / lc);
    ragmill.close();
    serial.close();
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
}
