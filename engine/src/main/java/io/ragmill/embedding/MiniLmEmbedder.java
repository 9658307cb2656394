package io.ragmill.embedding;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The quantized all-MiniLM-L6-v2 model (384 dimensions) run in-process by ONNX Runtime. The model
 * file and tokenizer ship inside the langchain4j artifact, so nothing is downloaded. Loading takes
 * about a second; construct it off the startup path.
 */
public final class MiniLmEmbedder implements Embedder {
  public static final String MODEL_ID = "all-minilm-l6-v2-q";

  private final AllMiniLmL6V2QuantizedEmbeddingModel model;

  public MiniLmEmbedder() {
    // The caller's thread runs the texts one after another: the batcher owns concurrency.
    this.model = new AllMiniLmL6V2QuantizedEmbeddingModel(Runnable::run);
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
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (String text : texts) {
      segments.add(TextSegment.from(text.isBlank() ? " " : text));
    }
    List<Embedding> embeddings = model.embedAll(segments).content();
    List<Vector> out = new ArrayList<>(embeddings.size());
    for (Embedding e : embeddings) {
      out.add(Vector.normalized(e.vector()));
    }
    return out;
  }
}
