package io.ragmill.alert;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The {@code ragmill.alerts} block. */
public record AlertSettings(Duration interval, Optional<String> webhookUrl, List<AlertRule> rules) {
  public AlertSettings {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("ragmill.alerts.interval must be > 0, was " + interval);
    }
    Set<String> names = new HashSet<>();
    for (AlertRule rule : rules) {
      if (!names.add(rule.name())) {
        throw new IllegalArgumentException("ragmill.alerts.rules: the name '" + rule.name() + "' is used twice");
      }
    }
  }

  public static AlertSettings fromConfig(Config root) {
    Config c = root.getConfig("ragmill.alerts");
    String url = c.getString("webhook-url").strip();
    if (!url.isEmpty() && !url.startsWith("http://") && !url.startsWith("https://")) {
      throw new IllegalArgumentException("ragmill.alerts.webhook-url must be an http(s) URL, was '" + url + "'");
    }
    return new AlertSettings(
        c.getDuration("interval"), url.isEmpty() ? Optional.empty() : Optional.of(url),
        c.getConfigList("rules").stream().map(AlertRule::fromConfig).toList());
  }
}
