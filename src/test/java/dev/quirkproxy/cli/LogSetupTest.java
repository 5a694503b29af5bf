package dev.quirkproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

class LogSetupTest {

  @Test
  void theProxyLogsToStderrWithTheSessionIdAtInfo() {
    LoggerContext context = new LoggerContext();
    LogSetup.install(context);
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("dev.quirkproxy").getLevel()).isEqualTo(Level.INFO);
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    assertThat(root.getAppender("STDERR"))
        .isInstanceOfSatisfying(
            ConsoleAppender.class,
            a -> {
              assertThat(a.getTarget()).isEqualTo("System.err");
              assertThat(a.isStarted()).isTrue();
            });
    assertThat(LogSetup.PATTERN).contains("%X{session:-main}");
  }

  @Test
  void aLogbackTestXmlOnTheClassPathWins() {
    // The tests have src/test/resources/logback-test.xml: logback's XML configurator must run.
    LogSetup setup = new LogSetup();
    assertThat(setup.configure(new LoggerContext()))
        .isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
  }
}
