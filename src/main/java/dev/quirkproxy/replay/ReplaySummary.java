package dev.quirkproxy.replay;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The summary tables of a replay over a directory of captures: per capture for {@code replay
 * client} (commands, same, different, errors, exit) and {@code replay server} (connections,
 * commands answered, misses), each with a total row.
 */
public final class ReplaySummary {

  private ReplaySummary() {}

  /** {@code capture | commands | same | different | errors | exit}, then the totals. */
  public static String client(List<ReplayClientOutcome> outcomes) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"capture", "commands", "same", "different", "errors", "exit"});
    long commands = 0;
    long same = 0;
    long different = 0;
    long errors = 0;
    int exit = 0;
    for (ReplayClientOutcome o : outcomes) {
      int e = o.error() == null ? 0 : 1;
      rows.add(
          new String[] {
            o.capture(),
            String.valueOf(o.commands()),
            String.valueOf(o.same()),
            String.valueOf(o.different()),
            String.valueOf(e),
            String.valueOf(o.exitCode())
          });
      commands += o.commands();
      same += o.same();
      different += o.different();
      errors += e;
      exit = worst(exit, o.exitCode());
    }
    rows.add(
        new String[] {
          "total (" + outcomes.size() + ")",
          String.valueOf(commands),
          String.valueOf(same),
          String.valueOf(different),
          String.valueOf(errors),
          String.valueOf(exit)
        });
    return table(rows);
  }

  /** The process exit code for all outcomes: 2 if any stopped, else 1 if any differed, else 0. */
  public static int exitCode(List<ReplayClientOutcome> outcomes) {
    int exit = 0;
    for (ReplayClientOutcome o : outcomes) {
      exit = worst(exit, o.exitCode());
    }
    return exit;
  }

  /** {@code capture | connections | commands answered | misses}, then the totals. */
  public static String server(Path base, List<ReplayServer.Played> played) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"capture", "connections", "commands answered", "misses"});
    long connections = 0;
    long answered = 0;
    long misses = 0;
    for (ReplayServer.Played p : played) {
      rows.add(
          new String[] {
            name(base, p.capture()),
            String.valueOf(p.connections()),
            String.valueOf(p.answered()),
            String.valueOf(p.misses())
          });
      connections += p.connections();
      answered += p.answered();
      misses += p.misses();
    }
    rows.add(
        new String[] {
          "total (" + played.size() + ")",
          String.valueOf(connections),
          String.valueOf(answered),
          String.valueOf(misses)
        });
    return table(rows);
  }

  /** A capture's name for people: its path below {@code base} (a directory), or its file name. */
  public static String name(Path base, Path capture) {
    if (base != null && capture.startsWith(base) && !capture.equals(base)) {
      return base.relativize(capture).toString();
    }
    Path name = capture.getFileName();
    return name == null ? capture.toString() : name.toString();
  }

  private static int worst(int a, int b) {
    // 2 (stopped) outranks 1 (differs) outranks 0.
    return Math.max(a, b);
  }

  /** Columns padded to their widest cell, numbers right-aligned, a rule under the header. */
  static String table(List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (int row = 0; row < rows.size(); row++) {
      if (row == rows.size() - 1 || row == 1) {
        rule(b, width);
      }
      String[] r = rows.get(row);
      for (int i = 0; i < columns; i++) {
        String cell = r[i];
        String pad = " ".repeat(width[i] - cell.length());
        b.append(i == 0 ? "" : " | ");
        b.append(i == 0 || row == 0 ? cell + pad : pad + cell);
      }
      b.append('\n');
    }
    return b.toString().replaceAll(" +\n", "\n");
  }

  private static void rule(StringBuilder b, int[] width) {
    for (int i = 0; i < width.length; i++) {
      b.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
    }
    b.append('\n');
  }
}
