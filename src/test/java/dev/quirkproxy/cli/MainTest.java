package dev.quirkproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    assertThat(out.toString())
        .contains("--upstream=URL")
        .contains("--listen")
        .contains("default: 64KiB")
        .contains("default: 30m")
        .contains("Examples:");
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
  void unreadableUpstreamCaIsAFailureNamingTheFile(@TempDir Path dir) {
    Path missing = dir.resolve("nope.pem");
    assertThat(
            run(
                "proxy",
                "--upstream",
                "imaps://127.0.0.1:1",
                "--upstream-ca",
                missing.toString(),
                "--listen",
                "127.0.0.1:0"))
        .isEqualTo(1);
    assertThat(err.toString()).contains(missing.toString());
  }

  @Test
  void unknownClientTlsModeIsAUsageError() {
    assertThat(run("proxy", "--upstream", "imap://127.0.0.1:143", "--client-tls", "sometimes"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("unknown TLS mode 'sometimes'");
  }

  @Test
  void anUnknownForcedClientIsAUsageErrorNamingTheFamilies() {
    assertThat(run("proxy", "--upstream", "imap://127.0.0.1:143", "--client", "netscape"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("--client: unknown family 'netscape'")
        .contains("thunderbird")
        .contains("outlook");
  }

  @Test
  void aBrokenCatalogIsAUsageErrorNamingTheFile(@TempDir Path dir) throws Exception {
    Path catalog = dir.resolve("mine.json");
    java.nio.file.Files.writeString(catalog, "{\"version\": 1, \"entries\": [{\"nope\": 1}]}");
    assertThat(run("proxy", "--upstream", "imap://127.0.0.1:143", "--catalog", catalog.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("mine.json");
  }

  @Test
  void rulesTestComparesWithAGoldenFile(@TempDir Path dir) throws Exception {
    String[] args = {
      "rules",
      "test",
      "--capture",
      "captures/examples/imaplib-greenmail.jsonl",
      "--rules",
      "captures/examples/golden/faults.json",
      "--expect",
      "captures/examples/golden/imaplib-greenmail--faults.txt"
    };
    assertThat(run(args)).isZero();
    assertThat(out.toString()).contains("same as");
    Path wrong = dir.resolve("wrong.txt");
    java.nio.file.Files.writeString(
        wrong, java.nio.file.Files.readString(Path.of(args[7])).replace("maintenance", "holidays"));
    args[7] = wrong.toString();
    assertThat(run(args)).isEqualTo(1);
    assertThat(out.toString()).contains("differs from").contains("expected: ").contains("holidays");
  }

  @Test
  void rulesCheckFailsOnABrokenFileAndExplainSaysWhyRulesMiss(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("broken.json");
    java.nio.file.Files.writeString(
        broken, "{\"version\": 1, \"rules\": [{\"id\": \"x\", \"actoin\": {}}]}");
    assertThat(run("rules", "check", broken.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("broken.json:1:").contains("unknown field 'actoin'");
    assertThat(run("rules", "check", "rules/examples")).isZero();
    assertThat(
            run(
                "rules",
                "explain",
                "--capture",
                "captures/examples/imaplib-greenmail.jsonl",
                "--rules",
                "captures/examples/golden/faults.json",
                "--frame",
                "8"))
        .isZero();
    assertThat(out.toString())
        .contains("# frame #8 S: ")
        .contains("alert-after-login")
        .contains("MATCHES -> response-code")
        .contains("no: the response is OK, not FLAGS");
  }

  @Test
  void certWithoutKeyIsAUsageError() {
    assertThat(
            run(
                "proxy",
                "--upstream",
                "imap://127.0.0.1:143",
                "--client-tls",
                "implicit",
                "--cert",
                "x.pem"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--cert and --key go together");
  }

  @Test
  void caIsCreatedOnceKeptPrivateAndExported(@TempDir Path dir) throws Exception {
    Path ca = dir.resolve("ca");
    assertThat(run("ca", "--ca-dir", ca.toString())).isZero();
    assertThat(out.toString()).startsWith("created CA certificate: " + ca.resolve("ca.pem"));
    assertThat(Files.getPosixFilePermissions(ca.resolve("ca.key")))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.getPosixFilePermissions(ca))
        .doesNotContain(PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_READ);
    byte[] first = Files.readAllBytes(ca.resolve("ca.pem"));
    out.getBuffer().setLength(0);
    assertThat(run("ca", "--ca-dir", ca.toString())).isZero();
    assertThat(out.toString()).startsWith("CA certificate: ").contains("SHA-256:");
    assertThat(Files.readAllBytes(ca.resolve("ca.pem"))).isEqualTo(first);
    Path pem = dir.resolve("export.pem");
    Path der = dir.resolve("export.der");
    assertThat(run("ca", "--ca-dir", ca.toString(), "--export", "pem", pem.toString())).isZero();
    assertThat(run("ca", "--ca-dir", ca.toString(), "--export", "DER", der.toString())).isZero();
    assertThat(Files.readAllBytes(pem)).isEqualTo(first);
    java.security.cert.X509Certificate fromDer =
        (java.security.cert.X509Certificate)
            java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(der));
    assertThat(fromDer.getSubjectX500Principal().getName()).contains("quirkproxy CA");
    assertThat(run("ca", "--ca-dir", ca.toString(), "--export", "p12", pem.toString()))
        .isEqualTo(2);
  }

  @Test
  void onlyPop3ClientsCanBeServedFromAnotherProtocol() {
    assertThat(run("proxy", "--upstream", "pop3://127.0.0.1:110", "--listen", "imap://127.0.0.1:0"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("only POP3 clients can be served from an IMAP upstream");
  }

  @Test
  void pop3OptionsNeedTranslationAndKnownValues() {
    assertThat(run("proxy", "--upstream", "imap://127.0.0.1:143", "--pop3-mailbox", "Work"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("apply only to POP3 clients served from an IMAP upstream");
    assertThat(
            run(
                "proxy",
                "--upstream",
                "imap://127.0.0.1:143",
                "--listen",
                "pop3://127.0.0.1:0",
                "--pop3-order",
                "date"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("uid, uid-desc");
  }

  @Test
  void badSizeIsAUsageError() {
    assertThat(run("proxy", "--upstream", "imap://127.0.0.1:143", "--max-line", "lots"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("is not a size");
  }

  @Test
  void listenPortInUseIsAFailureNamingTheAddress() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThat(
              run("proxy", "--upstream", "imap://127.0.0.1:143", "--listen", "127.0.0.1:" + port))
          .isEqualTo(1);
      assertThat(err.toString()).contains("cannot listen on imap://127.0.0.1:" + port);
    }
  }

  private static void writePem(Path file, Object o) throws Exception {
    try (var w =
        new org.bouncycastle.openssl.jcajce.JcaPEMWriter(
            Files.newBufferedWriter(file, java.nio.charset.StandardCharsets.US_ASCII))) {
      w.writeObject(o);
    }
  }

  @Test
  void aKeyThatDoesNotMatchTheCertificateIsRefused(@TempDir Path dir) throws Exception {
    var ca = dev.quirkproxy.tls.CertificateAuthority.loadOrCreate(dir.resolve("ca"));
    var one = ca.issue(java.util.List.of());
    var two = ca.issue(java.util.List.of());
    writePem(dir.resolve("cert.pem"), one.chain().get(0));
    writePem(dir.resolve("key.pem"), two.key());
    assertThat(
            run(
                "proxy",
                "--upstream",
                "imap://127.0.0.1:1",
                "--listen",
                "127.0.0.1:0",
                "--client-tls",
                "implicit",
                "--cert",
                dir.resolve("cert.pem").toString(),
                "--key",
                dir.resolve("key.pem").toString(),
                "--no-record"))
        .isEqualTo(1);
    assertThat(err.toString()).contains("does not belong to the first certificate");
  }

  @Test
  void halfACaIsNeverOverwritten(@TempDir Path dir) throws Exception {
    Path ca = dir.resolve("ca");
    assertThat(run("ca", "--ca-dir", ca.toString())).isZero();
    byte[] pem = Files.readAllBytes(ca.resolve("ca.pem"));
    Files.delete(ca.resolve("ca.key"));
    assertThat(run("ca", "--ca-dir", ca.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("has ca.pem but no ca.key");
    assertThat(Files.readAllBytes(ca.resolve("ca.pem"))).isEqualTo(pem);
  }

  @Test
  void badOptionValuesGiveOneLineNotTheWholeHelp() {
    assertThat(run("proxy", "--max-line", "abc")).isEqualTo(2);
    assertThat(err.toString().lines().count()).isLessThanOrEqualTo(2);
    assertThat(err.toString()).contains("see 'quirkproxy proxy --help'");
  }

  @Test
  void capturesCommandsOnFilesThatAreNotGoodCaptures(@TempDir Path dir) throws Exception {
    Path notACapture = dir.resolve("n.jsonl");
    Files.writeString(notACapture, "{\"hello\":1}\n");
    assertThat(run("captures", "show", notACapture.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("not a quirkproxy-capture header");
    assertThat(run("captures", "verify", dir.resolve("missing.jsonl").toString())).isEqualTo(1);
    assertThat(out.toString()).contains("no such file or directory");
    Path c = dir.resolve("x.jsonl");
    Files.writeString(
        c,
        "{\"type\":\"header\",\"format\":\"quirkproxy-capture\",\"version\":1,\"session\":\"s1\","
            + "\"protocol\":\"imap\",\"client\":\"c\",\"start\":\"2026-11-26T00:00:00Z\"}\n"
            + "{\"type\":\"frame\",\"seq\":1,\"t\":1,\"dir\":\"upstream>proxy\",\"kind\":\"literal\","
            + "\"blob\":{\"file\":\"x.blob\",\"offset\":0,\"length\":10}}\n"
            + "{\"type\":\"footer\",\"end\":\"2026-11-26T00:00:01Z\",\"reason\":\"bye\",\"events\":1,\"bytes\":{}}\n");
    assertThat(run("captures", "verify", c.toString())).isEqualTo(1);
    assertThat(out.toString()).contains("x.blob, which does not exist");
  }
}
