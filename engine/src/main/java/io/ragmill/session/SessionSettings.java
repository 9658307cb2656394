package io.ragmill.session;

import com.typesafe.config.Config;

/**
 * The {@code ragmill.session} block: turns kept per session (older ones are dropped from its state
 * and, after the next snapshot, from the journal) and how much of the previous question a
 * follow-up carries.
 */
public record SessionSettings(int maxTurns, int maxContextChars, int snapshotEvery) {
  public SessionSettings {
    if (maxTurns <= 0 || maxContextChars <= 0 || snapshotEvery <= 0) {
      throw new IllegalArgumentException("ragmill.session: max-turns, max-context-chars and snapshot-every must be > 0");
    }
  }

  public static SessionSettings fromConfig(Config root) {
    Config c = root.getConfig("ragmill.session");
    return new SessionSettings(c.getInt("max-turns"), c.getInt("max-context-chars"), c.getInt("snapshot-every"));
  }
}
