package io.ragmill.index;

import io.ragmill.embedding.Vector;
import io.ragmill.index.IndexSettings.Quantization;
import io.ragmill.index.IndexSettings.SearchSettings;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Vector search speed and recall on one shard-sized matrix, every method in the same run on the
 * same data: exact float32 scalar vs SIMD (the before/after of the Vector API), exact int8 with
 * re-scoring, and HNSW at several {@code ef}; each single-threaded and with 2 threads, recall@10
 * against the exact answer. {@code bin/ragmill bench-index [vectors] [queries] [ef,ef,...] [float,int8]}; the
 * data are {@link SyntheticVectors} (seeded, 384 dimensions), the queries fresh draws from the
 * same distribution. Exact scans time a sample of the queries (they are slow at 1M); recall of
 * all methods is against the exact SIMD answer for the queries each ran. HNSW is built and walked
 * on float32, or on the int8 codes with the {@code ef} candidates re-scored on float32. Besides
 * wall-clock QPS it prints queries per CPU-second of the searching thread, which holds up better
 * than wall-clock time when other processes compete for the cores.
 */
public final class IndexBenchmark {
  private static final int DIMENSION = 384;
  private static final int K = 10;
  private static final List<Map<String, String>> GROUPS =
      List.of(Map.of("group", "a"), Map.of("group", "b"), Map.of("group", "c"), Map.of("group", "d"));

  private IndexBenchmark() {}

