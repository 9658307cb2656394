package io.ragmill.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The persistent embedding tier: packed vectors by (model, text digest) in the journal's database
 * (H2 file or PostgreSQL), so a node that restarts with an empty cache does not pay the model again
 * for text it has embedded before. Blocking JDBC: call it from a blocking dispatcher. A vector is
 * written once and never changes (same model, same text, same vector), so a lost or repeated write
 * is harmless.
 */
public final class EmbeddingStore implements AutoCloseable {
  private final HikariDataSource pool;
  private final String insert;
  private final String select;

  public EmbeddingStore(PersistenceSettings settings, int maxConnections) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(settings.url());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setMaximumPoolSize(maxConnections);
    config.setMinimumIdle(1);
    config.setPoolName("ragmill-embedding-store");
    config.setConnectionTimeout(5_000);
    this.pool = new HikariDataSource(config);
    this.insert =
        settings.isEmbedded()
            ? "MERGE INTO \"ragmill_embedding\" (\"model\", \"text_digest\", \"vector\", \"created_at\") "
                + "KEY (\"model\", \"text_digest\") VALUES (?, ?, ?, ?)"
            : "INSERT INTO ragmill_embedding (model, text_digest, vector, created_at) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (model, text_digest) DO NOTHING";
    this.select =
        settings.isEmbedded()
            ? "SELECT \"vector\" FROM \"ragmill_embedding\" WHERE \"model\" = ? AND \"text_digest\" = ?"
            : "SELECT vector FROM ragmill_embedding WHERE model = ? AND text_digest = ?";
  }

  public Optional<byte[]> get(String model, String textDigest) {
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement(select)) {
      s.setString(1, model);
      s.setString(2, textDigest);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("embedding store read failed: " + e.getMessage(), e);
    }
  }

  public void put(String model, String textDigest, byte[] vector) {
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement(insert)) {
      s.setString(1, model);
      s.setString(2, textDigest);
      s.setBytes(3, vector);
      s.setLong(4, System.currentTimeMillis());
      s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("embedding store write failed: " + e.getMessage(), e);
    }
  }

  /** Rows stored for a model (for tests and stats). */
  public long count(String model) {
    String sql =
        pool.getJdbcUrl().startsWith("jdbc:h2")
            ? "SELECT COUNT(*) FROM \"ragmill_embedding\" WHERE \"model\" = ?"
            : "SELECT COUNT(*) FROM ragmill_embedding WHERE model = ?";
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, model);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("embedding store count failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
