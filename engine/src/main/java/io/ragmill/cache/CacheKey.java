package io.ragmill.cache;

import io.ragmill.persistence.CborSerializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A cache key: kind, tenant, and a SHA-256 digest of everything that determines the value (for
 * answers: collection, generation, normalized query, k, filter, mode). The tenant is a field of its
 * own, so no digest collision can cross tenants.
 */
public record CacheKey(CacheKind kind, String tenant, String digest) implements CborSerializable {

  /** Digest of the parts, each length-prefixed so ("ab","c") and ("a","bc") differ. */
  public static CacheKey of(CacheKind kind, String tenant, String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : parts) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) ':');
        sha.update(bytes);
      }
      return new CacheKey(kind, tenant, HexFormat.of().formatHex(sha.digest(), 0, 16));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  public int partition(int partitions) {
    return Math.floorMod(digest.hashCode() * 31 + tenant.hashCode(), partitions);
  }
}
