package io.ragmill.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;

/**
 * The load generator's command line: ingests a synthetic corpus (or a folder of files), or runs a
 * query scenario, queries during concurrent ingestion, or the baseline, closed- or open-loop, then
 * prints a summary and optionally writes JSON and Markdown.
 */
public final class LoadTest {
  private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Questions derived per file of a folder corpus. */
  private static final int QUESTIONS_PER_FILE = 3;

  private final Options options;
  private CorpusGenerator.Corpus corpus;
  /** --answers: every answer of the open-loop runs, one JSON line each; null without it. */
  private AnswerLog answers;

  private LoadTest(Options options) {
    this.options = options;
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command and returns its exit status (0 ok, 1 failed, 2 bad arguments); never exits. */
  static int execute(String... args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("loadtest: " + e.getMessage());
      System.err.println();
      System.err.print(Options.USAGE);
      return 2;
    }
    if (options.command().equals("help")) {
      System.out.print(Options.USAGE);
      return 0;
    }
    try {
      return new LoadTest(options).run();
    } catch (Exception e) {
      System.err.println("loadtest: " + (e.getMessage() != null ? e.getMessage() : e));
      return 1;
    }
  }

  private int run() throws Exception {
    // the JDK client needs no actor system; the Pekko client and the baseline server do
    boolean pekko =
        options.client().equals("pekko") || options.command().equals("baseline") || options.command().equals("baseline-server");
    ActorSystem system = pekko ? actorSystem(options) : null;
    if (options.answers() != null) {
      answers = new AnswerLog(java.nio.file.Path.of(options.answers()));
    }
    try {
      return switch (options.command()) {
        case "ingest" -> ingest(system);
        case "baseline" -> baseline(system);
        case "baseline-server" -> baselineServer(system);
        case "questions" -> questions();
        case "ingest-query" -> ingestQuery(system);
        default -> query(system);
      };
    } finally {
      if (answers != null) {
        answers.close();
      }
      if (system != null) {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * An actor system whose host connection pool fits the run: {@code max-connections} is the
   * concurrency and {@code max-open-requests} a power of two at least as large as all requests in flight.
   */
  static ActorSystem actorSystem(Options options) {
    int inFlight = options.openLoop() || !options.sweep().isEmpty() ? Math.max(options.concurrency(), options.maxInFlight()) : options.concurrency();
    Config pool = ConfigFactory.parseString(
        "pekko.http.host-connection-pool.max-connections = " + options.concurrency() + "\n"
            + "pekko.http.host-connection-pool.max-open-requests = " + powerOfTwoAtLeast(Math.max(32, inFlight)));
    Config config = pool.withFallback(ConfigFactory.parseResources("loadtest.conf")).withFallback(ConfigFactory.load());
    return ActorSystem.create("loadtest", config);
  }

  static int powerOfTwoAtLeast(int n) {
    int p = Integer.highestOneBit(n);
    return p == n ? n : p << 1;
  }

  private HttpTarget target(ActorSystem system, String url) {
    return target(system, url, options.concurrency());
  }

  /** One node's target, or a round robin over the nodes of a comma-separated {@code url}. */
  private HttpTarget target(ActorSystem system, String url, int connections) {
    List<String> urls = Options.urls(url);
    if (urls.size() > 1) {
      List<HttpTarget> nodes = new java.util.ArrayList<>();
      for (String one : urls) {
        nodes.add(node(system, one, connections));
      }
      return new RoundRobinTarget(nodes);
    }
    return node(system, url, connections);
  }

  private HttpTarget node(ActorSystem system, String url, int connections) {
    return switch (options.client()) {
      case "pekko" -> new PekkoHttpTarget(system, url);
      case "jdk" -> new JdkHttpTarget(url, connections, Runtime.getRuntime().availableProcessors());
      default -> new SocketHttpTarget(url, connections);
    };
  }

  /**
   * The corpus of this run, built once: the synthetic one from --documents and --seed, or the files
   * of --corpus with questions derived from them.
   */
  private CorpusGenerator.Corpus corpus() throws IOException {
    if (corpus == null) {
      if (options.corpus() == null) {
        corpus = CorpusGenerator.generate(options.seed(), options.documents());
      } else {
        FolderCorpus.Loaded loaded = FolderCorpus.load(java.nio.file.Path.of(options.corpus()));
        System.err.println("loadtest: " + loaded.summary());
        if (loaded.documents().isEmpty()) {
          throw new IllegalStateException("--corpus " + options.corpus() + " holds no non-empty .txt, .md or .html file");
        }
        corpus = new CorpusGenerator.Corpus(
            loaded.documents(), QuestionDeriver.derive(loaded.documents(), QUESTIONS_PER_FILE));
      }
    }
    return corpus;
  }

  /** The corpus's questions; a folder corpus may have none a question could be derived from. */
  private List<CorpusGenerator.Question> questionSet() throws IOException {
    List<CorpusGenerator.Question> all = corpus().questions();
    if (all.isEmpty()) {
      throw new IllegalStateException("no question could be derived from --corpus " + options.corpus()
          + ": no file has a sentence of 6-60 words holding a word found in no other file");
    }
    return all;
  }

  private int ingest(ActorSystem system) throws Exception {
    try (HttpTarget target = target(system, options.url())) {
      awaitReady(target);
      Ingester.Result result = ingestCorpus(target);
      System.out.println(result.summary());
      writeJson(result);
      return 0;
    }
  }

  private Ingester.Result ingestCorpus(HttpTarget target) throws InterruptedException, IOException {
    return new Ingester(target, options.collection())
        .ingest(corpus().documents(), options.batch(), options.parallel(), options.url());
  }

  private int query(ActorSystem system) throws Exception {
    try (HttpTarget target = target(system, options.url())) {
      awaitReady(target);
      ensureCollection(target);
      if (options.verify() && options.k() >= corpus().documents().size()) {
        System.err.printf("loadtest: --k %d covers all %d documents of the corpus, so every answer cites the right one:"
            + " recall says nothing here%n", options.k(), corpus().documents().size());
      }
      return measure(target, workload(options.command(), questionSet(), Workloads.runTag()), options.url());
    }
  }

  /** The query load of a scenario (session, cached, mixed or uncached) over the questions {@code all}. */
  private Workload workload(String scenario, List<CorpusGenerator.Question> all, String runTag) {
    if (scenario.equals("session")) {
      return Workloads.session(options.collection(), CorpusGenerator.spread(all, options.questions()),
          QuestionSampler.zipf(Math.min(options.questions(), all.size()), options.zipfExponent()), options.sessions(),
          options.turns(), runTag, options.k());
    }
    if (scenario.equals("cached") || scenario.equals("mixed")) {
      List<CorpusGenerator.Question> fixed = CorpusGenerator.spread(all, options.questions());
      QuestionSampler sampler = options.distribution().equals("zipf") || scenario.equals("mixed")
          ? QuestionSampler.zipf(fixed.size(), options.zipfExponent())
          : QuestionSampler.uniform(fixed.size());
      return scenario.equals("cached")
          ? Workloads.cached(options.collection(), fixed, sampler, options.k())
          : Workloads.mixed(options.collection(), fixed, sampler, options.paraphraseShare(), options.k());
    }
    return Workloads.uncached(options.collection(), all, runTag, options.k());
  }

  /**
   * Queries while ingestion runs: first the query load alone (unless --no-alone), then the same load
   * again while {@link ContinuousIngester} ingests fresh documents into --ingest-collection on its
   * own connections from the start of the warm-up to the end of the measured window. Mixed queries
   * give each phase its own half of the question set: otherwise the second phase would find the
   * first phase's answers cached and look faster than it is. Uncached queries use a nonce of their
   * own per phase; cached ones are primed, so both phases are all hits.
   */
  private int ingestQuery(ActorSystem system) throws Exception {
    try (HttpTarget target = target(system, options.url());
        HttpTarget ingestTarget = target(system, options.url(), options.parallel() + 1)) {
      awaitReady(target);
      ensureCollection(target);
      String kind = options.queries();
      List<CorpusGenerator.Question> pool = CorpusGenerator.spread(questionSet(), options.questions());
      List<CorpusGenerator.Question> withPool = pool;
      List<CorpusGenerator.Question> alonePool = pool;
      if (kind.equals("mixed") && options.alone() && pool.size() >= 2) {
        alonePool = everyOther(pool, 0);
        withPool = everyOther(pool, 1);
      }
      String tag = Workloads.runTag();
      Double rate = options.openLoop() ? options.rate() : null;
      Report alone = null;
      if (options.alone()) {
        Workload workload = workload(kind, alonePool, tag + "a");
        prime(target, workload);
        alone = runOnce(target, workload, options.url(), rate, "ingest-query/alone");
        System.out.println("queries alone:          " + alone.summary());
      }
      Workload workload = workload(kind, withPool, tag + "b");
      prime(target, workload);
      ContinuousIngester ingester = new ContinuousIngester(
          ingestTarget, options.ingestCollection(), options.batch(), options.parallel(), options.seed(), tag);
      if (!options.control()) {
        ingester.start();
      }
      Report with;
      ContinuousIngester.Result ingestion;
      try {
        with = runOnce(target, workload, options.url(), rate, "ingest-query/with-ingestion");
      } finally {
        ingestion = ingester.stop(DRAIN_NANOS);
      }
      IngestQueryReport report = IngestQueryReport.of(kind, options.collection(), alone, with, ingestion);
      System.out.println("queries with ingestion: " + with.summary());
      System.out.println(ingestion.summary());
      if (report.impactLine() != null) {
        System.out.println(report.impactLine());
      }
      writeJson(report);
      if (options.report() != null) {
        ReportFiles.writeIngestQuery(java.nio.file.Path.of(options.report()), report);
      }
      return report.anyWork() ? 0 : 1;
    }
  }

  private static <T> List<T> everyOther(List<T> items, int from) {
    List<T> out = new java.util.ArrayList<>();
    for (int i = from; i < items.size(); i += 2) {
      out.add(items.get(i));
    }
    return List.copyOf(out);
  }

  /** The texts the uncached scenario sends, so the model can be measured alone on the same texts. */
  private int questions() throws java.io.IOException {
    List<CorpusGenerator.Question> all = questionSet();
    String tag = Workloads.runTag();
    List<String> lines = new java.util.ArrayList<>(options.questions());
    for (int i = 0; i < options.questions(); i++) {
      lines.add(Workloads.uncachedText(all.get(i % all.size()), tag, i));
    }
    java.nio.file.Files.write(java.nio.file.Path.of(options.out()), lines);
    System.out.println("wrote " + lines.size() + " questions to " + options.out());
    return 0;
  }

  private int baselineServer(ActorSystem system) throws Exception {
    try (BaselineServer server = BaselineServer.start(system, options.port())) {
      System.out.println("baseline server on " + server.url() + BaselineServer.PATH + " (stop with Ctrl-C)");
      Thread.currentThread().join();
      return 0;
    }
  }

  private int baseline(ActorSystem system) throws Exception {
    if (options.external()) {
      try (HttpTarget target = target(system, options.url())) {
        return measure(target, Workloads.baseline(BaselineServer.PATH), options.url());
      }
    }
    try (BaselineServer server = BaselineServer.start(system);
        HttpTarget target = target(system, server.url())) {
      return measure(target, Workloads.baseline(BaselineServer.PATH), server.url());
    }
  }

  private int measure(HttpTarget target, Workload workload, String url) throws Exception {
    prime(target, workload);
    if (!options.sweep().isEmpty()) {
      return sweep(target, workload, url);
    }
    Report report = runOnce(target, workload, url, options.openLoop() ? options.rate() : null, options.command());
    System.out.println(report.summary());
    writeJson(report);
    if (options.report() != null) {
      ReportFiles.writeRun(java.nio.file.Path.of(options.report()), report);
    }
    // a run is a failure only when nothing at all was answered well; errors are in the report
    boolean anyAnswered = report.statusCounts().entrySet().stream()
        .anyMatch(e -> e.getKey().startsWith("2") && e.getValue() > 0);
    return anyAnswered ? 0 : 1;
  }

  /**
   * Open loop at each rate of --sweep, lowest first; stops once two rates in a row are saturated.
   * Each step goes on with the request sequence where the last one stopped, so the uncached
   * scenario's questions stay distinct across steps.
   */
  private int sweep(HttpTarget target, Workload workload, String url) throws Exception {
    List<Report> steps = new java.util.ArrayList<>();
    int saturated = 0;
    long first = 0;
    for (double rate : options.sweep()) {
      long offset = first;
      Workload stepLoad = sequence -> workload.call(offset + sequence);
      // the schedule's length bounds the sequence numbers a step can use
      first += (long) Math.ceil(rate * (options.warmup().toNanos() + options.duration().toNanos()) / 1e9) + 1;
      Report step = runOnce(target, stepLoad, url, rate, options.command());
      System.out.println(step.summary());
      steps.add(step);
      saturated = Sweep.saturated(step) ? saturated + 1 : 0;
      if (saturated == 2) {
        break;
      }
    }
    Sweep result = Sweep.of(options.command(), steps, options.p99Bound());
    System.out.println(result.summary());
    writeJson(result);
    if (options.report() != null) {
      ReportFiles.writeSweep(java.nio.file.Path.of(options.report()), result);
      System.out.println("report in " + options.report());
    }
    return 0;
  }

  private void prime(HttpTarget target, Workload workload) throws InterruptedException {
    if (!workload.primers().isEmpty()) {
      int ok = Primer.prime(target, workload.primers(), options.concurrency());
      if (ok < workload.primers().size()) {
        System.err.printf("loadtest: %d of %d priming requests failed%n", workload.primers().size() - ok,
            workload.primers().size());
      }
    }
  }

  /** One measured run: open loop at {@code rate}, or closed loop when it is null. */
  private Report runOnce(HttpTarget target, Workload workload, String url, Double rate, String scenario)
      throws Exception {
    Stats stats = new Stats(options.verify());
    if (answers != null) {
      answers.phase(scenario);
    }
    long warmup = options.warmup().toNanos();
    long duration = options.duration().toNanos();
    RunResult run;
    Double cpu;
    try (CpuMeter meter = new CpuMeter(warmup, warmup + duration)) {
      if (rate != null) {
        OpenLoop loop = new OpenLoop(Clock.system(), target, workload, stats).logAnswers(answers);
        try (Progress progress = Progress.start(scenario, warmup, duration, stats, loop::outstanding)) {
          run = loop.run(rate, options.maxInFlight(), warmup, duration, DRAIN_NANOS);
        }
      } else {
        ClosedLoop loop = new ClosedLoop(Clock.system(), target, workload, stats);
        try (Progress progress = Progress.start(scenario, warmup, duration, stats, loop::outstanding)) {
          run = loop.run(options.concurrency(), warmup, duration, DRAIN_NANOS);
        }
      }
      cpu = meter.cores();
    }
    if (answers != null && rate != null) {
      System.out.println(answers.summary());
    }
    Report.Setup setup = new Report.Setup(scenario, rate != null ? "open" : "closed", url,
        target.name(), options.concurrency(), rate, options.warmup().toMillis() / 1000.0);
    return Report.of(
        setup, run, stats.takeHistogram(), stats.counts(), cpu, stats.takeAnsweredHistogram(), stats.takeRefusedHistogram());
  }

  /** Every node ready: as many 200s in a row as there are nodes (a round robin asks each in turn). */
  private void awaitReady(HttpTarget target) throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    int nodes = target instanceof RoundRobinTarget r ? r.size() : 1;
    int readyInARow = 0;
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpTarget.Reply reply = target.get("/health/ready").toCompletableFuture().get(5, TimeUnit.SECONDS);
        readyInARow = reply.status() == 200 ? readyInARow + 1 : 0;
        if (readyInARow >= nodes) {
          return;
        }
        if (reply.status() == 200) {
          continue;
        }
        last = "HTTP " + reply.status() + " " + reply.body();
      } catch (Exception e) {
        last = String.valueOf(e.getCause() != null ? e.getCause() : e);
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        options.url() + "/health/ready did not answer 200 within " + READY_TIMEOUT.toSeconds() + "s: " + last);
  }

  /** Ingests the corpus first when the collection does not exist, unless --no-ingest. */
  private void ensureCollection(HttpTarget target) throws InterruptedException, IOException {
    HttpTarget.Reply reply = Ingester.await(target.get("/v1/collections/" + options.collection()));
    if (reply.status() == 200) {
      return;
    }
    if (reply.status() != 404 || !options.ingest()) {
      throw new IllegalStateException("collection '" + options.collection() + "' is not there (HTTP "
          + reply.status() + "); run the ingest command with the same --documents and --seed (or --corpus) first");
    }
    System.err.println("loadtest: collection '" + options.collection() + "' is missing; ingesting first");
    System.err.println(ingestCorpus(target).summary());
  }

  private void writeJson(Object report) throws IOException {
    if (options.json() != null) {
      JSON.writeValue(new File(options.json()), report);
    }
  }
}
