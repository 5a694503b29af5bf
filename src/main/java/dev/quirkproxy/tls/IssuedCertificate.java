package dev.quirkproxy.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A key and its certificate chain, leaf first.
 *
 * @param key the leaf's private key
 * @param chain the leaf certificate, then its issuers
 */
public record IssuedCertificate(PrivateKey key, List<X509Certificate> chain) {

  public IssuedCertificate {
    chain = List.copyOf(chain);
  }

  /** Reads a user's PEM certificate chain and PEM private key ({@code --cert}, {@code --key}). */
  public static IssuedCertificate fromPem(java.nio.file.Path certFile, java.nio.file.Path keyFile)
      throws TlsSetupException {
    return new IssuedCertificate(Pem.readPrivateKey(keyFile), Pem.readCertificates(certFile));
  }
}
