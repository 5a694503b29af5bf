package dev.quirkproxy.session;

/** The mail protocols the proxy speaks, with their registered ports (RFC 9051 §1.4, RFC 8314). */
public enum Protocol {
  IMAP(143, 993),
  POP3(110, 995);

  private final int plainPort;
  private final int tlsPort;

  Protocol(int plainPort, int tlsPort) {
    this.plainPort = plainPort;
    this.tlsPort = tlsPort;
  }

  /** The registered port: 143/993 for IMAP, 110/995 for POP3. */
  public int defaultPort(boolean implicitTls) {
    return implicitTls ? tlsPort : plainPort;
  }

  /** URL scheme: {@code imap}, {@code imaps}, {@code pop3}, {@code pop3s}. */
  public String scheme(boolean implicitTls) {
    return name().toLowerCase(java.util.Locale.ROOT) + (implicitTls ? "s" : "");
  }
}
