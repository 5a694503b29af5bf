package dev.quirkproxy.config;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Duration;
import java.util.List;

/**
 * A config file as written: process-wide settings and the listeners. A field is null when not
 * written. {@code quirkproxy.example.yaml} shows every key with its meaning.
 */
@JsonPropertyOrder({
  "version",
  "rules",
  "noRules",
  "catalogs",
  "captures",
  "tls",
  "limits",
  "shutdownGrace",
  "listeners"
})
public final class ProxyFile {
  /** Required: the format version, {@value ConfigLoader#VERSION}. */
  public FormatVersion version;

  /** Rule file or directory shared by every listener (default: rules/ when it exists). */
  public String rules;

  /** Apply no rules on any listener. */
  public Boolean noRules;

  /** Extra fingerprint catalogs. */
  public List<String> catalogs;

  /** Recording settings shared by every listener. */
  public CaptureSpec captures;

  /** The proxy's CA and key log. */
  public TlsSpec tls;

  /** Limits of every listener. */
  public LimitSpec limits;

  /** On SIGINT/SIGTERM, how long open sessions get to end. */
  public Duration shutdownGrace;

  /** Required: at least one. */
  public List<ListenerSpec> listeners;

  /** The {@code version} key; only {@value ConfigLoader#VERSION} is read. */
  public record FormatVersion(int value) {}
}
