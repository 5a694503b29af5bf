package dev.quirkproxy.config;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.quirkproxy.capture.CaptureSettings;

/**
 * How sessions are recorded ({@code captures:}), at the top of the file or in a listener, where
 * each key given replaces the top-level one. A field is null when not written. (The as-written
 * model is made of plain binding classes, not records: Jackson reads a record through its
 * constructor and then reports an unknown key only at the end of the mapping, not at its line.)
 */
@JsonPropertyOrder({
  "record",
  "directory",
  "recordSecrets",
  "redactUser",
  "onError",
  "maxFiles",
  "maxBytes"
})
public final class CaptureSpec {
  /** False turns recording off ({@code --no-record}). */
  public Boolean record;

  /** Where captures go ({@code --captures}). */
  public String directory;

  /** Keep passwords and SASL data ({@code --record-secrets}). */
  public Boolean recordSecrets;

  /** Also redact user names ({@code --redact-user}). */
  public Boolean redactUser;

  /** {@code close} or {@code continue} ({@code --on-record-error}). */
  public CaptureSettings.OnError onError;

  /** Retention by count ({@code --captures-max-files}). */
  public Integer maxFiles;

  /** Retention by size ({@code --captures-max-bytes}). */
  public Size maxBytes;

  /** This block with {@code over}'s keys taking precedence. */
  CaptureSpec with(CaptureSpec over) {
    CaptureSpec c = new CaptureSpec();
    if (over == null) {
      over = new CaptureSpec();
    }
    c.record = pick(over.record, record);
    c.directory = pick(over.directory, directory);
    c.recordSecrets = pick(over.recordSecrets, recordSecrets);
    c.redactUser = pick(over.redactUser, redactUser);
    c.onError = pick(over.onError, onError);
    c.maxFiles = pick(over.maxFiles, maxFiles);
    c.maxBytes = pick(over.maxBytes, maxBytes);
    return c;
  }

  static <T> T pick(T preferred, T fallback) {
    return preferred != null ? preferred : fallback;
  }
}
