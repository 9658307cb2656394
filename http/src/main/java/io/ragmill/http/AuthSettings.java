package io.ragmill.http;

import com.typesafe.config.Config;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The {@code ragmill.auth} block: API keys to tenants, and the admin key. */
public record AuthSettings(boolean enabled, Map<String, String> tenantsByKey, Optional<String> adminKey) {

  static final String TENANT_RULE = "must be 1-64 letters, digits, '.', '_' or '-'";

  /** What an API key may map to; tenant names take part in keys and Redis patterns, so no ':' or '*'. */
  static boolean isTenant(String name) {
    return name.matches("[A-Za-z0-9._-]{1,64}");
  }

  public static AuthSettings fromConfig(Config root) {
    Config c = root.getConfig("ragmill.auth");
    Map<String, String> keys = new HashMap<>();
    Config apiKeys = c.getConfig("api-keys");
    for (String key : apiKeys.root().keySet()) {
      String tenant = apiKeys.getString("\"" + key + "\"");
      if (!isTenant(tenant)) {
        throw new IllegalArgumentException("ragmill.auth.api-keys: tenant '" + tenant + "' " + TENANT_RULE);
      }
      keys.put(key, tenant);
    }
    String admin = c.getString("admin-key");
    return new AuthSettings(c.getBoolean("enabled"), Map.copyOf(keys), admin.isBlank() ? Optional.empty() : Optional.of(admin));
  }
}
