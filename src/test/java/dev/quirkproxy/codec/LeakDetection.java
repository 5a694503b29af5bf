package dev.quirkproxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Turns netty's LEAK reports into test failures. Netty reports a leaked buffer only when a later
 * allocation finds it collected, so after a test class this collects garbage, allocates a little,
 * and fails the class if the leak detector logged anything.
 */
public final class LeakDetection implements BeforeAllCallback, AfterAllCallback {

  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  @Override
  public void beforeAll(ExtensionContext context) {
    install();
    assertThat(ResourceLeakDetector.getLevel())
        .as("tests run with paranoid leak detection (pom.xml test.jvm.args)")
        .isEqualTo(ResourceLeakDetector.Level.PARANOID);
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    provokeReports();
    List<String> found = List.copyOf(LEAKS);
    LEAKS.clear();
    assertThat(found).as("netty LEAK reports after " + context.getDisplayName()).isEmpty();
  }

  /** Collects garbage and allocates, so that the detector reports collected unreleased buffers. */
  public static void provokeReports() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(20);
      ByteBufAllocator.DEFAULT.buffer(1).release();
      ByteBufAllocator.DEFAULT.heapBuffer(1).release();
      Unpooled.buffer(1).release();
      Unpooled.directBuffer(1).release();
    }
  }

  private static synchronized void install() {
    Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    if (logger.getAppender("leak-collector") != null) {
      return;
    }
    AppenderBase<ILoggingEvent> appender =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
              LEAKS.add(event.getFormattedMessage());
            }
          }
        };
    appender.setName("leak-collector");
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
  }
}
