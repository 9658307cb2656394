package io.ragmill.metrics;

import com.typesafe.config.Config;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.ActorPath;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.Envelope;
import org.apache.pekko.dispatch.MailboxType;
import org.apache.pekko.dispatch.MessageQueue;
import org.apache.pekko.dispatch.ProducesMessageQueue;
import org.apache.pekko.dispatch.UnboundedMessageQueueSemantics;
import kamon.metric.Timer;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import scala.Option;

/**
 * An unbounded mailbox (the default's queue) that adds each enqueue and dequeue to its actor
 * type's counter, so the depth of all mailboxes of a type is one read, and times how long each
 * message waited before its actor took it (one small record per message). The type is the entity type
 * of a sharded entity ({@code /system/sharding/<type>/<shard>/<entity>}), else the parent's name.
 * Configured as {@code ragmill-metered-mailbox} in ragmill-node.conf.
 */
public final class MeteredMailbox implements MailboxType, ProducesMessageQueue<MeteredMailbox.Queue> {

  public MeteredMailbox(ActorSystem.Settings settings, Config config) {}

  @Override
  public MessageQueue create(Option<ActorRef> owner, Option<ActorSystem> system) {
    if (owner.isEmpty() || system.isEmpty()) {
      throw new IllegalStateException("ragmill-metered-mailbox counts per actor: it needs its owner and system");
    }
    Metrics metrics = Metrics.get(Adapter.toTyped(system.get()));
    return new Queue(metrics.actor(actorType(owner.get().path())));
  }

  static String actorType(ActorPath path) {
    scala.collection.Iterator<String> it = path.elements().iterator();
    String previous = "";
    while (it.hasNext()) {
      String element = it.next();
      if (previous.equals("sharding") && it.hasNext()) {
        return element;
      }
      previous = element;
    }
    return path.parent().name();
  }

  /** The queue of one actor. */
  public static final class Queue implements MessageQueue, UnboundedMessageQueueSemantics {
    private record Waiting(Envelope envelope, long since) {}

    private final ConcurrentLinkedQueue<Waiting> queue = new ConcurrentLinkedQueue<>();
    private final LongAdder depth;
    private final Timer timeInMailbox;

    Queue(ActorMetrics.TypeMetrics metrics) {
      this.depth = metrics.queued;
      this.timeInMailbox = metrics.timeInMailbox;
    }

    @Override
    public void enqueue(ActorRef receiver, Envelope handle) {
      queue.offer(new Waiting(handle, System.nanoTime()));
      depth.increment();
    }

    @Override
    public Envelope dequeue() {
      Waiting w = queue.poll();
      if (w == null) {
        return null;
      }
      depth.decrement();
      timeInMailbox.record(System.nanoTime() - w.since());
      return w.envelope();
    }

    @Override
    public int numberOfMessages() {
      return queue.size();
    }

    @Override
    public boolean hasMessages() {
      return !queue.isEmpty();
    }

    @Override
    public void cleanUp(ActorRef owner, MessageQueue deadLetters) {
      for (Envelope e = dequeue(); e != null; e = dequeue()) {
        deadLetters.enqueue(owner, e);
      }
    }
  }
}
