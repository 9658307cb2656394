import io.ragmill.embedding.MiniLmEmbedder;
import io.ragmill.embedding.Vector;
import io.ragmill.loadtest.CorpusGenerator;
import java.util.*;

/**
 * How often the quantized MiniLM's batch-dependent vectors change a bench-corpus question's top 5:
 * the corpus of the load tool (1,000 documents, seed 7), its questions embedded alone and in random
 * batches of other questions, exact top 5 over the documents embedded in batches of 32 and alone;
 * also paraphrase-to-question similarities. Prints the counts docs/BENCHMARKS.md quotes.
 *
 * <p>{@code mvn -B -q -DskipTests package && java -cp http/target/ragmill.jar:loadtest/target/ragmill-loadtest.jar
 * scripts/BatchFlip.java [questions] [onnx-threads]} (about a minute on two idle cores).
 */
public class BatchFlip {
  static String normalize(String q) {
    String s = q.trim().replaceAll("\\s+", " ");
    int end = s.length();
    while (end > 0 && "?!.;:, ".indexOf(s.charAt(end - 1)) >= 0) end--;
    return s.substring(0, end).trim().toLowerCase(Locale.ROOT);
  }
  static float dot(float[] a, float[] b) { float s = 0; for (int i = 0; i < a.length; i++) s += a[i] * b[i]; return s; }
  /** rank of target (0-based) among docs by dot product */
  static int rank(float[] q, float[][] docs, int target) {
    float t = dot(q, docs[target]); int r = 0;
    for (int d = 0; d < docs.length; d++) if (d != target && dot(q, docs[d]) > t) r++;
    return r;
  }
  static float margin(float[] q, float[][] docs, int target) { // target score minus 5th best other score (>0: in top5)
    float t = dot(q, docs[target]); float[] s = new float[docs.length - 1]; int i = 0;
    for (int d = 0; d < docs.length; d++) if (d != target) s[i++] = dot(q, docs[d]);
    Arrays.sort(s); return t - s[s.length - 5];
  }
  static Set<Integer> top5(float[] q, float[][] docs) {
    Integer[] idx = new Integer[docs.length]; for (int i = 0; i < idx.length; i++) idx[i] = i;
    float[] sc = new float[docs.length]; for (int i = 0; i < docs.length; i++) sc[i] = dot(q, docs[i]);
    Arrays.sort(idx, (x, y) -> Float.compare(sc[y], sc[x]));
    return new HashSet<>(Arrays.asList(idx).subList(0, 5));
  }
  static float[][] embedAny(io.ragmill.embedding.Embedder m, List<String> texts, int batch) {
    float[][] out = new float[texts.size()][];
    for (int i = 0; i < texts.size(); i += batch) {
      List<Vector> v = m.embed(texts.subList(i, Math.min(texts.size(), i + batch)));
      for (int j = 0; j < v.size(); j++) out[i + j] = v.get(j).values();
    }
    return out;
  }
  static float[][] embed(MiniLmEmbedder m, List<String> texts, int batch) {
    float[][] out = new float[texts.size()][];
    for (int i = 0; i < texts.size(); i += batch) {
      List<Vector> v = m.embed(texts.subList(i, Math.min(texts.size(), i + batch)));
      for (int j = 0; j < v.size(); j++) out[i + j] = v.get(j).values();
    }
    return out;
  }
  public static void main(String[] a) {
    int n = a.length > 0 ? Integer.parseInt(a[0]) : 1000;
    int threads = a.length > 1 ? Integer.parseInt(a[1]) : 1;
    CorpusGenerator.Corpus c = CorpusGenerator.generate(7, 1000);
    List<String> docs = c.documents().stream().map(CorpusGenerator.Document::text).toList();
    MiniLmEmbedder m = new MiniLmEmbedder(threads, false, 1);
    long t0 = System.nanoTime();
    float[][] docsBatched = embed(m, docs, 32);
    float[][] docsAlone = embed(m, docs, 1);
    System.out.printf("docs embedded in %.1fs%n", (System.nanoTime() - t0) / 1e9);
    double minCos = 1, sumCos = 0;
    for (int d = 0; d < docs.size(); d++) { double cs = dot(docsAlone[d], docsBatched[d]); minCos = Math.min(minCos, cs); sumCos += cs; }
    System.out.printf("doc vectors, batch of 32 vs alone: mean cosine %.4f, min %.4f%n", sumCos / docs.size(), minCos);
    List<String> qs = new ArrayList<>();
    for (int i = 0; i < n; i++) qs.add(normalize(c.questions().get(i).text()));
    float[][] alone = embed(m, qs, 1);
    int[] sizes = {2, 4, 8, 16};
    int passes = 2;
    Random rnd = new Random(1);
    List<float[][]> contexts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int b : sizes) for (int p = 0; p < passes; p++) {
      Integer[] order = new Integer[n]; for (int i = 0; i < n; i++) order[i] = i;
      Collections.shuffle(Arrays.asList(order), rnd);
      List<String> shuffled = new ArrayList<>(); for (Integer i : order) shuffled.add(qs.get(i));
      float[][] e = embed(m, shuffled, b);
      float[][] back = new float[n][]; for (int i = 0; i < n; i++) back[order[i]] = e[i];
      contexts.add(back); names.add("batch" + b + "#" + p);
    }
    for (float[][] docVecs : List.of(docsBatched, docsAlone)) {
      String dv = docVecs == docsBatched ? "docs batched" : "docs alone";
      int inAlone = 0, flipping = 0, alwaysIn = 0, neverIn = 0; double cosSum = 0, cosMin = 1; int cosN = 0;
      int[] inPerContext = new int[contexts.size()];
      List<String> flips = new ArrayList<>();
      for (int q = 0; q < n; q++) {
        boolean a0 = rank(alone[q], docVecs, q) < 5;
        if (a0) inAlone++;
        int ins = a0 ? 1 : 0;
        for (int k = 0; k < contexts.size(); k++) {
          float[] v = contexts.get(k)[q];
          double cs = dot(v, alone[q]); cosSum += cs; cosMin = Math.min(cosMin, cs); cosN++;
          boolean in = rank(v, docVecs, q) < 5; if (in) { ins++; inPerContext[k]++; }
        }
        int total = contexts.size() + 1;
        if (ins == total) alwaysIn++; else if (ins == 0) neverIn++; else {
          flipping++;
          if (flips.size() < 12) flips.add(String.format("doc-%06d in top5 %d/%d, margin alone %+.4f", q, ins, total, margin(alone[q], docVecs, q)));
        }
      }
      System.out.printf("%s: %d questions; target in top-5 alone: %d; always %d, never %d, depends on the batch %d%n",
          dv, n, inAlone, alwaysIn, neverIn, flipping);
      System.out.printf("  question vectors in a batch vs alone: mean cosine %.4f, min %.4f; in top-5 per batch context: %s%n",
          cosSum / cosN, cosMin, Arrays.toString(inPerContext));
      flips.forEach(f -> System.out.println("  " + f));
    }
    // per context: questions whose top-5 holds the target in one and not the other, and whose top-5 set changed
    for (int k = 0; k < contexts.size(); k++) {
      int memberFlips = 0, setChanges = 0;
      for (int q = 0; q < n; q++) {
        float[] va = alone[q], vb = contexts.get(k)[q];
        if ((rank(va, docsBatched, q) < 5) != (rank(vb, docsBatched, q) < 5)) memberFlips++;
        if (!top5(va, docsBatched).equals(top5(vb, docsBatched))) setChanges++;
      }
      System.out.printf("  %s vs alone: target in/out of top-5 flipped for %d of %d, top-5 set changed for %d%n", names.get(k), memberFlips, n, setChanges);
    }
    // semantic matching: paraphrases of a question against the question, alone and batched
    double minSim = 1; int below = 0, pairs = 0;
    for (int q = 0; q < Math.min(n, 200); q++) {
      List<String> ps = new ArrayList<>();
      for (int v = 0; v < 6; v++) ps.add(normalize(io.ragmill.loadtest.Workloads.paraphrase(c.questions().get(q).text(), v)));
      float[][] pa = embed(m, ps, 1); float[][] pb = embed(m, ps, 6);
      for (int v = 0; v < 6; v++) for (float[] x : List.of(pa[v], pb[v])) {
        double sim = dot(x, alone[q]); minSim = Math.min(minSim, sim); pairs++; if (sim < 0.90) below++;
      }
    }
    System.out.printf("paraphrase vs question similarity (200 questions x 6 paraphrases, alone and batched): min %.4f, below the 0.90 threshold %d of %d%n", minSim, below, pairs);
    // the hot question of the with-ingestion phase
    int q = 1;
    System.out.printf("doc-000001 question '%s': rank alone (docs batched) %d margin %+.4f; per context ranks:", qs.get(q), rank(alone[q], docsBatched, q), margin(alone[q], docsBatched, q));
    for (float[][] ctx : contexts) System.out.print(" " + rank(ctx[q], docsBatched, q));
    System.out.println();
  }
}
