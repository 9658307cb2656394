package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MainTest {
  @AfterEach
  void clear() {
    System.clearProperty("ragmill.data-dir");
    ConfigFactory.invalidateCaches();
  }

  @Test
  void aRelativeDataDirBecomesAbsoluteInTheJournalUrl() throws Exception {
    System.setProperty("ragmill.data-dir", "target/relative-data");
    ConfigFactory.invalidateCaches();
    Config config = Main.withAbsoluteDataDir(ConfigFactory.load());
    Path expected = Paths.get("target/relative-data").toAbsolutePath().normalize();
    assertEquals(expected.toString(), config.getString("ragmill.data-dir"));
    assertEquals(
        "jdbc:h2:file:" + expected + "/ragmill;WRITE_DELAY=0",
        config.getString("pekko-persistence-jdbc.shared-databases.slick.db.url"));
    assertTrue(Files.isDirectory(expected));
  }
}
