package io.ragmill.http;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code ragmill.http} block. */
public record HttpSettings(String host, int port, long maxBodyBytes, Duration waitTimeout) {
  public static HttpSettings fromConfig(Config root) {
    Config c = root.getConfig("ragmill.http");
    int port = c.getInt("port");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("ragmill.http.port must be 0..65535, was " + port);
    }
    return new HttpSettings(c.getString("host"), port, c.getBytes("max-body"), c.getDuration("wait-timeout"));
  }
}
