package dev.quirkproxy.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Sets the log level from {@code -v} / {@code -q}: warn, info (default), debug, trace. */
final class Logging {

  private Logging() {}

  static void configure(int verbosity, boolean quiet) {
    Level level =
        quiet
            ? Level.WARN
            : switch (verbosity) {
              case 0 -> Level.INFO;
              case 1 -> Level.DEBUG;
              default -> Level.TRACE;
            };
    Logger root = (Logger) LoggerFactory.getLogger("dev.quirkproxy");
    root.setLevel(level);
  }
}
