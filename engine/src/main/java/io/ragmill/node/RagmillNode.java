package io.ragmill.node;

import com.typesafe.config.Config;
import io.ragmill.alert.AlertSettings;
import io.ragmill.alert.Alerts;
import io.ragmill.answer.ExtractiveAnswerGenerator;
import io.ragmill.api.Stages;
import io.ragmill.cache.Cache;
import io.ragmill.cache.CachePartition;
import io.ragmill.cache.CacheSettings;
import io.ragmill.cache.RedisTier;
import io.ragmill.collection.Collection;
import io.ragmill.collection.CollectionSettings;
import io.ragmill.collection.Collections;
import io.ragmill.collection.Generations;
import io.ragmill.embedding.BatcherLanes;
import io.ragmill.embedding.EmbeddingBatcher;
import io.ragmill.embedding.EmbeddingClient;
import io.ragmill.embedding.EmbeddingModels;
import io.ragmill.embedding.EmbeddingSettings;
import io.ragmill.index.IndexSettings;
import io.ragmill.index.IndexShard;
import io.ragmill.ingest.IngestSettings;
import io.ragmill.ingest.Ingestion;
import io.ragmill.ingest.IngestionJob;
import io.ragmill.ingest.StepPermits;
import io.ragmill.metrics.Metrics;
import io.ragmill.metrics.NodeMetrics;
import io.ragmill.persistence.EmbeddingStore;
import io.ragmill.persistence.JournalSchema;
import io.ragmill.persistence.PersistenceSettings;
import io.ragmill.query.CacheWarmer;
import io.ragmill.query.QueryPipeline;
import io.ragmill.query.QuerySettings;
import io.ragmill.routing.QueryRouter;
import io.ragmill.routing.RouterSettings;
import io.ragmill.session.QuerySession;
import io.ragmill.session.SessionSettings;
import io.ragmill.session.Sessions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Starts one node: checks the deployment, creates the journal schema, joins the cluster (itself,
 * when no seed nodes are configured) and initialises every sharded entity type. Only wiring lives
 * here; each feature owns its behaviour.
 */
public final class RagmillNode {
  private final ActorSystem<?> system;
  private final PersistenceSettings persistence;
  private final EmbeddingModels models;
  private final Cache cache;
  private final CacheWarmer warmer;
  private final EmbeddingClient embeddings;
  private final Collections collections;
  private final Ingestion ingestion;
  private final QueryPipeline queries;
  private final QueryRouter router;
  private final Reloader reloader;
  private final Sessions sessions;
  private final QuerySettings querySettings;
  private final IndexSettings indexSettings;
  private final Metrics metrics;
  private final AlertSettings alertSettings;
  private final ActorRef<Alerts.Command> alerts;
  private final Duration askTimeout;
  private final boolean redisEnabled;
  private final Optional<RedisTier> redis;

