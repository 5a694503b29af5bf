package dev.quirkproxy.translate;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.ImapSession;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The POP3 UPDATE state (RFC 1939 §6) over IMAP: removes exactly the messages marked with DELE.
 * With UIDPLUS (RFC 4315): {@code UID STORE set +FLAGS.SILENT (\Deleted)}, then {@code UID EXPUNGE
 * set}. Without it a plain EXPUNGE would also remove every other message marked {@code \Deleted}
 * (by another client, e.g. Outlook over IMAP), so those are unflagged first and flagged again
 * after: {@code UID SEARCH DELETED}, {@code UID STORE others -FLAGS.SILENT}, STORE, EXPUNGE, {@code
 * UID STORE others +FLAGS.SILENT}.
 */
final class Pop3Update {

  private final ImapCaller imap;
  private final ImapSession upstream;
  private final long[] gone;
  private final Consumer<String> answer;

  /**
   * @param answer receives the status line for QUIT: {@code +OK} when all marked messages are gone,
   *     {@code -ERR [SYS/TEMP]} when the upstream refused a step
   */
  Pop3Update(
      ImapCaller imap, ImapSession upstream, Pop3Snapshot snapshot, Consumer<String> answer) {
    this.imap = imap;
    this.upstream = upstream;
    this.gone = snapshot.deletedUids();
    this.answer = answer;
  }

  void run() {
    if (gone.length == 0) {
      answer.accept("+OK quirkproxy: bye (no messages deleted)");
      return;
    }
    String set = Pop3Snapshot.uidSet(gone);
    if (upstream.hasCapability("UIDPLUS")) {
      step(
          "UID STORE " + set + " +FLAGS.SILENT (\\Deleted)",
          () -> step("UID EXPUNGE " + set, this::removed));
      return;
    }
    long[][] others = new long[1][];
    imap.call(
        "UID SEARCH DELETED",
        new ImapCaller.Handler() {
          @Override
          public void part(WirePart part) {
            if (part.isLine() && part.frameStart()) {
              long[] found = searchResult(part.text());
              if (found != null) {
                others[0] = without(found, gone);
              }
            }
          }

          @Override
          public void done(ImapCaller.Done done) {
            if (!done.ok()) {
              failed(done);
              return;
            }
            long[] keep = others[0] == null ? new long[0] : others[0];
            expungeAround(set, keep);
          }
        });
  }

  private void expungeAround(String set, long[] others) {
    String otherSet = Pop3Snapshot.uidSet(others);
    Runnable flagAndExpunge =
        () ->
            step(
                "UID STORE " + set + " +FLAGS.SILENT (\\Deleted)",
                () ->
                    step(
                        "EXPUNGE",
                        others.length == 0
                            ? this::removed
                            : () ->
                                step(
                                    "UID STORE " + otherSet + " +FLAGS.SILENT (\\Deleted)",
                                    this::removed)));
    if (others.length == 0) {
      flagAndExpunge.run();
    } else {
      step("UID STORE " + otherSet + " -FLAGS.SILENT (\\Deleted)", flagAndExpunge);
    }
  }

  private void step(String command, Runnable next) {
    imap.call(
        command,
        done -> {
          if (done.ok()) {
            next.run();
          } else {
            failed(done);
          }
        });
  }

  private void removed() {
    answer.accept("+OK quirkproxy: bye (" + gone.length + " messages deleted)");
  }

  private void failed(ImapCaller.Done done) {
    answer.accept(
        "-ERR [SYS/TEMP] quirkproxy: some deleted messages were not removed: " + done.said());
  }

  /** The UIDs of a {@code * SEARCH} line, or null for another line. */
  static long[] searchResult(String line) {
    if (!line.regionMatches(true, 0, "* SEARCH", 0, 8)) {
      return null;
    }
    String rest = line.substring(8).strip();
    if (rest.isEmpty()) {
      return new long[0];
    }
    return Arrays.stream(rest.split(" +"))
        .filter(w -> !w.isEmpty() && w.chars().allMatch(Character::isDigit))
        .mapToLong(Long::parseLong)
        .toArray();
  }

  static long[] without(long[] all, long[] removed) {
    return Arrays.stream(all)
        .filter(u -> Arrays.stream(removed).noneMatch(r -> r == u))
        .sorted()
        .toArray();
  }
}
