package dev.quirkproxy.capture;

/**
 * Which way bytes went, as seen from the proxy. Received bytes are recorded as they arrived; sent
 * bytes are recorded only where they differ from what was received (a rewrite, or the proxy's own
 * answer), so a capture shows both sides of every change.
 */
public enum Direction {
  CLIENT_TO_PROXY("client>proxy"),
  PROXY_TO_UPSTREAM("proxy>upstream"),
  UPSTREAM_TO_PROXY("upstream>proxy"),
  PROXY_TO_CLIENT("proxy>client");

  private final String code;

  Direction(String code) {
    this.code = code;
  }

  /** The value of the {@code dir} field in a capture. */
  public String code() {
    return code;
  }

  public static Direction ofCode(String code) {
    for (Direction d : values()) {
      if (d.code.equals(code)) {
        return d;
      }
    }
    throw new IllegalArgumentException("unknown direction '" + code + "'");
  }
}
