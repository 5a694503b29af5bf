package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.MailboxView;
import dev.quirkproxy.session.Protocol;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The session tracker's sequence number ↔ UID map against Dovecot while a second connection, made
 * directly to Dovecot, changes the mailbox: messages appended (EXISTS), expunged (EXPUNGE, and
 * VANISHED once QRESYNC is enabled), including messages the proxied client never asked about. After
 * every change the map is compared with the truth from a third, direct connection: every UID the
 * tracker knows must stand at the sequence number Dovecot gives it.
 */
class TrackerDovecotIT {

  private static final Pattern SEARCH = Pattern.compile("(?m)^\\* SEARCH((?: \\d+)*)\\r?$");
  private static Dovecot dovecot;

  private ProxyRig rig;
  private String user;
  private final List<RawClient> clients = new ArrayList<>();

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

  @BeforeEach
  void startProxy() throws Exception {
    rig = ProxyRig.start(Protocol.IMAP, dovecot.imapPort());
    user = dovecot.newUser("tracker");
  }

  @AfterEach
  void stop() throws Exception {
    for (RawClient c : clients) {
      c.close();
    }
    rig.close();
  }

  private RawClient login(int port, String name) throws Exception {
    RawClient c = RawClient.connect(port, name);
    clients.add(c);
    c.line();
    c.sendLine("l LOGIN " + user + " " + Dovecot.PASSWORD);
    assertThat(c.untilTagged("l")).contains("l OK");
    return c;
  }

  private static String run(RawClient c, String tag, String command) throws Exception {
    c.sendLine(tag + " " + command);
    String answer = c.untilTagged(tag);
    assertThat(answer).as(command).contains(tag + " OK");
    return answer;
  }

  /** Every UID in INBOX, in sequence order, from a fresh direct connection. */
  private long[] truth() throws Exception {
    RawClient t = login(dovecot.imapPort(), "truth");
    run(t, "t1", "EXAMINE INBOX");
    Matcher m = SEARCH.matcher(run(t, "t2", "UID SEARCH ALL"));
    assertThat(m.find()).isTrue();
    run(t, "t3", "LOGOUT");
    return Arrays.stream(m.group(1).trim().split(" "))
        .filter(w -> !w.isEmpty())
        .mapToLong(Long::parseLong)
        .toArray();
  }

  /** The tracker's view of the session whose client is {@code c}. */
  private MailboxSnapshot view(RawClient c) {
    List<MailboxSnapshot> views =
        rig.proxy()
            .inspectSessions(
                s ->
                    ((InetSocketAddress) s.clientAddress()).getPort() == c.localPort()
                        ? MailboxSnapshot.of(((ImapSession) s).mailbox())
                        : null);
    return views.stream().filter(v -> v != null).findFirst().orElseThrow();
  }

  record MailboxSnapshot(long exists, long uidValidity, long[] uids) {
    static MailboxSnapshot of(MailboxView m) {
      return new MailboxSnapshot(m.exists(), m.uidValidity(), m.uidMap());
    }
  }

  /** Every known UID stands where Dovecot has it; the count is Dovecot's. */
  private static void assertAgrees(String when, MailboxSnapshot view, long[] truth) {
    assertThat(view.exists()).as("%s: EXISTS", when).isEqualTo(truth.length);
    assertThat(view.uids().length)
        .as("%s: tracked entries", when)
        .isLessThanOrEqualTo(truth.length);
    for (int i = 0; i < view.uids().length; i++) {
      if (view.uids()[i] != 0) {
        assertThat(view.uids()[i])
            .as(
                "%s: UID of message %d (tracker %s, Dovecot %s)",
                when, i + 1, Arrays.toString(view.uids()), Arrays.toString(truth))
            .isEqualTo(truth[i]);
      }
    }
  }

  private void append(RawClient c, String tag, String subject) throws Exception {
    byte[] message = MailSeed.appendable(subject);
    c.sendLine(tag + " APPEND INBOX {" + message.length + "+}");
    c.send(message);
    c.sendLine("");
    assertThat(c.untilTagged(tag)).contains(tag + " OK");
  }

