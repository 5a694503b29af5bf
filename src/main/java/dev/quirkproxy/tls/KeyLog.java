package dev.quirkproxy.tls;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends TLS secrets in the NSS key log format (what {@code SSLKEYLOGFILE} means to browsers and
 * curl), so Wireshark can decrypt a packet capture of either side. Each line is flushed at once: a
 * capture is usually decrypted while the proxy still runs.
 */
public final class KeyLog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KeyLog.class);

  private final Path file;
  private final Writer writer;

  public KeyLog(Path file) throws TlsSetupException {
    this.file = file;
    try {
      if (!Files.exists(file)) {
        // Anyone who reads this file can decrypt the sessions: owner only.
        try {
          Files.createFile(
              file,
              java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                  java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
          Files.createFile(file);
        }
      }
      writer =
          Files.newBufferedWriter(
              file,
              StandardCharsets.US_ASCII,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new TlsSetupException("cannot open the key log " + file + ": " + e.getMessage(), e);
    }
    log.warn("writing TLS secrets to {}: anyone with this file can decrypt the sessions", file);
  }

  public Path file() {
    return file;
  }

  /** One NSS key log line, e.g. {@code CLIENT_RANDOM <hex> <hex>}. */
  public synchronized void write(byte[] line) {
    try {
      writer.write(new String(line, StandardCharsets.US_ASCII));
      writer.write('\n');
      writer.flush();
    } catch (IOException e) {
      log.warn("cannot write the key log {}: {}", file, e.getMessage());
    }
  }

  @Override
  public synchronized void close() throws IOException {
    writer.close();
  }
}
