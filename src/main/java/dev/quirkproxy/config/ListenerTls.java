package dev.quirkproxy.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A listener's TLS settings, resolved (paths absolute or relative to the working directory).
 *
 * @param caDir the proxy's CA directory, or null for the default one
 * @param cert the client side's certificate chain instead of one from the CA, or null
 * @param key its key, or null
 * @param hostnames extra names in the certificate the proxy issues
 * @param legacy also TLS 1.0 and 1.1 towards clients
 * @param upstreamCas extra trust for the upstream
 * @param upstreamInsecure no verification of the upstream
 * @param keylog where TLS secrets go, or null
 */
public record ListenerTls(
    Path caDir,
    Path cert,
    Path key,
    List<String> hostnames,
    boolean legacy,
    List<Path> upstreamCas,
    boolean upstreamInsecure,
    Path keylog) {

  public ListenerTls {
    hostnames = List.copyOf(hostnames);
    upstreamCas = List.copyOf(upstreamCas);
  }
}