  public static void main(String[] args) throws InterruptedException {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int queryCount = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    int[] efs =
        args.length > 2
            ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
            : new int[] {16, 32, 64, 128};
    List<String> graphs = List.of((args.length > 3 ? args[3] : "float,int8").split(","));
    if (n < K || queryCount < 1 || !List.of("float", "int8").containsAll(graphs)) {
      throw new IllegalArgumentException(
          "usage: bench-index [vectors>=10] [queries>0] [ef,ef,...] [float,int8 (graphs to build)]");
    }
    double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    int cores = Runtime.getRuntime().availableProcessors();
    int threads = 2;
    out(
        "bench-index: %,d vectors x %d dims, %,d queries, k=%d; %s %s, %d cores, max heap %,d MiB, dot products %s",
        n, DIMENSION, queryCount, K, System.getProperty("java.vm.name"), System.getProperty("java.version"),
        cores, Runtime.getRuntime().maxMemory() >> 20, VectorOps.best().name());
    if (!VectorOps.simdAvailable()) {
      out("  (no jdk.incubator.vector module: run with --add-modules jdk.incubator.vector for SIMD)");
    }

    long heapBefore = usedHeapAfterGc();
    long t0 = System.nanoTime();
    SyntheticVectors generator = SyntheticVectors.forSize(n, DIMENSION, 42);
    float[] data = generator.next(n);
    float[][] queries = new float[queryCount][];
    for (int i = 0; i < queryCount; i++) {
      queries[i] = new float[DIMENSION];
      generator.next(queries[i], 0);
    }
    out("generated in %.1f s", seconds(t0));

    SearchSettings settings =
        new SearchSettings(true, Quantization.NONE, 4, 1, 16, 100, 100, Math.max(1, cores), 0.05);
    t0 = System.nanoTime();
    VectorMatrix matrix = new VectorMatrix(settings);
    matrix.reserve(n, DIMENSION);
    for (int i = 0; i < n; i++) {
      float[] v = Arrays.copyOfRange(data, i * DIMENSION, (i + 1) * DIMENSION);
      matrix.upsert("d" + i, List.of(new IndexedChunk(0, "", GROUPS.get(i % GROUPS.size()), new Vector(v))));
    }
    double loadSeconds = seconds(t0);
    data = null;
    long matrixHeap = usedHeapAfterGc() - heapBefore;
    out("loaded in %.1f s; heap per vector: %,d B (float32 row 1,536 B + document id, chunk record, map entry;"
        + " includes the %,d queries)", loadSeconds, matrixHeap / n, queryCount);

    long beforeCodes = matrix.searchHeapBytes();
    t0 = System.nanoTime();
    matrix.ensureCodes();
    double codesSeconds = seconds(t0);
    long codesBytes = matrix.searchHeapBytes() - beforeCodes;
    out("int8 codes built in %.1f s, %,d B per vector", codesSeconds, codesBytes / n);

    // The reference answer for every query, on both cores.
    t0 = System.nanoTime();
    List<Set<String>> truth = new ArrayList<>();
    for (List<ChunkHit> hits : runAll(queries, queryCount, threads,
        q -> matrix.searchExact(q, K, MetadataFilter.NONE, VectorOps.best()), new AtomicLong())) {
      truth.add(ids(hits));
    }
    out("exact answers for %,d queries in %.1f s", queryCount, seconds(t0));

    int sample = (int) Math.min(queryCount, Math.max(50, Math.min(500, 20_000_000L / n)));
    out("");
    out("| method | queries | QPS, 1 thread | QPS, %d threads | queries per CPU-second, 1 thread | recall@10 |",
        threads);
    out("|---|---|---|---|---|---|");
    measure("exact float32, scalar", queries, sample, threads, truth,
        q -> matrix.searchExact(q, K, MetadataFilter.NONE, VectorOps.scalar()));
    if (VectorOps.simdAvailable()) {
      measure("exact float32, " + VectorOps.best().name(), queries, sample, threads, truth,
          q -> matrix.searchExact(q, K, MetadataFilter.NONE, VectorOps.best()));
    }
    measure("exact int8 + float32 re-score of 4k", queries, sample, threads, truth,
        q -> matrix.searchInt8(q, K, MetadataFilter.NONE, 4));
    List<String> builds = new ArrayList<>();
    for (String kind : graphs) {
      boolean onCodes = kind.equals("int8");
      matrix.dropGraph();
      usedHeapAfterGc();
      long beforeGraph = matrix.searchHeapBytes();
      t0 = System.nanoTime();
      matrix.ensureGraph(onCodes);
      double graphSeconds = seconds(t0);
      long graphBytes = matrix.searchHeapBytes() - beforeGraph;
      builds.add(String.format(Locale.ROOT, "HNSW on %s %.1f s, graph %,d B/vector", kind, graphSeconds, graphBytes / n));
      for (int ef : efs) {
        String name = "HNSW on " + kind + ", ef=" + ef + (onCodes ? " + float32 re-score" : "");
        measure(name, queries, queryCount, threads, truth, q -> matrix.searchGraph(q, K, MetadataFilter.NONE, ef));
        if (onCodes) {
          // the same walk without touching each node's neighbours first: prefetching's before
          measure(name + ", no prefetch", queries, queryCount, threads, truth,
              q -> matrix.searchGraph(q, K, MetadataFilter.NONE, ef, false));
        }
      }
    }
    out("");
    out("build (M=%d, beam width %d, %d threads): int8 codes %.1f s (%,d B/vector); %s; float32 rows 1,536 B/vector",
        settings.hnswM(), settings.hnswBeamWidth(), settings.hnswBuildThreads(), codesSeconds, codesBytes / n,
        String.join("; ", builds));
    out("system load average: %.1f at start, %.1f at end (other processes share these cores)",
        loadAtStart, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static void measure(
      String name, float[][] queries, int count, int threads, List<Set<String>> truth,
      Function<float[], List<ChunkHit>> search) throws InterruptedException {
    // warm-up: JIT the path before it is timed, at least a second and 50 queries
    long warm = System.nanoTime();
    do {
      runAll(queries, Math.min(count, 50), 1, search, new AtomicLong());
    } while (System.nanoTime() - warm < 1_000_000_000L);
    AtomicLong cpu = new AtomicLong();
    long t0 = System.nanoTime();
    List<List<ChunkHit>> results = runAll(queries, count, 1, search, cpu);
    double single = count / seconds(t0);
    double perCpuSecond = count / (cpu.get() / 1e9);
    t0 = System.nanoTime();
    runAll(queries, count, threads, search, new AtomicLong());
    double multi = count / seconds(t0);
    double found = 0;
    for (int i = 0; i < count; i++) {
      Set<String> expected = truth.get(i);
      for (ChunkHit hit : results.get(i)) {
        if (expected.contains(hit.documentId())) {
          found++;
        }
      }
    }
    out("| %s | %,d | %,.0f | %,.0f | %,.0f | %.3f |",
        name, count, single, multi, perCpuSecond, found / (count * (double) K));
  }

  /**
   * The first {@code count} queries on {@code threads} threads, taking the next query as each
   * finishes; adds the workers' CPU time to {@code cpuNanos}.
   */
  private static List<List<ChunkHit>> runAll(
      float[][] queries, int count, int threads, Function<float[], List<ChunkHit>> search, AtomicLong cpuNanos)
      throws InterruptedException {
    @SuppressWarnings("unchecked")
    List<ChunkHit>[] results = new List[count];
    AtomicInteger next = new AtomicInteger();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Runnable worker = () -> {
      long start = mx.getCurrentThreadCpuTime();
      for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
        results[i] = search.apply(queries[i]);
      }
      cpuNanos.addAndGet(mx.getCurrentThreadCpuTime() - start);
    };
    if (threads == 1) {
      worker.run();
    } else {
      Thread[] pool = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        pool[t] = new Thread(worker, "bench-" + t);
        pool[t].start();
      }
      for (Thread t : pool) {
        t.join();
      }
    }
    return Arrays.asList(results);
  }

  private static Set<String> ids(List<ChunkHit> hits) {
    Set<String> out = new HashSet<>();
    hits.forEach(h -> out.add(h.documentId()));
    return out;
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  @SuppressWarnings("java:S106") // a command-line benchmark: its output is the point
  private static void out(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
  }
}
