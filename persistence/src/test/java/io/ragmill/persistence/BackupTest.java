package io.ragmill.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Backup and restore on real databases: H2 files and scratch databases on the shared PostgreSQL
 * (created per test, dropped after), across dialects, against truncated and foreign files, and
 * while a writer keeps writing.
 */
class BackupTest {
  private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/";
  private final List<String> scratch = new ArrayList<>();

  @AfterEach
  void dropScratchDatabases() throws SQLException {
    try (Connection c = DriverManager.getConnection(POSTGRES + "test", "postgres", "");
        Statement s = c.createStatement()) {
      for (String name : scratch) {
        s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      }
    }
  }

  private PersistenceSettings database(String dialect) throws Exception {
    if (dialect.equals("h2")) {
      return new PersistenceSettings("h2", true, "jdbc:h2:file:" + Files.createTempDirectory("backup") + "/db", "sa", "");
    }
    String name = "ragmill_backup_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(POSTGRES + "test", "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    scratch.add(name);
    return new PersistenceSettings("postgres", true, POSTGRES + name, "postgres", "");
  }

  private static Connection connect(PersistenceSettings s) throws SQLException {
    return DriverManager.getConnection(s.url(), s.user(), s.password());
  }

  /** Rows of every kind, binary payloads with every byte value, nulls where the schema allows them. */
  private static void populate(PersistenceSettings s, int events) throws SQLException {
    JournalSchema.createIfMissing(s);
    byte[] everyByte = new byte[256];
    for (int i = 0; i < 256; i++) {
      everyByte[i] = (byte) i;
    }
    try (Connection c = connect(s)) {
      for (int i = 1; i <= events; i++) {
        appendEvent(c, "Collection|t#c" + (i % 3), i, everyByte);
      }
      try (Statement st = c.createStatement()) {
        st.executeUpdate("INSERT INTO \"event_tag\" (\"event_id\", \"tag\") VALUES (1, 'a'), (1, 'b')");
      }
      try (PreparedStatement p =
          c.prepareStatement(
              "INSERT INTO \"snapshot\" (\"persistence_id\", \"sequence_number\", \"created\", \"snapshot_ser_id\","
                  + " \"snapshot_ser_manifest\", \"snapshot_payload\", \"meta_ser_id\", \"meta_ser_manifest\", \"meta_payload\")"
                  + " VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL)")) {
        p.setString(1, "IndexShard|t#c#0");
        p.setLong(2, 3);
        p.setLong(3, 1_700_000_000_000L);
        p.setInt(4, 33);
        p.setString(5, "io.ragmill.index.IndexShard$Snapshot");
        p.setBytes(6, Arrays.copyOf(everyByte, 70_000));
        p.executeUpdate();
      }
      try (PreparedStatement p =
          c.prepareStatement(
              "INSERT INTO \"durable_state\" (\"global_offset\", \"persistence_id\", \"revision\", \"state_payload\","
                  + " \"state_serial_id\", \"state_serial_manifest\", \"tag\", \"state_timestamp\") VALUES (7, ?, 2, ?, 33, NULL, NULL, 5)")) {
        p.setString(1, "state|x");
        p.setBytes(2, everyByte);
        p.executeUpdate();
      }
      try (PreparedStatement p =
          c.prepareStatement(
              "INSERT INTO \"ragmill_embedding\" (\"model\", \"text_digest\", \"vector\", \"created_at\") VALUES (?, ?, ?, ?)")) {
        p.setString(1, "all-minilm-l6-v2-q");
        p.setString(2, "d".repeat(64));
        p.setBytes(3, new byte[384 * 4]);
        p.setLong(4, 1);
        p.executeUpdate();
      }
    }
  }

