package io.ragmill.query;

import com.typesafe.config.Config;

/** The {@code ragmill.query} block. */
public record QuerySettings(int defaultK, int maxQueryChars, int answerSentences) {
  public static QuerySettings fromConfig(Config root) {
    Config c = root.getConfig("ragmill.query");
    return new QuerySettings(c.getInt("default-k"), c.getInt("max-query-chars"), c.getInt("answer-sentences"));
  }
}
