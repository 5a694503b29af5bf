package dev.quirkproxy.fingerprint;

/** A fingerprint catalog file that cannot be used; the message names the file and the entry. */
public final class CatalogException extends Exception {

  private static final long serialVersionUID = 1L;

  public CatalogException(String message) {
    super(message);
  }

  public CatalogException(String message, Throwable cause) {
    super(message, cause);
  }
}