  private static void appendEvent(Connection c, String persistenceId, long sequenceNr, byte[] payload) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"deleted\", \"writer\","
                + " \"write_timestamp\", \"adapter_manifest\", \"event_ser_id\", \"event_ser_manifest\", \"event_payload\")"
                + " VALUES (?, ?, FALSE, 'w', ?, '', 33, 'E', ?)")) {
      p.setString(1, persistenceId);
      p.setLong(2, sequenceNr);
      p.setLong(3, 1_700_000_000_000L + sequenceNr);
      p.setBytes(4, payload);
      p.executeUpdate();
    }
  }

  /** Every table's rows as text, in the backup's own order. */
  private static List<String> contents(PersistenceSettings s) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = connect(s);
        Statement st = c.createStatement()) {
      for (BackupTables.Table table : BackupTables.ALL) {
        try (ResultSet rs = st.executeQuery(table.select())) {
          while (rs.next()) {
            StringBuilder row = new StringBuilder(table.name());
            for (int i = 1; i <= table.columns().size(); i++) {
              Object value =
                  switch (table.columns().get(i - 1).type()) {
                    // binary columns as a digest, so a failed comparison prints something readable
                    case BYTES -> rs.getBytes(i) == null ? null : digest(rs.getBytes(i));
                    case BOOLEAN -> rs.getBoolean(i);
                    default -> rs.getString(i);
                  };
              row.append('|').append(rs.wasNull() ? "null" : value);
            }
            out.add(row.toString());
          }
        }
      }
    }
    return out;
  }

  private static String digest(byte[] bytes) {
    try {
      return bytes.length + ":" + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long count(PersistenceSettings s, String table) throws SQLException {
    try (Connection c = connect(s);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM \"" + table + "\"")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static byte[] backup(PersistenceSettings s, boolean embeddings) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Backup.write(s, out, embeddings);
    return out.toByteArray();
  }

  private static Backup.Summary restore(PersistenceSettings s, byte[] file, boolean replace) {
    return Backup.restore(s, new ByteArrayInputStream(file), replace);
  }

  @ParameterizedTest(name = "{0} to {1}")
  @CsvSource({"h2, h2", "h2, postgres", "postgres, h2", "postgres, postgres"})
  void aRestoreHoldsEveryRowOfTheBackupAndNumbersNewRowsAfterThem(String from, String to) throws Exception {
    PersistenceSettings source = database(from);
    PersistenceSettings target = database(to);
    populate(source, 25);
    byte[] file = backup(source, true);

    Backup.Summary restored = restore(target, file, false);

    assertEquals(25, restored.rows().get("event_journal"));
    assertEquals(from, restored.source());
    assertEquals(contents(source), contents(target));
    // the journal's own counter continues after the restored rows: the next event is number 26
    try (Connection c = connect(target)) {
      appendEvent(c, "Collection|t#new", 1, new byte[] {1});
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery("SELECT \"ordering\" FROM \"event_journal\" WHERE \"persistence_id\" = 'Collection|t#new'")) {
        rs.next();
        assertEquals(26, rs.getLong(1));
      }
    }
  }

  @Test
  void withoutEmbeddingsTheTierIsLeftOutAndTheJournalIsWhole() throws Exception {
    PersistenceSettings source = database("h2");
    PersistenceSettings target = database("h2");
    populate(source, 5);
    Backup.Summary restored = restore(target, backup(source, false), false);
    assertEquals(List.of("event_journal", "event_tag", "snapshot", "durable_state"), List.copyOf(restored.rows().keySet()));
    assertEquals(5, count(target, "event_journal"));
    assertEquals(0, count(target, "ragmill_embedding"));
  }

  @Test
  void aDatabaseThatHoldsAJournalIsRefusedUnlessReplaced() throws Exception {
    PersistenceSettings source = database("h2");
    PersistenceSettings target = database("postgres");
    populate(source, 10);
    byte[] file = backup(source, true);
    restore(target, file, false);
    try (Connection c = connect(target)) {
      appendEvent(c, "Collection|t#later", 1, new byte[] {9});
    }

    BackupException refused = assertThrows(BackupException.class, () -> restore(target, file, false));
    assertTrue(refused.getMessage().contains("already holds a journal (15 rows)"), refused.getMessage());
    assertEquals(11, count(target, "event_journal"));

    restore(target, file, true);
    assertEquals(contents(source), contents(target));
  }

  @Test
  void aTruncatedBackupRestoresNothing() throws Exception {
    PersistenceSettings source = database("h2");
    populate(source, 40);
    byte[] file = backup(source, true);

    // cut inside the gzip stream
    PersistenceSettings first = database("h2");
    BackupException cut = assertThrows(BackupException.class, () -> restore(first, Arrays.copyOf(file, file.length / 2), false));
    assertTrue(cut.getMessage().contains("could not be read"), cut.getMessage());
    assertEquals(0, count(first, "event_journal"));

    // a well-formed gzip whose text stops before the closing line
    String text = gunzip(file);
    String withoutClosingLine = text.substring(0, text.lastIndexOf("\n{\"complete\""));
    PersistenceSettings second = database("postgres");
    BackupException truncated = assertThrows(BackupException.class, () -> restore(second, gzip(withoutClosingLine), false));
    assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
    assertEquals(0, count(second, "event_journal"));
    assertEquals(0, count(second, "ragmill_embedding"));

    // a row lost in the middle of a table
    String lines[] = text.split("\n");
    List<String> kept = new ArrayList<>(Arrays.asList(lines));
    kept.remove(5);
    BackupException damaged = assertThrows(BackupException.class, () -> restore(second, gzip(String.join("\n", kept)), false));
    assertTrue(damaged.getMessage().contains("event_journal closes with"), damaged.getMessage());
    assertEquals(0, count(second, "event_journal"));
  }

  @Test
  void aFileThatIsNotABackupIsRefusedWithTheReason() throws Exception {
    PersistenceSettings target = database("h2");
    BackupException notGzip =
        assertThrows(BackupException.class, () -> restore(target, "hello".getBytes(StandardCharsets.UTF_8), false));
    assertTrue(notGzip.getMessage().contains("not gzip"), notGzip.getMessage());
    BackupException notOurs = assertThrows(BackupException.class, () -> restore(target, gzip("{\"hello\":1}\n"), false));
    assertTrue(notOurs.getMessage().contains("not a Ragmill backup"), notOurs.getMessage());
    BackupException newer =
        assertThrows(BackupException.class, () -> restore(target, gzip("{\"format\":\"ragmill-backup\",\"version\":9}\n"), false));
    assertTrue(newer.getMessage().contains("format version is 9"), newer.getMessage());
  }

  @Test
  void aBackupIsOnePointInTimeWhileAWriterKeepsWriting() throws Exception {
    for (String dialect : List.of("h2", "postgres")) {
      PersistenceSettings source = database(dialect);
      populate(source, 1);
      // each of the writer's transactions adds one event and one snapshot of it
      AtomicBoolean stop = new AtomicBoolean();
      Thread writer =
          new Thread(
              () -> {
                try (Connection c = connect(source)) {
                  c.setAutoCommit(false);
                  byte[] payload = new byte[4096];
                  for (long n = 1; !stop.get(); n++) {
                    appendEvent(c, "Busy|x", n, payload);
                    try (PreparedStatement p =
                        c.prepareStatement(
                            "INSERT INTO \"snapshot\" (\"persistence_id\", \"sequence_number\", \"created\", \"snapshot_ser_id\","
                                + " \"snapshot_ser_manifest\", \"snapshot_payload\") VALUES ('Busy|x', ?, 0, 33, 'S', ?)")) {
                      p.setLong(1, n);
                      p.setBytes(2, payload);
                      p.executeUpdate();
                    }
                    c.commit();
                  }
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      writer.start();
      try {
        org.awaitility.Awaitility.await().until(() -> count(source, "snapshot") > 200);
        Backup.Summary during = Backup.restore(database("h2"), new ByteArrayInputStream(backup(source, false)), false);
        // the populated snapshot plus one per busy event: both tables read at one instant
        assertEquals(during.rows().get("event_journal") - 1, during.rows().get("snapshot") - 1, dialect + ": " + during.rows());
        assertTrue(during.rows().get("event_journal") > 200, during.rows().toString());
      } finally {
        stop.set(true);
        writer.join();
      }
    }
  }

  private static String gunzip(byte[] file) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(file))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }
}
