package io.ragmill.cache;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a cached value was found: this node's near cache, the partition's Caffeine (L1), or Redis (L2). */
public enum CacheTier {
  NEAR,
  L1,
  L2;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
