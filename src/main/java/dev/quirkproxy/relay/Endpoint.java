package dev.quirkproxy.relay;

import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.tls.TlsMode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A place to listen on or connect to: {@code imap://host:port}, {@code imaps://}, {@code pop3://},
 * {@code pop3s://}, optionally {@code ?tls=none|implicit|starttls}. Without a port, the registered
 * one for the TLS mode (143/993/110/995).
 */
public record Endpoint(Protocol protocol, TlsMode tls, String host, int port) {

  /** An endpoint that is plain or implicit TLS. */
  public Endpoint(Protocol protocol, boolean implicitTls, String host, int port) {
    this(protocol, implicitTls ? TlsMode.IMPLICIT : TlsMode.NONE, host, port);
  }

  /** True when TLS starts with the first byte. */
  public boolean implicitTls() {
    return tls == TlsMode.IMPLICIT;
  }

  /** Thrown for a URL the proxy cannot use; the message says what is wrong. */
  public static final class BadEndpointException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    BadEndpointException(String message) {
      super(message);
    }
  }

  public Endpoint {
    if (port < 0 || port > 65535) {
      throw new BadEndpointException("port " + port + " is out of range 0-65535");
    }
  }

  /** Parses {@code SCHEME://HOST[:PORT]}; the scheme is required. */
  public static Endpoint parse(String url) {
    return parse(url, null, -1);
  }

  /**
   * Parses {@code [SCHEME://]HOST[:PORT]}, using {@code defaultProtocol} (plain) when the scheme is
   * left out and {@code defaultPort} (or the registered port when -1) when the port is.
   */
  public static Endpoint parse(String url, Protocol defaultProtocol, int defaultPort) {
    String text = url.strip();
    if (!text.contains("://")) {
      if (defaultProtocol == null) {
        throw new BadEndpointException(
            "'" + url + "' needs a scheme: imap://, imaps://, pop3:// or pop3s://");
      }
      text = defaultProtocol.scheme(false) + "://" + text;
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new BadEndpointException("'" + url + "' is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    Protocol protocol =
        switch (scheme) {
          case "imap", "imaps" -> Protocol.IMAP;
          case "pop3", "pop3s", "pop", "pops" -> Protocol.POP3;
          default ->
              throw new BadEndpointException(
                  "unknown scheme '"
                      + scheme
                      + "' in '"
                      + url
                      + "': use imap, imaps, pop3 or pop3s");
        };
    TlsMode tls = tlsMode(uri, scheme.endsWith("s") ? TlsMode.IMPLICIT : TlsMode.NONE, url);
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new BadEndpointException("'" + url + "' names no host");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
      throw new BadEndpointException("'" + url + "' has a path; give only scheme, host and port");
    }
    int port =
        uri.getPort() >= 0
            ? uri.getPort()
            : defaultPort >= 0 ? defaultPort : protocol.defaultPort(tls == TlsMode.IMPLICIT);
    return new Endpoint(protocol, tls, host, port);
  }

  private static TlsMode tlsMode(URI uri, TlsMode byScheme, String url) {
    String query = uri.getQuery();
    if (query == null || query.isEmpty()) {
      return byScheme;
    }
    if (!query.startsWith("tls=") || query.contains("&")) {
      throw new BadEndpointException(
          "'" + url + "': the only query parameter is tls=none|implicit|starttls");
    }
    try {
      return TlsMode.parse(query.substring(4));
    } catch (IllegalArgumentException e) {
      throw new BadEndpointException("'" + url + "': " + e.getMessage());
    }
  }

  /** True when {@code url} ({@code [SCHEME://]HOST[:PORT]}) names a port. */
  public static boolean hasExplicitPort(String url) {
    String text = url.strip();
    try {
      return new URI(text.contains("://") ? text : "imap://" + text).getPort() >= 0;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** The same endpoint with another TLS mode. */
  public Endpoint withTls(TlsMode mode) {
    return new Endpoint(protocol, mode, host, port);
  }

  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(host, port);
  }

  /** The same endpoint on another port (used once a listener bound port 0). */
  public Endpoint withPort(int newPort) {
    return new Endpoint(protocol, tls, host, newPort);
  }

  @Override
  public String toString() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    String query = tls == TlsMode.STARTTLS ? "?tls=starttls" : "";
    return protocol.scheme(tls == TlsMode.IMPLICIT) + "://" + h + ":" + port + query;
  }
}
