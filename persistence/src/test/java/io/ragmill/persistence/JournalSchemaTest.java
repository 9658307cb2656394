package io.ragmill.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalSchemaTest {

  private static void assertTables(PersistenceSettings s) throws Exception {
    try (Connection c = DriverManager.getConnection(s.url(), s.user(), s.password())) {
      for (String table : List.of("event_journal", "event_tag", "snapshot", "durable_state", "ragmill_embedding")) {
        try (ResultSet rs = c.getMetaData().getTables(null, null, table, null)) {
          assertTrue(rs.next(), "table " + table + " missing");
        }
      }
    }
  }

  @Test
  void createsTheH2SchemaAndCanRunAgain() throws Exception {
    Path dir = Files.createTempDirectory("schema");
    PersistenceSettings h2 = new PersistenceSettings("h2", true, "jdbc:h2:file:" + dir + "/db", "sa", "");
    JournalSchema.createIfMissing(h2);
    JournalSchema.createIfMissing(h2);
    assertTables(h2);
    assertTrue(JournalSchema.isReachable(h2, 2));
  }

  @Test
  void createsThePostgresSchemaAndCanRunAgain() throws Exception {
    PersistenceSettings pg =
        new PersistenceSettings("postgres", true, "jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
    JournalSchema.createIfMissing(pg);
    JournalSchema.createIfMissing(pg);
    assertTables(pg);
  }

  @Test
  void reportsAnUnreachableDatabaseClearly() {
    PersistenceSettings closed =
        new PersistenceSettings("postgres", true, "jdbc:postgresql://127.0.0.1:1/test?connectTimeout=2", "postgres", "");
    assertFalse(JournalSchema.isReachable(closed, 2));
    var error = assertThrows(IllegalStateException.class, () -> JournalSchema.createIfMissing(closed));
    assertTrue(error.getMessage().contains("127.0.0.1:1"), error.getMessage());
  }

  @Test
  void refusesAnUnknownDialect() {
    var error =
        assertThrows(IllegalArgumentException.class, () -> new PersistenceSettings("mysql", true, "jdbc:x", "", ""));
    assertEquals("ragmill.persistence.dialect must be h2 or postgres, was mysql", error.getMessage());
  }
}
