package dev.quirkproxy.codec.imap.parse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A whole IMAP frame parsed (RFC 9051 §7 responses, §6 commands), or {@link Unparsed} with the
 * reason and position when it does not follow the grammar. {@link #encode()} gives back exactly the
 * bytes that were parsed.
 */
public sealed interface ParsedFrame {

  /** The frame's bytes, re-encoded from the parsed view. */
  byte[] encode();

  /**
   * RFC 9051 {@code command}: {@code tag SP [UID SP] name [SP arguments] CRLF}.
   *
   * @param tokens the whole frame as a generic tree (tag and name included)
   * @param eol the line ending after the last line
   * @param tag the tag as sent
   * @param uid true for {@code UID FETCH} and the like
   * @param name the command name in upper case
   * @param argumentsFrom the index in {@code tokens} of the first argument
   * @param view the typed view of the arguments
   */
  record Command(
      Node.Seq tokens,
      String eol,
      String tag,
      boolean uid,
      String name,
      int argumentsFrom,
      CommandView view)
      implements ParsedFrame {

    /** The arguments after the name, as a generic tree. */
    public List<Node> arguments() {
      return tokens.items().subList(argumentsFrom, tokens.items().size());
    }

    @Override
    public byte[] encode() {
      return encodeTokens(tokens, eol);
    }
  }

  /** A server response. */
  sealed interface Response extends ParsedFrame {}

  /** RFC 9051 {@code continue-req}: {@code "+" [SP] text}; {@code text} keeps the space. */
  record Continuation(String text, String eol) implements Response {
    @Override
    public byte[] encode() {
      return ("+" + text + eol).getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  /**
   * RFC 9051 {@code resp-cond-state}, {@code resp-cond-bye}, {@code resp-cond-auth}, tagged or
   * untagged: status, optional {@code resp-text-code}, free text. The line is kept as read, since
   * its text is free-form.
   *
   * @param tag the tag, {@code *} when untagged
   * @param status OK, NO, BAD, BYE or PREAUTH in upper case
   * @param code the response code, or null
   * @param text the human-readable text
   * @param line the whole line without its ending
   * @param eol the line ending
   */
  record Status(String tag, String status, ResponseCode code, String text, String line, String eol)
      implements Response {

    public boolean tagged() {
      return !tag.equals("*");
    }

    @Override
    public byte[] encode() {
      return (line + eol).getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  /**
   * RFC 9051 {@code response-data} other than a status: {@code * CAPABILITY …}, {@code * 12 FETCH
   * (…)}, and so on.
   *
   * @param tokens the whole frame as a generic tree ({@code *} included)
   * @param eol the line ending after the last line
   * @param name the response name in upper case ({@code FETCH} for {@code * 12 FETCH})
   * @param view the typed view
   */
  record Data(Node.Seq tokens, String eol, String name, ResponseData view) implements Response {
    @Override
    public byte[] encode() {
      return encodeTokens(tokens, eol);
    }
  }

  /**
   * A frame that does not follow the grammar; it is still relayed unchanged.
   *
   * @param reason what is wrong
   * @param position the offset in the frame where it went wrong
   * @param frame the frame's bytes
   */
  record Unparsed(String reason, long position, FrameBytes frame) implements ParsedFrame {
    @Override
    public byte[] encode() {
      return frame.toByteArray();
    }
  }

  private static byte[] encodeTokens(Node.Seq tokens, String eol) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    tokens.encodeTo(out);
    out.writeBytes(eol.getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }
}
