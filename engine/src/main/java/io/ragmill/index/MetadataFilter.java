package io.ragmill.index;

import io.ragmill.persistence.CborSerializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Equality filter on chunk metadata: every named key must be present with one of its listed
 * values. The empty filter matches everything.
 */
public record MetadataFilter(Map<String, List<String>> anyOf) implements CborSerializable {
  public static final MetadataFilter NONE = new MetadataFilter(Map.of());

  public MetadataFilter {
    anyOf = Map.copyOf(anyOf);
  }

  public boolean matches(Map<String, String> metadata) {
    for (Map.Entry<String, List<String>> e : anyOf.entrySet()) {
      String value = metadata.get(e.getKey());
      if (value == null || !e.getValue().contains(value)) {
        return false;
      }
    }
    return true;
  }

  public boolean isEmpty() {
    return anyOf.isEmpty();
  }

  /** A stable text form for cache keys: keys sorted, values in the order given. */
  public String canonical() {
    return new TreeMap<>(anyOf).toString();
  }
}