  @Test
  void expungeAndExistsFromAnotherConnection() throws Exception {
    RawClient a = login(rig.port(), "proxied");
    run(a, "a1", "SELECT INBOX");
    run(a, "a2", "FETCH 1:* (UID FLAGS)");
    MailboxSnapshot start = view(a);
    assertThat(start.uidValidity()).isEqualTo(MailSeed.INBOX_UIDVALIDITY);
    assertThat(start.uids()).doesNotContain(0L);
    assertAgrees("after FETCH 1:*", start, truth());

    RawClient b = login(dovecot.imapPort(), "other");
    run(b, "b1", "SELECT INBOX");
    append(b, "b2", "new one");
    append(b, "b3", "new two");
    run(b, "b4", "STORE 2,4 +FLAGS.SILENT (\\Deleted)");
    run(b, "b5", "EXPUNGE");

    run(a, "a3", "NOOP");
    long[] now = truth();
    MailboxSnapshot afterNoop = view(a);
    assertAgrees("after EXPUNGE 2,4 and two appends", afterNoop, now);
    // The appended messages were only counted; the client learns their UIDs by asking.
    run(a, "a4", "FETCH " + (now.length - 1) + ":* (UID)");
    MailboxSnapshot complete = view(a);
    assertThat(complete.uids()).doesNotContain(0L).hasSize(now.length);
    assertAgrees("after fetching the new UIDs", complete, now);
  }

  @Test
  void partlyKnownMailboxStaysRight() throws Exception {
    RawClient a = login(rig.port(), "proxied");
    run(a, "a1", "SELECT INBOX");
    run(a, "a2", "FETCH 1,3,5 (UID)");
    assertAgrees("after FETCH 1,3,5", view(a), truth());

    RawClient b = login(dovecot.imapPort(), "other");
    run(b, "b1", "SELECT INBOX");
    // Message 2 was never seen by the proxied client, message 3 was.
    run(b, "b2", "STORE 2:3 +FLAGS.SILENT (\\Deleted)");
    run(b, "b3", "EXPUNGE");
    append(b, "b4", "late arrival");

    run(a, "a3", "NOOP");
    MailboxSnapshot v = view(a);
    long[] now = truth();
    assertAgrees("after EXPUNGE 2:3 and an append", v, now);
    assertThat(Arrays.stream(v.uids()).filter(u -> u != 0).count()).isEqualTo(2);
    run(a, "a4", "UID SEARCH ALL");
    assertThat(view(a).uids()).as("UID SEARCH ALL fills the map").containsExactly(now);
  }

  @Test
  void vanishedWithQresync() throws Exception {
    RawClient a = login(rig.port(), "proxied");
    run(a, "a0", "ENABLE QRESYNC");
    run(a, "a1", "SELECT INBOX");
    run(a, "a2", "UID FETCH 1:* (FLAGS)");
    assertAgrees("after UID FETCH 1:*", view(a), truth());

    RawClient b = login(dovecot.imapPort(), "other");
    run(b, "b1", "SELECT INBOX");
    append(b, "b2", "arrives");
    run(b, "b3", "STORE 1,3 +FLAGS.SILENT (\\Deleted)");
    run(b, "b4", "EXPUNGE");

    String noop = run(a, "a3", "NOOP");
    assertThat(noop)
        .as("Dovecot reports expunges as VANISHED after ENABLE QRESYNC")
        .contains("* VANISHED");
    assertThat(noop).doesNotContain("EXPUNGE");
    assertAgrees("after VANISHED", view(a), truth());
    run(a, "a4", "UID FETCH 1:* (FLAGS)");
    MailboxSnapshot all = view(a);
    assertThat(all.uids()).doesNotContain(0L);
    assertAgrees("after UID FETCH 1:* again", all, truth());
  }
}
