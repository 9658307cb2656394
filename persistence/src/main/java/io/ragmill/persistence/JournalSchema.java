package io.ragmill.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * Creates the journal, snapshot and durable-state tables when they are missing. Runs once at
 * startup, before any persistent entity starts; every statement is idempotent, so several nodes
 * starting against one PostgreSQL at once do no harm.
 */
public final class JournalSchema {
  private JournalSchema() {}

  public static void createIfMissing(PersistenceSettings settings) {
    List<String> statements = statements(settings.dialect());
    try (Connection connection =
            DriverManager.getConnection(settings.url(), settings.user(), settings.password());
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "could not create the journal schema at " + settings.url() + ": " + e.getMessage(), e);
    }
  }

  /** True when the database answers a trivial query within the timeout (readiness). */
  public static boolean isReachable(PersistenceSettings settings, int timeoutSeconds) {
    DriverManager.setLoginTimeout(timeoutSeconds);
    try (Connection connection =
        DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
      return connection.isValid(timeoutSeconds);
    } catch (SQLException e) {
      return false;
    }
  }

  static List<String> statements(String dialect) {
    String resource = "/ragmill/schema/" + dialect + ".sql";
    try (InputStream in = JournalSchema.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no schema script " + resource);
      }
      String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String withoutComments = script.replaceAll("(?m)^--.*$", "");
      return Arrays.stream(withoutComments.split(";"))
          .map(String::strip)
          .filter(s -> !s.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }
}
