package dev.quirkproxy.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSLContext;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the TLS contexts of both sides. The client side presents a certificate (the proxy CA's
 * leaf, or the user's own) with TLS 1.2/1.3, or also 1.0/1.1 when legacy clients are asked for. The
 * upstream side verifies the server against the system trust store plus any extra CAs, with
 * host-name verification (RFC 6125), unless told to be insecure. BoringSSL is used when present,
 * since only it can write a key log; the JDK engine otherwise.
 */
public final class TlsContexts {

  private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);
  private static final String[] MODERN = {"TLSv1.3", "TLSv1.2"};
  private static final String[] LEGACY = {"TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1"};

  private TlsContexts() {}

  /** The TLS engine in use: {@code BoringSSL} or {@code JDK}. */
  public static String engine() {
    return OpenSsl.isAvailable() ? "BoringSSL " + OpenSsl.versionString() : "JDK";
  }

  /** The context for the client side: the proxy is the server there. */
  public static SslContext server(IssuedCertificate identity, boolean legacy, KeyLog keyLog)
      throws TlsSetupException {
    try {
      SslContextBuilder b =
          SslContextBuilder.forServer(identity.key(), identity.chain())
              .sslProvider(provider(keyLog, legacy))
              .protocols(legacy ? LEGACY : MODERN);
      return withKeyLog(b.build(), keyLog);
    } catch (SSLException e) {
      throw new TlsSetupException("cannot set up client-side TLS: " + e.getMessage(), e);
    }
  }

  /**
   * The context for the upstream side: the proxy is the client there.
   *
   * @param extraTrust CA certificate files trusted in addition to the system's
   * @param insecure no certificate or host-name verification at all
   */
  public static SslContext client(List<Path> extraTrust, boolean insecure, KeyLog keyLog)
      throws TlsSetupException {
    try {
      SslContextBuilder b =
          SslContextBuilder.forClient().sslProvider(provider(keyLog, false)).protocols(MODERN);
      if (insecure) {
        b.trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE)
            .endpointIdentificationAlgorithm(null);
      } else {
        b.trustManager(trust(extraTrust)).endpointIdentificationAlgorithm("HTTPS");
      }
      return withKeyLog(b.build(), keyLog);
    } catch (SSLException e) {
      throw new TlsSetupException("cannot set up upstream TLS: " + e.getMessage(), e);
    }
  }

  /**
   * The same upstream trust as {@link #client} for a blocking JDK socket ({@code replay client}):
   * the system trust store plus {@code extraTrust}, or no verification at all when {@code
   * insecure}. Host-name verification is the socket's to switch on ({@link
   * javax.net.ssl.SSLParameters#setEndpointIdentificationAlgorithm}); the protocols to enable are
   * {@link #clientProtocols()}.
   */
  public static javax.net.ssl.SSLContext blockingClient(List<Path> extraTrust, boolean insecure)
      throws TlsSetupException {
    try {
      TrustManager[] trust =
          insecure
              ? io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers()
              : trust(extraTrust).getTrustManagers();
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, trust, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new TlsSetupException("cannot set up upstream TLS: " + e.getMessage(), e);
    }
  }

  /** The protocols the upstream side speaks: TLS 1.3 and 1.2. */
  public static String[] clientProtocols() {
    return MODERN.clone();
  }

  private static SslProvider provider(KeyLog keyLog, boolean legacy) throws TlsSetupException {
    if (OpenSsl.isAvailable()) {
      return SslProvider.OPENSSL;
    }
    if (keyLog != null) {
      throw new TlsSetupException(
          "--keylog needs the BoringSSL engine, which cannot load here: "
              + OpenSsl.unavailabilityCause());
    }
    if (legacy) {
      log.warn(
          "TLS 1.0/1.1 with the JDK engine also need them removed from jdk.tls.disabledAlgorithms");
    }
    return SslProvider.JDK;
  }

  private static SslContext withKeyLog(SslContext context, KeyLog keyLog) throws TlsSetupException {
    if (keyLog == null || !(context instanceof ReferenceCountedOpenSslContext openSsl)) {
      return context;
    }
    // Netty has no option for this. BoringSSL's SSL_CTX_set_keylog_callback is reached through
    // tcnative, which wants its own context handle: the protected field "ctx" (sslCtxPointer()
    // returns the raw SSL_CTX, which would crash the JVM here).
    try {
      java.lang.reflect.Field field = ReferenceCountedOpenSslContext.class.getDeclaredField("ctx");
      field.setAccessible(true);
      long handle = field.getLong(openSsl);
      if (!SSLContext.setKeyLogCallback(handle, (ssl, line) -> keyLog.write(line))) {
        throw new TlsSetupException("this BoringSSL build cannot write a key log");
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new TlsSetupException("cannot attach the key log to BoringSSL: " + e, e);
    }
    return context;
  }

  /** The system's trusted CAs plus the certificates in {@code extra}. */
  private static TrustManagerFactory trust(List<Path> extra) throws TlsSetupException {
    try {
      TrustManagerFactory system =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      system.init((KeyStore) null);
      if (extra.isEmpty()) {
        return system;
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (TrustManager tm : system.getTrustManagers()) {
        if (tm instanceof X509TrustManager x509) {
          for (X509Certificate c : x509.getAcceptedIssuers()) {
            store.setCertificateEntry("system-" + i++, c);
          }
        }
      }
      for (Path file : extra) {
        for (X509Certificate c : Pem.readCertificates(file)) {
          store.setCertificateEntry("extra-" + i++, c);
        }
      }
      TrustManagerFactory combined =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      combined.init(store);
      return combined;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new TlsSetupException("cannot build the upstream trust store: " + e.getMessage(), e);
    }
  }
}
