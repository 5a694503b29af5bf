package dev.quirkproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.imap.parse.SequenceSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The translated view through the whole engine over long random sessions: a simulated upstream that
 * expunges messages "from another session" and tells the client at the worst moment (during FETCH,
 * STORE and SEARCH, which RFC 9051 §7.5.1 forbids), a client that FETCHes, STOREs, SEARCHes and
 * NOOPs. After every response the client's sequence numbers are checked against a model of what the
 * client has been told: every FETCH it gets names the UID its model has at that number, every
 * SEARCH number is one of its messages, and after a NOOP its view equals the upstream's.
 */
class TranslatedSessionPropertyTest {

  private static final Pattern SET_CMD = Pattern.compile("^(\\S+) (FETCH|STORE|SEARCH) (\\S+)");
  private static final Pattern FETCH = Pattern.compile("^\\* (\\d+) FETCH \\(UID (\\d+)");
  private static final Pattern EXPUNGE = Pattern.compile("^\\* (\\d+) EXPUNGE");
  private static final Pattern EXISTS = Pattern.compile("^\\* (\\d+) EXISTS");

  private RuleHarness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  /** The simulated upstream: its messages, and the expunges it has not reported yet. */
  private final List<Long> upstream = new ArrayList<>();

  private final List<Long> unreported = new ArrayList<>();

  /** What the client has been told: its messages by sequence number. */
  private final List<Long> client = new ArrayList<>();

  private long nextUid = 1;

  @ParameterizedTest
  @ValueSource(longs = {1, 7, 42, 2026})
  void clientNumbersStayRightThroughRandomSessions(long seed) {
    Random rnd = new Random(seed);
    h =
        RuleHarness.imap(
            RuleHarness.file(
                """
        {"id": "stubs", "action": {"type": "expunged-stubs"}}"""));
    int start = 8;
    h.selected("INBOX", start);
    for (int i = 0; i < start; i++) {
      upstream.add(nextUid);
      client.add(nextUid);
      nextUid++;
    }
    h.drain();
    for (int step = 0; step < 400; step++) {
      String when = "seed " + seed + " step " + step;
      int op = rnd.nextInt(10);
      if (op < 2 && upstream.size() > unreported.size() + 1) {
        // Another session expunges a message; this upstream will tell at its next response.
        Long gone = upstream.get(rnd.nextInt(upstream.size()));
        if (!unreported.contains(gone)) {
          unreported.add(gone);
        }
      } else if (op < 3) {
        // A new message; the upstream says EXISTS at once (always allowed).
        upstream.add(nextUid++);
        exchange("x" + step, "NOOP", when, false);
      } else if (op < 5 && !client.isEmpty()) {
        int a = 1 + rnd.nextInt(client.size());
        int b = a + rnd.nextInt(client.size() - a + 1);
        exchange("f" + step, "FETCH " + a + ":" + b + " (UID)", when, true);
      } else if (op < 6 && !client.isEmpty()) {
        int a = 1 + rnd.nextInt(client.size());
        exchange("s" + step, "STORE " + a + " +FLAGS (\\Seen)", when, true);
      } else if (op < 7) {
        exchange("q" + step, "SEARCH ALL", when, true);
      } else {
        exchange("n" + step, "NOOP", when, false);
        assertThat(client).as("%s: after NOOP the views agree", when).isEqualTo(upstream);
      }
    }
  }

  /**
   * The client sends {@code command}; the simulated upstream answers the command that reaches it,
   * reporting pending expunges first (during FETCH/STORE/SEARCH when {@code badly}).
   */
  private void exchange(String tag, String command, String when, boolean badly) {
    h.client(tag + " " + command + "\r\n");
    for (String sent : h.toServer().split("\r\n")) {
      if (sent.isEmpty()) {
        continue;
      }
      upstreamAnswers(sent, when, badly);
    }
    for (String line : h.toClient().split("\r\n")) {
      if (!line.isEmpty()) {
        clientSees(line, when, badly);
      }
    }
  }

  private void upstreamAnswers(String line, String when, boolean badly) {
    String tag = line.substring(0, line.indexOf(' '));
    // Report expunges (forbidden during FETCH/STORE/SEARCH, which is the point) and new mail.
    for (Long gone : new ArrayList<>(unreported)) {
      int u = upstream.indexOf(gone) + 1;
      upstream.remove(gone);
      h.server("* " + u + " EXPUNGE\r\n");
    }
    unreported.clear();
    h.server("* " + upstream.size() + " EXISTS\r\n");
    Matcher m = SET_CMD.matcher(line);
    if (m.find()) {
      SequenceSet set = SequenceSet.parse(m.group(3).equals("ALL") ? "1:*" : m.group(3));
      if (m.group(2).equals("SEARCH")) {
        StringBuilder sb = new StringBuilder("* SEARCH");
        for (int u = 1; u <= upstream.size(); u++) {
          sb.append(' ').append(u);
        }
        h.server(sb + "\r\n");
      } else {
        for (int u = 1; u <= upstream.size(); u++) {
          if (set.contains(u, upstream.size())) {
            h.server("* " + u + " FETCH (UID " + upstream.get(u - 1) + " FLAGS ())\r\n");
          }
        }
      }
    }
    h.server(tag + " OK done\r\n");
  }

  private void clientSees(String line, String when, boolean noExpungeAllowed) {
    Matcher f = FETCH.matcher(line);
    Matcher x = EXPUNGE.matcher(line);
    Matcher e = EXISTS.matcher(line);
    if (f.find()) {
      int c = Integer.parseInt(f.group(1));
      assertThat(c).as("%s: %s within the client's view", when, line).isBetween(1, client.size());
      assertThat(client.get(c - 1)).as("%s: %s", when, line).isEqualTo(Long.parseLong(f.group(2)));
    } else if (x.find()) {
      assertThat(noExpungeAllowed)
          .as("%s: %s while answering FETCH, STORE or SEARCH (RFC 9051 7.5.1)", when, line)
          .isFalse();
      int c = Integer.parseInt(x.group(1));
      assertThat(c).as("%s: %s within the client's view", when, line).isBetween(1, client.size());
      client.remove(c - 1);
    } else if (e.find()) {
      int n = Integer.parseInt(e.group(1));
      assertThat(n)
          .as("%s: EXISTS never shrinks the view", when)
          .isGreaterThanOrEqualTo(client.size());
      // New messages are those the upstream has and the client does not.
      for (Long uid : upstream) {
        if (!client.contains(uid) && client.size() < n) {
          client.add(uid);
        }
      }
      assertThat(client).as("%s: %s", when, line).hasSize(n);
    } else if (line.startsWith("* SEARCH")) {
      for (String w : line.substring(8).trim().split(" ")) {
        if (!w.isEmpty()) {
          int c = Integer.parseInt(w);
          assertThat(c).as("%s: SEARCH number %d", when, c).isBetween(1, client.size());
          assertThat(upstream).as("%s: SEARCH found %d", when, c).contains(client.get(c - 1));
        }
      }
    }
  }
}
