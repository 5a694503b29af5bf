package dev.quirkproxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way: cli → config → relay, replay, demo → flow → session → codec
 * (docs/architecture.md). A package may use its own layer's parent package and any lower layer,
 * never a higher one.
 */
class ArchitectureTest {

  private static final Map<String, Integer> LAYER =
      Map.ofEntries(
          Map.entry("codec", 0),
          Map.entry("tls", 0),
          Map.entry("session", 1),
          Map.entry("flow", 2),
          Map.entry("capture", 2),
          Map.entry("fingerprint", 2),
          Map.entry("translate", 2),
          Map.entry("relay", 3),
          Map.entry("replay", 3),
          Map.entry("rules", 3),
          Map.entry("demo", 3),
          Map.entry("config", 4),
          Map.entry("cli", 5));
  private static final Pattern IMPORT =
      Pattern.compile(
          "^import (?:static )?dev\\.quirkproxy\\.([a-z0-9]+)((?:\\.[a-z0-9]+)*)\\.[A-Z]",
          Pattern.MULTILINE);

  @Test
  void dependenciesPointDownwards() throws IOException {
    Path root = Path.of("src/main/java/dev/quirkproxy");
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Path rel = root.relativize(file.getParent());
        String layer = rel.getName(0).toString();
        String pkg = rel.toString().replace('/', '.');
        assertThat(LAYER).as("layer of %s", file).containsKey(layer);
        Matcher m = IMPORT.matcher(Files.readString(file, StandardCharsets.UTF_8));
        while (m.find()) {
          String target = m.group(1);
          String targetPkg = target + m.group(2);
          boolean sameLayer = target.equals(layer);
          boolean ok =
              sameLayer
                  ? targetPkg.equals(pkg) || targetPkg.equals(layer)
                  : LAYER.getOrDefault(target, 99) < LAYER.get(layer);
          if (!ok) {
            violations.add(file + " imports dev.quirkproxy." + targetPkg);
          }
        }
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void everyPackageSaysItsJobInOneLine() throws IOException {
    Path root = Path.of("src/main/java/dev/quirkproxy");
    try (Stream<Path> dirs = Files.walk(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).filter(d -> !d.equals(root)).toList()) {
        Path info = dir.resolve("package-info.java");
        assertThat(info).as("package-info.java in %s", dir).exists();
        String text = Files.readString(info, StandardCharsets.UTF_8);
        assertThat(text.lines().filter(l -> l.startsWith("/**")).count())
            .as(info.toString())
            .isEqualTo(1);
      }
    }
  }
}
