package io.ragmill.cache;

import io.ragmill.persistence.CborSerializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A cache key: kind, tenant, collection (empty for keys not tied to one, such as embeddings) and a
 * SHA-256 digest of everything that determines the value (for answers: collection, generation,
 * normalized query, k, filter, mode). Tenant and collection are fields of their own, so no digest
 * collision can cross tenants, and entries can be cleared by collection.
 */
public record CacheKey(CacheKind kind, String tenant, String collection, String digest) implements CborSerializable {

  /** A key not tied to a collection; the digest covers the parts, each length-prefixed. */
  public static CacheKey of(CacheKind kind, String tenant, String... parts) {
    return new CacheKey(kind, tenant, "", digest("", parts));
  }

  /** A key of one collection's value; the collection is part of the digest as well. */
  public static CacheKey scoped(CacheKind kind, String tenant, String collection, String... parts) {
    return new CacheKey(kind, tenant, collection, digest(collection, parts));
  }

  /** Length-prefixed parts, so ("ab","c") and ("a","bc") differ. */
  private static String digest(String collection, String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      if (!collection.isEmpty()) {
        update(sha, collection);
      }
      for (String part : parts) {
        update(sha, part);
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  private static void update(MessageDigest sha, String part) {
    byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
    sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
    sha.update((byte) ':');
    sha.update(bytes);
  }

  public int partition(int partitions) {
    return Math.floorMod(digest.hashCode() * 31 + tenant.hashCode(), partitions);
  }
}
