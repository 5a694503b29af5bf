package dev.quirkproxy.config;

/**
 * A URL as written in the config file ({@code imap://127.0.0.1:1143}), checked for syntax when
 * read, with where it was written so later checks (a duplicate listen address, a protocol mismatch)
 * can point at it.
 *
 * @param text the URL as written
 * @param line 1-based line in the file, or 0 when it came from elsewhere (the command line)
 * @param column 1-based column, or 0
 */
public record Url(String text, int line, int column) {

  @Override
  public String toString() {
    return text;
  }
}
