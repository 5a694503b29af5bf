package dev.quirkproxy.fingerprint;

import java.util.List;

/**
 * Which client is talking, as far as the evidence so far shows.
 *
 * @param family the catalog family ({@code thunderbird}, {@code mbsync}, …), {@code unknown} when
 *     nothing matched
 * @param version the client's version when known (from ID or a version-specific tag style), else
 *     null
 * @param confidence 0..1; lower when other families fit the evidence as well
 * @param evidence the facts seen and what each added
 * @param alsoPossible families that fit the evidence (nearly) as well, best first
 */
public record Fingerprint(
    String family,
    String version,
    double confidence,
    List<Evidence> evidence,
    List<String> alsoPossible) {

  /** The family name of an unidentified client. */
  public static final String UNKNOWN = "unknown";

  public Fingerprint {
    evidence = List.copyOf(evidence);
    alsoPossible = List.copyOf(alsoPossible);
  }

  /** Nothing identified yet. */
  public static Fingerprint unknown(List<Evidence> evidence) {
    return new Fingerprint(UNKNOWN, null, 0, evidence, List.of());
  }
}
