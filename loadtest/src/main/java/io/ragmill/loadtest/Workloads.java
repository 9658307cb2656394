package io.ragmill.loadtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The scenarios' workloads: cached questions, always-distinct questions, and the baseline's fixed body. */
public final class Workloads {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Workloads() {}

  /** The same few questions over and over: after the primers every answer is a cache hit. */
  public static Workload cached(
      String collection, List<CorpusGenerator.Question> questions, QuestionSampler sampler, int k) {
    List<Workload.Call> calls = new ArrayList<>(questions.size());
    for (CorpusGenerator.Question q : questions) {
      calls.add(new Workload.Call(queryPath(collection), queryBody(q.text(), k), q.documentId()));
    }
    List<Workload.Call> fixed = List.copyOf(calls);
    return new Workload() {
      @Override
      public Call call(long sequence) {
        return fixed.get(sampler.next());
      }

      @Override
      public List<Call> primers() {
        return fixed;
      }
    };
  }

  /**
   * Zipf-distributed questions where a share of the repeats comes in other words: each request
   * picks a question; the first time it is asked it is sent as written, afterwards with probability
   * {@code paraphraseShare} as one of {@link #paraphrase}'s rewordings. Each call says whether it
   * is a repeat, so the report can set the hit ratio against the attainable one (the share of
   * requests that repeat an earlier question).
   */
  public static Workload mixed(
      String collection, List<CorpusGenerator.Question> questions, QuestionSampler sampler, double paraphraseShare,
      int k) {
    String path = queryPath(collection);
    java.util.concurrent.atomic.AtomicIntegerArray asked = new java.util.concurrent.atomic.AtomicIntegerArray(questions.size());
    return sequence -> {
      int i = sampler.next();
      CorpusGenerator.Question q = questions.get(i);
      boolean repeat = asked.getAndIncrement(i) > 0;
      java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
      String text = repeat && random.nextDouble() < paraphraseShare ? paraphrase(q.text(), random.nextInt(PARAPHRASES)) : q.text();
      return new Workload.Call(path, queryBody(text, k), q.documentId(), repeat);
    };
  }

  static final int PARAPHRASES = 6;

  /**
   * Session-affine chat: request n belongs to session n mod {@code sessions} (ids unique to the
   * run), and each session holds conversations of {@code turns} turns: a Zipf-picked question, then
   * follow-ups that only make sense after it ("And where did that happen?"), which the node resolves
   * against the session's previous turn. So each session's turns go to its QuerySession entity on
   * whichever node owns it, one at a time, are persisted, and a follow-up's answer must still cite
   * the conversation's document. Turns of one session are {@code sessions} requests apart: with at
   * least as many sessions as requests in flight, a turn is answered before the next is sent.
   */
  public static Workload session(
      String collection, List<CorpusGenerator.Question> questions, QuestionSampler sampler, int sessions, int turns,
      String runTag, int k) {
    String path = queryPath(collection);
    java.util.concurrent.atomic.AtomicReferenceArray<CorpusGenerator.Question> topics =
        new java.util.concurrent.atomic.AtomicReferenceArray<>(sessions);
    return sequence -> {
      int session = (int) (sequence % sessions);
      int turn = (int) ((sequence / sessions) % turns);
      CorpusGenerator.Question q = topics.get(session);
      String text;
      if (turn == 0 || q == null) {
        q = questions.get(sampler.next());
        topics.set(session, q);
        text = q.text();
      } else {
        text = FOLLOW_UPS.get((turn - 1) % FOLLOW_UPS.size());
      }
      String sessionId = "lt-" + runTag + "-" + session;
      ObjectNode body = JSON.createObjectNode().put("query", text).put("k", k).put("sessionId", sessionId);
      try {
        return new Workload.Call(path, JSON.writeValueAsBytes(body), q.documentId());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    };
  }

  /**
   * Follow-up turns, short as in chat: each points back (a continuation opener, a pronoun, or too few
   * words to stand alone), as the node's FollowUps expects.
   */
  static final List<String> FOLLOW_UPS = List.of("And where?", "Tell me more.", "Why was that?", "And when?");

  /**
   * The {@code variant}-th rewording of a generated question ("Who V the C T near the P in Y?"):
   * the same content words, with filler, another order or other punctuation, the way people repeat
   * a question.
   */
  public static String paraphrase(String question, int variant) {
    String body = question.endsWith("?") ? question.substring(0, question.length() - 1) : question;
    String lower = Character.toLowerCase(body.charAt(0)) + body.substring(1);
    String rest = lower.startsWith("who ") ? lower.substring(4) : lower;
    int in = lower.lastIndexOf(" in ");
    return switch (Math.floorMod(variant, PARAPHRASES)) {
      case 0 -> "Can you tell me " + lower + "?";
      case 1 -> lower;
      case 2 -> "Please tell me " + lower + ".";
      case 3 -> "Who was it that " + rest + "?";
      case 4 -> in > 0 ? "In " + lower.substring(in + 4) + ", " + lower.substring(0, in) + "?" : "so, " + lower + "?";
      default -> "I want to know " + lower;
    };
  }

  /**
   * Every request distinct: a question plus a nonce word unique to this run and request, so each one
   * misses the answer, retrieval and embedding caches and runs the whole pipeline.
   */
  public static Workload uncached(String collection, List<CorpusGenerator.Question> questions, String runTag, int k) {
    String path = queryPath(collection);
    return sequence -> {
      CorpusGenerator.Question q = questions.get((int) (sequence % questions.size()));
      return new Workload.Call(path, queryBody(uncachedText(q, runTag, sequence), k), q.documentId());
    };
  }

  /** The text of the {@code sequence}-th uncached question: the question and a unique nonce word. */
  public static String uncachedText(CorpusGenerator.Question question, String runTag, long sequence) {
    return question.text() + " (ref " + runTag + Long.toString(sequence, 36) + ")";
  }

  /** A small fixed JSON body to the in-process baseline server. */
  public static Workload baseline(String path) {
    Workload.Call call =
        new Workload.Call(path, "{\"query\":\"what is the baseline?\",\"k\":5}".getBytes(StandardCharsets.UTF_8), null);
    return sequence -> call;
  }

  /** A run tag of letters and digits, so the nonces of two runs against one server never collide. */
  public static String runTag() {
    return "r" + Long.toString(System.currentTimeMillis() % 1_000_000_000_000L, 36) + "x";
  }

  static String queryPath(String collection) {
    return "/v1/collections/" + collection + "/query";
  }

  static byte[] queryBody(String text, int k) {
    ObjectNode body = JSON.createObjectNode().put("query", text).put("k", k);
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