  private RagmillNode(ActorSystem<?> system, EmbeddingModels models) {
    this.system = system;
    Config config = system.settings().config();
    Duration askTimeout = config.getDuration("ragmill.ask-timeout");
    this.persistence = PersistenceSettings.fromConfig(config);
    this.querySettings = QuerySettings.fromConfig(config);
    this.indexSettings = IndexSettings.fromConfig(config);
    EmbeddingSettings embeddingSettings = EmbeddingSettings.fromConfig(config);
    IngestSettings ingestSettings = IngestSettings.fromConfig(config);
    CacheSettings cacheSettings = CacheSettings.fromConfig(config);
    this.models = models;

    this.metrics = Metrics.get(system);
    system.systemActorOf(NodeMetrics.create(), "ragmill-metrics", Props.empty());
    this.alertSettings = AlertSettings.fromConfig(config);
    this.alerts = system.systemActorOf(Alerts.create(alertSettings, metrics::summary), "ragmill-alerts", Props.empty());
    this.askTimeout = askTimeout;
    this.redisEnabled = RedisTier.Settings.fromConfig(config).enabled();
    AtomicReference<CacheSettings> liveCache = new AtomicReference<>(cacheSettings);
    AtomicReference<EmbeddingSettings.BatcherSettings> liveBatcher = new AtomicReference<>(embeddingSettings.batcher());
    this.redis = RedisTier.connect(system, RedisTier.Settings.fromConfig(config), cacheSettings);
    CachePartition.init(system, liveCache::get, redis);
    this.cache = new Cache(system, cacheSettings, askTimeout, redis);
    EmbeddingBatcher.init(system, models, liveBatcher::get);
    Optional<EmbeddingStore> store = Optional.empty();
    String storeMode = config.getString("ragmill.cache.embedding-store.enabled");
    boolean storeOn =
        switch (storeMode) {
          case "on", "true", "yes" -> true;
          case "off", "false", "no" -> false;
          case "auto" -> !embeddingSettings.model().equals("hashing");
          default -> throw new IllegalArgumentException(
              "ragmill.cache.embedding-store.enabled must be on, off or auto, was " + storeMode);
        };
    if (storeOn) {
      EmbeddingStore opened = new EmbeddingStore(persistence, config.getInt("ragmill.cache.embedding-store.max-connections"));
      system.getWhenTerminated().thenRun(opened::close);
      store = Optional.of(opened);
    }
    BatcherLanes lanes = BatcherLanes.of(system, models.modelId(), embeddingSettings.batcher());
    this.embeddings = new EmbeddingClient(system, cache, models, lanes, askTimeout, store);
    IndexShard.init(system, indexSettings);
    Generations generations =
        new Generations(system, askTimeout, config.getDuration("ragmill.query.generation-lease"));
    Collection.init(system, generations, askTimeout);
    this.collections = new Collections(system, generations, askTimeout);
    IngestionJob.init(
        system,
        new IngestionJob.Dependencies(
            embeddings, ingestSettings, askTimeout, new StepPermits(ingestSettings.maxConcurrentSteps())));
    CollectionSettings defaults =
        new CollectionSettings(
            ingestSettings.defaultChunkSize(), ingestSettings.defaultChunkOverlap(), ingestSettings.defaultChunkUnit(),
            indexSettings.defaultShards(), models.modelId());
    this.ingestion = new Ingestion(system, collections, ingestSettings, defaults, askTimeout);
    this.queries =
        new QueryPipeline(
            system, collections, cache, embeddings, models,
            new ExtractiveAnswerGenerator(querySettings.answerSentences()), askTimeout);
    this.warmer = new CacheWarmer(system, queries, 2, 100);
    this.router = new QueryRouter(system, queries, RouterSettings.fromConfig(config), askTimeout);
    this.reloader = new Reloader(system, liveCache, liveBatcher, cache, router, lanes, config);
    QuerySession.init(system, queries, SessionSettings.fromConfig(config));
    this.sessions = new Sessions(system, askTimeout);
  }

  /**
   * Starts a node with the model named in {@code ragmill.embedding.model}, loaded in the background
   * once {@code loadModelAfter} completes: the loading takes a core for about a second, which the
   * rest of startup would otherwise wait for on a small machine.
   */
  public static RagmillNode start(ActorSystem<?> system, CompletionStage<?> loadModelAfter) {
    EmbeddingSettings settings = EmbeddingSettings.fromConfig(system.settings().config());
    EmbeddingModels models =
        EmbeddingModels.load(
            settings,
            Executors.newSingleThreadExecutor(
                r -> {
                  Thread t = new Thread(r, "ragmill-model-loader");
                  t.setDaemon(true);
                  return t;
                }),
            loadModelAfter);
    return start(system, models);
  }

  public static RagmillNode start(ActorSystem<?> system, EmbeddingModels models) {
    Config config = system.settings().config();
    PersistenceSettings persistence = PersistenceSettings.fromConfig(config);
    refuseClusterOnEmbeddedJournal(system, persistence);
    // joining is asynchronous: start it first, so it overlaps the schema work
    joinCluster(system, persistence);
    if (persistence.createSchema()) {
      JournalSchema.createIfMissing(persistence);
    }
    return new RagmillNode(system, models);
  }

