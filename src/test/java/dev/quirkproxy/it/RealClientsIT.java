package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.session.Protocol;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real mail clients against a real Dovecot, each run twice: directly, and through the proxy. Both
 * runs go through a {@link TcpTap} so what the client received is recorded; the proxied run also
 * has a tap between the proxy and Dovecot. Each test demands that
 *
 * <ul>
 *   <li>the proxy was transparent: Dovecot received exactly the client's bytes and the client
 *       exactly Dovecot's, connection by connection, with no normalising;
 *   <li>the client received the same bytes in both runs (after {@link Transcripts#normalise});
 *   <li>the client ended with the same result in both runs, and the right one (the seeded messages,
 *       byte for byte).
 * </ul>
 *
 * Every run uses a freshly seeded user, so the mailboxes start identical.
 */
class RealClientsIT {

  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);

  private static Dovecot dovecot;

  @TempDir Path tmp;

  /** The client family of each session of the last proxied run, from its capture's footer. */
  private List<String> identified = List.of();

  /** Every session of the last proxied run was identified as {@code family}. */
  private void assertIdentifiedAs(String family) {
    assertThat(identified).as("client identified from the live sessions").isNotEmpty();
    assertThat(identified).as("client identified from the live sessions").containsOnly(family);
  }

  @BeforeAll
  static void startDovecot() throws Exception {
    dovecot = Dovecot.start();
  }

  @AfterAll
  static void stopDovecot() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  // ---------------------------------------------------------------- curl

  @Test
  void curlImap() throws Exception {
    List<String> outputs =
        compare(
            Protocol.IMAP,
            "curl-imap",
            (port, user, work) -> {
              String base = "imap://127.0.0.1:" + port;
              List<String> out = new ArrayList<>();
              out.add(curl(work, user, base + "/"));
              out.add(curl(work, user, base + "/INBOX;UID=2"));
              out.add(curl(work, user, base + "/INBOX;UID=3"));
              out.add(curl(work, user, base + "/INBOX;UID=5"));
              out.add(curl(work, user, base + "/INBOX", "-X", "UID SEARCH ALL"));
              out.add(curl(work, user, base + "/INBOX", "-X", "FETCH 1:4 (FLAGS ENVELOPE)"));
              out.add(curl(work, user, base + "/INBOX", "-X", "EXAMINE Archive"));
              return out;
            });
    assertIdentifiedAs("curl");
    assertThat(outputs.get(0))
        .contains("* LIST (\\HasNoChildren) \".\" INBOX")
        .contains("* LIST (\\HasNoChildren) \".\" Archive");
    Transcripts.assertIdentical(
        "curl output 1", MailSeed.MULTIPART.crlf(), latin1Bytes(outputs.get(1)));
    Transcripts.assertIdentical("curl output 2", MailSeed.DOTS.crlf(), latin1Bytes(outputs.get(2)));
    Transcripts.assertIdentical("curl output 3", MailSeed.BIG.crlf(), latin1Bytes(outputs.get(3)));
    assertThat(outputs.get(4)).isEqualTo("* SEARCH 1 2 3 4 5\r\n");
    assertThat(outputs.get(5)).contains("\"Plain text greeting\"").contains("FLAGS (\\Seen)");
  }

  @Test
  void curlPop3() throws Exception {
    List<String> outputs =
        compare(
            Protocol.POP3,
            "curl-pop3",
            (port, user, work) -> {
              String base = "pop3://127.0.0.1:" + port;
              List<String> out = new ArrayList<>();
              out.add(curl(work, user, base + "/"));
              out.add(curl(work, user, base + "/", "-X", "UIDL"));
              out.add(curl(work, user, base + "/3"));
              out.add(curl(work, user, base + "/5"));
              out.add(curl(work, user, base + "/1"));
              return out;
            });
    assertIdentifiedAs("curl");
    StringBuilder list = new StringBuilder();
    for (MailSeed.Message m : MailSeed.INBOX) {
      list.append(m.uid()).append(' ').append(m.crlfSize()).append("\r\n");
    }
    assertThat(outputs.get(0)).isEqualTo(list.toString());
    assertThat(outputs.get(1)).startsWith("1 00000001677ba9a0\r\n");
    // curl removes the dot-stuffing.
    Transcripts.assertIdentical("curl output 2", MailSeed.DOTS.crlf(), latin1Bytes(outputs.get(2)));
    Transcripts.assertIdentical("curl output 3", MailSeed.BIG.crlf(), latin1Bytes(outputs.get(3)));
    Transcripts.assertIdentical(
        "curl output 4", MailSeed.PLAIN.crlf(), latin1Bytes(outputs.get(4)));
  }

  static String curl(Path work, String user, String url, String... extra)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "curl",
            "--silent",
            "--show-error",
            "--max-time",
            "60",
            "--user",
            user + ":" + Dovecot.PASSWORD));
    cmd.addAll(List.of(extra));
    cmd.add(url);
    return latin1(Exec.run(CLIENT_TIMEOUT, work, Map.of(), cmd).expectExit(0).stdout());
  }

  // ---------------------------------------------------------------- Python

  @Test
  void pythonImaplib() throws Exception {
    String summary =
        compare(
            Protocol.IMAP,
            "imaplib",
            (port, user, work) -> python(work, "imap_client.py", port, user));
    assertIdentifiedAs("python-imaplib");
    assertThat(summary)
        .contains("login OK")
        .contains(
            "body 5 OK " + MailSeed.BIG.crlfSize() + " " + MailSeed.sha256(MailSeed.BIG.crlf()))
        .contains("copy ('OK', [b'[COPYUID 1736157601 1:2 1:2] Copy completed")
        .contains("expunge ('OK', [b'1'])")
        .contains("append ('OK', [b'[APPENDUID 1736157600 6] Append completed")
        .contains("b'* 5 EXISTS\\r\\n'")
        .contains("status ('OK', [b'Archive (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 1736157601)'])")
        .contains("search ('OK', [b'2 3 4 5 6'])")
        .contains("logout ('BYE'");
    for (MailSeed.Message m : MailSeed.INBOX) {
      assertThat(summary)
          .contains(
              "body " + m.uid() + " OK " + m.crlfSize() + " " + MailSeed.sha256(m.crlf()) + "\n");
    }
  }

  @Test
  void pythonPoplib() throws Exception {
    String summary =
        compare(
            Protocol.POP3,
            "poplib",
            (port, user, work) -> python(work, "pop3_client.py", port, user));
    // poplib sends whatever the script calls, with no habit of its own: not identified.
    assertThat(summary).contains("stat (5, ").contains("quit b'+OK Logging out");
    for (MailSeed.Message m : MailSeed.INBOX) {
      assertThat(summary)
          .contains(
              "retr "
                  + m.uid()
                  + " b'+OK "
                  + m.crlfSize()
                  + " octets' "
                  + m.crlfSize()
                  + " "
                  + m.crlfSize()
                  + " "
                  + MailSeed.sha256(m.crlf())
                  + "\n");
    }
  }

  static String python(Path work, String script, int port, String user)
      throws IOException, InterruptedException, URISyntaxException {
    URL resource = RealClientsIT.class.getResource("/clients/" + script);
    assertThat(resource).as("test resource clients/%s", script).isNotNull();
    Path path = Path.of(resource.toURI());
    Exec.Result r =
        Exec.run(
                CLIENT_TIMEOUT,
                work,
                Map.of("PYTHONDONTWRITEBYTECODE", "1", "PYTHONIOENCODING", "utf-8"),
                List.of(
                    "python3",
                    path.toString(),
                    "127.0.0.1",
                    Integer.toString(port),
                    user,
                    Dovecot.PASSWORD))
            .expectExit(0);
    return r.stdoutText();
  }

  // ---------------------------------------------------------------- mbsync

  @Test
  void mbsyncPullsInbox() throws Exception {
    List<String> messages =
        compare(Protocol.IMAP, "mbsync", (port, user, work) -> mbsync(work, port, user));
    assertIdentifiedAs("mbsync");
    List<String> expected =
        MailSeed.INBOX.stream()
            .map(m -> new String(m.lf(), StandardCharsets.ISO_8859_1))
            .sorted()
            .toList();
    assertThat(messages).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      Transcripts.assertIdentical(
          "message " + i + " mbsync stored (sorted)",
          expected.get(i).getBytes(StandardCharsets.ISO_8859_1),
          messages.get(i).getBytes(StandardCharsets.ISO_8859_1));
    }
  }

  static List<String> mbsync(Path work, int port, String user)
      throws IOException, InterruptedException {
    Path mail = work.resolve("maildir");
    Files.createDirectories(mail);
    String version =
        Exec.run(CLIENT_TIMEOUT, work, Map.of(), List.of("mbsync", "--version"))
            .expectExit(0)
            .stdoutText();
    // isync 1.5 renamed SSLType to TLSType.
    String tls = isyncAtLeast15(version) ? "TLSType None" : "SSLType None";
    String rc =
        String.join(
            "\n",
            "IMAPAccount remote",
            "Host 127.0.0.1",
            "Port " + port,
            "User " + user,
            "Pass " + Dovecot.PASSWORD,
            tls,
            "AuthMechs LOGIN",
            "",
            "IMAPStore remote",
            "Account remote",
            "",
            "MaildirStore local",
            "Path " + mail + "/",
            "Inbox " + mail.resolve("INBOX"),
            "",
            "Channel inbox",
            "Far :remote:INBOX",
            "Near :local:INBOX",
            "Sync Pull",
            "Create Near",
            "SyncState *",
            "");
    Path rcFile = work.resolve("mbsyncrc");
    Files.writeString(rcFile, rc, StandardCharsets.US_ASCII);
    Exec.run(CLIENT_TIMEOUT, work, Map.of(), List.of("mbsync", "-c", rcFile.toString(), "-a"))
        .expectExit(0);
    // File names hold times and counters; compare what is in them. mbsync inserts an X-TUID
    // header with a random id into every message it stores (to find it again if the run is
    // interrupted): that header is the one thing removed before comparing.
    List<String> contents = new ArrayList<>();
    for (String sub : List.of("cur", "new")) {
      try (Stream<Path> s = Files.list(mail.resolve("INBOX").resolve(sub))) {
        for (Path p : (Iterable<Path>) s::iterator) {
          contents.add(
              X_TUID.matcher(Files.readString(p, StandardCharsets.ISO_8859_1)).replaceFirst(""));
        }
      }
    }
    contents.sort(null);
    return contents;
  }

  private static final Pattern X_TUID = Pattern.compile("(?m)^X-TUID: [A-Za-z0-9+/]+\r?\n");

  static boolean isyncAtLeast15(String versionOutput) {
    Matcher m = Pattern.compile("(\\d+)\\.(\\d+)").matcher(versionOutput);
    if (!m.find()) {
      return false;
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    return major > 1 || (major == 1 && minor >= 5);
  }

  // ---------------------------------------------------------------- fetchmail

  @Test
  void fetchmailKeepsAndDeliversEverything() throws Exception {
    String mbox =
        compare(Protocol.POP3, "fetchmail", (port, user, work) -> fetchmail(work, port, user));
    assertIdentifiedAs("fetchmail");
    for (MailSeed.Message m : MailSeed.INBOX) {
      // fetchmail hands the MDA each message with LF line endings and without dot-stuffing.
      assertThat(mbox.contains(new String(m.lf(), StandardCharsets.ISO_8859_1)))
          .as(
              "message %d, byte for byte, in what fetchmail delivered (%d chars)",
              m.uid(), mbox.length())
          .isTrue();
    }
  }

  private static String fetchmail(Path work, int port, String user)
      throws IOException, InterruptedException {
    Path out = work.resolve("delivered");
    Path rc = work.resolve("fetchmailrc");
    Files.writeString(
        rc,
        String.join(
            "\n",
            "set no syslog",
            "poll 127.0.0.1 with protocol POP3 service " + port + " auth password:",
            "  user \"" + user + "\" there with password \"" + Dovecot.PASSWORD + "\"",
            "  options keep fetchall no rewrite sslproto ''",
            "  mda \"cat >> " + out + "\"",
            ""),
        StandardCharsets.US_ASCII);
    // fetchmail refuses an rc file others can read.
    Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
    Exec.run(
            CLIENT_TIMEOUT,
            work,
            Map.of("FETCHMAILHOME", work.toString()),
            List.of(
                "fetchmail",
                "-f",
                rc.toString(),
                "--idfile",
                work.resolve("fetchids").toString(),
                "--pidfile",
                work.resolve("fetchmail.pid").toString(),
                // No Received: header with the time and host of delivery.
                "--invisible",
                "--nodetach",
                "-v"))
        .expectExit(0);
    return Files.readString(out, StandardCharsets.ISO_8859_1);
  }

  // ---------------------------------------------------------------- harness

  /** One run of a client against {@code port} as {@code user}, in its own work directory. */
  @FunctionalInterface
  interface Client<T> {
    T run(int port, String user, Path work) throws Exception;
  }

  /**
   * Runs the client directly and through the proxy, checks transparency and equal transcripts and
   * results, and returns the (common) result.
   */
  private <T> T compare(Protocol protocol, String name, Client<T> client) throws Exception {
    Run<T> direct = runOnce(protocol, name, false, client);
    Run<T> proxied = runOnce(protocol, name, true, client);
    assertSameResult(
        name + ": what the client ended with (direct vs proxied)", direct.result, proxied.result);
    Transcripts.assertSameAfterNormalising(
        name + ": what the client received", direct.received(), proxied.received());
    return direct.result;
  }

  /**
   * Equal results, with a readable first difference for long texts. Texts are compared after {@link
   * Transcripts#normalise}, since a client may print a server's words (imaplib's summary holds
   * Dovecot's tagged completions, timings and all).
   */
  private static void assertSameResult(String what, Object direct, Object proxied) {
    if (direct instanceof String d && proxied instanceof String p) {
      Transcripts.assertSameAfterNormalising(what, latin1Bytes(d), latin1Bytes(p));
    } else if (direct instanceof List<?> d && proxied instanceof List<?> p) {
      assertThat(p.size()).as("%s: number of items", what).isEqualTo(d.size());
      for (int i = 0; i < d.size(); i++) {
        assertSameResult(what + ", item " + i, d.get(i), p.get(i));
      }
    } else {
      assertThat(proxied).as(what).isEqualTo(direct);
    }
  }

  private static byte[] latin1Bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private record Run<T>(T result, List<TcpTap.Conversation> conversations) {
    List<byte[]> received() {
      return conversations.stream().map(TcpTap.Conversation::fromServer).toList();
    }
  }

  private <T> Run<T> runOnce(Protocol protocol, String name, boolean proxied, Client<T> client)
      throws Exception {
    String label = (proxied ? "proxied " : "direct ") + name;
    int dovecotPort = protocol == Protocol.IMAP ? dovecot.imapPort() : dovecot.pop3Port();
    String user = dovecot.newUser(name + (proxied ? "-p" : "-d"));
    Path work = Files.createDirectories(tmp.resolve(proxied ? "proxied" : "direct"));
    ProxyRig rig =
        proxied ? ProxyRig.start(protocol, dovecotPort, tmp.resolve("captures-" + name)) : null;
    try (TcpTap front = new TcpTap(proxied ? rig.port() : dovecotPort)) {
      T result;
      try {
        result = client.run(front.port(), user, work);
      } catch (Exception | AssertionError e) {
        throw new AssertionError(
            label
                + " failed: "
                + Transcripts.shorten(e.getMessage())
                + "\n--- Dovecot log tail ---\n"
                + logTail(),
            e);
      }
      List<TcpTap.Conversation> conversations = front.awaitAllClosed(ProxyRig.CLOSE_TIMEOUT);
      assertThat(conversations).as("%s: connections", label).isNotEmpty();
      if (rig != null) {
        rig.assertTransparent(label, conversations);
        rig.awaitNoSessions();
      }
      if (rig != null) {
        rig.close();
        identified = rig.identifiedFamilies();
      }
      return new Run<>(result, conversations);
    } finally {
      if (rig != null) {
        rig.close();
      }
    }
  }

  private static String logTail() {
    String log = dovecot.log();
    return log.length() > 3000 ? log.substring(log.length() - 3000) : log;
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
