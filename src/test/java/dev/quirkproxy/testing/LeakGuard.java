package dev.quirkproxy.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector (paranoid in tests) reported a ByteBuf that was
 * never released. Registered for every test class through JUnit's extension auto-detection; the
 * appender half is wired in logback-test.xml.
 */
public final class LeakGuard extends AppenderBase<ILoggingEvent> implements AfterAllCallback {

  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getFormattedMessage().contains("LEAK:")) {
      LEAKS.add(event.getFormattedMessage());
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    // Leaks are only noticed once the garbage collector has run and buffers are allocated again.
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      for (int j = 0; j < 100; j++) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(16);
        b.release();
      }
    }
    if (!LEAKS.isEmpty()) {
      String first = LEAKS.get(0);
      LEAKS.clear();
      throw new AssertionError(
          "Netty reported a ByteBuf leak during " + context.getDisplayName() + ":\n" + first);
    }
  }
}
