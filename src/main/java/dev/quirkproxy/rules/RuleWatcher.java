package dev.quirkproxy.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current rules from a file or directory, reloaded when the files change (checked every {@code
 * interval} on a thread of its own). A broken edit keeps the previous rules working and logs what
 * is wrong; a fixed one is picked up at the next check. Sessions read the current set at each
 * frame, so a change applies from the next command on.
 */
public final class RuleWatcher implements Supplier<RuleSet>, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RuleWatcher.class);

  private final Path path;
  private final ScheduledExecutorService timer;
  private volatile RuleSet current;
  private long stamp;

  private RuleWatcher(Path path, RuleSet initial, long stamp, Duration interval) {
    this.path = path;
    this.current = initial;
    this.stamp = stamp;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "quirkproxy-rules-watch");
              t.setDaemon(true);
              return t;
            });
    long ms = Math.max(50, interval.toMillis());
    timer.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Loads the rules at {@code path} and watches them.
   *
   * @throws RuleException the first problem when they do not load (the others are suppressed in it)
   */
  public static RuleWatcher watch(Path path, Duration interval) throws RuleException {
    long stamp = stamp(path);
    RuleLoader.Result r = RuleLoader.load(path);
    if (!r.ok()) {
      RuleException first = r.errors().get(0);
      r.errors().subList(1, r.errors().size()).forEach(first::addSuppressed);
      throw first;
    }
    return new RuleWatcher(path, r.rules(), stamp, interval);
  }

  @Override
  public RuleSet get() {
    return current;
  }

  /** Checks for a change now (the timer does it too). */
  public void check() {
    long now = stamp(path);
    if (now == stamp) {
      return;
    }
    stamp = now;
    RuleLoader.Result r = RuleLoader.load(path);
    if (r.ok()) {
      current = r.rules();
      log.info(
          "rules reloaded from {}: {} rules in {} files",
          path,
          r.rules().rules().size(),
          r.rules().files().size());
    } else {
      log.warn(
          "rules in {} not reloaded, the previous {} rules stay in force: {}",
          path,
          current.rules().size(),
          r.errors().stream().map(Throwable::getMessage).toList());
    }
  }

  /** A checksum of the rule files' names and contents (changes when any of them does). */
  private static long stamp(Path path) {
    CRC32 crc = new CRC32();
    try {
      for (Path f : RuleLoader.files(path)) {
        crc.update(f.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        crc.update(Files.readAllBytes(f));
      }
    } catch (IOException e) {
      crc.update(e.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return crc.getValue();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
