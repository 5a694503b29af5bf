package dev.quirkproxy.tls;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The proxy's own certificate authority: created once in a directory ({@code ca.pem}, and {@code
 * ca.key} readable by its owner only), reused afterwards, and used to issue the leaf certificates
 * the client side presents. Clients trust the proxy by installing {@code ca.pem}. RSA 2048 keys, so
 * that old clients can use them too; leaves live 397 days, within what Apple platforms accept.
 */
public final class CertificateAuthority {

  private static final String SIGNATURE = "SHA256withRSA";
  private static final Duration CA_LIFETIME = Duration.ofDays(3650);
  private static final Duration LEAF_LIFETIME = Duration.ofDays(397);

  private final Path directory;
  private final PrivateKey key;
  private final X509Certificate certificate;
  private final boolean created;

  private CertificateAuthority(
      Path directory, PrivateKey key, X509Certificate certificate, boolean created) {
    this.directory = directory;
    this.key = key;
    this.certificate = certificate;
    this.created = created;
  }

  /** The default directory: {@code $QUIRKPROXY_HOME/ca}, else {@code ~/.quirkproxy/ca}. */
  public static Path defaultDirectory() {
    String home = System.getenv("QUIRKPROXY_HOME");
    Path base =
        home != null && !home.isBlank()
            ? Path.of(home)
            : Path.of(System.getProperty("user.home"), ".quirkproxy");
    return base.resolve("ca");
  }

  /** Loads the CA from {@code directory}, creating it there first if it does not exist. */
  public static CertificateAuthority loadOrCreate(Path directory) throws TlsSetupException {
    Path certFile = directory.resolve("ca.pem");
    Path keyFile = directory.resolve("ca.key");
    if (Files.exists(certFile) != Files.exists(keyFile)) {
      // Never overwrite half of a CA that clients may already trust.
      throw new TlsSetupException(
          "the CA directory "
              + directory
              + " has "
              + (Files.exists(certFile) ? "ca.pem but no ca.key" : "ca.key but no ca.pem")
              + "; restore the missing file, or remove the directory to make a new CA");
    }
    if (Files.exists(certFile) && Files.exists(keyFile)) {
      return new CertificateAuthority(
          directory, Pem.readPrivateKey(keyFile), Pem.readCertificates(certFile).get(0), false);
    }
    try {
      KeyPair pair = rsa();
      X500Name name =
          new X500Name(
              "CN=quirkproxy CA " + Instant.now().toString().substring(0, 10) + ",O=quirkproxy");
      Instant now = Instant.now();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              serial(),
              Date.from(now.minus(Duration.ofDays(1))),
              Date.from(now.plus(CA_LIFETIME)),
              name,
              pair.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      X509Certificate cert = sign(b, pair.getPrivate());
      createPrivateDirectory(directory);
      writePrivate(keyFile, Pem.encode(pair.getPrivate()));
      Files.writeString(certFile, Pem.encode(cert), StandardCharsets.US_ASCII);
      return new CertificateAuthority(directory, pair.getPrivate(), cert, true);
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new TlsSetupException(
          "cannot create the CA in " + directory + ": " + e.getMessage(), e);
    }
  }

  private static void createPrivateDirectory(Path directory) throws IOException {
    if (Files.isDirectory(directory)) {
      return;
    }
    try {
      Files.createDirectories(
          directory,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException e) {
      Files.createDirectories(directory);
    }
  }

  /** Writes a secret so that no other user can read it at any moment, not even briefly. */
  private static void writePrivate(Path file, String text) throws IOException {
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    try (Writer w =
        Files.newBufferedWriter(
            file, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING)) {
      w.write(text);
    }
  }

  /**
   * Issues a server certificate for {@code names} (host names and IP addresses; localhost and
   * 127.0.0.1 are always included).
   */
  public IssuedCertificate issue(Collection<String> names) throws TlsSetupException {
    Set<String> all = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
    all.addAll(names);
    return issueExactly(all);
  }

  /** Issues a server certificate for exactly {@code names}, nothing added. */
  public IssuedCertificate issueExactly(Collection<String> names) throws TlsSetupException {
    Set<String> all = new LinkedHashSet<>(names);
    try {
      KeyPair pair = rsa();
      Instant now = Instant.now();
      String first = all.stream().filter(n -> !isIp(n)).findFirst().orElse("localhost");
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              certificate,
              serial(),
              Date.from(now.minus(Duration.ofDays(1))),
              Date.from(now.plus(LEAF_LIFETIME)),
              new X500Name("CN=" + first + ",O=quirkproxy"),
              pair.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      List<GeneralName> sans = new ArrayList<>();
      for (String n : all) {
        sans.add(new GeneralName(isIp(n) ? GeneralName.iPAddress : GeneralName.dNSName, n));
      }
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(sans.toArray(GeneralName[]::new)));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
      return new IssuedCertificate(pair.getPrivate(), List.of(sign(b, key), certificate));
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new TlsSetupException(
          "cannot issue a certificate for " + all + ": " + e.getMessage(), e);
    }
  }

  private static boolean isIp(String name) {
    return name.contains(":") || name.matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
  }

  private static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048, new SecureRandom());
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
  }

  public Path directory() {
    return directory;
  }

  public Path certificateFile() {
    return directory.resolve("ca.pem");
  }

  public Path keyFile() {
    return directory.resolve("ca.key");
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** True if this call created the CA (the first use). */
  public boolean created() {
    return created;
  }

  /** The certificate in PEM, for clients to install. */
  public byte[] pem() throws TlsSetupException {
    try {
      return Pem.encode(certificate).getBytes(StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new TlsSetupException("cannot encode the CA certificate", e);
    }
  }

  /** The certificate in DER, for clients (Windows, Android) that want that. */
  public byte[] der() throws TlsSetupException {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new TlsSetupException("cannot encode the CA certificate", e);
    }
  }

  /** SHA-256 of the certificate, colon-separated, as browsers and keychains show it. */
  public String sha256Fingerprint() throws TlsSetupException {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(der());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new TlsSetupException("cannot hash the CA certificate", e);
    }
  }
}
