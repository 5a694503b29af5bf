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
    IssuedCertificate pair =
        new IssuedCertificate(Pem.readPrivateKey(keyFile), Pem.readCertificates(certFile));
    if (!pair.keyMatchesLeaf()) {
      throw new TlsSetupException(
          "the key in " + keyFile + " does not belong to the first certificate in " + certFile);
    }
    return pair;
  }

  /** True if the key signs what the leaf certificate's public key verifies. */
  boolean keyMatchesLeaf() throws TlsSetupException {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> throw new TlsSetupException("unsupported key type " + key.getAlgorithm());
        };
    try {
      byte[] nonce = new byte[32];
      new java.security.SecureRandom().nextBytes(nonce);
      java.security.Signature signer = java.security.Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(nonce);
      byte[] signature = signer.sign();
      java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
      verifier.initVerify(chain.get(0).getPublicKey());
      verifier.update(nonce);
      return verifier.verify(signature);
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }
}
