package dev.quirkproxy.rules;

import dev.quirkproxy.session.Protocol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The loaded rules, ordered (priority, then file name, then position), with a list per protocol and
 * direction so that a frame is judged only by rules that can match it. Immutable; a reload builds a
 * new one.
 */
public final class RuleSet {

  /** No rules. */
  public static final RuleSet EMPTY = new RuleSet(List.of(), List.of());

  private final List<Rule> all;
  private final List<String> files;
  private final Rule[][] byKey = new Rule[4][];

  RuleSet(List<Rule> rules, List<String> files) {
    List<Rule> sorted = new ArrayList<>(rules);
    // A stable sort keeps file and list order among equal priorities.
    sorted.sort(Comparator.comparingInt(Rule::priority).reversed());
    this.all = List.copyOf(sorted);
    this.files = List.copyOf(files);
    for (Protocol p : Protocol.values()) {
      for (boolean client : new boolean[] {true, false}) {
        byKey[key(p, client)] =
            all.stream().filter(r -> r.appliesTo(p, client)).toArray(Rule[]::new);
      }
    }
  }

  /** Every rule, enabled or not, in the order they are tried. */
  public List<Rule> rules() {
    return all;
  }

  /** The files they came from, in name order. */
  public List<String> files() {
    return files;
  }

  /** The enabled rules that can match a frame of this protocol and direction, in order. */
  Rule[] candidates(Protocol protocol, boolean fromClient) {
    return byKey[key(protocol, fromClient)];
  }

  private static int key(Protocol p, boolean client) {
    return p.ordinal() * 2 + (client ? 0 : 1);
  }
}
