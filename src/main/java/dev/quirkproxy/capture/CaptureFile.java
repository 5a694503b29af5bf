package dev.quirkproxy.capture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The files of one capture, touched only by the writer thread: the JSON Lines file and, created on
 * first use, the blob file that holds large literal and body chunks. Lines wait in a buffer that
 * exists only while there is something to write, so thousands of idle sessions cost no buffers.
 */
final class CaptureFile {

  final Path path;
  final Path blobPath;
  private static final int EAGER_WRITE = 64 * 1024;

  /**
   * Captures hold whole messages (and secrets with --record-secrets): owner only, like the CA key.
   */
  private static final Set<StandardOpenOption> CREATE_PRIVATE =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIR =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  /** Creates missing directories as owner-only; existing ones are left as they are. */
  static void createPrivateDirectories(Path dir) throws IOException {
    if (dir == null || Files.isDirectory(dir)) {
      return;
    }
    createPrivateDirectories(dir.getParent());
    try {
      Files.createDirectory(dir, OWNER_ONLY_DIR);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
  }

  private FileChannel lines;
  private ByteArrayOutputStream pending;
  private FileChannel blob;
  private long blobSize;
  boolean dirty;
  boolean failed;
  long gaps;

  CaptureFile(Path path) {
    this.path = path;
    String name = path.getFileName().toString();
    this.blobPath =
        path.resolveSibling(name.substring(0, name.length() - ".jsonl".length()) + ".blob");
  }

  void open() throws IOException {
    createPrivateDirectories(path.getParent());
    lines = FileChannel.open(path, CREATE_PRIVATE, OWNER_ONLY);
  }

  void writeLine(byte[] json) throws IOException {
    if (pending == null) {
      pending = new ByteArrayOutputStream(Math.max(256, json.length + 1));
    }
    pending.write(json);
    pending.write('\n');
    dirty = true;
    if (pending.size() >= EAGER_WRITE) {
      flush();
    }
  }

  /** Appends to the blob file; returns the offset the bytes start at. */
  long appendBlob(ByteBuffer bytes) throws IOException {
    if (blob == null) {
      blob = FileChannel.open(blobPath, CREATE_PRIVATE, OWNER_ONLY);
    }
    long offset = blobSize;
    while (bytes.hasRemaining()) {
      blobSize += blob.write(bytes);
    }
    return offset;
  }

  /** True once the JSON Lines file was created (it may have failed since). */
  boolean isOpen() {
    return lines != null;
  }

  boolean hasBlob() {
    return blob != null;
  }

  /** Hands buffered lines to the operating system: after this a kill -9 loses nothing written. */
  void flush() throws IOException {
    if (dirty && pending != null) {
      ByteBuffer bytes = ByteBuffer.wrap(pending.toByteArray());
      pending = null;
      dirty = false;
      while (bytes.hasRemaining()) {
        lines.write(bytes);
      }
    }
  }

  void close() throws IOException {
    try {
      if (lines != null) {
        flush();
        lines.close();
      }
    } finally {
      if (blob != null) {
        blob.close();
      }
    }
  }
}
