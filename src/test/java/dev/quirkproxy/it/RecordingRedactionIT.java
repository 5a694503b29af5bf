package dev.quirkproxy.it;

import static dev.quirkproxy.it.RecordingSupport.latin1;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quirkproxy.capture.CaptureReader.Capture;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.Direction;
import dev.quirkproxy.it.RecordingSupport.LogCapture;
import dev.quirkproxy.it.RecordingSupport.RecordingProxy;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.testing.ScriptedServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets never reach a capture or the log when secrets are not recorded: every way IMAP and POP3
 * carry a password or a SASL credential, against Dovecot where it offers the mechanism (PLAIN,
 * LOGIN, CRAM-MD5, APOP) and against a scripted server for XOAUTH2. Each case logs in for real (the
 * server gets the real secret), then searches every byte of every file under the capture directory
 * (blobs included) and everything logged at TRACE for the secret in every form the client sent it
 * (clear, base64, digest), and checks what the capture holds instead.
 */
class RecordingRedactionIT {

  private static final String PW = Dovecot.PASSWORD;

  private static Dovecot dovecot;

  @TempDir Path tmp;

  private int captureDirs;

  @BeforeAll
  static void startDovecot() throws Exception {
    dovecot = Dovecot.start();
    enableCramMd5AndApop(dovecot);
  }

