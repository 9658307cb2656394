package io.ragmill.loadtest;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The command line: a command, then {@code --name value} options (flags take no value). */
public record Options(
    String command, String url, String collection, int concurrency, Duration duration, Duration warmup,
    double rate, int maxInFlight, int documents, int batch, int parallel, long seed, int questions,
    String distribution, double zipfExponent, int k, String client, String json, boolean verify, boolean ingest,
    boolean external, int port, String out, double paraphraseShare, int sessions, java.util.List<Double> sweep,
    Duration p99Bound, String report, String corpus, String ingestCollection, String queries, boolean alone,
    String answers, boolean control, int turns) {

  static final List<String> COMMANDS = List.of(
      "ingest", "cached", "uncached", "mixed", "session", "ingest-query", "baseline", "baseline-server", "questions", "help");
  private static final Set<String> FLAGS = Set.of("no-verify", "no-ingest", "external", "no-alone", "control");
  private static final Set<String> VALUED = Set.of(
      "url", "collection", "concurrency", "duration", "warmup", "rate", "max-in-flight", "documents", "batch",
      "parallel", "seed", "questions", "distribution", "zipf-exponent", "k", "client", "json", "port", "out",
      "paraphrase-share", "sessions", "sweep", "p99-bound", "report", "corpus", "ingest-collection", "queries", "answers", "turns");

  static final String USAGE = """
      usage: java -jar ragmill-loadtest.jar <command> [options]

      commands:
        ingest     load a synthetic corpus of --documents (or the files of --corpus) into --collection;
                   prints chunks/s
        cached     the same --questions questions over and over: answer-cache hits after warm-up
        uncached   every question distinct (a nonce word): embedding + search + answer every time
        mixed      Zipf over --questions questions; --paraphrase-share of repeats reworded; reports
                   the hit ratio (exact + semantic) against the attainable one (the share of repeats)
        session    session-affine chat: --sessions sessions, each request a turn of one of them; a
                   conversation is a question and --turns - 1 follow-ups resolved against it
        ingest-query  --queries (mixed) on --collection while fresh synthetic documents are ingested
                   into --ingest-collection (batches of --batch, --parallel at a time) for the whole
                   warm-up + duration; first the same queries alone (unless --no-alone), so the
                   report shows query p50/p99 with and without ingestion, and chunks/s ingested
        baseline   a bare Pekko HTTP server answering a fixed JSON object: the stack's limit; in this
                   process, or with --external the one a baseline-server runs at --url
        baseline-server  run that bare server alone on --port until stopped (a separate JVM, like a node)
        questions  write --questions texts of uncached questions to --out, one a line (for bench-model)
        help       this text

      options (defaults in brackets):
        --url URL[,URL...]     the Ragmill node, or several nodes taken in turn per request, as a
                               round-robin load balancer would [http://127.0.0.1:8080]
        --collection NAME      [bench]
        --concurrency N        closed loop: workers; open loop: max connections [32]
        --duration D           measured time, e.g. 20s, 500ms, 2m [20s]
        --warmup D             unmeasured time before it [5s]
        --rate R               open loop at R requests/s, latency from the intended send time [closed loop]
        --max-in-flight N      open loop: due requests beyond N outstanding are dropped (errors) [4096]
        --documents N          corpus size, for ingest and to rebuild the questions [1000]
        --corpus DIR           use the files under DIR (recursively) instead of the synthetic corpus:
                               .txt as text, .md/.markdown as markdown, .html/.htm as html; id = the
                               path relative to DIR; empty files, files over 2,000,000 characters and
                               hidden files/folders are skipped. Query scenarios ask questions derived
                               from the files: a sentence's rarest words, one of them found in no
                               other file ("What does the text say about w1 w2 ...?"), up to 3 per
                               file; verify expects that file. Keyword questions with a word unique
                               to the answer are easy for retrieval: treat recall as an upper bound.
                               Files with no such sentence get no question
        --batch N              documents per ingestion request, at most 1000 [500]
        --parallel N           ingestion requests at a time [1]
        --seed S               corpus seed [42]
        --questions N          cached: size of the question set [100]
        --distribution D       cached: zipf | uniform [zipf]
        --zipf-exponent S      [1.0]
        --paraphrase-share P   mixed: share of repeats sent in other words [0.3]
        --sessions N           session: sessions the requests are spread over; keep it at least the
                               requests in flight, so a turn is answered before the next one [100]
        --turns N              session: turns of a conversation, the first a question, then
                               follow-ups ("And where?") [3]
        --queries Q            ingest-query: the query load, cached | mixed | uncached [mixed]; mixed
                               gives each phase its own half of the --questions so the second phase
                               does not hit answers cached by the first
        --ingest-collection N  ingest-query: where the concurrent ingestion goes [<collection>-ingest]
        --no-alone             ingest-query: skip the phase of queries without ingestion
        --control              ingest-query: run the second phase (its questions) without the ingestion
        --sweep R1,R2,...      open loop at each rate in turn (any query scenario or baseline); finds the
                               highest rate whose p99 stays under --p99-bound with no errors
        --p99-bound D          sweep: the latency bound [50ms]
        --report DIR           also write report.md / report.json (a sweep: sweep.md, sweep.json and
                               sweep.png, latency against rate) into DIR
        --k K                  chunks per query [5]
        --client C             socket (minimal keep-alive HTTP/1.1, cheapest) | jdk (java.net.http)
                               | pekko (Pekko HTTP host connection pool) [socket]
        --json FILE            also write the report as JSON
        --answers FILE         open loop: every answer (warm-up too) as a JSON line: question, cache
                               status and tier, semantic match, cited documents, whether correct
        --no-verify            do not check that answers cite the question's document
        --no-ingest            query scenarios: fail instead of ingesting when the collection is missing
        --external             baseline: measure the baseline-server at --url instead of one in this process
        --port N               baseline-server: the port [8081]
        --out FILE             questions: where to write them
      """;

  /** Parses the arguments; throws {@link IllegalArgumentException} with a message for people. */
  /** The nodes of {@code --url}: one URL, or several separated by commas. */
  static List<String> urls(String url) {
    return java.util.Arrays.stream(url.split(",")).map(String::strip).filter(u -> !u.isEmpty()).toList();
  }

  private static boolean isHttpUrl(String url) {
    try {
      java.net.URI uri = java.net.URI.create(url);
      return uri.getHost() != null && Set.of("http", "https").contains(String.valueOf(uri.getScheme()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public static Options parse(String[] args) {
    if (args.length == 0) {
      return defaults("help", Map.of(), Set.of());
    }
    String command = args[0].toLowerCase(Locale.ROOT);
    if (command.equals("--help") || command.equals("-h")) {
      command = "help";
    }
    if (!COMMANDS.contains(command)) {
      throw new IllegalArgumentException("unknown command '" + args[0] + "'; one of " + COMMANDS);
    }
    Map<String, String> values = new HashMap<>();
    Set<String> flags = new HashSet<>();
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("expected an option, got '" + arg + "'");
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (FLAGS.contains(name)) {
        flags.add(name);
      } else if (VALUED.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--" + name + " needs a value");
          }
          value = args[++i];
        }
        values.put(name, value);
      } else {
        throw new IllegalArgumentException("unknown option --" + name);
      }
    }
    return defaults(command, values, flags);
  }

  private static Options defaults(String command, Map<String, String> v, Set<String> flags) {
    Options o = new Options(
        command,
        v.getOrDefault("url", "http://127.0.0.1:8080"),
        v.getOrDefault("collection", "bench"),
        positive("concurrency", v.getOrDefault("concurrency", "32")),
        duration("duration", v.getOrDefault("duration", "20s")),
        duration("warmup", v.getOrDefault("warmup", "5s")),
        v.containsKey("rate") ? rate(v.get("rate")) : 0,
        positive("max-in-flight", v.getOrDefault("max-in-flight", "4096")),
        positive("documents", v.getOrDefault("documents", "1000")),
        positive("batch", v.getOrDefault("batch", "500")),
        positive("parallel", v.getOrDefault("parallel", "1")),
        seed(v.getOrDefault("seed", "42")),
        positive("questions", v.getOrDefault("questions", "100")),
        v.getOrDefault("distribution", "zipf").toLowerCase(Locale.ROOT),
        number("zipf-exponent", v.getOrDefault("zipf-exponent", "1.0")),
        positive("k", v.getOrDefault("k", "5")),
        v.getOrDefault("client", "socket").toLowerCase(Locale.ROOT),
        v.get("json"),
        !flags.contains("no-verify"),
        !flags.contains("no-ingest"),
        flags.contains("external"),
        positive("port", v.getOrDefault("port", "8081")),
        v.get("out"),
        number("paraphrase-share", v.getOrDefault("paraphrase-share", "0.3")),
        positive("sessions", v.getOrDefault("sessions", "100")),
        rates(v.get("sweep")),
        duration("p99-bound", v.getOrDefault("p99-bound", "50ms")),
        v.get("report"),
        v.get("corpus"),
        v.getOrDefault("ingest-collection", v.getOrDefault("collection", "bench") + "-ingest"),
        v.getOrDefault("queries", "mixed").toLowerCase(Locale.ROOT),
        !flags.contains("no-alone"),
        v.get("answers"),
        flags.contains("control"),
        positive("turns", v.getOrDefault("turns", "3")));
    if (!urls(o.url()).stream().allMatch(Options::isHttpUrl)) {
      throw new IllegalArgumentException("--url takes http://host:port URLs separated by commas, was '" + o.url() + "'");
    }
    if (o.paraphraseShare() < 0 || o.paraphraseShare() > 1) {
      throw new IllegalArgumentException("--paraphrase-share is between 0 and 1, was " + o.paraphraseShare());
    }
    if (o.command().equals("questions") && o.out() == null) {
      throw new IllegalArgumentException("questions needs --out FILE");
    }
    if (o.batch() > 1000) {
      throw new IllegalArgumentException("--batch is at most 1000 (the server's limit per request), was " + o.batch());
    }
    if (!Set.of("uniform", "zipf").contains(o.distribution())) {
      throw new IllegalArgumentException("--distribution is uniform or zipf, was '" + o.distribution() + "'");
    }
    if (!Set.of("socket", "pekko", "jdk").contains(o.client())) {
      throw new IllegalArgumentException("--client is socket, jdk or pekko, was '" + o.client() + "'");
    }
    if (o.duration().toMillis() < 1) {
      throw new IllegalArgumentException("--duration must be at least 1ms, was " + o.duration());
    }
    if (!Set.of("cached", "mixed", "uncached").contains(o.queries())) {
      throw new IllegalArgumentException("--queries is cached, mixed or uncached, was '" + o.queries() + "'");
    }
    if (o.command().equals("ingest-query") && !o.sweep().isEmpty()) {
      throw new IllegalArgumentException("ingest-query runs at one --rate (or closed loop), not a --sweep");
    }
    if (o.ingestCollection().equals(o.collection())) {
      throw new IllegalArgumentException("--ingest-collection must differ from --collection, the one queried");
    }
    if (o.answers() != null && !o.openLoop() && o.sweep().isEmpty()) {
      throw new IllegalArgumentException("--answers logs open-loop runs: give a --rate or a --sweep with it");
    }
    if (!Double.isFinite(o.zipfExponent()) || o.zipfExponent() < 0) {
      throw new IllegalArgumentException("--zipf-exponent must be a number >= 0, was " + o.zipfExponent());
    }
    return o;
  }

  public boolean openLoop() {
    return rate > 0;
  }

  /** An open-loop rate: a finite number of requests per second above 0 (without --rate: closed loop). */
  static double rate(String text) {
    double r;
    try {
      r = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      r = Double.NaN;
    }
    if (!(r > 0) || Double.isInfinite(r)) {
      throw new IllegalArgumentException(
          "--rate must be a number of requests per second above 0 (leave it out for a closed loop), was '" + text + "'");
    }
    return r;
  }

  /** "100,200,400" → [100.0, 200.0, 400.0], ascending; empty when absent. */
  static java.util.List<Double> rates(String text) {
    if (text == null || text.isBlank()) {
      return java.util.List.of();
    }
    java.util.List<Double> out = new java.util.ArrayList<>();
    for (String part : text.split(",")) {
      try {
        double r = Double.parseDouble(part.trim());
        if (!(r > 0) || Double.isInfinite(r)) {
          throw new NumberFormatException();
        }
        out.add(r);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--sweep takes rates > 0 separated by commas, like 100,200,400; was '" + text + "'");
      }
    }
    java.util.Collections.sort(out);
    return java.util.List.copyOf(out);
  }

  /** Parses "20s", "500ms", "2m", "1h" or a bare number of seconds. */
  static Duration duration(String name, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      double amount = Double.parseDouble(t.replaceAll("[smh]$", ""));
      double seconds = switch (t.charAt(t.length() - 1)) {
        case 'm' -> amount * 60;
        case 'h' -> amount * 3600;
        default -> amount;
      };
      if (seconds < 0) {
        throw new NumberFormatException();
      }
      return Duration.ofNanos((long) (seconds * 1e9));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--" + name + " must be a duration like 20s, 500ms or 2m, was '" + text + "'");
    }
  }

  private static int positive(String name, String text) {
    try {
      int n = Integer.parseInt(text.trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number >= 1, was '" + text + "'");
    }
  }

  private static long seed(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--seed must be a whole number, was '" + text + "'");
    }
  }

  private static double number(String name, String text) {
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, was '" + text + "'");
    }
  }
}
