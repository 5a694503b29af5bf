package dev.quirkproxy.replay;

/** A replay that cannot go on: the capture cannot be replayed, or the live server failed it. */
public final class ReplayClientException extends Exception {

  private static final long serialVersionUID = 1L;

  public ReplayClientException(String message) {
    super(message);
  }

  public ReplayClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
