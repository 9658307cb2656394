package io.ragmill.persistence;

import com.typesafe.config.Config;

/** The {@code ragmill.persistence} block and the JDBC coordinates of the shared Slick database. */
public record PersistenceSettings(
    String dialect, boolean createSchema, String url, String user, String password) {

  public PersistenceSettings {
    if (!dialect.equals("h2") && !dialect.equals("postgres")) {
      throw new IllegalArgumentException(
          "ragmill.persistence.dialect must be h2 or postgres, was " + dialect);
    }
  }

  public static PersistenceSettings fromConfig(Config root) {
    Config p = root.getConfig("ragmill.persistence");
    Config db = root.getConfig("pekko-persistence-jdbc.shared-databases.slick.db");
    return new PersistenceSettings(
        p.getString("dialect"),
        p.getBoolean("create-schema"),
        db.getString("url"),
        db.hasPath("user") ? db.getString("user") : "",
        db.hasPath("password") ? db.getString("password") : "");
  }

  /** H2's SQL dialect, embedded in this JVM or served over TCP. */
  public boolean isEmbedded() {
    return dialect.equals("h2");
  }

  /**
   * A database only this node can use: an H2 file or in-memory database opened in this JVM. An H2
   * server ({@code jdbc:h2:tcp:} or {@code jdbc:h2:ssl:}) is shared like PostgreSQL.
   */
  public boolean isNodeLocal() {
    return isEmbedded() && !url.startsWith("jdbc:h2:tcp:") && !url.startsWith("jdbc:h2:ssl:");
  }
}
