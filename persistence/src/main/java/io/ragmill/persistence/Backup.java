package io.ragmill.persistence;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.persistence.BackupTables.Column;
import io.ragmill.persistence.BackupTables.Table;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Backup and restore of a node's durable state: the journal, snapshots and durable state of
 * pekko-persistence-jdbc, and the persistent embedding tier, copied row for row.
 *
 * <p><b>The file</b> is gzip'd JSON, one value a line: a header ({@code format}, {@code version},
 * {@code createdAt}, {@code source} dialect), then per table a line naming it and its columns,
 * its rows as arrays (binary columns in base64), and a line with its row count; last a line with
 * {@code complete: true} and every count. The event payloads are Pekko's serialized bytes, the same
 * whatever the database, so a backup of H2 restores into PostgreSQL and back: a single node on the
 * embedded journal moves to a cluster this way.
 *
 * <p><b>A backup is one point in time</b>: it reads every table in one transaction under snapshot
 * isolation (H2's {@code SNAPSHOT}, PostgreSQL's {@code REPEATABLE READ}), so it can run while the
 * node writes. Restored, the journal is what a crash at that instant would have left: jobs that
 * were running resume, and everything acknowledged before the backup began is there.
 *
 * <p><b>A restore</b> runs with no node on the target database. It creates the schema if needed,
 * refuses a database that already holds a journal unless told to replace it, inserts every row in
 * one transaction, checks each table's count against the file, and commits only when the file
 * ends with its {@code complete} line: a truncated or damaged file leaves the target as it was.
 * Then it moves the database's own counters (the journal's {@code ordering}, durable state's
 * {@code global_offset}) past the restored rows. Embedding rows are merged, not replaced: a vector
 * for a model and text never changes.
 */
public final class Backup {
  public static final String FORMAT = "ragmill-backup";
  public static final int VERSION = 1;
  private static final int BATCH = 500;
  /** H2's error code for a database file another process has open. */
  private static final int H2_DATABASE_IN_USE = 90020;
  /** H2's error codes for a database file that does not exist (with {@code IFEXISTS=TRUE}). */
  private static final int H2_DATABASE_NOT_FOUND = 90013;
  private static final int H2_DATABASE_NOT_FOUND_WITH_IF_EXISTS = 90146;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory LINES = new JsonFactoryBuilder().rootValueSeparator("\n").build();

  private Backup() {}

  /** What a backup holds, or what a restore wrote: rows per table, in file order. */
  public record Summary(String source, Instant createdAt, Map<String, Long> rows) {
    public long total() {
      return rows.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * Writes a backup of the database in {@code settings} to {@code out} (gzip'd; {@code out} is
   * closed). {@code embeddings}: include the persistent embedding tier (it can be rebuilt by the
   * model, and can be large).
   */
  public static Summary write(PersistenceSettings settings, OutputStream out, boolean embeddings) {
    Instant createdAt = Instant.now();
    Map<String, Long> rows = new LinkedHashMap<>();
    try (Connection c = connectToExisting(settings);
        JsonGenerator json = LINES.createGenerator(new GZIPOutputStream(out, 1 << 16))) {
      requireJournal(c, settings, embeddings);
      if (settings.isEmbedded()) {
        try (Statement s = c.createStatement()) {
          s.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SNAPSHOT");
        }
      } else {
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
      }
      c.setAutoCommit(false);
      json.writeStartObject();
      json.writeStringField("format", FORMAT);
      json.writeNumberField("version", VERSION);
      json.writeStringField("createdAt", createdAt.toString());
      json.writeStringField("source", settings.dialect());
      json.writeEndObject();
      for (Table table : BackupTables.ALL) {
        if (table.cache() && !embeddings) {
          continue;
        }
        rows.put(table.name(), writeTable(c, table, json));
      }
      json.writeStartObject();
      json.writeBooleanField("complete", true);
      json.writeObjectFieldStart("rows");
      for (Map.Entry<String, Long> e : rows.entrySet()) {
        json.writeNumberField(e.getKey(), e.getValue());
      }
      json.writeEndObject();
      json.writeEndObject();
      c.rollback(); // read only: nothing to keep
    } catch (SQLException e) {
      throw failure("backup", settings, e);
    } catch (IOException e) {
      throw new UncheckedIOException("writing the backup failed: " + e.getMessage(), e);
    }
    return new Summary(settings.dialect(), createdAt, Collections.unmodifiableMap(rows));
  }

  private static long writeTable(Connection c, Table table, JsonGenerator json) throws SQLException, IOException {
    json.writeStartObject();
    json.writeStringField("table", table.name());
    json.writeArrayFieldStart("columns");
    for (String name : table.columnNames()) {
      json.writeString(name);
    }
    json.writeEndArray();
    json.writeEndObject();
    long count = 0;
    try (PreparedStatement s = c.prepareStatement(table.select())) {
      s.setFetchSize(BATCH);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          writeRow(rs, table.columns(), json);
          count++;
        }
      }
    }
    json.writeStartObject();
    json.writeStringField("end", table.name());
    json.writeNumberField("rows", count);
    json.writeEndObject();
    return count;
  }

