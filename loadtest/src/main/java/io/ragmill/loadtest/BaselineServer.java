package io.ragmill.loadtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * A bare Pekko HTTP server on a random local port with one POST endpoint that parses a small JSON body
 * and answers a fixed small JSON object: the most the HTTP stack alone can do on this machine.
 */
final class BaselineServer implements AutoCloseable {
  static final String PATH = "/baseline";

  private final ServerBinding binding;

  private BaselineServer(ServerBinding binding) {
    this.binding = binding;
  }

  static BaselineServer start(ActorSystem system) {
    return start(system, 0);
  }

  static BaselineServer start(ActorSystem system, int port) {
    ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", port).bind(new Routes().route())
        .toCompletableFuture().join();
    return new BaselineServer(binding);
  }

  String url() {
    return "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @Override
  public void close() {
    binding.terminate(Duration.ofSeconds(2)).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  /** The one route: POST /baseline with a JSON body. */
  private static final class Routes extends AllDirectives {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ResponseEntity ANSWER =
        HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"answer\":{\"text\":\"baseline\"},\"chunks\":[]}");

    Route route() {
      return path(PATH.substring(1), () -> post(() -> entity(Unmarshaller.entityToString(), body -> {
        try {
          JSON.readTree(body);
        } catch (JsonProcessingException e) {
          return complete(StatusCodes.BAD_REQUEST, "not JSON");
        }
        return complete(HttpResponse.create().withEntity(ANSWER));
      })));
    }
  }
}
