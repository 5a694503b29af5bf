package dev.quirkproxy.fingerprint;

import java.util.List;

/**
 * Feeds a plain transcript to a {@link Fingerprinter}: lines starting {@code C: } are the client's,
 * {@code S: } the server's; other lines (comments, notes) are ignored. A bare {@code C:} is an
 * empty client line.
 */
public final class TranscriptReader {

  private TranscriptReader() {}

  /** A fingerprinter that has seen the whole transcript (the protocol is told from the lines). */
  public static Fingerprinter read(Catalog catalog, List<String> lines) {
    Fingerprinter fp = new Fingerprinter(catalog, null);
    for (String line : lines) {
      if (line.startsWith("C: ")) {
        fp.client(line.substring(3));
      } else if (line.equals("C:")) {
        fp.client("");
      } else if (line.startsWith("S: ")) {
        fp.server(line.substring(3));
      }
    }
    return fp;
  }
}
