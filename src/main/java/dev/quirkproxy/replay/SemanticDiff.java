package dev.quirkproxy.replay;

import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Compares what the upstream answered one command in a capture with what a live server answered it,
 * by meaning rather than bytes: each response is brought to a canonical text ({@link
 * SemanticDiffCanon}) with message numbers in the recorded session's terms, what legitimately
 * varies ({@link SemanticDiffIgnore}) masked, untagged responses compared as a multiset (RFC 9051
 * lets a server send them in any order), and FETCH responses for the same message compared item by
 * item. Each difference is one line: {@code - } only recorded, {@code + } only live, {@code ~ }
 * changed.
 */
public final class SemanticDiff {

  /** Date-, time- and timing-like text (Dovecot's "(0.001 + 0.000 secs)"). */
  static final Pattern DATE_LIKE =
      Pattern.compile(
          "\\(\\d+\\.\\d+( \\+ \\d+\\.\\d+)* secs\\)"
              + "|\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?)?"
              + "|\\d{1,2}-[A-Za-z]{3}-\\d{4}"
              + "|(Mon|Tue|Wed|Thu|Fri|Sat|Sun), +\\d{1,2} [A-Za-z]{3} \\d{4}"
              + "|\\d{1,2}:\\d{2}(:\\d{2})?( [+-]\\d{4})?");

  private final Set<SemanticDiffIgnore> ignore;

  public SemanticDiff(Set<SemanticDiffIgnore> ignore) {
    this.ignore =
        ignore.isEmpty() ? EnumSet.noneOf(SemanticDiffIgnore.class) : EnumSet.copyOf(ignore);
  }

  /**
   * The differences between two answers to one command.
   *
   * @param recorded the recorded responses, in order, the tagged completion last
   * @param live the live responses, likewise
   * @param recordedNumbers message numbers of the recorded side (as they are)
   * @param liveNumbers message numbers of the live side, in recorded terms
   * @param uidCommand true for UID SEARCH (its results are UIDs)
   */
  public List<String> diff(
      List<ParsedFrame> recorded,
      List<ParsedFrame> live,
      SemanticDiffCanon.Numbers recordedNumbers,
      SemanticDiffCanon.Numbers liveNumbers,
      boolean uidCommand) {
    List<SemanticDiffCanon.Canonical> r =
        new SemanticDiffCanon(ignore, recordedNumbers, uidCommand).all(recorded);
    List<SemanticDiffCanon.Canonical> l =
        new SemanticDiffCanon(ignore, liveNumbers, uidCommand).all(live);
    List<String> out = new ArrayList<>();
    SemanticDiffCanon.Canonical rTagged = lastTagged(r);
    SemanticDiffCanon.Canonical lTagged = lastTagged(l);
    if (rTagged != null) {
      r.remove(r.size() - 1);
    }
    if (lTagged != null) {
      l.remove(l.size() - 1);
    }
    untagged(r, l, out);
    if ((rTagged != null || lTagged != null)
        && (rTagged == null || lTagged == null || !rTagged.text().equals(lTagged.text()))) {
      out.add(
          "~ completion: recorded "
              + (rTagged == null ? "(none)" : rTagged.text())
              + ", live "
              + (lTagged == null ? "(none)" : lTagged.text()));
    }
    return out;
  }

  private static SemanticDiffCanon.Canonical lastTagged(List<SemanticDiffCanon.Canonical> all) {
    return !all.isEmpty() && all.get(all.size() - 1).tagged() ? all.get(all.size() - 1) : null;
  }

  private void untagged(
      List<SemanticDiffCanon.Canonical> r, List<SemanticDiffCanon.Canonical> l, List<String> out) {
    List<SemanticDiffCanon.Canonical> onlyR = new ArrayList<>(r);
    List<SemanticDiffCanon.Canonical> onlyL = new ArrayList<>();
    for (SemanticDiffCanon.Canonical c : l) {
      int at = indexOfText(onlyR, c.text());
      if (at >= 0) {
        onlyR.remove(at);
      } else {
        onlyL.add(c);
      }
    }
    if (onlyR.isEmpty() && onlyL.isEmpty()) {
      if (!ignore.contains(SemanticDiffIgnore.ORDER) && !sameOrder(r, l)) {
        out.add("~ the untagged responses came in another order");
      }
      return;
    }
    // The same message FETCHed on both sides but answered differently: compare item by item.
    for (SemanticDiffCanon.Canonical c : List.copyOf(onlyR)) {
      if (c.items() == null) {
        continue;
      }
      SemanticDiffCanon.Canonical other = byKey(onlyL, c.key());
      if (other != null && byKey(onlyR, c.key()) == c) {
        items(c, other, out);
        onlyR.remove(c);
        onlyL.remove(other);
      }
    }
    for (SemanticDiffCanon.Canonical c : onlyR) {
      out.add("- " + c.text());
    }
    for (SemanticDiffCanon.Canonical c : onlyL) {
      out.add("+ " + c.text());
    }
  }

  private static void items(
      SemanticDiffCanon.Canonical r, SemanticDiffCanon.Canonical l, List<String> out) {
    Map<String, String[]> both = new TreeMap<>();
    r.items().forEach((k, v) -> both.computeIfAbsent(k, x -> new String[2])[0] = v);
    l.items().forEach((k, v) -> both.computeIfAbsent(k, x -> new String[2])[1] = v);
    both.forEach(
        (k, v) -> {
          if (v[0] == null || !v[0].equals(v[1])) {
            out.add(
                "~ "
                    + r.key()
                    + " "
                    + k
                    + ": recorded "
                    + (v[0] == null ? "(absent)" : SemanticDiffCanon.shorten(v[0]))
                    + ", live "
                    + (v[1] == null ? "(absent)" : SemanticDiffCanon.shorten(v[1])));
          }
        });
  }

  private static int indexOfText(List<SemanticDiffCanon.Canonical> list, String text) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).text().equals(text)) {
        return i;
      }
    }
    return -1;
  }

  private static SemanticDiffCanon.Canonical byKey(
      List<SemanticDiffCanon.Canonical> list, String key) {
    SemanticDiffCanon.Canonical found = null;
    for (SemanticDiffCanon.Canonical c : list) {
      if (c.key().equals(key)) {
        if (found != null) {
          return null;
        }
        found = c;
      }
    }
    return found;
  }

  private static boolean sameOrder(
      List<SemanticDiffCanon.Canonical> r, List<SemanticDiffCanon.Canonical> l) {
    for (int i = 0; i < r.size(); i++) {
      if (!r.get(i).text().equals(l.get(i).text())) {
        return false;
      }
    }
    return true;
  }
}
