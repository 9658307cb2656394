package io.ragmill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class ConsoleLoggingTest {
  @Test
  void setsUpTheConsoleAppenderAndLevelsOfTheNode() {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    ConsoleLogging.apply(context);

    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertEquals(Level.INFO, root.getLevel());
    assertEquals(Level.WARN, context.getLogger("com.zaxxer.hikari").getEffectiveLevel());
    assertEquals(Level.WARN, context.getLogger("slick.jdbc").getEffectiveLevel());
    assertEquals(Level.ERROR, context.getLogger("ai.djl.huggingface").getEffectiveLevel());
    assertEquals(Level.INFO, context.getLogger("io.ragmill.cache").getEffectiveLevel());

    @SuppressWarnings("unchecked")
    ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> console =
        (ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent>) root.getAppender("STDOUT");
    assertNotNull(console);
    assertTrue(console.isStarted());
    Encoder<ch.qos.logback.classic.spi.ILoggingEvent> encoder = console.getEncoder();
    LoggingEvent event =
        new LoggingEvent("fqcn", context.getLogger("io.ragmill.http.Main"), Level.INFO, "serving on {}", null, new Object[] {8080});
    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
    assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  io\\.ragmill\\.http\\.Main  - serving on 8080\\R"), line);
  }

  @Test
  void stepsAsideForALogbackTestFileOnTheClasspath() {
    // this module's tests carry logback-test.xml, as a user's configuration would be
    ConsoleLogging configurator = new ConsoleLogging();
    LoggerContext context = new LoggerContext();
    configurator.setContext(context);
    assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, configurator.configure(context));
    assertNull(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT"));
  }
}
