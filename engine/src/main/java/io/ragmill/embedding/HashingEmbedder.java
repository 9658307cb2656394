package io.ragmill.embedding;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Feature hashing of lower-cased word tokens and word bigrams into a fixed dimension, then unit
 * normalisation. Deterministic and instant: for tests and for users without a model. Texts that
 * share words score high; it knows nothing of synonyms.
 */
public final class HashingEmbedder implements Embedder {
  private final int dimension;

  public HashingEmbedder(int dimension) {
    if (dimension <= 0) {
      throw new IllegalArgumentException("ragmill.embedding.hashing.dimension must be > 0, was " + dimension);
    }
    this.dimension = dimension;
  }

  @Override
  public String modelId() {
    return "hashing-" + dimension;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public List<Vector> embed(List<String> texts) {
    List<Vector> out = new ArrayList<>(texts.size());
    for (String text : texts) {
      out.add(embedOne(text));
    }
    return out;
  }

  private Vector embedOne(String text) {
    float[] v = new float[dimension];
    String[] tokens = text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+");
    String previous = null;
    for (String token : tokens) {
      if (token.isEmpty()) {
        continue;
      }
      add(v, token, 1.0f);
      if (previous != null) {
        add(v, previous + " " + token, 0.5f);
      }
      previous = token;
    }
    return Vector.normalized(v);
  }

  private void add(float[] v, String feature, float weight) {
    int h = murmur(feature.getBytes(StandardCharsets.UTF_8));
    int index = Math.floorMod(h, dimension);
    v[index] += (h & 0x40000000) != 0 ? weight : -weight;
  }

  /** 32-bit FNV-1a followed by a murmur finaliser: cheap and well spread. */
  private static int murmur(byte[] bytes) {
    int h = 0x811c9dc5;
    for (byte b : bytes) {
      h ^= b;
      h *= 0x01000193;
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
