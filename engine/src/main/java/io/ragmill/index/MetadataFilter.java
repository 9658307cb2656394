package io.ragmill.index;

import io.ragmill.persistence.CborSerializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

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

  /**
   * A text form for cache keys, the same for filters that match alike (keys and values sorted,
   * repeated values once) and different for any two that do not: every key and value is
   * length-prefixed. The map's own {@code toString} made {@code {"lang": ["java", "kotlin"]}} and
   * {@code {"lang": "java, kotlin"}} one key, so one filter's cached answer was served to the other.
   */
  public String canonical() {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, List<String>> e : new TreeMap<>(anyOf).entrySet()) {
      lengthPrefixed(out, e.getKey()).append('=');
      for (String value : new TreeSet<>(e.getValue())) {
        lengthPrefixed(out, value);
      }
      out.append(';');
    }
    return out.toString();
  }

  private static StringBuilder lengthPrefixed(StringBuilder out, String part) {
    return out.append(part.length()).append(':').append(part);
  }
}
