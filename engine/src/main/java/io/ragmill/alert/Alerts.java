package io.ragmill.alert;

import io.ragmill.metrics.NodeSummary;
import io.ragmill.persistence.CborSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Checks the rules every {@code interval} against the node's summary (read through a supplier, so
 * a test can hand it any figures). A rule that starts to breach fires, one that stops breaching
 * (or has no data any more) resolves; each change is logged and published on the event stream as
 * an {@link AlertEvent}, where the HTTP edge's webhook picks it up.
 */
public final class Alerts extends AbstractBehavior<Alerts.Command> {

  public sealed interface Command extends CborSerializable {}

  /** Checks the rules now (the timer sends it too). */
  public enum Evaluate implements Command {
    INSTANCE
  }

  public record GetAlerts(ActorRef<Status> replyTo) implements Command {}

  /** A rule that is firing: since when, and the value that last breached it. */
  public record Alert(String rule, String metric, String target, double value, double threshold, String comparison,
      String node, Instant since) implements CborSerializable {}

  public record Status(String node, List<Alert> firing, List<AlertRule> rules, Instant evaluatedAt)
      implements CborSerializable {}

  /** A change: {@code state} is {@code firing} or {@code resolved}. */
  public record AlertEvent(String state, Alert alert, Instant at) implements CborSerializable {}

  private final AlertSettings settings;
  private final Supplier<NodeSummary> summaries;
  private final Map<String, Alert> firing = new LinkedHashMap<>();
  private Instant evaluatedAt;
  private String node = "";

  public static Behavior<Command> create(AlertSettings settings, Supplier<NodeSummary> summaries) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> {
          timers.startTimerWithFixedDelay(Evaluate.INSTANCE, settings.interval());
          return new Alerts(ctx, settings, summaries);
        }));
  }

  private Alerts(ActorContext<Command> context, AlertSettings settings, Supplier<NodeSummary> summaries) {
    super(context);
    this.settings = settings;
    this.summaries = summaries;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Evaluate.INSTANCE, this::onEvaluate)
        .onMessage(GetAlerts.class, this::onGetAlerts)
        .build();
  }

  private Behavior<Command> onEvaluate() {
    NodeSummary summary = summaries.get();
    Instant now = Instant.now();
    evaluatedAt = now;
    node = summary.node();
    for (AlertRule rule : settings.rules()) {
      OptionalDouble value = rule.value(summary);
      boolean breached = value.isPresent() && rule.breached(value.getAsDouble());
      Alert current = firing.get(rule.name());
      if (breached && current == null) {
        Alert alert = new Alert(
            rule.name(), rule.metric().configName(), rule.target(), value.getAsDouble(),
            rule.threshold(), rule.above() ? "above" : "below", summary.node(), now);
        firing.put(rule.name(), alert);
        getContext().getLog().warn(
            "alert {} firing on {}: {} of {} is {} ({} {})", rule.name(), summary.node(), alert.metric(),
            rule.target(), value.getAsDouble(), alert.comparison(), rule.threshold());
        publish(new AlertEvent("firing", alert, now));
      } else if (breached) {
        firing.put(rule.name(), withValue(current, value.getAsDouble()));
      } else if (current != null) {
        firing.remove(rule.name());
        Alert last = value.isPresent() ? withValue(current, value.getAsDouble()) : current;
        getContext().getLog().info("alert {} resolved on {}", rule.name(), summary.node());
        publish(new AlertEvent("resolved", last, now));
      }
    }
    return this;
  }

  private static Alert withValue(Alert a, double value) {
    return new Alert(a.rule(), a.metric(), a.target(), value, a.threshold(), a.comparison(), a.node(), a.since());
  }

  private void publish(AlertEvent event) {
    getContext().getSystem().eventStream().tell(new EventStream.Publish<>(event));
  }

  private Behavior<Command> onGetAlerts(GetAlerts get) {
    get.replyTo().tell(new Status(node, new ArrayList<>(firing.values()), settings.rules(), evaluatedAt));
    return this;
  }
}
