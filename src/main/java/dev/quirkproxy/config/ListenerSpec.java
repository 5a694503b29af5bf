package dev.quirkproxy.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.quirkproxy.tls.TlsMode;
import java.util.List;

/**
 * One listener as written in the file (a {@code listeners:} entry). Optional fields are null when
 * not written; {@link Resolver} checks the required ones and resolves the rest against the
 * top-level settings and the defaults.
 */
@JsonPropertyOrder({
  "name",
  "listen",
  "upstream",
  "clientTls",
  "cert",
  "key",
  "tlsHostnames",
  "clientTlsLegacy",
  "upstreamCa",
  "upstreamInsecure",
  "rules",
  "noRules",
  "client",
  "captures",
  "limits",
  "translate"
})
public final class ListenerSpec {
  /** Required, unique; written in every capture's header ({@code listener}). */
  public String name;

  /** Required: where clients connect; the scheme may be left out (then the upstream's). */
  public Url listen;

  /** Required: the server to relay to. */
  public Url upstream;

  /** None, implicit or starttls (default: from the listen URL). */
  public TlsMode clientTls;

  /** PEM certificate chain for the client side instead of one from the proxy's CA. */
  public String cert;

  /** PEM private key for {@code cert}. */
  public String key;

  /** Extra names in the certificate the proxy issues. */
  public List<String> tlsHostnames;

  /** Also allow TLS 1.0 and 1.1 towards clients. */
  public Boolean clientTlsLegacy;

  /** PEM CA certificates trusted for the upstream besides the system's. */
  public List<String> upstreamCa;

  /** Do not verify the upstream's certificate. */
  public Boolean upstreamInsecure;

  /** Rule file or directory for this listener instead of the top-level one. */
  public String rules;

  /** Apply no rules on this listener. */
  public Boolean noRules;

  /** A catalog family every client of this listener is treated as. */
  public String client;

  /** Recording settings replacing the top-level ones key by key. */
  public CaptureSpec captures;

  /** Limits replacing the top-level ones key by key. */
  public LimitSpec limits;

  /** Protocol translation settings (POP3 in front of IMAP). */
  public TranslateSpec translate;

  /** Where the entry starts (1-based line and column; 0 when unknown), for errors. */
  @JsonIgnore public int line;

  @JsonIgnore public int column;
}
