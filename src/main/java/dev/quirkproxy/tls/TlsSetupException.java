package dev.quirkproxy.tls;

/** Certificates, keys or TLS contexts could not be made or read; the message says which file. */
public final class TlsSetupException extends Exception {

  private static final long serialVersionUID = 1L;

  public TlsSetupException(String message, Throwable cause) {
    super(message, cause);
  }

  public TlsSetupException(String message) {
    super(message);
  }
}
