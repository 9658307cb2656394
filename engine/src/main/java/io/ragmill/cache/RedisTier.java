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
import io.ragmill.api.RagmillException;
import io.ragmill.metrics.CacheMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 *
 * <p>Lettuce reconnects only a connection that once succeeded, so a Redis that is unreachable at
 * start is retried here, in the background, with a backoff between {@code reconnect.min-backoff}
 * and {@code reconnect.max-backoff}; until it answers, L2 is a miss and writes are skipped, as
 * during a later outage.
 */
public final class RedisTier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisTier.class);

  /** The {@code ragmill.cache.redis} block. */
  public record Settings(
      boolean enabled, String uri, String keyPrefix, Duration commandTimeout, int maxFailures, Duration resetTimeout,
      Duration minBackoff, Duration maxBackoff) {
    public Settings {
      if (minBackoff.isNegative() || minBackoff.isZero()) {
        throw new IllegalArgumentException("ragmill.cache.redis.reconnect.min-backoff must be > 0, was " + minBackoff);
      }
      if (maxBackoff.compareTo(minBackoff) < 0) {
        throw new IllegalArgumentException(
            "ragmill.cache.redis.reconnect.max-backoff must be >= min-backoff (" + minBackoff + "), was " + maxBackoff);
      }
      // no glob characters: the prefix is part of the SCAN patterns that clear the cache
      if (!keyPrefix.matches("[A-Za-z0-9_.\\-]+(:[A-Za-z0-9_.\\-]+)*")) {
        throw new IllegalArgumentException(
            "ragmill.cache.redis.key-prefix must be letters, digits, '_', '.', '-', in parts joined by ':', was \""
                + keyPrefix + "\"");
      }
    }

    /**
     * The URI as logs and answers show it: without the user and password a {@code
     * redis://user:password@host} URI may carry.
     */
    public String shown() {
      return uri.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", "$1");
    }

    public static Settings fromConfig(Config root) {
      Config c = root.getConfig("ragmill.cache.redis");
      return new Settings(
          c.getBoolean("enabled"), c.getString("uri"), c.getString("key-prefix"), c.getDuration("command-timeout"),
          c.getInt("breaker.max-failures"), c.getDuration("breaker.reset-timeout"),
          c.getDuration("reconnect.min-backoff"), c.getDuration("reconnect.max-backoff"));
    }
  }

  /** Where the connection stands, for readiness. */
  public enum Status {
    /** Commands go to Redis. */
    CONNECTED,
    /** The connection was up and dropped: Lettuce reconnects it; L1 serves meanwhile. */
    RECONNECTING,
    /** Redis has not been reached since start: retried with backoff; L1 serves meanwhile. */
    CONNECTING
  }

  /** How long a start waits for the first connection before it goes on without L2 (and keeps trying). */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private final RedisClient client;
  private final RedisURI uri;
  private final Settings settings;
  private final ActorSystem<?> system;
  // null until the first connection succeeds; from then on Lettuce keeps it (and reconnects it)
  private volatile StatefulRedisConnection<byte[], byte[]> connection;
  private volatile RedisAsyncCommands<byte[], byte[]> commands;
  private volatile boolean closed;
  private final CircuitBreaker breaker;
  private final ObjectMapper cbor;
  private final CacheSettings cacheSettings;
  private final CacheMetrics metrics;
  private final String prefix;

  private RedisTier(ActorSystem<?> system, Settings settings, CacheSettings cacheSettings) {
    this.system = system;
    this.settings = settings;
    this.cacheSettings = cacheSettings;
    this.prefix = settings.keyPrefix() + ":";
    this.metrics = CacheMetrics.get(system);
    this.uri = RedisURI.create(settings.uri());
    this.client = RedisClient.create();
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
            // an unreachable Redis must not hold up startup for Lettuce's default 10 s
            .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
            .build());
    this.breaker =
        CircuitBreaker.create(
                system.classicSystem().scheduler(), settings.maxFailures(), settings.commandTimeout().multipliedBy(2),
                settings.resetTimeout())
            .addOnOpenListener(() -> log.warn("Redis (L2) keeps failing: circuit open, serving from L1 and computing"))
            .addOnCloseListener(() -> log.info("Redis (L2) answers again: circuit closed"));
    this.cbor = JacksonObjectMapperProvider.get(system.classicSystem()).getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
  }

  /**
   * The tier, connected if Redis answers within the connect timeout; otherwise it is logged, the
   * node serves without L2 and the connection is retried in the background until Redis answers.
   * Empty when Redis is off, or its URI cannot be used.
   */
  public static Optional<RedisTier> connect(ActorSystem<?> system, Settings settings, CacheSettings cacheSettings) {
    if (!settings.enabled()) {
      return Optional.empty();
    }
    RedisTier tier;
    try {
      tier = new RedisTier(system, settings, cacheSettings);
    } catch (RuntimeException e) {
      log.warn(
          "Redis (L2) at {} cannot be used, running without it: {}",
          settings.shown(), String.valueOf(e.getMessage()).replace(settings.uri(), settings.shown()));
      return Optional.empty();
    }
    system.getWhenTerminated().thenRun(tier::close);
    boolean connected;
    try {
      connected = tier.attempt().toCompletableFuture().get(CONNECT_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      connected = false;
    } catch (ExecutionException | TimeoutException e) {
      connected = false;
    }
    if (!connected) {
      log.warn(
          "Redis (L2) at {} unreachable at start: serving without L2, retrying in the background (every {} to {})",
          settings.shown(), settings.minBackoff(), settings.maxBackoff());
      tier.retryAfter(settings.minBackoff());
    }
    return Optional.of(tier);
  }

  /** One connection attempt; completes with whether the tier is connected now (never exceptionally). */
  private CompletionStage<Boolean> attempt() {
    if (connection != null) {
      return CompletableFuture.completedFuture(true);
    }
    CompletableFuture<Boolean> outcome = new CompletableFuture<>();
    try {
      client
          .connectAsync(ByteArrayCodec.INSTANCE, uri)
          .whenComplete(
              (opened, error) -> {
                if (error != null) {
                  log.debug("Redis (L2) at {} still unreachable: {}", settings.shown(), error.getMessage());
                  outcome.complete(false);
                } else {
                  outcome.complete(adopt(opened));
                }
              });
    } catch (RuntimeException e) {
      // the client was shut down under us
      outcome.complete(false);
    }
    return outcome;
  }

  private synchronized boolean adopt(StatefulRedisConnection<byte[], byte[]> opened) {
    if (closed || connection != null) {
      opened.closeAsync();
      return connection != null;
    }
    commands = opened.async();
    connection = opened;
    return true;
  }

  /** Tries again after {@code delay} (with jitter), doubling it up to the maximum while Redis stays away. */
  private void retryAfter(Duration delay) {
    if (closed) {
      return;
    }
    long jittered = (long) (delay.toMillis() * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    Runnable retry =
        () -> attempt()
            .thenAccept(
                connected -> {
                  if (connected) {
                    log.info("Redis (L2) at {} reachable: L2 in use", settings.shown());
                  } else {
                    Duration next = delay.multipliedBy(2);
                    retryAfter(next.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : next);
                  }
                });
    try {
      system.scheduler().scheduleOnce(Duration.ofMillis(Math.max(1, jittered)), retry, system.executionContext());
    } catch (IllegalStateException e) {
      // the scheduler stops with the actor system: nothing left to retry for
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
    if (commands == null) {
      return CompletableFuture.failedFuture(
          RagmillException.unavailable(
              "Redis (L2) at " + settings.shown() + " has not been reachable since this node started: nothing cleared there",
              settings.minBackoff()));
    }
    byte[] match = pattern(prefix, kind, tenant, collection).getBytes(StandardCharsets.UTF_8);
    return clearFrom(io.lettuce.core.ScanCursor.INITIAL, match, 0L);
  }

  private CompletionStage<Long> clearFrom(io.lettuce.core.ScanCursor cursor, byte[] match, long removed) {
    RedisAsyncCommands<byte[], byte[]> commands = this.commands;
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
    RedisAsyncCommands<byte[], byte[]> commands = this.commands;
    if (commands == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    long start = System.nanoTime();
    return guarded(
            () -> commands.get(redisKey(prefix, key)).toCompletableFuture())
        .whenComplete((bytes, error) -> metrics.lookupTime(key.kind(), CacheMetrics.Tier.L2, System.nanoTime() - start))
        .thenApply(bytes -> bytes == null ? Optional.<CachedValue>empty() : Optional.of(decode(bytes)))
        .exceptionally(error -> Optional.empty());
  }

  /** Writes with the kind's TTL; failures are logged at debug and dropped. */
  public void set(CacheKey key, CachedValue value) {
    RedisAsyncCommands<byte[], byte[]> commands = this.commands;
    if (commands == null) {
      return;
    }
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

  /** Whether the connection is up now. */
  public boolean isConnected() {
    return status() == Status.CONNECTED;
  }

  public Status status() {
    StatefulRedisConnection<byte[], byte[]> c = connection;
    return c == null ? Status.CONNECTING : c.isOpen() ? Status.CONNECTED : Status.RECONNECTING;
  }

  @Override
  public void close() {
    StatefulRedisConnection<byte[], byte[]> c;
    synchronized (this) {
      closed = true;
      c = connection;
    }
    if (c != null) {
      c.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
