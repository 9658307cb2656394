package io.ragmill.metrics;

import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Gauge;
import kamon.metric.Histogram;
import kamon.metric.Timer;
import org.apache.pekko.actor.typed.ActorSystem;

/** The instruments of one batcher lane ({@code model#lane}): what each batch held and how long it took. */
public final class BatcherMetrics {
  private final Histogram batchSize;
  private final Histogram batchTokens;
  private final Timer queueWait;
  private final Timer inference;
  private final Gauge pending;
  private final Counter rejected;

  BatcherMetrics(Metrics metrics, String lane) {
    var tags = metrics.tags("lane", lane);
    this.batchSize = Kamon.histogram(MetricNames.BATCH_SIZE).withTags(tags);
    this.batchTokens = Kamon.histogram(MetricNames.BATCH_TOKENS).withTags(tags);
    this.queueWait = Kamon.timer(MetricNames.BATCH_QUEUE_WAIT).withTags(tags);
    this.inference = Kamon.timer(MetricNames.BATCH_INFERENCE_TIME).withTags(tags);
    this.pending = metrics.gauge(MetricNames.BATCH_PENDING, tags);
    this.rejected = Kamon.counter(MetricNames.BATCH_REJECTED).withTags(tags);
  }

  public static BatcherMetrics get(ActorSystem<?> system, String lane) {
    return Metrics.get(system).batcher(lane);
  }

  /** A batch went to the model: its distinct texts, estimated tokens and its oldest text's wait. */
  public void dispatched(int texts, int tokens, long oldestWaitNanos) {
    batchSize.record(texts);
    batchTokens.record(tokens);
    queueWait.record(Math.max(0, oldestWaitNanos));
  }

  public void inferred(long nanos) {
    inference.record(nanos);
  }

  public void pending(int texts) {
    pending.update(texts);
  }

  public void rejected() {
    rejected.increment();
  }
}
