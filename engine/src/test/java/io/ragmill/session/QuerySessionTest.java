package io.ragmill.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragmill.api.RagmillException;
import io.ragmill.index.MetadataFilter;
import io.ragmill.ingest.IngestionJob;
import io.ragmill.ingest.SourceDocument;
import io.ragmill.node.RagmillNode;
import io.ragmill.query.QueryRequest;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNode;
import io.ragmill.testing.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Sessions on one node: follow-ups resolved, turns persisted across a restart, ended, tenant-scoped. */
class QuerySessionTest {

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
  }

  private static QueryRequest q(String text) {
    return new QueryRequest(text, 2, MetadataFilter.NONE);
  }

  private static void ingest(RagmillNode node, String tenant) {
    var accepted = await(node.ingestion().submit(tenant, "kb", List.of(
        new SourceDocument("pekko", SourceDocument.Format.TEXT,
            "Apache Pekko is a toolkit for message-driven applications. The Apache Software Foundation maintains Pekko.", Map.of()),
        new SourceDocument("caffeine", SourceDocument.Format.TEXT,
            "Caffeine is a caching library for Java. Ben Manes maintains Caffeine.", Map.of()))));
    assertEquals(IngestionJob.Phase.COMPLETED, await(node.ingestion().awaitDone(tenant, accepted.jobId(), Duration.ofSeconds(30))).phase());
  }

  @Test
  void followUpsAreResolvedAndTurnsSurviveARestart() throws Exception {
    Path data = Files.createTempDirectory("ragmill-sessions");
    List<String> followUpCites;
    List<String> firstCites;
    try (TestNode test = new TestNode(TestNodes.h2(data, ""), RecordingEmbedder.open())) {
      RagmillNode node = test.node();
      ingest(node, "t");
      QuerySession.AskReply first = await(node.sessions().ask("t", "chat-1", "kb", q("What is Caffeine?")));
      assertEquals(1, first.turn());
      assertEquals("What is Caffeine?", first.resolvedQuery());
      firstCites = first.result().answer().citations().stream().map(c -> c.documentId()).distinct().toList();
      // both documents are retrieved (k = 2); the answer cites Caffeine's alone
      assertEquals(2, first.result().chunks().stream().map(c -> c.documentId()).distinct().count());
      assertEquals(List.of("caffeine"), firstCites);
      QuerySession.AskReply followUp = await(node.sessions().ask("t", "chat-1", "kb", q("Who maintains it?")));
      assertEquals(2, followUp.turn());
      assertEquals("What is Caffeine? / Who maintains it?", followUp.resolvedQuery());
      assertEquals("caffeine", followUp.result().chunks().get(0).documentId());
      followUpCites =
          followUp.result().answer().citations().stream().map(c -> c.documentId()).distinct().toList();
      // the same follow-up in another conversation is another question
      QuerySession.AskReply elsewhere = await(node.sessions().ask("t", "chat-2", "kb", q("What is Pekko?")));
      QuerySession.AskReply otherFollowUp = await(node.sessions().ask("t", "chat-2", "kb", q("Who maintains it?")));
      assertEquals("What is Pekko? / Who maintains it?", otherFollowUp.resolvedQuery());
      assertNotEquals(followUp.result().answer(), otherFollowUp.result().answer());
      assertEquals(1, elsewhere.turn());

      // questions of one session are answered in order, one at a time
      List<CompletableFuture<QuerySession.AskReply>> burst = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        burst.add(node.sessions().ask("t", "chat-3", "kb", q("Tell me about Java caching, part " + i)).toCompletableFuture());
      }
      for (int i = 0; i < 5; i++) {
        assertEquals(i + 1, burst.get(i).orTimeout(30, TimeUnit.SECONDS).join().turn());
      }
    }
    try (TestNode restarted = new TestNode(TestNodes.h2(data, ""), RecordingEmbedder.open())) {
      QuerySession.History history = await(restarted.node().sessions().history("t", "chat-1"));
      assertEquals(List.of("What is Caffeine?", "Who maintains it?"), history.turns().stream().map(QuerySession.Turn::question).toList());
      assertEquals("caffeine", history.turns().get(1).citedDocuments().get(0));
      // what the answer cites, not every document retrieved for it
      assertEquals(firstCites, history.turns().get(0).citedDocuments());
      assertEquals(followUpCites, history.turns().get(1).citedDocuments());
      // the next follow-up continues the recovered conversation
      QuerySession.AskReply third = await(restarted.node().sessions().ask("t", "chat-1", "kb", q("and its license?")));
      assertEquals(3, third.turn());
      assertTrue(third.resolvedQuery().startsWith("What is Caffeine? / Who maintains it?"), third.resolvedQuery());

      assertTrue(await(restarted.node().sessions().end("t", "chat-1")).existed());
      assertNotFound(restarted.node().sessions().history("t", "chat-1"));
      assertNotFound(restarted.node().sessions().end("t", "chat-1"));
      // an ended id starts over
      assertEquals(1, await(restarted.node().sessions().ask("t", "chat-1", "kb", q("What is Pekko?"))).turn());
    }
  }

  @Test
  void sessionsAreScopedByTenant() throws Exception {
    try (TestNode test = new TestNode(TestNodes.h2(Files.createTempDirectory("ragmill-sessions-t"), ""), RecordingEmbedder.open())) {
      RagmillNode node = test.node();
      ingest(node, "a");
      await(node.sessions().ask("a", "shared-id", "kb", q("What is Caffeine?")));
      assertNotFound(node.sessions().history("b", "shared-id"));
      // b's collection does not exist: its session query is a 404, and leaves no turn
      assertNotFound(node.sessions().ask("b", "shared-id", "kb", q("Who maintains it?")));
      assertNotFound(node.sessions().history("b", "shared-id"));
      assertFalse(await(node.sessions().history("a", "shared-id")).turns().isEmpty());
    }
  }

  private static void assertNotFound(CompletionStage<?> stage) {
    try {
      await(stage);
    } catch (CompletionException e) {
      assertEquals(RagmillException.Kind.NOT_FOUND, RagmillException.find(e).orElseThrow().kind(), e.toString());
      return;
    }
    throw new AssertionError("expected 404");
  }

  @Test
  void standaloneQuestionsAreNotFollowUps() {
    assertTrue(FollowUps.isFollowUp("Who maintains it?"));
    assertTrue(FollowUps.isFollowUp("and in 2024?"));
    assertTrue(FollowUps.isFollowUp("What about Kotlin?"));
    assertTrue(FollowUps.isFollowUp("why?"));
    assertFalse(FollowUps.isFollowUp("Which library caches data in Java?"));
    assertEquals("Which library caches data in Java?", FollowUps.resolve("Which library caches data in Java?", "What is Pekko?", 512));
    assertEquals("Pekko? / why?", FollowUps.resolve("why?", "What is Pekko?", 6));
  }
}
