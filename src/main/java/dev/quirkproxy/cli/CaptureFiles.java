package dev.quirkproxy.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The captures a {@code --capture PATH} names: the file, or every {@code *.jsonl} below a
 * directory.
 */
final class CaptureFiles {

  private CaptureFiles() {}

  /**
   * The file itself, or every {@code *.jsonl} below the directory (any depth), sorted by their path
   * relative to it.
   *
   * @throws UsageException when the path does not exist or the directory holds no capture
   */
  static List<Path> list(Path path) throws IOException {
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (!Files.isDirectory(path)) {
      throw new UsageException("no capture file or directory " + path);
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(path)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl"))
              .sorted(
                  (a, b) -> path.relativize(a).toString().compareTo(path.relativize(b).toString()))
              .toList();
    }
    if (files.isEmpty()) {
      throw new UsageException("no capture (*.jsonl) below " + path);
    }
    return files;
  }
}
