package io.ragmill.http;

import com.typesafe.config.Config;
import io.ragmill.api.RagmillException;
import io.ragmill.persistence.Backup;
import io.ragmill.persistence.PersistenceSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.javadsl.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/backup[?embeddings=false]}: a backup of the node's database (the journal every
 * node of a cluster shares), as a gzip'd download ({@link Backup} has the format). It is written
 * to a file under the data folder first and streamed from there, so a failure is a problem
 * response rather than a download cut short, and the file is deleted once sent. One backup at a
 * time per node (409 otherwise). Restoring is {@code bin/ragmill restore FILE}, with the nodes
 * stopped.
 */
final class BackupRoute {
  private static final Logger log = LoggerFactory.getLogger(BackupRoute.class);
  /** A backup file not deleted after sending (the client went away first) is swept after this. */
  private static final Duration STALE = Duration.ofHours(1);
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final PersistenceSettings settings;
  private final Path folder;
  private final Executor blocking;
  private final AtomicBoolean running = new AtomicBoolean();

  BackupRoute(ActorSystem<?> system) {
    Config config = system.settings().config();
    this.settings = PersistenceSettings.fromConfig(config);
    this.folder = Path.of(config.getString("ragmill.data-dir"), "backups");
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  CompletionStage<HttpResponse> backup(Optional<String> embeddingsParameter) {
    boolean embeddings =
        switch (embeddingsParameter.orElse("true")) {
          case "true" -> true;
          case "false" -> false;
          default -> throw RagmillException.invalid("embeddings must be true or false, was " + embeddingsParameter.get());
        };
    if (!running.compareAndSet(false, true)) {
      throw new RagmillException(RagmillException.Kind.CONFLICT, "a backup is already running on this node; try again when it is done");
    }
    CompletableFuture<HttpResponse> response =
        CompletableFuture.supplyAsync(
            () -> {
              Path file = write(embeddings);
              try {
                return send(file);
              } catch (IOException e) {
                delete(file);
                throw new UncheckedIOException(e);
              }
            },
            blocking);
    return response
        .whenComplete((r, e) -> running.set(false))
        .exceptionally(
            error -> {
              Throwable cause = error.getCause() != null ? error.getCause() : error;
              throw RagmillException.unavailable("the backup failed: " + cause.getMessage(), Duration.ofSeconds(5));
            });
  }

  private Path write(boolean embeddings) {
    Path file;
    try {
      Files.createDirectories(folder);
      sweep();
      file = Files.createTempFile(folder, "backup-", ".tmp");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write under " + folder + ": " + e.getMessage(), e);
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      Backup.Summary summary = Backup.write(settings, out, embeddings);
      log.info("backup written: {} rows ({})", summary.total(), summary.rows());
      return file;
    } catch (IOException e) {
      delete(file);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      delete(file);
      throw e;
    }
  }

  private HttpResponse send(Path file) throws IOException {
    long size = Files.size(file);
    var bytes =
        FileIO.fromPath(file)
            .mapMaterializedValue(
                done -> {
                  done.whenComplete((result, error) -> delete(file));
                  return done;
                });
    return HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.create(MediaTypes.applicationBinary("gzip", false, "gz")), size, bytes))
        .addHeader(
            RawHeader.create(
                "Content-Disposition", "attachment; filename=\"ragmill-" + STAMP.format(Instant.now()) + ".backup.gz\""));
  }

  /** Deletes backup files left behind by downloads that never started. */
  private void sweep() throws IOException {
    Instant before = Instant.now().minus(STALE);
    try (Stream<Path> files = Files.list(folder)) {
      files
          .filter(p -> p.getFileName().toString().startsWith("backup-"))
          .filter(p -> {
            try {
              return Files.getLastModifiedTime(p).toInstant().isBefore(before);
            } catch (IOException e) {
              return false;
            }
          })
          .forEach(BackupRoute::delete);
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("could not delete {}: {}", file, e.getMessage());
    }
  }
}
