package dev.quirkproxy.rules;

import dev.quirkproxy.flow.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What the matching rules make of one frame, built up action by action: the frame to send (edited
 * or not, or none), responses to inject before and after it, a delay, a trickle, a duplicate, an
 * answer from the proxy instead, an end of the session. Text is one char per octet (ISO-8859-1);
 * lines given without a line ending get CRLF.
 */
public final class Effect {

  private final FrameImage original;
  private FrameImage frame;
  private final List<String> before = new ArrayList<>();
  private final List<String> after = new ArrayList<>();
  private final List<Verdict.Hit> hits = new ArrayList<>();
  private Duration delay = Duration.ZERO;
  private int trickleSize;
  private Duration tricklePause = Duration.ZERO;
  private int copies = 1;
  private String answer;
  private String endReason;
  private String lastWords;
  private int changes;

  Effect(FrameImage original) {
    this.original = original;
    this.frame = original;
  }

  /** The frame as it stands (after earlier actions), or null when dropped or answered. */
  public String text() {
    return frame == null ? null : frame.text();
  }

  /** Edits every text piece of the frame (literal octets untouched; their sizes stay right). */
  public void editText(UnaryOperator<String> edit) {
    if (frame != null) {
      set(frame.mapText(edit));
    }
  }

  private void set(FrameImage edited) {
    if (edited != frame) {
      frame = edited;
      changes++;
    }
  }

  /** Edits every literal's octets; each is announced with its new size. */
  public void editLiterals(UnaryOperator<byte[]> edit) {
    if (frame != null) {
      set(frame.mapLiterals(edit));
    }
  }

  /** Sends {@code text} instead of the frame (literals in it are read and announced anew). */
  public void replaceFrame(String text, boolean literals) {
    FrameImage next = FrameImage.of(crlf(text).getBytes(StandardCharsets.ISO_8859_1), literals);
    if (frame == null || !java.util.Arrays.equals(next.encode(), frame.encode())) {
      frame = next;
      changes++;
    }
  }

  /** Sends nothing for this frame. */
  public void drop() {
    frame = null;
    changes++;
  }

  /** Sends {@code lines} onward just before the frame. */
  public void injectBefore(List<String> lines) {
    lines.forEach(l -> before.add(crlf(l)));
    changes += lines.size();
  }

  /** Sends {@code lines} onward just after the frame. */
  public void injectAfter(List<String> lines) {
    lines.forEach(l -> after.add(crlf(l)));
    changes += lines.size();
  }

  /** Sends the frame {@code n} times instead of once. */
  public void repeat(int n) {
    copies = n;
    changes++;
  }

  /** Holds this frame (and what follows it in the same direction) back for {@code d} first. */
  public void delay(Duration d) {
    delay = delay.plus(d);
    changes++;
  }

  /** Sends the frame in chunks of {@code size} octets with {@code pause} between them. */
  public void trickle(int size, Duration pause) {
    trickleSize = size;
    tricklePause = pause;
    changes++;
  }

  /** Sends {@code text} back to the frame's sender and nothing onward (the proxy answers). */
  public void answer(String text) {
    answer = (answer == null ? "" : answer) + crlf(text);
    frame = null;
    changes++;
  }

  /** Ends the session after what this effect sends, with {@code lastWords} to the client. */
  public void end(String reason, String lastWords) {
    this.endReason = reason;
    this.lastWords = lastWords;
    changes++;
  }

  /** True once no later rule can change anything (the frame is answered or the session ends). */
  public boolean finished() {
    return answer != null || endReason != null;
  }

  /** Counts every change an action made; an action that changed nothing did not act. */
  int changes() {
    return changes;
  }

  void hit(String rule, String action, String detail) {
    hits.add(new Verdict.Hit(rule, action, detail));
  }

  List<Verdict.Hit> hits() {
    return hits;
  }

  boolean changed() {
    return frame != original
        || !before.isEmpty()
        || !after.isEmpty()
        || !delay.isZero()
        || trickleSize > 0
        || copies != 1
        || answer != null
        || endReason != null;
  }

  FrameImage frame() {
    return frame;
  }

  boolean frameEdited() {
    return frame != original;
  }

  List<String> before() {
    return before;
  }

  List<String> after() {
    return after;
  }

  Duration delay() {
    return delay;
  }

  int trickleSize() {
    return trickleSize;
  }

  Duration tricklePause() {
    return tricklePause;
  }

  int copies() {
    return copies;
  }

  String answerText() {
    return answer;
  }

  String endReason() {
    return endReason;
  }

  String lastWords() {
    return lastWords;
  }

  static String crlf(String line) {
    return line.endsWith("\n") ? line : line + "\r\n";
  }
}
