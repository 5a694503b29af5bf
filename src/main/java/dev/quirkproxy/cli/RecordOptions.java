package dev.quirkproxy.cli;

import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.CaptureStore;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** The recording options of {@code quirkproxy proxy}. */
final class RecordOptions {

  private static final Logger log = LoggerFactory.getLogger(RecordOptions.class);

  @Option(names = "--no-record", description = "Do not record sessions.")
  boolean noRecord;

  @Option(
      names = "--captures",
      paramLabel = "DIR",
      defaultValue = "captures",
      description = "Where captures go, one folder per UTC day (default: ${DEFAULT-VALUE}).")
  Path directory;

  @Option(
      names = "--record-secrets",
      description =
          "Keep passwords and SASL data in captures (redacted by default). Loudly logged.")
  boolean recordSecrets;

  @Option(names = "--redact-user", description = "Also redact user names in captures.")
  boolean redactUser;

  @Option(
      names = "--on-record-error",
      paramLabel = "POLICY",
      defaultValue = "close",
      description =
          "When a capture cannot be written: close (the session gets * BYE / -ERR) or continue"
              + " (relaying goes on, the footer marks the gap). Default: ${DEFAULT-VALUE}.")
  String onError;

  @Option(
      names = "--captures-max-files",
      paramLabel = "N",
      defaultValue = "0",
      description = "Keep at most N capture files; the oldest are deleted (0: no limit).")
  int maxFiles;

  @Option(
      names = "--captures-max-bytes",
      paramLabel = "SIZE",
      converter = Converters.Size.class,
      defaultValue = "0",
      description = "Keep at most SIZE of captures; the oldest are deleted (0: no limit).")
  long maxBytes;

  /** The capture store, or null with --no-record. */
  CaptureStore store() {
    if (noRecord) {
      return null;
    }
    CaptureSettings.OnError policy =
        switch (onError.toLowerCase(java.util.Locale.ROOT)) {
          case "close" -> CaptureSettings.OnError.CLOSE;
          case "continue" -> CaptureSettings.OnError.CONTINUE;
          default ->
              throw new UsageException(
                  "--on-record-error must be close or continue, not '" + onError + "'");
        };
    if (maxFiles < 0) {
      throw new UsageException("--captures-max-files must not be negative");
    }
    if (recordSecrets) {
      log.warn(
          "--record-secrets: passwords and SASL exchanges are written to {} in clear text",
          directory);
    }
    CaptureStore store =
        new CaptureStore(
            new CaptureSettings(
                directory,
                recordSecrets,
                redactUser,
                policy,
                maxFiles,
                maxBytes,
                CaptureSettings.DEFAULT_INLINE_LIMIT));
    try {
      store.checkWritable();
    } catch (IOException e) {
      log.warn(
          "captures cannot be written to {} ({}): sessions will {}",
          directory,
          CaptureStore.why(e),
          policy == CaptureSettings.OnError.CLOSE ? "be refused" : "go unrecorded");
    }
    return store;
  }
}
