package dev.quirkproxy.cli;

import dev.quirkproxy.tls.CertificateAuthority;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quirkproxy ca}: where the proxy's CA is (creating it on first use), and exporting it. */
@Command(
    name = "ca",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Show the proxy's certificate authority, creating it on first use.",
      "Clients trust the proxy's TLS side once they trust this CA: export it and install it."
    },
    footer = {
      "",
      "Examples:",
      "  quirkproxy ca",
      "  quirkproxy ca --export pem quirkproxy-ca.pem     # curl --cacert, Thunderbird, macOS keychain",
      "  quirkproxy ca --export der quirkproxy-ca.cer     # Windows, Android"
    })
final class CaCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--ca-dir",
      paramLabel = "DIR",
      description = "Where the CA lives (default: $QUIRKPROXY_HOME/ca or ~/.quirkproxy/ca).")
  Path caDir;

  @Option(
      names = "--export",
      arity = "2",
      paramLabel = "FORMAT FILE",
      description = "Write the CA certificate as pem or der to FILE.")
  String[] export;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    CertificateAuthority ca =
        CertificateAuthority.loadOrCreate(
            caDir != null ? caDir : CertificateAuthority.defaultDirectory());
    if (export != null) {
      String format = export[0].toLowerCase(Locale.ROOT);
      byte[] bytes =
          switch (format) {
            case "pem" -> ca.pem();
            case "der" -> ca.der();
            default ->
                throw new UsageException(
                    "--export: format must be pem or der, not '" + export[0] + "'");
          };
      Path file = Path.of(export[1]);
      Files.write(file, bytes);
      out.println("wrote the CA certificate (" + format + ") to " + file);
      return ExitCodes.OK;
    }
    out.println((ca.created() ? "created " : "") + "CA certificate: " + ca.certificateFile());
    out.println("private key:    " + ca.keyFile() + " (owner only)");
    out.println("subject:        " + ca.certificate().getSubjectX500Principal().getName());
    out.println("valid until:    " + ca.certificate().getNotAfter().toInstant());
    out.println("SHA-256:        " + ca.sha256Fingerprint());
    return ExitCodes.OK;
  }
}
