package dev.quirkproxy.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.capture.CaptureReader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A recorded STARTTLS is never a step of {@code replay client}: the replay does its own. */
class ReplayClientScriptStartTlsTest {

  @TempDir Path tmp;

  @Test
  void aRecordedStartTlsIsSkippedEvenWhenTheUpstreamAnsweredIt() throws Exception {
    Path file =
        Script.write(
            tmp,
            "imap",
            "S: * OK [CAPABILITY IMAP4rev1 STARTTLS] ready",
            "C: a1 STARTTLS",
            "S: a1 OK Begin TLS negotiation now",
            "C: a2 NOOP",
            "S: a2 OK done");
    ReplayClientScript script = ReplayClientScript.of(CaptureReader.read(file));
    assertThat(script.steps()).extracting(ReplayClientScript.Step::tag).containsExactly("a2");
    assertThat(script.skipped())
        .containsExactly("a1 STARTTLS: " + ReplayClientScript.STARTTLS_SKIPPED);
  }

  @Test
  void theUrlShownSaysStartTls() {
    ReplayClientConfig c =
        new ReplayClientConfig(
            "::1",
            143,
            false,
            null,
            null,
            SemanticDiffIgnore.defaults(),
            java.time.Duration.ofSeconds(1),
            dev.quirkproxy.session.Protocol.IMAP,
            true,
            null,
            false);
    assertThat(c.where()).isEqualTo("imap://[::1]:143?tls=starttls");
    assertThat(c.tls()).isTrue();
  }
}
