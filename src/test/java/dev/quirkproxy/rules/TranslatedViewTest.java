package dev.quirkproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.imap.parse.SequenceSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The translated view against a model that keeps both views as plain lists of UIDs: through long
 * random sequences of hidden expunges, visible expunges, new messages and releases, every sequence
 * number (single and in sets) translates the way the lists say, and a release tells the client
 * exactly what the upstream no longer has.
 */
class TranslatedViewTest {

  /** Both views as lists of UIDs, in sequence order. */
  private static final class Model {
    final List<Long> client = new ArrayList<>();
    final List<Long> upstream = new ArrayList<>();
    long nextUid = 1;

    void add() {
      client.add(nextUid);
      upstream.add(nextUid);
      nextUid++;
    }
  }

  private static void check(TranslatedView view, Model m, String when) {
    assertThat(view.extra()).as("%s: extra", when).isEqualTo(m.client.size() - m.upstream.size());
    for (int c = 1; c <= m.client.size(); c++) {
      long uid = m.client.get(c - 1);
      int u = m.upstream.indexOf(uid) + 1;
      assertThat(view.toUpstream(c)).as("%s: client %d -> upstream", when, c).isEqualTo(u);
      if (u > 0) {
        assertThat(view.toClient(u)).as("%s: upstream %d -> client", when, u).isEqualTo(c);
      } else {
        assertThat(view.ghostAt(c).uid()).as("%s: ghost %d", when, c).isEqualTo(uid);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 1234, 99_999})
  void randomOperationsAgreeWithTheModel(long seed) {
    Random rnd = new Random(seed);
    Model m = new Model();
    TranslatedView view = new TranslatedView();
    for (int i = 0; i < 20; i++) {
      m.add();
    }
    for (int step = 0; step < 2_000; step++) {
      int op = rnd.nextInt(10);
      String when = "seed " + seed + " step " + step + " op " + op;
      if (op < 3 && !m.upstream.isEmpty()) {
        // An EXPUNGE the client must not see yet.
        int u = 1 + rnd.nextInt(m.upstream.size());
        long uid = m.upstream.remove(u - 1);
        view.hide(u, uid, List.of("\\Seen"));
      } else if (op < 5 && !m.upstream.isEmpty()) {
        // An EXPUNGE the client is told of now.
        int u = 1 + rnd.nextInt(m.upstream.size());
        long uid = m.upstream.remove(u - 1);
        int c = m.client.indexOf(uid) + 1;
        assertThat(view.expungeNow(u)).as(when).isEqualTo(c);
        m.client.remove(c - 1);
      } else if (op < 7) {
        m.add();
      } else if (op < 8) {
        List<Long> told = view.release();
        for (long c : told) {
          long uid = m.client.get((int) c - 1);
          assertThat(m.upstream).as(when).doesNotContain(uid);
          m.client.remove((int) c - 1);
        }
        assertThat(m.client).as(when).isEqualTo(m.upstream);
      } else if (!m.client.isEmpty()) {
        // A client sequence set in upstream numbers.
        int a = 1 + rnd.nextInt(m.client.size());
        int b = a + rnd.nextInt(Math.max(1, m.client.size() - a + 1));
        String set = view.toUpstream(SequenceSet.parse(a + ":" + b), m.client.size());
        TreeSet<Integer> want = new TreeSet<>();
        for (int c = a; c <= b; c++) {
          int u = m.upstream.indexOf(m.client.get(c - 1)) + 1;
          if (u > 0) {
            want.add(u);
          }
        }
        TreeSet<Integer> got = new TreeSet<>();
        if (set != null) {
          for (SequenceSet.Range r : SequenceSet.parse(set).ranges()) {
            for (long u = r.first(); u <= r.last(); u++) {
              got.add((int) u);
            }
          }
        }
        assertThat(got).as("%s: %d:%d -> %s", when, a, b, set).isEqualTo(want);
      }
      check(view, m, when);
    }
  }

  @Test
  void aStarRangeEndsAtTheUpstreamsLastMessage() {
    TranslatedView view = new TranslatedView();
    view.hide(5, 50, List.of());
    // The client still sees 5 messages; its 5 is a ghost.
    assertThat(view.toUpstream(SequenceSet.parse("3:*"), 5)).isEqualTo("3:*");
    assertThat(view.toUpstream(SequenceSet.parse("5"), 5)).isNull();
    assertThat(view.toUpstream(SequenceSet.parse("*"), 5)).isNull();
  }
}
