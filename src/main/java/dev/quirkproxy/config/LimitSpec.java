package dev.quirkproxy.config;

import static dev.quirkproxy.config.CaptureSpec.pick;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Duration;

/**
 * Per-session bounds ({@code limits:}), at the top of the file or in a listener, where each key
 * given replaces the top-level one; the command line's {@code --max-line}, {@code --idle-timeout},
 * … under camel-case names. A field is null when not written.
 */
@JsonPropertyOrder({
  "maxLine",
  "maxServerLine",
  "maxLiteral",
  "maxLiteralBeforeLogin",
  "maxServerLiteral",
  "idleTimeout",
  "loginTimeout",
  "connectTimeout"
})
public final class LimitSpec {
  public Size maxLine;
  public Size maxServerLine;
  public Size maxLiteral;
  public Size maxLiteralBeforeLogin;
  public Size maxServerLiteral;
  public Duration idleTimeout;
  public Duration loginTimeout;
  public Duration connectTimeout;

  /** This block with {@code over}'s keys taking precedence. */
  LimitSpec with(LimitSpec over) {
    LimitSpec l = new LimitSpec();
    if (over == null) {
      over = new LimitSpec();
    }
    l.maxLine = pick(over.maxLine, maxLine);
    l.maxServerLine = pick(over.maxServerLine, maxServerLine);
    l.maxLiteral = pick(over.maxLiteral, maxLiteral);
    l.maxLiteralBeforeLogin = pick(over.maxLiteralBeforeLogin, maxLiteralBeforeLogin);
    l.maxServerLiteral = pick(over.maxServerLiteral, maxServerLiteral);
    l.idleTimeout = pick(over.idleTimeout, idleTimeout);
    l.loginTimeout = pick(over.loginTimeout, loginTimeout);
    l.connectTimeout = pick(over.connectTimeout, connectTimeout);
    return l;
  }
}