  private static void writeRow(ResultSet rs, List<Column> columns, JsonGenerator json) throws SQLException, IOException {
    json.writeStartArray();
    for (int i = 0; i < columns.size(); i++) {
      int at = i + 1;
      switch (columns.get(i).type()) {
        case LONG -> {
          long v = rs.getLong(at);
          if (rs.wasNull()) json.writeNull(); else json.writeNumber(v);
        }
        case INT -> {
          int v = rs.getInt(at);
          if (rs.wasNull()) json.writeNull(); else json.writeNumber(v);
        }
        case BOOLEAN -> {
          boolean v = rs.getBoolean(at);
          if (rs.wasNull()) json.writeNull(); else json.writeBoolean(v);
        }
        case TEXT -> {
          String v = rs.getString(at);
          if (v == null) json.writeNull(); else json.writeString(v);
        }
        case BYTES -> {
          byte[] v = rs.getBytes(at);
          if (v == null) json.writeNull(); else json.writeBinary(v);
        }
      }
    }
    json.writeEndArray();
  }

  /**
   * Restores a backup from {@code in} into the database in {@code settings}, which no node may be
   * using. {@code replace}: delete a journal already there first (otherwise such a database is
   * refused).
   */
  public static Summary restore(PersistenceSettings settings, InputStream in, boolean replace) {
    Summary summary;
    try (Connection c = connect(settings)) {
      JournalSchema.createIfMissing(settings);
      c.setAutoCommit(false);
      try {
        clearOrRefuse(c, replace);
        summary = readInto(c, settings, in);
        c.commit();
      } catch (RuntimeException | SQLException e) {
        c.rollback();
        throw e;
      }
      // H2 commits DDL at once, so the counters move after the rows are in
      moveCounters(c, settings);
      c.commit();
    } catch (SQLException e) {
      throw failure("restore", settings, e);
    }
    return summary;
  }

