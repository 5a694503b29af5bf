package dev.quirkproxy.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayClientFramerTest {

  /** Hands out one byte per read, as a slow socket might. */
  private static InputStream oneByteAtATime(String text) {
    ByteArrayInputStream in = new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    return new InputStream() {
      @Override
      public int read() {
        return in.read();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return len == 0 ? 0 : in.read(b, off, 1);
      }
    };
  }

  private static List<String> frames(String text, boolean server) throws IOException {
    ReplayClientFramer f = new ReplayClientFramer(oneByteAtATime(text), server, 1 << 20);
    List<String> out = new ArrayList<>();
    for (byte[] b = f.next(); b != null; b = f.next()) {
      out.add(new String(b, StandardCharsets.ISO_8859_1));
    }
    return out;
  }

  @Test
  void serverFramesKeepTheirLiteralsButStatusTextAnnouncesNone() throws IOException {
    assertThat(
            frames(
                "* 1 FETCH (BODY[] {5}\r\nab\r\nc FLAGS ())\r\n* OK see {3}\r\na1 OK done\r\n",
                true))
        .containsExactly(
            "* 1 FETCH (BODY[] {5}\r\nab\r\nc FLAGS ())\r\n", "* OK see {3}\r\n", "a1 OK done\r\n");
  }

  @Test
  void clientFramesKeepEveryLiteral() throws IOException {
    assertThat(frames("a LOGIN {4+}\r\nuser {10}\r\n[REDACTED]\r\nb NOOP\r\n", false))
        .containsExactly("a LOGIN {4+}\r\nuser {10}\r\n[REDACTED]\r\n", "b NOOP\r\n");
    assertThat(ReplayClientFramer.endsInSyncLiteral("a LOGIN {4}")).isTrue();
    assertThat(ReplayClientFramer.endsInSyncLiteral("a LOGIN {4+}")).isFalse();
  }
}
