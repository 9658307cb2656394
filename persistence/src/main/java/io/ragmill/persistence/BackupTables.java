package io.ragmill.persistence;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The tables a backup holds, with the columns and types it copies: the same on H2 and PostgreSQL
 * (both schemas in {@code ragmill/schema}), so a backup of either restores into either. The four
 * tables of pekko-persistence-jdbc first, in the order a restore must insert them (tags refer to
 * journal rows), then the persistent embedding tier.
 */
final class BackupTables {
  private BackupTables() {}

  enum Type {
    LONG,
    INT,
    BOOLEAN,
    TEXT,
    BYTES
  }

  /**
   * {@code whenNull}: what a restore writes for a null, for the few columns H2's schema declares
   * NOT NULL and PostgreSQL's does not (null: write null).
   */
  record Column(String name, Type type, Object whenNull) {
    static Column of(String name, Type type) {
      return new Column(name, type, null);
    }
  }

  /**
   * {@code orderBy}: the order rows are read in (a stable file for the same data); {@code
   * sequence}: the column a database numbers itself, whose counter a restore moves past the
   * restored rows (null: none); {@code cache}: rows that can be rebuilt (the embedding tier), merged
   * into a target rather than counted as data already there.
   */
  record Table(String name, List<Column> columns, String orderBy, String sequence, boolean cache) {
    String select() {
      return "SELECT " + columnList() + " FROM " + quote(name) + " ORDER BY " + orderBy;
    }

    String columnList() {
      return columns.stream().map(c -> quote(c.name())).collect(Collectors.joining(", "));
    }

    List<String> columnNames() {
      return columns.stream().map(Column::name).toList();
    }
  }

  static String quote(String identifier) {
    return "\"" + identifier + "\"";
  }

  static final Table JOURNAL =
      new Table(
          "event_journal",
          List.of(
              Column.of("ordering", Type.LONG),
              Column.of("persistence_id", Type.TEXT),
              Column.of("sequence_number", Type.LONG),
              Column.of("deleted", Type.BOOLEAN),
              Column.of("writer", Type.TEXT),
              new Column("write_timestamp", Type.LONG, 0L),
              new Column("adapter_manifest", Type.TEXT, ""),
              Column.of("event_ser_id", Type.INT),
              Column.of("event_ser_manifest", Type.TEXT),
              Column.of("event_payload", Type.BYTES),
              Column.of("meta_ser_id", Type.INT),
              Column.of("meta_ser_manifest", Type.TEXT),
              Column.of("meta_payload", Type.BYTES)),
          "\"ordering\"",
          "ordering",
          false);

  static final Table TAGS =
      new Table(
          "event_tag",
          List.of(Column.of("event_id", Type.LONG), Column.of("tag", Type.TEXT)),
          "\"event_id\", \"tag\"",
          null,
          false);

  static final Table SNAPSHOTS =
      new Table(
          "snapshot",
          List.of(
              Column.of("persistence_id", Type.TEXT),
              Column.of("sequence_number", Type.LONG),
              Column.of("created", Type.LONG),
              Column.of("snapshot_ser_id", Type.INT),
              Column.of("snapshot_ser_manifest", Type.TEXT),
              Column.of("snapshot_payload", Type.BYTES),
              Column.of("meta_ser_id", Type.INT),
              Column.of("meta_ser_manifest", Type.TEXT),
              Column.of("meta_payload", Type.BYTES)),
          "\"persistence_id\", \"sequence_number\"",
          null,
          false);

  static final Table DURABLE_STATE =
      new Table(
          "durable_state",
          List.of(
              Column.of("global_offset", Type.LONG),
              Column.of("persistence_id", Type.TEXT),
              Column.of("revision", Type.LONG),
              Column.of("state_payload", Type.BYTES),
              Column.of("state_serial_id", Type.INT),
              Column.of("state_serial_manifest", Type.TEXT),
              Column.of("tag", Type.TEXT),
              Column.of("state_timestamp", Type.LONG)),
          "\"persistence_id\"",
          "global_offset",
          false);

  static final Table EMBEDDINGS =
      new Table(
          "ragmill_embedding",
          List.of(
              Column.of("model", Type.TEXT),
              Column.of("text_digest", Type.TEXT),
              Column.of("vector", Type.BYTES),
              Column.of("created_at", Type.LONG)),
          "\"model\", \"text_digest\"",
          null,
          true);

  /** Every table, in the order a backup writes them and a restore inserts them. */
  static final List<Table> ALL = List.of(JOURNAL, TAGS, SNAPSHOTS, DURABLE_STATE, EMBEDDINGS);

  static Table named(String name) {
    return ALL.stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new BackupException("the backup holds a table this version does not know: " + name));
  }
}