  @AfterAll
  static void stopDovecot() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  /**
   * The fixture offers PLAIN and LOGIN only. CRAM-MD5 and APOP need the clear-text password, which
   * the fixture's passwd-file has ({PLAIN} scheme): a later {@code auth_mechanisms} line in its
   * {@code dovecot.conf} overrides the first, and {@code doveadm reload} makes the running Dovecot
   * read it. Waits until both protocols offer the new mechanisms.
   */
  private static void enableCramMd5AndApop(Dovecot d) throws Exception {
    Path conf = d.directory().resolve("dovecot.conf");
    assertThat(conf).as("the fixture's Dovecot config").exists();
    Files.writeString(
        conf,
        Files.readString(conf, StandardCharsets.US_ASCII)
            + "# RecordingRedactionIT: CRAM-MD5 and APOP as well\n"
            + "auth_mechanisms = plain login cram-md5 apop\n",
        StandardCharsets.US_ASCII);
    Exec.run(
            Duration.ofSeconds(20),
            d.directory(),
            Map.of(),
            List.of(findDoveadm(), "-c", conf.toString(), "reload"))
        .expectExit(0);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String imapCaps = "";
    String pop3Greeting = "";
    while (System.nanoTime() < deadline) {
      try (RawClient imap = RawClient.connect(d.imapPort(), "probe-imap");
          RawClient pop3 = RawClient.connect(d.pop3Port(), "probe-pop3")) {
        imapCaps = imap.line();
        pop3Greeting = pop3.line();
        if (imapCaps.contains("AUTH=CRAM-MD5") && APOP_STAMP.matcher(pop3Greeting).find()) {
          return;
        }
      } catch (IOException | AssertionError e) {
        // Dovecot is restarting its login processes.
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "Dovecot does not offer CRAM-MD5/APOP after reload: "
            + imapCaps
            + " / "
            + pop3Greeting
            + "\n"
            + d.log());
  }

  private static String findDoveadm() {
    for (String dir : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")) {
      if (Files.isExecutable(Path.of(dir, "doveadm"))) {
        return Path.of(dir, "doveadm").toString();
      }
    }
    return "doveadm";
  }

  private static final Pattern APOP_STAMP = Pattern.compile("(<[^>]+>)");

  // ================================================================ IMAP LOGIN

  @Test
  void imapLoginAtomPassword() throws Exception {
    String user = dovecot.newUser("red-atom");
    Capture c =
        imap(
            user,
            List.of(latin1(PW)),
            s -> {
              s.sendLine("a LOGIN " + user + " " + PW);
              assertThat(s.untilTagged("a")).contains("a OK");
            });
    assertThat(clientText(c)).isEqualTo("a LOGIN " + user + " [REDACTED]\r\n" + LOGOUT);
  }

  @Test
  void imapLoginQuotedPasswordAndLowerCaseCommand() throws Exception {
    String user = dovecot.newUser("red-quoted");
    Capture c =
        imap(
            user,
            List.of(latin1(PW)),
            s -> {
              s.sendLine("a login \"" + user + "\" \"" + PW + "\"");
              assertThat(s.untilTagged("a")).contains("a OK");
            });
    assertThat(clientText(c)).isEqualTo("a login \"" + user + "\" \"[REDACTED]\"\r\n" + LOGOUT);
  }

  @Test
  void imapLoginSynchronizingLiteralPasswordKeepsItsSizeConsistent() throws Exception {
    String user = dovecot.newUser("red-literal");
    Capture c =
        imap(
            user,
            List.of(latin1(PW)),
            s -> {
              s.sendLine("a LOGIN " + user + " {" + PW.length() + "}");
              assertThat(s.line()).startsWith("+");
              s.sendLine(PW);
              assertThat(s.untilTagged("a")).contains("a OK");
            });
    assertThat(clientText(c)).isEqualTo("a LOGIN " + user + " {10}\r\n[REDACTED]\r\n" + LOGOUT);
    // The line announces 10 octets and the literal event that follows holds exactly those 10.
    List<ObjectNode> client = clientEvents(c);
    assertThat(client.get(0).path("text").asText()).isEqualTo("a LOGIN " + user + " {10}\r\n");
    assertThat(client.get(0).path("redacted").asBoolean()).isTrue();
    assertThat(client.get(1).path("kind").asText()).isEqualTo("literal");
    assertThat(c.data(client.get(1))).hasSize(10).isEqualTo(latin1("[REDACTED]"));
    assertThat(client.get(2).path("kind").asText()).isEqualTo("line");
    assertThat(c.data(client.get(2))).isEqualTo(latin1("\r\n"));
  }

  @Test
  void imapLoginNonSynchronizingLiteralUserAndPassword() throws Exception {
    String user = dovecot.newUser("red-litplus");
    Capture c =
        imap(
            user,
            List.of(latin1(PW)),
            s -> {
              // LITERAL+ (RFC 7888): Dovecot offers it, so no continuation is waited for.
              s.send(
                  "a LOGIN {"
                      + user.length()
                      + "+}\r\n"
                      + user
                      + " {"
                      + PW.length()
                      + "+}\r\n"
                      + PW
                      + "\r\n");
              assertThat(s.untilTagged("a")).contains("a OK");
            });
    // The user name is not a secret (no redactUser) and keeps its literal.
    assertThat(clientText(c))
        .isEqualTo(
            "a LOGIN {" + user.length() + "+}\r\n" + user + " {10+}\r\n[REDACTED]\r\n" + LOGOUT);
  }

  @Test
  void imapLoginWithUserNamesRedactedToo() throws Exception {
    String user = dovecot.newUser("red-user");
    Capture c =
        imap(
            user,
            true,
            List.of(latin1(PW), latin1(user)),
            s -> {
              s.sendLine("a LOGIN \"" + user + "\" " + PW);
              assertThat(s.untilTagged("a")).contains("a OK");
            });
    assertThat(clientText(c)).isEqualTo("a LOGIN \"[REDACTED]\" [REDACTED]\r\n" + LOGOUT);
  }

  @Test
  void imapLoginLiteralUserThenAtomPassword() throws Exception {
    String user = dovecot.newUser("red-lituser");
    Capture c =
        imap(
            user,
            List.of(latin1(PW)),
            s -> {
              s.send("a LOGIN {" + user.length() + "+}\r\n" + user + " " + PW + "\r\n");
              assertThat(s.untilTagged("a")).contains("a OK");
            });
    assertThat(clientText(c))
        .isEqualTo("a LOGIN {" + user.length() + "+}\r\n" + user + " [REDACTED]\r\n" + LOGOUT);
  }

  /** A literal password that arrives in several reads is still one {10} [REDACTED] literal. */
  @Test
  void imapLoginLiteralPasswordInSeveralReads() throws Exception {
    String secret = "a-long-password-sent-in-three-reads-0123456789";
    List<String> received = new CopyOnWriteArrayList<>();
    try (ScriptedServer server = new ScriptedServer(s -> xoauth2Server(s, "unused", received))) {
      Capture c =
          scripted(
              Protocol.IMAP,
              server.port(),
              List.of(
                  latin1(secret),
                  latin1(secret.substring(0, 15)),
                  latin1(secret.substring(15, 30)),
                  latin1(secret.substring(30))),
              s -> {
                assertThat(s.line()).startsWith("* OK");
                s.sendLine("a LOGIN alice {" + secret.length() + "}");
                assertThat(s.line()).startsWith("+ ");
                s.send(secret.substring(0, 15));
                Thread.sleep(100);
                s.send(secret.substring(15, 30));
                Thread.sleep(100);
                s.send(secret.substring(30) + "\r\n");
                assertThat(s.untilTagged("a")).contains("a OK");
                s.sendLine("z LOGOUT");
                s.untilTagged("z");
              });
      assertThat(received).contains("a LOGIN alice {" + secret.length() + "}\r\n" + secret);
      assertThat(clientText(c)).isEqualTo("a LOGIN alice {10}\r\n[REDACTED]\r\nz LOGOUT\r\n");
      assertThat(
              clientEvents(c).stream()
                  .filter(e -> e.path("kind").asText().equals("literal"))
                  .count())
          .isEqualTo(1);
    }
  }

  /** Quoted passwords with spaces and escapes, and a password that merely starts with "{". */
  @Test
  void imapLoginOddPasswordsAreMaskedWhole() throws Exception {
    String quoted = "p\\\"a s{s}";
    String brace = "{not-a-literal-secret";
    List<String> received = new CopyOnWriteArrayList<>();
    try (ScriptedServer server = new ScriptedServer(s -> xoauth2Server(s, "unused", received))) {
      Capture c =
          scripted(
              Protocol.IMAP,
              server.port(),
              List.of(latin1("a s{s}"), latin1("not-a-literal-secret")),
              s -> {
                assertThat(s.line()).startsWith("* OK");
                s.sendLine("a LOGIN alice \"" + quoted + "\"");
                assertThat(s.untilTagged("a")).contains("a OK");
                // Not RFC 9051 syntax (an atom cannot hold "{"), but a client may send it anyway.
                s.sendLine("b LOGIN alice " + brace);
                assertThat(s.untilTagged("b")).contains("b OK");
                s.sendLine("z LOGOUT");
                s.untilTagged("z");
              });
      assertThat(clientText(c))
          .isEqualTo("a LOGIN alice \"[REDACTED]\"\r\nb LOGIN alice [REDACTED]\r\nz LOGOUT\r\n");
    }
  }

  // ================================================================ IMAP AUTHENTICATE

  @Test
  void imapAuthenticatePlainWithInitialResponse() throws Exception {
    String user = dovecot.newUser("red-plain-ir");
    String token = b64("\0" + user + "\0" + PW);
    Capture c =
        imap(
            user,
            List.of(latin1(PW), latin1(token)),
            s -> {
              s.sendLine("a AUTHENTICATE PLAIN " + token);
              assertThat(s.untilTagged("a")).contains("a OK");
            });
    assertThat(clientText(c)).isEqualTo("a AUTHENTICATE PLAIN [REDACTED]\r\n" + LOGOUT);
  }

  @Test
  void imapAuthenticatePlainAfterContinuation() throws Exception {
    String user = dovecot.newUser("red-plain");
    String token = b64("\0" + user + "\0" + PW);
    Capture c =
        imap(
            user,
            List.of(latin1(PW), latin1(token)),
            s -> {
              s.sendLine("a AUTHENTICATE PLAIN");
              assertThat(s.line()).startsWith("+");
              s.sendLine(token);
              assertThat(s.untilTagged("a")).contains("a OK");
            });
    assertThat(clientText(c)).isEqualTo("a AUTHENTICATE PLAIN\r\n[REDACTED]\r\n" + LOGOUT);
  }

  @Test
  void imapAuthenticateLogin() throws Exception {
    String user = dovecot.newUser("red-login");
    Capture c =
        imap(
            user,
            List.of(latin1(PW), latin1(b64(PW))),
            s -> {
              s.sendLine("a AUTHENTICATE LOGIN");
              assertThat(s.line()).startsWith("+ ");
              s.sendLine(b64(user));
              assertThat(s.line()).startsWith("+ ");
              s.sendLine(b64(PW));
              assertThat(s.untilTagged("a")).contains("a OK");
            });
    // Every SASL line is masked, the user name's too: the redactor cannot tell which is which.
    assertThat(clientText(c))
        .isEqualTo("a AUTHENTICATE LOGIN\r\n[REDACTED]\r\n[REDACTED]\r\n" + LOGOUT);
  }

  @Test
  void imapAuthenticateCramMd5() throws Exception {
    String user = dovecot.newUser("red-cram");
    List<byte[]> secrets = new CopyOnWriteArrayList<>(List.of(latin1(PW)));
    Capture c =
        imap(
            user,
            secrets,
            s -> {
              s.sendLine("a AUTHENTICATE CRAM-MD5");
              String challenge = s.line();
              assertThat(challenge).startsWith("+ ");
              String digest = cramDigest(decode(challenge.substring(2)), PW);
              String response = b64(user + " " + digest);
              secrets.add(latin1(digest));
              secrets.add(latin1(response));
              s.sendLine(response);
              assertThat(s.untilTagged("a")).contains("a OK");
            });
    assertThat(secrets).hasSize(3);
    assertThat(clientText(c)).isEqualTo("a AUTHENTICATE CRAM-MD5\r\n[REDACTED]\r\n" + LOGOUT);
  }

  // ================================================================ IMAP XOAUTH2 (scripted)

  private static final String OAUTH_TOKEN = "ya29.a0Af-secret-bearer-Token_123";

  @Test
  void xoauth2WithInitialResponse() throws Exception {
    String sasl = b64("user=alice@example.org\u0001auth=Bearer " + OAUTH_TOKEN + "\u0001\u0001");
    List<String> received = new CopyOnWriteArrayList<>();
    try (ScriptedServer server = new ScriptedServer(s -> xoauth2Server(s, sasl, received))) {
      Capture c =
          scripted(
              Protocol.IMAP,
              server.port(),
              List.of(latin1(OAUTH_TOKEN), latin1(sasl)),
              s -> {
                assertThat(s.line()).startsWith("* OK");
                s.sendLine("a AUTHENTICATE XOAUTH2 " + sasl);
                assertThat(s.untilTagged("a")).contains("a OK");
                s.sendLine("z LOGOUT");
                s.untilTagged("z");
              });
      assertThat(received).as("what the server got").contains("a AUTHENTICATE XOAUTH2 " + sasl);
      assertThat(clientText(c)).isEqualTo("a AUTHENTICATE XOAUTH2 [REDACTED]\r\nz LOGOUT\r\n");
      assertThat(server.failures()).isEmpty();
    }
  }

  @Test
  void xoauth2AfterContinuationAndAfterAnErrorChallenge() throws Exception {
    String sasl = b64("user=alice@example.org\u0001auth=Bearer " + OAUTH_TOKEN + "\u0001\u0001");
    String wrong =
        b64("user=alice@example.org\u0001auth=Bearer expired-" + OAUTH_TOKEN + "\u0001\u0001");
    List<String> received = new CopyOnWriteArrayList<>();
    try (ScriptedServer server = new ScriptedServer(s -> xoauth2Server(s, sasl, received))) {
      Capture c =
          scripted(
              Protocol.IMAP,
              server.port(),
              List.of(latin1(OAUTH_TOKEN), latin1(sasl), latin1(wrong)),
              s -> {
                assertThat(s.line()).startsWith("* OK");
                // A rejected token: the server's error challenge, answered by an empty line.
                s.sendLine("a AUTHENTICATE XOAUTH2 " + wrong);
                assertThat(s.line()).startsWith("+ eyJ");
                s.sendLine("");
                assertThat(s.untilTagged("a")).contains("a NO");
                // No SASL-IR: the token follows the empty continuation.
                s.sendLine("b AUTHENTICATE XOAUTH2");
                assertThat(s.line()).isEqualTo("+ ");
                s.sendLine(sasl);
                assertThat(s.untilTagged("b")).contains("b OK");
                s.sendLine("z LOGOUT");
                s.untilTagged("z");
              });
      assertThat(received).as("what the server got").contains(sasl, "");
      assertThat(clientText(c))
          .isEqualTo(
              "a AUTHENTICATE XOAUTH2 [REDACTED]\r\n"
                  + "[REDACTED]\r\n"
                  + "b AUTHENTICATE XOAUTH2\r\n"
                  + "[REDACTED]\r\n"
                  + "z LOGOUT\r\n");
      assertThat(server.failures()).isEmpty();
    }
  }

  /**
   * A server that offers XOAUTH2 and accepts {@code good}: with or without an initial response,
   * answering a wrong token with the RFC 7628 error challenge.
   */
  private static void xoauth2Server(Socket socket, String good, List<String> received)
      throws IOException {
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    OutputStream out = socket.getOutputStream();
    write(out, "* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ AUTH=XOAUTH2] scripted ready\r\n");
    String error = b64("{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"}");
    for (String line; (line = readCommand(in, out)) != null; ) {
      received.add(line);
      String[] w = line.split(" ");
      String tag = w[0];
      if (w.length >= 3 && w[1].equalsIgnoreCase("AUTHENTICATE")) {
        String token;
        if (w.length >= 4) {
          token = w[3];
        } else {
          write(out, "+ \r\n");
          token = in.readLine();
          received.add(token);
        }
        if (good.equals(token)) {
          write(out, tag + " OK [CAPABILITY IMAP4rev1] authenticated\r\n");
        } else {
          write(out, "+ " + error + "\r\n");
          received.add(in.readLine());
          write(out, tag + " NO [AUTHENTICATIONFAILED] invalid credentials\r\n");
        }
      } else if (w.length >= 2 && w[1].equalsIgnoreCase("LOGIN")) {
        write(out, tag + " OK logged in\r\n");
      } else if (w.length >= 2 && w[1].equalsIgnoreCase("LOGOUT")) {
        write(out, "* BYE bye\r\n" + tag + " OK done\r\n");
        return;
      } else {
        write(out, tag + " OK done\r\n");
      }
    }
  }

  private static final Pattern LITERAL_AT_END = Pattern.compile("\\{(\\d+)(\\+?)\\}$");

  /** One command: its line, and for each literal it announces the octets and the next line. */
  private static String readCommand(BufferedReader in, OutputStream out) throws IOException {
    StringBuilder command = new StringBuilder();
    String line = in.readLine();
    if (line == null) {
      return null;
    }
    for (Matcher m = LITERAL_AT_END.matcher(line); m.find(); m = LITERAL_AT_END.matcher(line)) {
      if (m.group(2).isEmpty()) {
        write(out, "+ go ahead\r\n");
      }
      char[] literal = new char[Integer.parseInt(m.group(1))];
      for (int n = 0; n < literal.length; ) {
        int r = in.read(literal, n, literal.length - n);
        if (r < 0) {
          return null;
        }
        n += r;
      }
      command.append(line).append("\r\n").append(literal);
      line = in.readLine();
      if (line == null) {
        return null;
      }
    }
    return command.append(line).toString();
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  // ================================================================ POP3

  @Test
  void pop3UserPass() throws Exception {
    String user = dovecot.newUser("red-pass");
    Capture c =
        pop3(
            false,
            List.of(latin1(PW)),
            s -> {
              s.sendLine("USER " + user);
              assertThat(s.line()).startsWith("+OK");
              s.sendLine("PASS " + PW);
              assertThat(s.line()).startsWith("+OK");
            });
    assertThat(clientText(c)).isEqualTo("USER " + user + "\r\nPASS [REDACTED]\r\nQUIT\r\n");
  }

  @Test
  void pop3UserPassWithUserNamesRedactedToo() throws Exception {
    String user = dovecot.newUser("red-pass-u");
    Capture c =
        pop3(
            true,
            List.of(latin1(PW), latin1(user)),
            s -> {
              s.sendLine("user " + user);
              assertThat(s.line()).startsWith("+OK");
              s.sendLine("pass " + PW);
              assertThat(s.line()).startsWith("+OK");
            });
    assertThat(clientText(c)).isEqualTo("user [REDACTED]\r\npass [REDACTED]\r\nQUIT\r\n");
  }

  @Test
  void pop3Apop() throws Exception {
    String user = dovecot.newUser("red-apop");
    List<byte[]> secrets = new CopyOnWriteArrayList<>(List.of(latin1(PW)));
    Capture c =
        pop3(
            false,
            secrets,
            (s, greeting) -> {
              Matcher m = APOP_STAMP.matcher(greeting);
              assertThat(m.find()).as("APOP timestamp in %s", greeting).isTrue();
              String digest = md5Hex(m.group(1) + PW);
              secrets.add(latin1(digest));
              s.sendLine("APOP " + user + " " + digest);
              assertThat(s.line()).startsWith("+OK");
            });
    assertThat(clientText(c)).isEqualTo("APOP " + user + " [REDACTED]\r\nQUIT\r\n");
  }

  @Test
  void pop3AuthPlainWithInitialResponse() throws Exception {
    String user = dovecot.newUser("red-pop-plain-ir");
    String token = b64("\0" + user + "\0" + PW);
    Capture c =
        pop3(
            false,
            List.of(latin1(PW), latin1(token)),
            s -> {
              s.sendLine("AUTH PLAIN " + token);
              assertThat(s.line()).startsWith("+OK");
            });
    assertThat(clientText(c)).isEqualTo("AUTH PLAIN [REDACTED]\r\nQUIT\r\n");
  }

  @Test
  void pop3AuthPlainAfterContinuation() throws Exception {
    String user = dovecot.newUser("red-pop-plain");
    String token = b64("\0" + user + "\0" + PW);
    Capture c =
        pop3(
            false,
            List.of(latin1(PW), latin1(token)),
            s -> {
              s.sendLine("AUTH PLAIN");
              assertThat(s.line()).startsWith("+");
              s.sendLine(token);
              assertThat(s.line()).startsWith("+OK");
            });
    assertThat(clientText(c)).isEqualTo("AUTH PLAIN\r\n[REDACTED]\r\nQUIT\r\n");
  }

  @Test
  void pop3AuthCramMd5() throws Exception {
    String user = dovecot.newUser("red-pop-cram");
    List<byte[]> secrets = new CopyOnWriteArrayList<>(List.of(latin1(PW)));
    Capture c =
        pop3(
            false,
            secrets,
            s -> {
              s.sendLine("AUTH CRAM-MD5");
              String challenge = s.line();
              assertThat(challenge).startsWith("+ ");
              String digest = cramDigest(decode(challenge.substring(2)), PW);
              String response = b64(user + " " + digest);
              secrets.add(latin1(digest));
              secrets.add(latin1(response));
              s.sendLine(response);
              assertThat(s.line()).startsWith("+OK");
            });
    assertThat(clientText(c)).isEqualTo("AUTH CRAM-MD5\r\n[REDACTED]\r\nQUIT\r\n");
  }

  // ================================================================ text that is not ASCII

  /**
   * A redacted line keeps the octets it did not redact: a UTF-8 user name (RFC 9051 allows UTF-8 in
   * quoted strings) must be recorded as the client sent it, not re-encoded.
   */
  @Test
  void redactedLoginLineKeepsAUtf8UserNameAsSent() throws Exception {
    String user = "j\u00f6rg-\u65e5\u672c";
    byte[] line = ("a LOGIN \"" + user + "\" " + PW + "\r\n").getBytes(StandardCharsets.UTF_8);
    try (ScriptedServer server =
        new ScriptedServer(s -> xoauth2Server(s, "unused", new ArrayList<>()))) {
      Capture c =
          scripted(
              Protocol.IMAP,
              server.port(),
              List.of(latin1(PW)),
              s -> {
                assertThat(s.line()).startsWith("* OK");
                s.send(line);
                assertThat(s.untilTagged("a")).contains("a OK");
                s.sendLine("z LOGOUT");
                s.untilTagged("z");
              });
      Transcripts.assertIdentical(
          "recorded client>proxy",
          ("a LOGIN \"" + user + "\" [REDACTED]\r\nz LOGOUT\r\n").getBytes(StandardCharsets.UTF_8),
          c.bytes(Direction.CLIENT_TO_PROXY));
    }
  }

  // ================================================================ harness

  private static final String LOGOUT = "z LOGOUT\r\n";

  @FunctionalInterface
  private interface Dialogue {
    void run(RawClient client) throws Exception;
  }

  @FunctionalInterface
  private interface Pop3Dialogue {
    void run(RawClient client, String greeting) throws Exception;
  }

  /** An IMAP session with Dovecot through a redacting proxy; the dialogue logs in. */
  private Capture imap(String user, List<byte[]> secrets, Dialogue login) throws Exception {
    return imap(user, false, secrets, login);
  }

  private Capture imap(String user, boolean redactUser, List<byte[]> secrets, Dialogue login)
      throws Exception {
    return session(
        Protocol.IMAP,
        dovecot.imapPort(),
        redactUser,
        secrets,
        s -> {
          assertThat(s.line()).startsWith("* OK");
          login.run(s);
          s.sendLine("z LOGOUT");
          assertThat(s.untilTagged("z")).contains("z OK");
        });
  }

  private Capture pop3(boolean redactUser, List<byte[]> secrets, Dialogue login) throws Exception {
    return pop3(redactUser, secrets, (s, greeting) -> login.run(s));
  }

  private Capture pop3(boolean redactUser, List<byte[]> secrets, Pop3Dialogue login)
      throws Exception {
    return session(
        Protocol.POP3,
        dovecot.pop3Port(),
        redactUser,
        secrets,
        s -> {
          String greeting = s.line();
          assertThat(greeting).startsWith("+OK");
          login.run(s, greeting);
          s.sendLine("QUIT");
          assertThat(s.line()).startsWith("+OK");
        });
  }

  private Capture scripted(Protocol protocol, int port, List<byte[]> secrets, Dialogue dialogue)
      throws Exception {
    return session(protocol, port, false, secrets, dialogue);
  }

  /**
   * Runs one session through a redacting proxy with everything logged at TRACE, closes the proxy
   * and the store, and checks that no secret is in any capture file or in the log. Returns the
   * capture.
   */
  private Capture session(
      Protocol protocol, int upstreamPort, boolean redactUser, List<byte[]> secrets, Dialogue d)
      throws Exception {
    Path dir = tmp.resolve("captures-" + (++captureDirs));
    CaptureSettings settings =
        new CaptureSettings(
            dir,
            false,
            redactUser,
            CaptureSettings.OnError.CLOSE,
            0,
            0,
            CaptureSettings.DEFAULT_INLINE_LIMIT);
    String log;
    try (LogCapture logs = new LogCapture(Level.TRACE);
        RecordingProxy proxy = RecordingProxy.start(protocol, upstreamPort, settings)) {
      try (RawClient client = RawClient.connect(proxy.port(), protocol + " client")) {
        d.run(client);
      }
      proxy.awaitNoSessions();
      proxy.close();
      log = logs.text();
    }
    assertThat(log).as("the log").contains("session ended");
    for (byte[] secret : secrets) {
      String s = latin1(secret);
      RecordingSupport.assertNotInAnyFile(dir, "a secret", secret);
      assertThat(log).as("the log at TRACE").doesNotContain(s);
    }
    Capture c = RecordingSupport.onlyCapture(dir);
    assertThat(c.header().path("secrets").asText()).isEqualTo("redacted");
    return c;
  }

  private static String clientText(Capture c) throws IOException {
    return latin1(c.bytes(Direction.CLIENT_TO_PROXY));
  }

  private static List<ObjectNode> clientEvents(Capture c) {
    return c.events().stream()
        .filter(e -> e.path("dir").asText().equals(Direction.CLIENT_TO_PROXY.code()))
        .toList();
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] decode(String b64) {
    return Base64.getDecoder().decode(b64.strip());
  }

  private static String cramDigest(byte[] challenge, String password)
      throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacMD5");
    mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
    return HexFormat.of().formatHex(mac.doFinal(challenge));
  }

  private static String md5Hex(String text) throws GeneralSecurityException {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.ISO_8859_1)));
  }
}
