package dev.quirkproxy.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The files of one capture, touched only by the writer thread: the JSON Lines file and, created on
 * first use, the blob file that holds large literal and body chunks.
 */
final class CaptureFile {

  final Path path;
  final Path blobPath;
  private OutputStream lines;
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
    Files.createDirectories(path.getParent());
    lines =
        new java.io.BufferedOutputStream(
            Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            64 * 1024);
  }

  void writeLine(byte[] json) throws IOException {
    lines.write(json);
    lines.write('\n');
    dirty = true;
  }

  /** Appends to the blob file; returns the offset the bytes start at. */
  long appendBlob(java.nio.ByteBuffer bytes) throws IOException {
    if (blob == null) {
      blob = FileChannel.open(blobPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
    long offset = blobSize;
    while (bytes.hasRemaining()) {
      blobSize += blob.write(bytes);
    }
    return offset;
  }

  boolean hasBlob() {
    return blob != null;
  }

  /** Hands buffered lines to the operating system: after this a kill -9 loses nothing written. */
  void flush() throws IOException {
    if (dirty) {
      lines.flush();
      dirty = false;
    }
  }

  void close() throws IOException {
    try {
      if (lines != null) {
        lines.close();
      }
    } finally {
      if (blob != null) {
        blob.close();
      }
    }
  }
}
