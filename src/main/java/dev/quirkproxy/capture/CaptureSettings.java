package dev.quirkproxy.capture;

import java.nio.file.Path;

/**
 * How sessions are recorded.
 *
 * @param directory where captures go (one sub-directory per UTC day)
 * @param recordSecrets keep passwords and SASL data (off: they are redacted at record time)
 * @param redactUser also redact user names
 * @param onError what happens to a session whose capture cannot be written
 * @param maxFiles keep at most this many capture files (0: no limit); the oldest go first
 * @param maxBytes keep at most this many bytes of captures (0: no limit)
 * @param inlineLimit literal and body chunks up to this size are stored in the JSON line, larger
 *     ones in the capture's blob file
 */
public record CaptureSettings(
    Path directory,
    boolean recordSecrets,
    boolean redactUser,
    OnError onError,
    int maxFiles,
    long maxBytes,
    int inlineLimit) {

  /** The policy when a capture cannot be written (disk full, permissions). */
  public enum OnError {
    /** The session gets {@code * BYE} / {@code -ERR}: nothing is relayed unrecorded. */
    CLOSE,
    /** Relaying goes on, a warning is logged, and the capture's footer marks the gap. */
    CONTINUE
  }

  public static final int DEFAULT_INLINE_LIMIT = 4096;

  /** Redacting, closing on error, no retention limits. */
  public static CaptureSettings in(Path directory) {
    return new CaptureSettings(directory, false, false, OnError.CLOSE, 0, 0, DEFAULT_INLINE_LIMIT);
  }
}