  private static void clearOrRefuse(Connection c, boolean replace) throws SQLException {
    long existing = 0;
    List<Table> data = BackupTables.ALL.stream().filter(t -> !t.cache()).toList();
    try (Statement s = c.createStatement()) {
      for (Table table : data) {
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + BackupTables.quote(table.name()))) {
          rs.next();
          existing += rs.getLong(1);
        }
      }
      if (existing == 0) {
        return;
      }
      if (!replace) {
        throw new BackupException(
            "the target database already holds a journal (" + existing + " rows); restore into an empty "
                + "database, or replace what is there (restore --replace)");
      }
      List<Table> reversed = new ArrayList<>(data);
      Collections.reverse(reversed); // tags before the journal rows they refer to
      for (Table table : reversed) {
        s.executeUpdate("DELETE FROM " + BackupTables.quote(table.name()));
      }
    }
  }

  private static Summary readInto(Connection c, PersistenceSettings settings, InputStream in) throws SQLException {
    try (JsonParser parser = JSON.getFactory().createParser(gunzip(in))) {
      JsonNode header = next(parser);
      if (header == null || !header.isObject() || !FORMAT.equals(header.path("format").asText())) {
        throw new BackupException("not a Ragmill backup: its first line is not a " + FORMAT + " header");
      }
      int version = header.path("version").asInt(-1);
      if (version < 1 || version > VERSION) {
        throw new BackupException(
            "the backup's format version is " + version + "; this Ragmill reads versions 1 to " + VERSION);
      }
      Map<String, Long> rows = new LinkedHashMap<>();
      while (true) {
        JsonNode line = next(parser);
        if (line == null) {
          throw new BackupException(
              "the backup is truncated: it ends before its closing line (" + rows.size() + " tables read); nothing was restored");
        }
        if (line.path("complete").asBoolean(false)) {
          JsonNode expected = line.path("rows");
          for (Map.Entry<String, Long> e : rows.entrySet()) {
            if (expected.path(e.getKey()).asLong(-1) != e.getValue()) {
              throw new BackupException("the backup's closing line disagrees with its rows for " + e.getKey());
            }
          }
          return new Summary(
              header.path("source").asText(""), Instant.parse(header.path("createdAt").asText(Instant.EPOCH.toString())),
              Collections.unmodifiableMap(rows));
        }
        String name = line.path("table").asText(null);
        if (name == null) {
          throw new BackupException("the backup is damaged: expected a table's header, found " + abbreviate(line));
        }
        Table table = BackupTables.named(name);
        List<String> columns = new ArrayList<>();
        line.path("columns").forEach(n -> columns.add(n.asText()));
        if (!columns.equals(table.columnNames())) {
          throw new BackupException("the backup's columns of " + name + " are " + columns + ", expected " + table.columnNames());
        }
        rows.put(name, readTable(c, settings, table, parser));
      }
    } catch (ZipException e) {
      throw new BackupException("not a Ragmill backup (not gzip, or damaged): " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BackupException("the backup could not be read: " + e.getMessage(), e);
    }
  }

  /** A table's rows, up to and with its closing line; returns how many were inserted. */
  private static long readTable(Connection c, PersistenceSettings settings, Table table, JsonParser parser)
      throws IOException, SQLException {
    long count = 0;
    int pending = 0;
    try (PreparedStatement insert = c.prepareStatement(insert(settings, table))) {
      while (true) {
        JsonToken token = parser.nextToken();
        if (token == null) {
          throw new BackupException("the backup is truncated inside table " + table.name() + "; nothing was restored");
        }
        if (token == JsonToken.START_OBJECT) {
          JsonNode end = JSON.readTree(parser);
          if (!table.name().equals(end.path("end").asText()) || end.path("rows").asLong(-1) != count) {
            throw new BackupException(
                "the backup is damaged: table " + table.name() + " closes with " + abbreviate(end) + " after " + count + " rows");
          }
          if (pending > 0) {
            insert.executeBatch();
          }
          return count;
        }
        if (token != JsonToken.START_ARRAY) {
          throw new BackupException("the backup is damaged: a row of " + table.name() + " is not an array");
        }
        bindRow(parser, table, insert);
        insert.addBatch();
        count++;
        if (++pending == BATCH) {
          insert.executeBatch();
          pending = 0;
        }
      }
    }
  }

  private static void bindRow(JsonParser parser, Table table, PreparedStatement insert) throws IOException, SQLException {
    List<Column> columns = table.columns();
    for (int i = 0; i < columns.size(); i++) {
      JsonToken token = parser.nextToken();
      Column column = columns.get(i);
      int at = i + 1;
      if (token == JsonToken.END_ARRAY || token == null) {
        throw new BackupException("the backup is damaged: a row of " + table.name() + " has " + i + " values, not " + columns.size());
      }
      if (token == JsonToken.VALUE_NULL) {
        Object fallback = column.whenNull();
        if (fallback == null) {
          insert.setNull(at, sqlType(column.type()));
        } else {
          insert.setObject(at, fallback);
        }
        continue;
      }
      try {
        switch (column.type()) {
          case LONG -> insert.setLong(at, parser.getLongValue());
          case INT -> insert.setInt(at, parser.getIntValue());
          case BOOLEAN -> insert.setBoolean(at, parser.getBooleanValue());
          case TEXT -> insert.setString(at, parser.getValueAsString());
          case BYTES -> insert.setBytes(at, parser.getBinaryValue());
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
        // a value of the wrong kind (a read that fails underneath stays an IOException)
        throw new BackupException(
            "the backup is damaged: column " + column.name() + " of " + table.name() + " holds " + token + ": " + e.getMessage(), e);
      }
    }
    if (parser.nextToken() != JsonToken.END_ARRAY) {
      throw new BackupException("the backup is damaged: a row of " + table.name() + " has more than " + columns.size() + " values");
    }
  }

  private static String insert(PersistenceSettings settings, Table table) {
    String marks = String.join(", ", Collections.nCopies(table.columns().size(), "?"));
    String into = BackupTables.quote(table.name()) + " (" + table.columnList() + ")";
    if (!table.cache()) {
      return "INSERT INTO " + into + " VALUES (" + marks + ")";
    }
    // the embedding tier is merged: a vector already there for the same model and text is the same vector
    return settings.isEmbedded()
        ? "MERGE INTO " + into + " KEY (\"model\", \"text_digest\") VALUES (" + marks + ")"
        : "INSERT INTO " + into + " VALUES (" + marks + ") ON CONFLICT (\"model\", \"text_digest\") DO NOTHING";
  }

  /** Moves each self-numbered column's counter past the highest restored value. */
  private static void moveCounters(Connection c, PersistenceSettings settings) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (Table table : BackupTables.ALL) {
        if (table.sequence() == null) {
          continue;
        }
        long next;
        try (ResultSet rs =
            s.executeQuery(
                "SELECT COALESCE(MAX(" + BackupTables.quote(table.sequence()) + "), 0) + 1 FROM "
                    + BackupTables.quote(table.name()))) {
          rs.next();
          next = rs.getLong(1);
        }
        if (!settings.isEmbedded()) {
          s.execute(
              "SELECT setval(pg_get_serial_sequence('" + table.name() + "', '" + table.sequence() + "'), " + next + ", false)");
        } else if (table == BackupTables.DURABLE_STATE) {
          s.execute("ALTER SEQUENCE \"global_offset_seq\" RESTART WITH " + next);
        } else {
          s.execute(
              "ALTER TABLE " + BackupTables.quote(table.name()) + " ALTER COLUMN " + BackupTables.quote(table.sequence())
                  + " RESTART WITH " + next);
        }
      }
    }
  }

  private static int sqlType(BackupTables.Type type) {
    return switch (type) {
      case LONG -> Types.BIGINT;
      case INT -> Types.INTEGER;
      case BOOLEAN -> Types.BOOLEAN;
      case TEXT -> Types.VARCHAR;
      case BYTES -> Types.VARBINARY;
    };
  }

  /** The next line's value, or null at the end of the file. */
  private static JsonNode next(JsonParser parser) throws IOException {
    return parser.nextToken() == null ? null : JSON.readTree(parser);
  }

  private static InputStream gunzip(InputStream in) throws IOException {
    return new GZIPInputStream(in, 1 << 16);
  }

  private static String abbreviate(JsonNode node) {
    String text = node.toString();
    return text.length() <= 80 ? text : text.substring(0, 80) + "...";
  }

  private static Connection connect(PersistenceSettings settings) throws SQLException {
    return DriverManager.getConnection(settings.url(), settings.user(), settings.password());
  }

  /** A connection to a database that exists: H2 would otherwise create an empty file (and folder) to back up. */
  private static Connection connectToExisting(PersistenceSettings settings) throws SQLException {
    String url = settings.url();
    if (!settings.isNodeLocal() || url.startsWith("jdbc:h2:mem:")) {
      return connect(settings);
    }
    try {
      String ifExists = url.toUpperCase(java.util.Locale.ROOT).contains(";IFEXISTS=") ? url : url + ";IFEXISTS=TRUE";
      return DriverManager.getConnection(ifExists, settings.user(), settings.password());
    } catch (SQLException e) {
      if (e.getErrorCode() == H2_DATABASE_NOT_FOUND || e.getErrorCode() == H2_DATABASE_NOT_FOUND_WITH_IF_EXISTS) {
        throw new BackupException(
            "there is no database to back up at " + settings.url()
                + ": the data folder is empty or missing; point ragmill.data-dir (RAGMILL_DATA_DIR) at the node's",
            e);
      }
      throw e;
    }
  }

  /** Refuses a database without the tables a backup reads: one that no node has run on. */
  private static void requireJournal(Connection c, PersistenceSettings settings, boolean embeddings) throws SQLException {
    List<String> missing = new ArrayList<>();
    for (Table table : BackupTables.ALL) {
      if (table.cache() && !embeddings) {
        continue;
      }
      // the schema files create every table in the public schema
      try (ResultSet rs = c.getMetaData().getTables(null, settings.isEmbedded() ? "PUBLIC" : "public", table.name(), null)) {
        if (!rs.next()) {
          missing.add(table.name());
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new BackupException(
          "the database at " + settings.url() + " holds no Ragmill journal (no table " + String.join(", ", missing)
              + "): nothing to back up; is it the node's database?");
    }
  }

  private static RuntimeException failure(String what, PersistenceSettings settings, SQLException e) {
    if (settings.isEmbedded() && e.getErrorCode() == H2_DATABASE_IN_USE) {
      return new BackupException(
          "the H2 database at " + settings.url() + " is open in a running node: stop the node first"
              + " (a running node is backed up with POST /admin/backup)",
          e);
    }
    // the driver's first line is the reason; H2 adds the SQL statement on the lines after it
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
    return new BackupException("the " + what + " failed on " + settings.url() + ": " + reason, e);
  }
}