  /**
   * Seed nodes when configured; otherwise Pekko Management's cluster bootstrap when
   * ragmill.cluster.bootstrap is on (peers found through discovery, the first ones agreeing on who
   * forms the cluster); otherwise the node joins itself. Management HTTP starts first when enabled:
   * bootstrap's contact points are each other's management endpoints.
   */
  private static void joinCluster(ActorSystem<?> system, PersistenceSettings persistence) {
    Config config = system.settings().config();
    org.apache.pekko.actor.ActorSystem classic = org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system);
    boolean bootstrap = config.getBoolean("ragmill.cluster.bootstrap");
    boolean seeded = !config.getStringList("pekko.cluster.seed-nodes").isEmpty();
    if (bootstrap && !seeded && persistence.isNodeLocal()) {
      throw new IllegalStateException(
          "ragmill.cluster.bootstrap forms a multi-node cluster, but the journal is the embedded H2 file of this "
              + "node; use a shared PostgreSQL (cluster-config/postgres.conf) for a cluster");
    }
    if (config.getBoolean("ragmill.management.enabled") || (bootstrap && !seeded)) {
      org.apache.pekko.management.javadsl.PekkoManagement.get(classic)
          .start()
          .whenComplete(
              (uri, e) -> {
                if (e != null) {
                  system.log().error("Pekko Management HTTP failed to start: {}", e.getMessage());
                } else {
                  system.log().info("Pekko Management HTTP on {}", uri);
                }
              });
    }
    Cluster cluster = Cluster.get(system);
    if (seeded) {
      return; // pekko.cluster.seed-nodes: the cluster extension joins them by itself
    }
    if (bootstrap) {
      org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap.get(classic).start();
    } else {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }

  /** Per-node H2 files would give each node its own journal: a cluster needs one shared database (PostgreSQL, or an H2 server). */
  private static void refuseClusterOnEmbeddedJournal(ActorSystem<?> system, PersistenceSettings persistence) {
    if (!persistence.isNodeLocal()) {
      return;
    }
    Address self = Cluster.get(system).selfMember().address();
    List<String> seeds = system.settings().config().getStringList("pekko.cluster.seed-nodes");
    for (String seed : seeds) {
      Address address = AddressFromURIString.parse(seed);
      if (!address.equals(self)) {
        throw new IllegalStateException(
            "seed node " + seed + " makes this a multi-node cluster, but the journal is the embedded H2 file of "
                + "this node; use a shared PostgreSQL (cluster-config/postgres.conf) for a cluster");
      }
    }
  }

  public Readiness readiness() {
    Map<String, String> checks = new LinkedHashMap<>();
    MemberStatus status = Cluster.get(system).selfMember().status();
    boolean up = status == MemberStatus.up();
    checks.put("cluster", up ? "up" : status.toString().toLowerCase());
    boolean model = models.isLoaded();
    checks.put(
        "model",
        model ? "loaded: " + models.modelId()
            : models.failure().map(e -> "failed: " + e.getMessage()).orElse("loading: " + models.modelId()));
    boolean journal = JournalSchema.isReachable(persistence, 2);
    checks.put("journal", journal ? "reachable (" + persistence.dialect() + ")" : "unreachable");
    // Redis is an optional tier: its state is reported, it never makes the node unready
    checks.put(
        "redis",
        !redisEnabled ? "off"
            : redis.isEmpty() ? "unusable (see the log): running without L2"
            : switch (redis.get().status()) {
              case CONNECTED -> "connected";
              case RECONNECTING -> "disconnected: serving from L1 while it reconnects";
              case CONNECTING -> "unreachable since start: serving from L1 while it reconnects";
            });
    return new Readiness(up && model && journal, checks);
  }

  public Metrics metrics() {
    return metrics;
  }

  public AlertSettings alertSettings() {
    return alertSettings;
  }

  /** The alerts firing on this node and the rules. */
  public CompletionStage<Alerts.Status> alerts() {
    return Stages.direct(
        AskPattern.<Alerts.Command, Alerts.Status>ask(alerts, Alerts.GetAlerts::new, askTimeout, system.scheduler()));
  }

  /** Checks the alert rules now instead of at the next tick of the interval. */
  public void evaluateAlerts() {
    alerts.tell(Alerts.Evaluate.INSTANCE);
  }

  public ActorSystem<?> system() {
    return system;
  }

  public EmbeddingModels models() {
    return models;
  }

  public Cache cache() {
    return cache;
  }

  public CacheWarmer warmer() {
    return warmer;
  }

  public EmbeddingClient embeddings() {
    return embeddings;
  }

  public Collections collections() {
    return collections;
  }

  public Ingestion ingestion() {
    return ingestion;
  }

  /** The pipeline itself, without the router's admission control (internal callers and tests). */
  public QueryPipeline queries() {
    return queries;
  }

  /** Session-less queries from the outside: through this node's worker pool, 429 when it is full. */
  public QueryRouter router() {
    return router;
  }

  public Sessions sessions() {
    return sessions;
  }

  public Reloader reloader() {
    return reloader;
  }

  public QuerySettings querySettings() {
    return querySettings;
  }

  public IndexSettings indexSettings() {
    return indexSettings;
  }
}
