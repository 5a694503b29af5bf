package dev.quirkproxy.config;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The process-wide TLS settings ({@code tls:}): where the proxy's CA lives ({@code --ca-dir}) and
 * where TLS secrets of every listener go ({@code --keylog}). Null when not written.
 */
@JsonPropertyOrder({"caDir", "keylog"})
public final class TlsSpec {
  public String caDir;
  public String keylog;
}
