package dev.quirkproxy.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** Reads and writes PEM files (certificates, PKCS#8 and PKCS#1 keys) with BouncyCastle. */
final class Pem {

  private Pem() {}

  static String encode(Object... objects) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        pem.writeObject(o);
      }
    }
    return out.toString();
  }

  static List<X509Certificate> readCertificates(Path file) throws TlsSetupException {
    List<X509Certificate> certs = new ArrayList<>();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof X509CertificateHolder holder) {
          certs.add(new JcaX509CertificateConverter().getCertificate(holder));
        }
      }
    } catch (IOException | CertificateException e) {
      throw new TlsSetupException(
          "cannot read certificates from " + file + ": " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new TlsSetupException("no PEM certificate in " + file);
    }
    return certs;
  }

  static PrivateKey readPrivateKey(Path file) throws TlsSetupException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      Object o;
      while ((o = parser.readObject()) != null) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
      }
    } catch (IOException e) {
      throw new TlsSetupException(
          "cannot read the private key in " + file + ": " + e.getMessage(), e);
    }
    throw new TlsSetupException("no unencrypted PEM private key in " + file);
  }
}
