package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.CaptureStore;
import dev.quirkproxy.capture.Direction;
import dev.quirkproxy.codec.imap.parse.BodyStructure;
import dev.quirkproxy.codec.imap.parse.FrameBytes;
import dev.quirkproxy.codec.imap.parse.ImapParser;
import dev.quirkproxy.codec.imap.parse.MsgAtt;
import dev.quirkproxy.codec.imap.parse.Node;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import dev.quirkproxy.codec.imap.parse.ResponseData;
import dev.quirkproxy.demo.DemoUpstream;
import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyConfig;
import dev.quirkproxy.relay.ProxyServer;
import dev.quirkproxy.rules.RuleEngine;
import dev.quirkproxy.rules.RuleLoader;
import dev.quirkproxy.rules.RuleSet;
import dev.quirkproxy.session.Protocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code rules/bodystructure-complete.json} live, with a client that talks like Android
 * 2.2's stock Email (decimal tags from 1, ID before LOGIN, UID SEARCH 1:* NOT DELETED, its
 * header-and-structure UID FETCH). In front of GreenMail (the demo upstream), which leaves the
 * location out of every part, the client gets every BODYSTRUCTURE with its full extension list and
 * every other item byte for byte as sent, while a direct connection, the same client as Android 4.4
 * and the capture's upstream side show GreenMail's shorter form. Dovecot 2.3 already sends every
 * field, so through the proxy its answers arrive unchanged (literal parameters included).
 *
 * <p>With {@code -Dquirkproxy.example.capture=PATH} the GreenMail session's capture is copied to
 * PATH (how {@code captures/examples/aosp-email-greenmail.jsonl} was made).
 */
class BodyStructureCompletionIT {

  private static final String ANDROID_22 =
      "(\"name\" \"com.android.email\" \"os\" \"android\" \"os-version\" \"2.2; FRF91\""
          + " \"vendor\" \"HTC\" \"x-android-device-model\" \"Nexus One\")";
  private static final String ANDROID_44 =
      "(\"name\" \"com.android.email\" \"os\" \"android\" \"os-version\" \"4.4.2; KOT49H\""
          + " \"vendor\" \"samsung\" \"x-android-device-model\" \"SM-G900F\")";
  private static final ImapParser PARSER = new ImapParser();

  private static Dovecot dovecot;
  @TempDir Path tmp;

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

  /** What the client sessions through one proxy saw, and their captures in session order. */
  private record Proxied(List<List<String>> fetches, List<CaptureReader.Capture> captures) {}

  /** Runs one AOSP session per ID through a recording proxy with the shipped rule file. */
  private Proxied proxied(int upstreamPort, String user, String password, String... ids)
      throws Exception {
    RuleSet rules = RuleLoader.load(Path.of("rules/bodystructure-complete.json")).rules();
    Path dir = Files.createTempDirectory(tmp, "captures");
    List<List<String>> fetches = new ArrayList<>();
    try (CaptureStore store = new CaptureStore(CaptureSettings.in(dir))) {
      ProxyServer proxy =
          new ProxyServer(
                  ProxyConfig.of(
                      new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                      new Endpoint(Protocol.IMAP, false, "127.0.0.1", upstreamPort)),
                  List.of(new RuleEngine(() -> rules)),
                  null)
              .recordTo(store, "imap");
      try {
        int port = proxy.start().port();
        for (String id : ids) {
          fetches.add(aospSession(port, user, password, id));
        }
      } finally {
        proxy.shutdown(Duration.ofSeconds(5));
      }
    }
    return new Proxied(fetches, captures(dir));
  }

