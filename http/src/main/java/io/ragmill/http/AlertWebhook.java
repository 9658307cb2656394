package io.ragmill.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.alert.Alerts;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * POSTs every alert change published on the event stream ({@link Alerts.AlertEvent}, firing or
 * resolved) as JSON to {@code ragmill.alerts.webhook-url}, with the Pekko HTTP client. A failed
 * POST is logged and not retried: the alert stays listed at /admin/alerts.
 */
final class AlertWebhook {
  private sealed interface Command {}

  private record Deliver(Alerts.AlertEvent event) implements Command {}

  private record Delivered(Alerts.AlertEvent event, int status, Throwable error) implements Command {}

  private AlertWebhook() {}

  static Behavior<Object> create(String url, ObjectMapper mapper) {
    return Behaviors.<Command>setup(
            ctx -> {
              ctx.getSystem().eventStream().tell(
                  new EventStream.Subscribe<>(Alerts.AlertEvent.class, ctx.messageAdapter(Alerts.AlertEvent.class, Deliver::new)));
              Http http = Http.get(ctx.getSystem());
              return Behaviors.receive(Command.class)
                  .onMessage(Deliver.class, d -> {
                    HttpRequest post = HttpRequest.POST(url)
                        .withEntity(ContentTypes.APPLICATION_JSON, mapper.writeValueAsBytes(d.event()));
                    ctx.pipeToSelf(
                        http.singleRequest(post).thenApply(r -> {
                          r.discardEntityBytes(ctx.getSystem());
                          return r;
                        }),
                        (HttpResponse r, Throwable e) -> new Delivered(d.event(), r == null ? 0 : r.status().intValue(), e));
                    return Behaviors.same();
                  })
                  .onMessage(Delivered.class, d -> {
                    if (d.error() != null || d.status() >= 300) {
                      ctx.getLog().warn("alert {} ({}) not delivered to the webhook: {}", d.event().alert().rule(),
                          d.event().state(), d.error() != null ? d.error().getMessage() : "HTTP " + d.status());
                    }
                    return Behaviors.same();
                  })
                  .build();
            })
        .unsafeCast();
  }
}
