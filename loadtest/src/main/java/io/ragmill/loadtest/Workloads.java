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
