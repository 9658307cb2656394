package io.ragmill.testing;

import io.ragmill.embedding.Embedder;
import io.ragmill.embedding.HashingEmbedder;
import io.ragmill.embedding.Vector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real hashing embedder, with a record of every batch it was given and an optional gate that
 * holds each batch until a test releases it, so tests can see how requests were batched.
 */
public final class RecordingEmbedder implements Embedder {
  private final HashingEmbedder delegate = new HashingEmbedder(64);
  private final List<List<String>> batches = new CopyOnWriteArrayList<>();
  private final AtomicInteger texts = new AtomicInteger();
  private final Semaphore gate;

  private RecordingEmbedder(Semaphore gate) {
    this.gate = gate;
  }

  public static RecordingEmbedder open() {
    return new RecordingEmbedder(null);
  }

  /** Each batch waits for one {@link #release} before it runs. */
  public static RecordingEmbedder gated() {
    return new RecordingEmbedder(new Semaphore(0));
  }

  public void release(int batches) {
    gate.release(batches);
  }

  /** Takes back released permits no batch has used yet, so the next batches wait again. */
  public void closeGate() {
    gate.drainPermits();
  }

  public List<List<String>> batches() {
    return List.copyOf(batches);
  }

  /** Texts embedded so far (model calls, counted per text). */
  public int texts() {
    return texts.get();
  }

  @Override
  public String modelId() {
    return delegate.modelId();
  }

  @Override
  public int dimension() {
    return delegate.dimension();
  }

  @Override
  public List<Vector> embed(List<String> batch) {
    batches.add(List.copyOf(batch));
    if (gate != null) {
      gate.acquireUninterruptibly();
    }
    texts.addAndGet(batch.size());
    return delegate.embed(batch);
  }
}
