package dev.quirkproxy.session;

/**
 * Which client the session is talking to, as rules see it: the fingerprint's answer so far, or the
 * identity a listener forces ({@code --client}).
 *
 * @param family the catalog family ({@code thunderbird}, {@code outlook}, …), {@code unknown} when
 *     not identified
 * @param version the client's version when known, else null
 * @param confidence 0..1 (1 when forced)
 * @param forced whether it was set by configuration rather than observed
 */
public record ClientIdentity(String family, String version, double confidence, boolean forced) {

  /** Not identified (yet). */
  public static final ClientIdentity UNKNOWN = new ClientIdentity("unknown", null, 0, false);

  /** For logs: {@code thunderbird 128.0 (0.93)}, {@code outlook (forced)}. */
  @Override
  public String toString() {
    return family
        + (version == null ? "" : " " + version)
        + (forced ? " (forced)" : String.format(java.util.Locale.ROOT, " (%.2f)", confidence));
  }
}
