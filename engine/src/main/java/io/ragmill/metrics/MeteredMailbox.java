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
import org.apache.pekko.actor.typed.javadsl.Adapter;
import scala.Option;

/**
 * An unbounded mailbox (the default's queue) that adds each enqueue and dequeue to its actor
 * type's counter, so the depth of all mailboxes of a type is one read. The type is the entity type
 * of a sharded entity ({@code /system/sharding/<type>/<shard>/<entity>}), else the parent's name.
 * Configured as {@code ragmill-metered-mailbox} in ragmill-node.conf.
 */
public final class MeteredMailbox implements MailboxType, ProducesMessageQueue<MeteredMailbox.Queue> {

  public MeteredMailbox(ActorSystem.Settings settings, Config config) {}

  @Override
  public MessageQueue create(Option<ActorRef> owner, Option<ActorSystem> system) {
    if (owner.isEmpty() || system.isEmpty()) {
      return new Queue(new LongAdder());
    }
    Metrics metrics = Metrics.get(Adapter.toTyped(system.get()));
    return new Queue(metrics.actor(actorType(owner.get().path())).queued);
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
    private final ConcurrentLinkedQueue<Envelope> queue = new ConcurrentLinkedQueue<>();
    private final LongAdder depth;

    Queue(LongAdder depth) {
      this.depth = depth;
    }

    @Override
    public void enqueue(ActorRef receiver, Envelope handle) {
      queue.offer(handle);
      depth.increment();
    }

    @Override
    public Envelope dequeue() {
      Envelope e = queue.poll();
      if (e != null) {
        depth.decrement();
      }
      return e;
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
