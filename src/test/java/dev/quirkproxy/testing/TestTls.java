package dev.quirkproxy.testing;

import dev.quirkproxy.tls.IssuedCertificate;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** JDK TLS for test peers: a server with a given certificate, a client trusting a given CA. */
public final class TestTls {

  private TestTls() {}

  public static SSLContext server(IssuedCertificate identity)
      throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "server", identity.key(), new char[0], identity.chain().toArray(Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  public static SSLContext clientTrusting(X509Certificate ca)
      throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** Starts TLS on an already connected socket (after STARTTLS), as client or server. */
  public static SSLSocket upgrade(SSLContext ctx, Socket plain, boolean clientMode, String host)
      throws IOException {
    SSLSocket s =
        (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, plain.getPort(), true);
    s.setUseClientMode(clientMode);
    if (clientMode) {
      javax.net.ssl.SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(p);
    }
    s.startHandshake();
    return s;
  }
}
