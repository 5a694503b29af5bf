package dev.quirkproxy.cli;

import dev.quirkproxy.config.ListenerTls;
import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyTls;
import dev.quirkproxy.tls.CertificateAuthority;
import dev.quirkproxy.tls.IssuedCertificate;
import dev.quirkproxy.tls.KeyLog;
import dev.quirkproxy.tls.TlsContexts;
import dev.quirkproxy.tls.TlsMode;
import dev.quirkproxy.tls.TlsSetupException;
import io.netty.handler.ssl.SslContext;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** The TLS options of {@code quirkproxy proxy}, and turning them into TLS contexts. */
final class TlsOptions {

  private static final Logger log = LoggerFactory.getLogger(TlsOptions.class);

  @Option(
      names = "--client-tls",
      paramLabel = "MODE",
      description =
          "Client side: none, implicit or starttls (default: implicit for an imaps:// or pop3s://"
              + " --listen, else none). Implicit listens on 1993/1995 by default.")
  String clientTls;

  @Option(
      names = "--upstream-ca",
      paramLabel = "FILE",
      description =
          "PEM CA certificate(s) to trust for the upstream, besides the system's. Repeatable.")
  List<Path> upstreamCas = new ArrayList<>();

  @Option(
      names = "--upstream-insecure",
      description = "Do not verify the upstream's certificate or host name (loudly logged).")
  boolean upstreamInsecure;

  @Option(
      names = "--ca-dir",
      paramLabel = "DIR",
      description =
          "Where the proxy's CA lives (default: $QUIRKPROXY_HOME/ca or ~/.quirkproxy/ca).")
  Path caDir;

  @Option(
      names = "--cert",
      paramLabel = "FILE",
      description =
          "PEM certificate chain for the client side, instead of one from the proxy's CA.")
  Path cert;

  @Option(names = "--key", paramLabel = "FILE", description = "PEM private key for --cert.")
  Path key;

  @Option(
      names = "--tls-hostname",
      paramLabel = "NAME",
      description =
          "Extra host name or IP for the certificate the proxy issues (localhost, 127.0.0.1 and the"
              + " listen host are always in it). Repeatable.")
  List<String> hostnames = new ArrayList<>();

  @Option(
      names = "--keylog",
      paramLabel = "FILE",
      description =
          "Append TLS secrets of both sides to FILE in SSLKEYLOGFILE format (for Wireshark).")
  Path keylog;

  @Option(
      names = "--client-tls-legacy",
      description = "Also allow TLS 1.0 and 1.1 towards clients (for old clients).")
  boolean legacy;

  /** The client-side mode: the option, else what the listen URL's scheme or ?tls= says. */
  TlsMode clientMode(Endpoint listenUrl) {
    if (clientTls == null) {
      return listenUrl == null ? TlsMode.NONE : listenUrl.tls();
    }
    try {
      return TlsMode.parse(clientTls);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--client-tls: " + e.getMessage());
    }
  }

  ProxyTls contexts(TlsMode clientMode, TlsMode upstreamMode, String listenHost, PrintWriter out)
      throws TlsSetupException {
    if ((cert == null) != (key == null)) {
      throw new UsageException("--cert and --key go together");
    }
    ListenerTls settings =
        new ListenerTls(caDir, cert, key, hostnames, legacy, upstreamCas, upstreamInsecure, keylog);
    KeyLog keyLog = keylog == null ? null : new KeyLog(keylog);
    return contexts(settings, keyLog, clientMode, upstreamMode, listenHost, out);
  }

  /**
   * The TLS contexts of one listener: a server context for the client side (from {@code cert} or
   * the proxy's CA) and a client context for the upstream, each only when its side uses TLS.
   */
  static ProxyTls contexts(
      ListenerTls settings,
      KeyLog keyLog,
      TlsMode clientMode,
      TlsMode upstreamMode,
      String listenHost,
      PrintWriter out)
      throws TlsSetupException {
    SslContext clientSide = null;
    if (clientMode != TlsMode.NONE) {
      clientSide =
          TlsContexts.server(identity(settings, listenHost, out), settings.legacy(), keyLog);
    }
    SslContext upstreamSide = null;
    if (upstreamMode != TlsMode.NONE) {
      if (settings.upstreamInsecure()) {
        log.warn(
            "--upstream-insecure: the upstream's certificate and host name are NOT verified;"
                + " anyone on the path can read and change this traffic");
      }
      upstreamSide =
          TlsContexts.client(settings.upstreamCas(), settings.upstreamInsecure(), keyLog);
    }
    return new ProxyTls(clientSide, upstreamSide);
  }

  private static IssuedCertificate identity(
      ListenerTls settings, String listenHost, PrintWriter out) throws TlsSetupException {
    if (settings.cert() != null) {
      return IssuedCertificate.fromPem(settings.cert(), settings.key());
    }
    CertificateAuthority ca =
        CertificateAuthority.loadOrCreate(
            settings.caDir() != null ? settings.caDir() : CertificateAuthority.defaultDirectory());
    if (ca.created()) {
      out.println(
          "Created the proxy's CA in "
              + ca.directory()
              + "; clients must trust "
              + ca.certificateFile()
              + " (quirkproxy ca --export pem FILE).");
    }
    List<String> names = new ArrayList<>(settings.hostnames());
    if (!listenHost.equals("0.0.0.0") && !listenHost.equals("::")) {
      names.add(listenHost);
    }
    return ca.issue(names);
  }
}
