package io.ragmill.http;

import com.typesafe.config.Config;
import io.ragmill.persistence.Backup;
import io.ragmill.persistence.BackupException;
import io.ragmill.persistence.PersistenceSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ragmill backup FILE [--no-embeddings]} and {@code ragmill restore FILE [--replace]} on the
 * database of the node's configuration, with no node using it ({@link Backup} does the work).
 */
final class BackupCommand {
  private BackupCommand() {}

  /** Returns the exit status: 0 done, 1 refused or failed, 2 usage. */
  static int run(Config config, String[] args, PrintStream out, PrintStream err) {
    String command = args[0];
    List<String> flags = Arrays.asList(args).subList(Math.min(2, args.length), args.length);
    String allowed = command.equals("backup") ? "--no-embeddings" : "--replace";
    if (args.length < 2 || args[1].startsWith("--") || flags.stream().anyMatch(f -> !f.equals(allowed))) {
      err.println("usage: ragmill " + command + " FILE [" + allowed + "]");
      return 2;
    }
    Path file = Path.of(args[1]);
    PersistenceSettings settings = PersistenceSettings.fromConfig(config);
    try {
      if (command.equals("backup")) {
        Backup.Summary summary = backup(settings, file, !flags.contains("--no-embeddings"));
        out.println("ragmill: backed up " + settings.url() + " to " + file + ": " + summary.rows());
      } else {
        Backup.Summary summary;
        try (InputStream in = Files.newInputStream(file)) {
          summary = Backup.restore(settings, in, flags.contains("--replace"));
        }
        out.println(
            "ragmill: restored " + file + " (taken " + summary.createdAt() + " on " + summary.source() + ") into "
                + settings.url() + ": " + summary.rows());
      }
      return 0;
    } catch (FileAlreadyExistsException e) {
      err.println("ragmill: " + file + " exists; not overwriting it");
      return 1;
    } catch (BackupException | IOException | UncheckedIOException e) {
      err.println("ragmill: " + command + " failed: " + e.getMessage());
      return 1;
    }
  }

  /** Into a new file, deleted again if the backup fails. */
  private static Backup.Summary backup(PersistenceSettings settings, Path file, boolean embeddings) throws IOException {
    OutputStream o = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW);
    try (o) {
      return Backup.write(settings, o, embeddings);
    } catch (RuntimeException | IOException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }
}
