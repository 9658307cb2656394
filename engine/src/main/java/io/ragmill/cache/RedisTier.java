package io.ragmill.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.typesafe.config.Config;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.ragmill.metrics.CacheMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.CircuitBreaker;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The L2 tier: cache entries in Redis under {@code {key-prefix}:{tenant}:{kind}:{digest}} (prefix
 * {@code ragmill} unless set, so deployments sharing one Redis keep apart), values as
 * Jackson CBOR bytes, TTL per kind. One Lettuce connection per node (it multiplexes). Commands time
 * out after {@code command-timeout}; while disconnected Lettuce rejects commands instead of
 * queueing them, so a write issued during an outage is never replayed later over a newer value; a
 * circuit breaker stops calling a Redis that keeps failing and lets a trial call through after
 * {@code reset-timeout}. Every failure reads as a miss or a skipped write: Redis never fails a request.
 */
public final class RedisTier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisTier.class);

  /** The {@code ragmill.cache.redis} block. */
  public record Settings(
      boolean enabled, String uri, String keyPrefix, Duration commandTimeout, int maxFailures, Duration resetTimeout) {
    public Settings {
      // no glob characters: the prefix is part of the SCAN patterns that clear the cache
      if (!keyPrefix.matches("[A-Za-z0-9_.\\-]+(:[A-Za-z0-9_.\\-]+)*")) {
        throw new IllegalArgumentException(
            "ragmill.cache.redis.key-prefix must be letters, digits, '_', '.', '-', in parts joined by ':', was \""
                + keyPrefix + "\"");
      }
    }

    public static Settings fromConfig(Config root) {
      Config c = root.getConfig("ragmill.cache.redis");
      return new Settings(
          c.getBoolean("enabled"), c.getString("uri"), c.getString("key-prefix"), c.getDuration("command-timeout"),
          c.getInt("breaker.max-failures"), c.getDuration("breaker.reset-timeout"));
    }
  }

  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisAsyncCommands<byte[], byte[]> commands;
  private final CircuitBreaker breaker;
  private final ObjectMapper cbor;
  private final CacheSettings cacheSettings;
  private final CacheMetrics metrics;
  private final String prefix;

  private RedisTier(ActorSystem<?> system, Settings settings, CacheSettings cacheSettings) {
    this.cacheSettings = cacheSettings;
    this.prefix = settings.keyPrefix() + ":";
    this.metrics = CacheMetrics.get(system);
    this.client = RedisClient.create(RedisURI.create(settings.uri()));
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
            // an unreachable Redis must not hold up startup for Lettuce's default 10 s
            .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).build())
            .build());
    StatefulRedisConnection<byte[], byte[]> opened;
    try {
      opened = client.connect(ByteArrayCodec.INSTANCE);
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
    this.connection = opened;
    this.commands = connection.async();
    this.breaker =
        CircuitBreaker.create(
                system.classicSystem().scheduler(), settings.maxFailures(), settings.commandTimeout().multipliedBy(2),
                settings.resetTimeout())
            .addOnOpenListener(() -> log.warn("Redis (L2) keeps failing: circuit open, serving from L1 and computing"))
            .addOnCloseListener(() -> log.info("Redis (L2) answers again: circuit closed"));
    this.cbor = JacksonObjectMapperProvider.get(system.classicSystem()).getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
  }

  /**
   * Connects, or returns empty (with a warning) when Redis cannot be reached at start: the node
   * serves without L2 rather than refusing to start.
   */
  public static Optional<RedisTier> connect(ActorSystem<?> system, Settings settings, CacheSettings cacheSettings) {
    if (!settings.enabled()) {
      return Optional.empty();
    }
    try {
      RedisTier tier = new RedisTier(system, settings, cacheSettings);
      system.getWhenTerminated().thenRun(tier::close);
      return Optional.of(tier);
    } catch (RuntimeException e) {
      log.warn("Redis (L2) at {} unreachable at start, running without it: {}", settings.uri(), e.getMessage());
      return Optional.empty();
    }
  }

  /** {@code {prefix}:{tenant}:{kind}:{digest}}, with {@code {collection}:} before the digest when the key has one. */
  static byte[] redisKey(String prefix, CacheKey key) {
    String collection = key.collection().isEmpty() ? "" : key.collection() + ":";
    return (prefix + key.tenant() + ":" + key.kind().name().toLowerCase() + ":" + collection + key.digest())
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The SCAN pattern of the keys of one kind, tenant and/or collection (a collection needs its tenant). */
  static String pattern(String prefix, Optional<CacheKind> kind, Optional<String> tenant, Optional<String> collection) {
    String k = kind.map(x -> x.name().toLowerCase()).orElse("*");
    String t = tenant.map(RedisTier::escape).orElse("*");
    return collection.map(c -> prefix + t + ":" + k + ":" + escape(c) + ":*").orElse(prefix + t + ":" + k + ":*");
  }

  private static String escape(String glob) {
    StringBuilder out = new StringBuilder(glob.length());
    for (char c : glob.toCharArray()) {
      if ("*?[]\\^".indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  /**
   * Deletes every key matching (SCAN pages of 1,000, UNLINK), outside the circuit breaker: an
   * operator asked for it, so a failure is reported rather than swallowed. Completes with the count.
   */
  public CompletionStage<Long> clear(Optional<CacheKind> kind, Optional<String> tenant, Optional<String> collection) {
    byte[] match = pattern(prefix, kind, tenant, collection).getBytes(StandardCharsets.UTF_8);
    return clearFrom(io.lettuce.core.ScanCursor.INITIAL, match, 0L);
  }

  private CompletionStage<Long> clearFrom(io.lettuce.core.ScanCursor cursor, byte[] match, long removed) {
    return commands
        .scan(cursor, io.lettuce.core.ScanArgs.Builder.matches(match).limit(1000))
        .thenCompose(
            page -> {
              CompletionStage<Long> unlinked =
                  page.getKeys().isEmpty()
                      ? CompletableFuture.completedFuture(0L)
                      : commands.unlink(page.getKeys().toArray(new byte[0][])).thenApply(n -> n == null ? 0L : n);
              return unlinked.thenCompose(
                  n -> page.isFinished()
                      ? CompletableFuture.completedFuture(removed + n)
                      : clearFrom(page, match, removed + n));
            });
  }

  /** The stored value, or empty on a miss, an error, a timeout or an open circuit. */
  public CompletionStage<Optional<CachedValue>> get(CacheKey key) {
    long start = System.nanoTime();
    return guarded(
            () -> commands.get(redisKey(prefix, key)).toCompletableFuture())
        .whenComplete((bytes, error) -> metrics.lookupTime(key.kind(), CacheMetrics.Tier.L2, System.nanoTime() - start))
        .thenApply(bytes -> bytes == null ? Optional.<CachedValue>empty() : Optional.of(decode(bytes)))
        .exceptionally(error -> Optional.empty());
  }

  /** Writes with the kind's TTL; failures are logged at debug and dropped. */
  public void set(CacheKey key, CachedValue value) {
    byte[] bytes;
    try {
      bytes = cbor.writerFor(CachedValue.class).writeValueAsBytes(value);
    } catch (Exception e) {
      log.warn("cache value of {} not written to Redis: {}", value.getClass().getSimpleName(), e.getMessage());
      return;
    }
    long ttlMillis = cacheSettings.kind(key.kind()).ttl().toMillis();
    guarded(() -> commands.set(redisKey(prefix, key), bytes, SetArgs.Builder.px(ttlMillis)).toCompletableFuture())
        .exceptionally(
            error -> {
              log.debug("Redis write skipped: {}", error.getMessage());
              return null;
            });
  }

  private <T> CompletableFuture<T> guarded(java.util.concurrent.Callable<CompletionStage<T>> call) {
    return breaker.callWithCircuitBreakerCS(call).toCompletableFuture();
  }

  private CachedValue decode(byte[] bytes) {
    try {
      return cbor.readValue(bytes, CachedValue.class);
    } catch (Exception e) {
      throw new IllegalStateException("unreadable cache value in Redis: " + e.getMessage(), e);
    }
  }

  /** Whether the connection is up now (Lettuce reconnects on its own). */
  public boolean isConnected() {
    return connection.isOpen();
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