  @Test
  void greenMailLeavesOutTheLocationAndAndroidTwoTwoGetsItFilledIn() throws Exception {
    try (DemoUpstream demo = DemoUpstream.start()) {
      int upstream = demo.imapPort();
      String user = DemoUpstream.USER;
      String password = DemoUpstream.PASSWORD;
      appendMessages(upstream, user, password);
      List<String> direct = aospSession(upstream, user, password, ANDROID_22);
      Proxied through = proxied(upstream, user, password, ANDROID_22, ANDROID_44);
      List<String> directAfter = aospSession(upstream, user, password, ANDROID_22);
      List<String> proxied = through.fetches().get(0);

      // The demo's five messages and the three appended ones.
      assertThat(direct).hasSize(8);
      assertThat(directAfter).as("the upstream's answers afterwards").isEqualTo(direct);
      assertThat(through.fetches().get(1)).as("Android 4.4 is not rewritten").isEqualTo(direct);
      assertThat(proxied).hasSameSizeAs(direct);
      int shortParts = 0;
      for (int i = 0; i < direct.size(); i++) {
        shortParts += assertCompleted(direct.get(i), proxied.get(i));
      }
      assertThat(shortParts)
          .as("parts GreenMail sent without all four extension fields")
          .isPositive();

      CaptureReader.Capture c = through.captures().get(0);
      assertThat(c.complete()).as("%s", c.problems()).isTrue();
      assertThat(c.footer().path("fingerprint").path("family").asText()).isEqualTo("aosp-email");
      assertThat(c.footer().path("fingerprint").path("version").asText()).startsWith("2.2");
      String fromUpstream = latin1(c.bytes(Direction.UPSTREAM_TO_PROXY));
      String toClient = latin1(c.bytes(Direction.PROXY_TO_CLIENT));
      for (int i = 0; i < direct.size(); i++) {
        assertThat(fromUpstream).as("the upstream sent").contains(direct.get(i));
        assertThat(toClient).as("the proxy sent instead").contains(proxied.get(i));
      }
      assertThat(ruleHits(c)).hasSize(direct.size());
      assertThat(ruleHits(through.captures().get(1))).isEmpty();

      String example = System.getProperty("quirkproxy.example.capture");
      if (example != null && !example.isBlank()) {
        Files.copy(c.file(), Path.of(example), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  @Test
  void dovecotSendsEveryFieldAlreadySoTheClientGetsItsBytesUnchanged() throws Exception {
    String user = dovecot.newUser("aosp");
    appendMessages(dovecot.imapPort(), user, Dovecot.PASSWORD);
    List<String> direct = aospSession(dovecot.imapPort(), user, Dovecot.PASSWORD, ANDROID_22);
    Proxied through = proxied(dovecot.imapPort(), user, Dovecot.PASSWORD, ANDROID_22);

    assertThat(direct).hasSize(8);
    assertThat(through.fetches().get(0)).isEqualTo(direct);
    for (String r : direct) {
      assertThat(assertCompleted(r, r)).as("Dovecot 2.3 leaves nothing out: %s", r).isZero();
    }
    // A parameter Dovecot sends as a literal (the 8-bit file name) goes through as it came.
    String name = utf8("Straße.pdf");
    assertThat(direct.get(7)).contains("{" + name.length() + "}\r\n" + name);
    CaptureReader.Capture c = through.captures().get(0);
    assertThat(c.footer().path("fingerprint").path("version").asText()).startsWith("2.2");
    assertThat(ruleHits(c)).isEmpty();
    // Nothing the proxy sent of its own but, at most, its goodbye when the test stops it.
    assertThat(new String(c.bytes(Direction.PROXY_TO_CLIENT), StandardCharsets.ISO_8859_1))
        .doesNotContain("FETCH");
  }

  /**
   * AOSP Email's sync as android-2.2_r1 ImapStore sends it (the fingerprint corpus's aosp-email
   * transcripts): returns the FETCH responses to its header-and-structure UID FETCH.
   */
  private static List<String> aospSession(int port, String user, String password, String id)
      throws IOException {
    try (RawClient c = RawClient.connect(port, "aosp")) {
      c.line();
      command(c, "1 CAPABILITY");
      // AOSP Email goes on whatever ID, NAMESPACE and LIST "" "" answer (GreenMail has no ID).
      c.sendLine("2 ID " + id);
      c.untilTagged("2");
      command(c, "3 LOGIN " + user + " \"" + password + "\"");
      c.sendLine("4 NAMESPACE");
      c.untilTagged("4");
      c.sendLine("5 LIST \"\" \"\"");
      c.untilTagged("5");
      command(c, "6 LIST \"\" \"*\"");
      command(c, "7 SELECT \"INBOX\"");
      c.sendLine("8 UID SEARCH 1:* NOT DELETED");
      // GreenMail refuses this SEARCH (BAD); this client then asks for every UID instead.
      String uids =
          c.untilTagged("8")
              .lines()
              .filter(l -> l.startsWith("* SEARCH "))
              .map(l -> l.substring("* SEARCH ".length()).trim().replace(' ', ','))
              .findFirst()
              .orElse("1:*");
      c.sendLine(
          "9 UID FETCH "
              + uids
              + " (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (date subject from"
              + " content-type to cc message-id)] BODYSTRUCTURE)");
      List<String> fetches = new ArrayList<>();
      for (String r = c.imapResponse(); !r.startsWith("9 "); r = c.imapResponse()) {
        fetches.add(r);
      }
      command(c, "10 NOOP");
      command(c, "11 LOGOUT");
      return fetches;
    }
  }

  private static String command(RawClient c, String line) throws IOException {
    c.sendLine(line);
    String tag = line.substring(0, line.indexOf(' '));
    String answer = c.untilTagged(tag);
    assertThat(answer).as(line).contains(tag + " OK");
    return answer;
  }

  /**
   * {@code proxied} is {@code direct} with every BODYSTRUCTURE part's extension list filled up to
   * four fields with NIL, and every other item byte for byte the same; returns how many parts
   * Dovecot sent short.
   */
  private static int assertCompleted(String direct, String proxied) {
    ParsedFrame.Data d = data(direct);
    ParsedFrame.Data p = data(proxied);
    List<Node> dItems = ((Node.Paren) d.tokens().items().get(3)).items().items();
    List<Node> pItems = ((Node.Paren) p.tokens().items().get(3)).items().items();
    assertThat(pItems).hasSameSizeAs(dItems);
    int shortParts = 0;
    List<MsgAtt> dAtts = ((ResponseData.Fetch) d.view()).items();
    List<MsgAtt> pAtts = ((ResponseData.Fetch) p.view()).items();
    for (int i = 0; i < dAtts.size(); i++) {
      if (dAtts.get(i) instanceof MsgAtt.BodyStructureItem db) {
        shortParts += compare(db.body(), ((MsgAtt.BodyStructureItem) pAtts.get(i)).body());
      } else {
        assertThat(Node.text(pItems.get(2 * i + 1))).isEqualTo(Node.text(dItems.get(2 * i + 1)));
      }
      assertThat(Node.text(pItems.get(2 * i))).isEqualTo(Node.text(dItems.get(2 * i)));
    }
    return shortParts;
  }

  private static int compare(BodyStructure d, BodyStructure p) {
    int shortParts = d.extension().size() < 4 ? 1 : 0;
    assertThat(p.extension()).hasSize(Math.max(4, d.extension().size()));
    for (int i = 0; i < p.extension().size(); i++) {
      String want = i < d.extension().size() ? Node.text(d.extension().get(i)) : "NIL";
      assertThat(Node.text(p.extension().get(i))).isEqualTo(want);
    }
    if (d instanceof BodyStructure.Multipart dm) {
      BodyStructure.Multipart pm = (BodyStructure.Multipart) p;
      assertThat(pm.subtype()).isEqualTo(dm.subtype());
      assertThat(pm.parts()).hasSameSizeAs(dm.parts());
      for (int i = 0; i < dm.parts().size(); i++) {
        shortParts += compare(dm.parts().get(i), pm.parts().get(i));
      }
      return shortParts;
    }
    BodyStructure.SinglePart ds = (BodyStructure.SinglePart) d;
    BodyStructure.SinglePart ps = (BodyStructure.SinglePart) p;
    assertThat(List.of(ps.type(), ps.subtype(), ps.params(), ps.encoding(), ps.size(), ps.lines()))
        .isEqualTo(
            List.of(ds.type(), ds.subtype(), ds.params(), ds.encoding(), ds.size(), ds.lines()));
    assertThat(ps.envelope()).isEqualTo(ds.envelope());
    if (ds.body() != null) {
      shortParts += compare(ds.body(), ps.body());
    }
    return shortParts;
  }

  private static ParsedFrame.Data data(String response) {
    ParsedFrame f = PARSER.response(FrameBytes.of(response.getBytes(StandardCharsets.ISO_8859_1)));
    assertThat(f).as(response).isInstanceOf(ParsedFrame.Data.class);
    return (ParsedFrame.Data) f;
  }

  private static List<ObjectNode> ruleHits(CaptureReader.Capture c) {
    return c.events().stream()
        .filter(e -> e.path("type").asText().equals("rule"))
        .collect(Collectors.toList());
  }

  private static List<CaptureReader.Capture> captures(Path dir) throws IOException {
    List<CaptureReader.Capture> all = new ArrayList<>();
    for (Path f : RecordingSupport.captureFiles(dir)) {
      all.add(CaptureReader.read(f));
    }
    all.sort(
        (a, b) ->
            a.header().path("session").asText().compareTo(b.header().path("session").asText()));
    return all;
  }

  /**
   * Three messages with nested parts, APPENDed (each waits for "+", which every server offers);
   * then a SELECT, so that no later session sees them \Recent.
   */
  private static void appendMessages(int port, String user, String password) throws IOException {
    try (RawClient c = RawClient.connect(port, "append")) {
      c.line();
      command(c, "a1 LOGIN " + user + " " + password);
      int n = 2;
      for (String m : Arrays.asList(ALTERNATIVE, FORWARDED, EIGHT_BIT_NAME)) {
        byte[] bytes = MailSeed.toCrlf(m.getBytes(StandardCharsets.UTF_8));
        String tag = "a" + n++;
        c.sendLine(tag + " APPEND INBOX {" + bytes.length + "}");
        assertThat(c.line()).startsWith("+");
        c.send(bytes);
        c.sendLine("");
        assertThat(c.untilTagged(tag)).contains(tag + " OK");
      }
      command(c, "a8 SELECT INBOX");
      command(c, "a9 LOGOUT");
    }
  }

  private static String utf8(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  private static String latin1(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static final String ALTERNATIVE =
      """
      From: Grace <grace@example.org>
      To: Alice <alice@example.net>
      Subject: Lunch on Friday?
      Date: Tue, 07 Jan 2025 09:00:00 +0000
      Message-ID: <alt-6@quirkproxy.test>
      MIME-Version: 1.0
      Content-Type: multipart/alternative; boundary="alt_6"

      --alt_6
      Content-Type: text/plain; charset=utf-8
      Content-Transfer-Encoding: quoted-printable

      Shall we have lunch on Friday?
      --alt_6
      Content-Type: text/html; charset=utf-8
      Content-Transfer-Encoding: quoted-printable

      <p>Shall we have lunch on <b>Friday</b>?</p>
      --alt_6--
      """;

  private static final String FORWARDED =
      """
      From: Heidi <heidi@example.org>
      To: Alice <alice@example.net>
      Subject: Fwd: Minutes
      Date: Tue, 07 Jan 2025 09:30:00 +0000
      Message-ID: <fwd-7@quirkproxy.test>
      MIME-Version: 1.0
      Content-Type: multipart/mixed; boundary="outer_7"

      --outer_7
      Content-Type: text/plain; charset=us-ascii

      See the minutes below.
      --outer_7
      Content-Type: message/rfc822
      Content-Disposition: attachment; filename="minutes.eml"

      From: Carol Example <carol@example.org>
      To: Alice <alice@example.net>
      Subject: Minutes
      Date: Mon, 06 Jan 2025 09:00:00 +0000
      Message-ID: <minutes-1@example.org>
      MIME-Version: 1.0
      Content-Type: multipart/alternative; boundary="inner_7"

      --inner_7
      Content-Type: text/plain; charset=us-ascii

      Minutes of the meeting.
      --inner_7
      Content-Type: text/html; charset=us-ascii

      <p>Minutes of the meeting.</p>
      --inner_7--

      --outer_7--
      """;

  private static final String EIGHT_BIT_NAME =
      """
      From: Ivan <ivan@example.org>
      To: Alice <alice@example.net>
      Subject: Map
      Date: Tue, 07 Jan 2025 10:00:00 +0000
      Message-ID: <map-8@quirkproxy.test>
      MIME-Version: 1.0
      Content-Type: multipart/mixed; boundary="m8"

      --m8
      Content-Type: text/plain; charset=utf-8
      Content-Transfer-Encoding: 8bit

      The map is attached.
      --m8
      Content-Type: application/pdf; name="Straße.pdf"
      Content-Disposition: attachment; filename="Straße.pdf"
      Content-Transfer-Encoding: base64

      JVBERi0xLjQKJcOkw7zDtsOfCg==
      --m8--
      """;
}
