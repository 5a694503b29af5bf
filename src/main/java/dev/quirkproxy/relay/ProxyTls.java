package dev.quirkproxy.relay;

import io.netty.handler.ssl.SslContext;

/**
 * The TLS contexts a listener uses, made once at start.
 *
 * @param clientSide the proxy's server context towards clients, or null when the client side is
 *     plain
 * @param upstreamSide the proxy's client context towards the upstream, or null when it is plain
 */
public record ProxyTls(SslContext clientSide, SslContext upstreamSide) {

  /** No TLS on either side. */
  public static final ProxyTls NONE = new ProxyTls(null, null);
}
