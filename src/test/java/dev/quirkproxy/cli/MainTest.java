package dev.quirkproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The command line's contract: help, version, and exit codes 0 / 1 / 2. */
class MainTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void helpListsTheProxySubcommand() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("Usage: quirkproxy").contains("proxy");
  }

  @Test
  void proxyHelpShowsOptionsWithDefaults() {
    assertThat(run("proxy", "--help")).isZero();
    assertThat(out.toString()).contains("--upstream=URL").contains("--listen").contains("default: 64KiB")
        .contains("default: 30m").contains("Examples:");
  }

  @Test
  void versionNamesTheTool() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("quirkproxy ");
  }

  @Test
  void noSubcommandIsAUsageError() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("subcommand is required");
  }

  @Test
  void unknownOptionIsAUsageError() {
    assertThat(run("proxy", "--no-such-option")).isEqualTo(2);
  }

  @Test
  void unknownSchemeIsAUsageError() {
    assertThat(run("proxy", "--upstream", "smtp://127.0.0.1:25")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown scheme 'smtp'");
  }

  @Test
  void upstreamWithoutSchemeIsAUsageError() {
    assertThat(run("proxy", "--upstream", "127.0.0.1:143")).isEqualTo(2);
    assertThat(err.toString()).contains("needs a scheme");
  }

  @Test
  void implicitTlsUpstreamSaysTlsComesLater() {
    assertThat(run("proxy", "--upstream", "imaps://imap.example.com")).isEqualTo(2);
    assertThat(err.toString()).contains("TLS comes in a later version");
  }

  @Test
  void mixedProtocolsNeedTranslationWhichIsNotThereYet() {
    assertThat(run("proxy", "--upstream", "imap://127.0.0.1:143", "--listen", "pop3://127.0.0.1:0")).isEqualTo(2);
    assertThat(err.toString()).contains("protocol translation");
  }

  @Test
  void badSizeIsAUsageError() {
    assertThat(run("proxy", "--upstream", "imap://127.0.0.1:143", "--max-line", "lots")).isEqualTo(2);
    assertThat(err.toString()).contains("is not a size");
  }

  @Test
  void listenPortInUseIsAFailureNamingTheAddress() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThat(run("proxy", "--upstream", "imap://127.0.0.1:143", "--listen", "127.0.0.1:" + port)).isEqualTo(1);
      assertThat(err.toString()).contains("cannot listen on imap://127.0.0.1:" + port);
    }
  }
}
