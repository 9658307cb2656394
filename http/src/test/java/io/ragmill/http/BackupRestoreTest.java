package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.ragmill.testing.RecordingEmbedder;
import io.ragmill.testing.TestNodes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A single node on its embedded H2 journal, backed up over HTTP while it runs, restored with {@code
 * ragmill restore} into a fresh PostgreSQL database, and started again there: the move from one
 * node to a cluster's database. What was acknowledged before the backup is there; what came after
 * is not.
 */
class BackupRestoreTest {
  private static final String ADMIN = "backup-admin";
  private static final String QUESTION = "{\"query\":\"Which library caches data in Java?\",\"k\":2}";
  private String scratch;

  @AfterEach
  void dropScratchDatabase() throws Exception {
    if (scratch != null) {
      try (Connection c = DriverManager.getConnection(TestNodes.POSTGRES_URL, "postgres", "");
          Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + scratch + " WITH (FORCE)");
      }
    }
  }

  private static HttpResponse<byte[]> backup(TestServer server, String query, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.base() + "/admin/backup" + query))
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static JsonNode ok(HttpResponse<String> response) throws Exception {
    assertTrue(response.statusCode() / 100 == 2, response.statusCode() + " " + response.body());
    return TestServer.json(response);
  }

  private static String documentsOf(JsonNode answer) {
    StringBuilder ids = new StringBuilder();
    answer.get("chunks").forEach(c -> ids.append(c.get("documentId").asText()).append(' '));
    return ids.toString().strip();
  }

  private static int run(Config config, ByteArrayOutputStream err, String... args) {
    return BackupCommand.run(config, args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
  }

  @Test
  void aBackupOfARunningH2NodeRestoresIntoPostgresAndServesTheSameAnswers() throws Exception {
    Path dataDir = Files.createTempDirectory("ragmill-backup-h2");
    JsonNode before;
    JsonNode collectionBefore;
    Path file = Files.createTempFile("ragmill", ".backup.gz");
    try (TestServer server =
        TestServer.start(TestNodes.h2(dataDir, ""), RecordingEmbedder.open(), TestServer.noAuth(ADMIN))) {
      ok(server.send("POST", "/v1/collections/guide/documents?wait=true", "["
          + "{\"id\":\"caffeine\",\"text\":\"Caffeine is a high performance caching library for Java.\"},"
          + "{\"id\":\"pekko\",\"text\":\"Apache Pekko is a toolkit for concurrent, distributed applications on the JVM.\"},"
          + "{\"id\":\"gone\",\"text\":\"This document is deleted before the backup.\"}]"));
      ok(server.send("DELETE", "/v1/collections/guide/documents/gone", null));
      ok(server.send("POST", "/v1/collections/guide/query", "{\"query\":\"What is Caffeine?\"}", "X-Session-Id", "chat-1"));
      before = ok(server.send("POST", "/v1/collections/guide/query", QUESTION));
      collectionBefore = ok(server.send("GET", "/v1/collections/guide", null));

      HttpResponse<byte[]> anonymous = backup(server, "");
      assertEquals(401, anonymous.statusCode());
      assertTrue(anonymous.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
      HttpResponse<byte[]> badFlag = backup(server, "?embeddings=maybe", "X-Api-Key", ADMIN);
      assertEquals(400, badFlag.statusCode());
      assertTrue(new String(badFlag.body(), StandardCharsets.UTF_8).contains("embeddings must be true or false"));

      HttpResponse<byte[]> taken = backup(server, "", "X-Api-Key", ADMIN, "Accept-Encoding", "gzip");
      assertEquals(200, taken.statusCode(), new String(taken.body(), StandardCharsets.UTF_8));
      assertEquals("application/gzip", taken.headers().firstValue("Content-Type").orElse(""));
      assertTrue(taken.headers().firstValue("Content-Disposition").orElse("").contains(".backup.gz"));
      assertFalse(taken.headers().firstValue("Content-Encoding").isPresent(), "a gzip file is not compressed again");
      Files.write(file, taken.body());
      // the file was sent from a temporary copy, deleted once sent
      Path folder = dataDir.resolve("backups");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
        try (var files = Files.list(folder)) {
          return files.findAny().isEmpty();
        }
      });

      // acknowledged after the backup: not in it
      ok(server.send("POST", "/v1/collections/guide/documents?wait=true", "{\"id\":\"later\",\"text\":\"Written after the backup.\"}"));
    }

    scratch = "ragmill_restore_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(TestNodes.POSTGRES_URL, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + scratch);
    }
    Config postgres = TestNodes.postgres(Files.createTempDirectory("ragmill-backup-pg"), "jdbc:postgresql://127.0.0.1:5432/" + scratch, "");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(0, run(postgres, err, "restore", file.toString()), err.toString());

    try (TestServer server = TestServer.start(postgres, RecordingEmbedder.open(), TestServer.noAuth(ADMIN))) {
      JsonNode collection = ok(server.send("GET", "/v1/collections/guide", null));
      assertEquals(collectionBefore.get("documents"), collection.get("documents"));
      assertEquals(collectionBefore.get("chunks"), collection.get("chunks"));
      assertEquals(collectionBefore.get("generation"), collection.get("generation"));
      JsonNode after = ok(server.send("POST", "/v1/collections/guide/query", QUESTION));
      assertEquals(documentsOf(before), documentsOf(after));
      assertEquals(before.get("answer"), after.get("answer"));
      JsonNode later = ok(server.send("POST", "/v1/collections/guide/query", "{\"query\":\"Written after the backup\",\"k\":5}"));
      assertFalse(documentsOf(later).contains("later"), documentsOf(later));
      assertFalse(documentsOf(later).contains("gone"), documentsOf(later));
      assertEquals(1, ok(server.send("GET", "/v1/sessions/chat-1", null)).get("turns").size());
      // the restored journal takes new events
      ok(server.send("POST", "/v1/collections/guide/documents?wait=true", "{\"id\":\"new\",\"text\":\"Restored nodes ingest new documents.\"}"));
      assertTrue(documentsOf(ok(server.send("POST", "/v1/collections/guide/query", "{\"query\":\"Restored nodes ingest\",\"k\":1}")))
          .contains("new"));
    }

    // a second restore into the same database is refused: it holds a journal now
    err.reset();
    assertEquals(1, run(postgres, err, "restore", file.toString()));
    assertTrue(err.toString().contains("already holds a journal"), err.toString());
    err.reset();
    assertEquals(2, run(postgres, err, "restore", file.toString(), "--force"));
    assertTrue(err.toString().contains("usage: ragmill restore FILE [--replace]"), err.toString());
  }

  @Test
  void theCommandLineRefusesAnEmptyOrMissingDataFolderInOneLine() throws Exception {
    Path empty = Files.createTempDirectory("ragmill-backup-empty");
    Path missing = empty.resolve("not-there");
    Path out = Files.createTempDirectory("ragmill-backup-out");
    for (Path dataDir : java.util.List.of(empty, missing)) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Path file = out.resolve(dataDir.getFileName() + ".backup.gz");
      assertEquals(1, run(TestNodes.h2(dataDir, ""), err, "backup", file.toString()), err.toString());
      String message = err.toString(StandardCharsets.UTF_8);
      assertEquals(1, message.lines().count(), message);
      assertTrue(message.startsWith("ragmill: backup failed: there is no database to back up at "), message);
      assertTrue(message.contains("data folder is empty or missing"), message);
      assertFalse(Files.exists(file), "no file is left behind");
      assertFalse(Files.exists(dataDir.resolve("ragmill.mv.db")), "the backup created a database to back up");
    }
    assertFalse(Files.exists(missing), "the backup created the data folder");

    // a database without the journal's tables (not a node's): named, not an SQL error
    Path stranger = Files.createTempDirectory("ragmill-backup-stranger");
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + stranger + "/ragmill", "sa", "")) {
      c.createStatement().execute("CREATE TABLE other (id INT)");
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(1, run(TestNodes.h2(stranger, ""), err, "backup", out.resolve("stranger.gz").toString()));
    String message = err.toString(StandardCharsets.UTF_8);
    assertEquals(1, message.lines().count(), message);
    assertTrue(message.contains("holds no Ragmill journal (no table event_journal"), message);
    assertFalse(message.contains("SQL statement"), message);
  }

  @Test
  void theCommandLineBacksUpAStoppedNodeAndWillNotOverwriteAFile() throws Exception {
    Path dataDir = Files.createTempDirectory("ragmill-backup-cli");
    Config h2 = TestNodes.h2(dataDir, "");
    try (TestServer server = TestServer.start(h2, RecordingEmbedder.open(), TestServer.noAuth(ADMIN))) {
      ok(server.send("POST", "/v1/collections/notes/documents?wait=true", "{\"id\":\"a\",\"text\":\"Backups are taken offline too.\"}"));
    }
    Path file = Files.createTempDirectory("ragmill-backup-out").resolve("notes.backup.gz");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(0, run(h2, err, "backup", file.toString(), "--no-embeddings"), err.toString());
    assertTrue(Files.size(file) > 0);
    assertEquals(1, run(h2, err, "backup", file.toString()));
    assertTrue(err.toString().contains("exists; not overwriting it"), err.toString());

    Config copy = TestNodes.h2(Files.createTempDirectory("ragmill-backup-copy"), "");
    err.reset();
    assertEquals(0, run(copy, err, "restore", file.toString()), err.toString());
    try (TestServer server = TestServer.start(copy, RecordingEmbedder.open(), TestServer.noAuth(ADMIN))) {
      JsonNode answer = ok(server.send("POST", "/v1/collections/notes/query", "{\"query\":\"Are backups taken offline?\"}"));
      assertEquals("a", documentsOf(answer));
    }
  }
}
