package dev.quirkproxy.fingerprint;

import java.util.List;
import java.util.Map;

/**
 * One client family in {@code rules/fingerprints.json}, as written (schema: {@code
 * fingerprints.schema.json}). {@link Catalog} checks it and compiles its patterns once.
 *
 * @param family the key: a later file's entry with the same family replaces this one
 * @param label the client's name for people
 * @param protocols {@code imap} and/or {@code pop3}
 * @param source where the evidence comes from (required)
 * @param note a caveat shown with the answer, e.g. weak evidence
 * @param id alternatives, each a map of RFC 2971 field name to a case-insensitive regex that the
 *     field's value must contain
 * @param versionFrom the ID field holding the version (default {@code version})
 * @param tags the tag styles this client uses
 * @param features observed features and the weight each adds (negative: speaks against)
 * @param maxConfidence the confidence is never above this (weak evidence), default 0.99
 */
public record CatalogEntry(
    String family,
    String label,
    List<String> protocols,
    String source,
    String note,
    List<Map<String, String>> id,
    String versionFrom,
    List<Tag> tags,
    Map<String, Double> features,
    Double maxConfidence) {

  /**
   * A tag style.
   *
   * @param kind decimal, dotted, hex, imaplib or random
   * @param prefix a regex the constant prefix must match entirely (default: no prefix)
   * @param width the zero-padded width, 0 for not padded (default 0)
   * @param firstMin the smallest first counter value (optional)
   * @param firstMax the largest first counter value (optional)
   * @param weight how much a match says (default 1; rare styles more)
   * @param version the version this style implies when ID names none (optional)
   */
  public record Tag(
      String kind,
      String prefix,
      Integer width,
      Long firstMin,
      Long firstMax,
      Double weight,
      String version) {}
}
