package dev.quirkproxy.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading captures back: complete files, files cut by a crash, malformed and newer ones. */
class CaptureReaderTest {

  private static final String HEADER =
      "{\"type\":\"header\",\"format\":\"quirkproxy-capture\",\"version\":1,\"session\":\"s1\",\"protocol\":\"imap\","
          + "\"client\":\"c\",\"start\":\"2026-11-26T00:00:00Z\"}\n";
  private static final String FRAME1 =
      "{\"type\":\"frame\",\"seq\":1,\"t\":1,\"dir\":\"client>proxy\",\"kind\":\"line\",\"text\":\"a NOOP\\r\\n\"}\n";
  private static final String FRAME2 =
      "{\"type\":\"frame\",\"seq\":2,\"t\":2,\"dir\":\"upstream>proxy\",\"kind\":\"line\",\"base64\":\"YSBPSw0K\"}\n";
  private static final String FOOTER =
      "{\"type\":\"footer\",\"end\":\"2026-11-26T00:00:01Z\",\"reason\":\"bye\",\"events\":2,\"bytes\":{}}\n";

  @TempDir Path dir;

  private CaptureReader.Capture read(String content) throws Exception {
    Path f = dir.resolve("c.jsonl");
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return CaptureReader.read(f);
  }

  @Test
  void completeCapture() throws Exception {
    CaptureReader.Capture c = read(HEADER + FRAME1 + FRAME2 + FOOTER);
    assertThat(c.problems()).isEmpty();
    // A header without the optional fields (listener, listen, upstream, ...) of older captures.
    assertThat(c.header().has("listener")).isFalse();
    assertThat(c.events()).hasSize(2);
    assertThat(new String(c.bytes(Direction.CLIENT_TO_PROXY), StandardCharsets.UTF_8))
        .isEqualTo("a NOOP\r\n");
    assertThat(new String(c.bytes(Direction.UPSTREAM_TO_PROXY), StandardCharsets.UTF_8))
        .isEqualTo("a OK\r\n");
  }

  @Test
  void cutInTheMiddleOfALineSaysWhereAndKeepsWhatCameBefore() throws Exception {
    String cut = HEADER + FRAME1 + FRAME2.substring(0, 20);
    CaptureReader.Capture c = read(cut);
    assertThat(c.events()).hasSize(1);
    assertThat(c.problems().get(0))
        .isEqualTo(
            "cut at line 3 (byte "
                + (HEADER.length() + FRAME1.length())
                + "): the last line is incomplete, 20 bytes without a line end; the 1 events before it are intact");
  }

  @Test
  void missingFooterIsReported() throws Exception {
    assertThat(read(HEADER + FRAME1).problems()).singleElement().asString().startsWith("no footer");
  }

  @Test
  void malformedLinesAndSequenceErrorsAreReported() throws Exception {
    CaptureReader.Capture c = read(HEADER + FRAME2 + "not json\n" + FRAME1 + FOOTER);
    assertThat(c.problems())
        .anyMatch(p -> p.startsWith("line 3 (byte"))
        .anyMatch(p -> p.contains("sequence number 1 after 2"));
  }

  @Test
  void newerVersionsAreRefusedAndForeignFilesRecognised() throws Exception {
    assertThat(read(HEADER.replace("\"version\":1", "\"version\":9") + FOOTER).problems())
        .anyMatch(p -> p.contains("newer than this reader"));
    assertThat(read("{\"hello\":1}\n").problems())
        .containsExactly("line 1 is not a quirkproxy-capture header");
  }
}
