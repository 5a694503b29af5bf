/*
 * quirkproxy end-to-end benchmark client. Single-file Java program, no dependencies:
 *
 *   java bench/Bench.java throughput --targets direct=HOST:PORT,proxy=HOST:PORT@PID,...
 *       [--captures DIR --jar JAR (for a target named proxy+rec)] [options]
 *   java bench/Bench.java latency    --targets direct=HOST:PORT,proxy=HOST:PORT,... [options]
 *   java bench/Bench.java idle       --proxy HOST:PORT --pid PROXY_PID [--idle --deliver HOST:PORT]
 *   java bench/Bench.java startup    --jar JAR --upstream HOST:PORT [--runs N]
 *
 * Each subcommand prints one JSON object on stdout (progress goes to stderr). bench/run starts
 * Dovecot and the proxy and calls these; see bench/README.md.
 *
 * The client is plain blocking java.nio: one SocketChannel per connection, a 1 MiB direct read
 * buffer, and an IMAP response reader that only looks at lines; literal bytes are skipped in place
 * (counted, optionally CRC32-checked) without being copied into the Java heap.
 */

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

public class Bench {

  static final double MIB = 1024.0 * 1024.0;

  static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "watchdog");
            t.setDaemon(true);
            return t;
          });

  public static void main(String[] argv) throws Exception {
    if (argv.length == 0) {
      System.err.println("usage: java Bench.java throughput|latency|idle|startup --option value ...");
      System.exit(2);
    }
    Opts o = new Opts(Arrays.copyOfRange(argv, 1, argv.length));
    Map<String, Object> result;
    switch (argv[0]) {
      case "throughput":
        result = throughput(o);
        break;
      case "latency":
        result = latency(o);
        break;
      case "idle":
        result = idle(o);
        break;
      case "startup":
        result = startup(o);
        break;
      default:
        System.err.println("unknown subcommand " + argv[0]);
        System.exit(2);
        return;
    }
    System.out.println(Json.write(result));
    System.out.flush();
    System.exit(0);
  }

  // ------------------------------------------------------------------ throughput

  static final String DIRECT = "direct";
  static final String REC = "proxy+rec";

  /** One thing the client fetches from: a name, an address and the pid serving it (-1: none). */
  record Target(String name, InetSocketAddress addr, long pid) {}

  /**
   * {@code --targets name=HOST:PORT[@PID],...}; the first must be {@code direct} (Dovecot itself),
   * the baseline every ratio is taken against. The pid is the process serving that target (a
   * proxy JVM, HAProxy), whose CPU time is charged to it.
   */
  static List<Target> targets(Opts o) {
    List<Target> ts = new ArrayList<>();
    for (String spec : o.str("targets", "").split(",")) {
      if (spec.isBlank()) {
        continue;
      }
      int eq = spec.indexOf('=');
      int at = spec.indexOf('@');
      String hp = spec.substring(eq + 1, at < 0 ? spec.length() : at);
      int c = hp.lastIndexOf(':');
      ts.add(
          new Target(
              spec.substring(0, eq),
              new InetSocketAddress(hp.substring(0, c), Integer.parseInt(hp.substring(c + 1))),
              at < 0 ? -1 : Long.parseLong(spec.substring(at + 1))));
    }
    if (ts.isEmpty() || !ts.get(0).name().equals(DIRECT)) {
      throw new IllegalArgumentException("--targets direct=HOST:PORT,name=HOST:PORT[@PID],...");
    }
    return ts;
  }

  /**
   * The order of the targets in round {@code r}: rotated by one each round, and reversed in every
   * other cycle, so over 2k rounds each of k targets is in every position twice and warm-up drift
   * and page-cache effects hit all alike.
   */
  static List<Target> order(List<Target> ts, int r) {
    int k = ts.size();
    List<Target> o = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      o.add(ts.get((i + r) % k));
    }
    if ((r / k) % 2 == 1) {
      Collections.reverse(o);
    }
    return o;
  }

  /**
   * Per run: new connection, LOGIN, SELECT INBOX (not timed), then the timed part: either one
   * {@code UID FETCH 1:* (BODY.PEEK[])} (default) or, with --per-message, one {@code UID FETCH uid
   * (BODY.PEEK[])} per message, strictly one after another. The clock runs from writing the
   * command to reading the last tagged OK. Every target runs once per round, in the order of
   * {@link #order}.
   *
   * <p>The target named {@code proxy+rec} is a proxy recording into --captures: after each of its
   * runs the client waits until that session's capture has its footer (the recorder writes off the
   * event loop and may lag); the CPU times for the run are taken after that, so the proxy's
   * includes the whole recording; then it checks the capture and deletes its blob file (not
   * counted: that is the benchmark's own work), except the last one's with --keep-last-capture (for
   * the capture-reading benchmark). The first proxy+rec capture is also run through {@code captures
   * verify} and {@code captures export --format server-bytes}, whose CRC32 must equal that of every
   * byte the client received.
   */
  static Map<String, Object> throughput(Opts o) throws Exception {
    List<Target> targets = targets(o);
    int warmup = o.integer("warmup", 1);
    int rounds = o.integer("rounds", 3);
    boolean perMessage = o.flag("per-message");
    long expectBytes = o.lng("expect-bytes", -1);
    int timeoutSec = o.integer("timeout", 60);
    long dovecotPid = o.lng("dovecot-pid", -1);
    int clkTck = o.integer("clk-tck", 100);
    boolean rec = targets.stream().anyMatch(t -> t.name().equals(REC));
    Captures caps = null;
    if (rec) {
      String dir = o.str("captures", null);
      caps = new Captures(dir == null ? null : Path.of(dir), o.str("jar", null), timeoutSec);
      caps.keepLast = o.flag("keep-last-capture") ? warmup + rounds : -1;
    }
    List<String> names = targets.stream().map(Target::name).toList();
    long[] pids = targets.stream().mapToLong(Target::pid).toArray();

    List<Map<String, Object>> runs = new ArrayList<>();
    Map<String, List<Double>> seconds = new HashMap<>();
    // Per target, summed over the measured runs: CPU seconds of the client (this JVM), Dovecot,
    // the serving process, its kernel share, everything else; then run wall time.
    Map<String, double[]> cpu = new HashMap<>();
    for (String t : names) {
      seconds.put(t, new ArrayList<>());
      cpu.put(t, new double[6]);
    }
    Map<String, Long> warmCrc = new LinkedHashMap<>();
    long literalBytes = -1;
    int messages = -1;
    for (int r = 0; r < warmup + rounds; r++) {
      boolean isWarmup = r < warmup;
      for (Target target : order(targets, r)) {
        int ti = names.indexOf(target.name());
        boolean isRec = target.name().equals(REC);
        // The first proxy+rec run also CRCs every byte the client receives, for the export check.
        boolean deepCheck = isRec && caps.deepCheck == null;
        double[] cpu0 = cpuNow(pids, dovecotPid, clkTck);
        long w0 = System.nanoTime();
        FetchRun fr = fetchAll(target.addr(), o, perMessage, isWarmup, deepCheck, timeoutSec);
        Path captureFile = isRec ? caps.awaitCapture() : null;
        double runWall = (System.nanoTime() - w0) / 1e9;
        double[] cpu1 = cpuNow(pids, dovecotPid, clkTck);
        // Checking the capture and deleting its blob is the benchmark's work: after cpu1.
        Map<String, Object> capture =
            captureFile == null
                ? null
                : caps.check(captureFile, fr, literalBytes < 0 ? fr.literalBytes : literalBytes);
        if (literalBytes < 0) {
          literalBytes = fr.literalBytes;
          messages = fr.messages;
        } else if (fr.literalBytes != literalBytes || fr.messages != messages) {
          throw new IOException(
              target.name() + " round " + r + ": got " + fr.messages + " messages / "
                  + fr.literalBytes + " literal bytes, earlier runs got " + messages + " / "
                  + literalBytes);
        }
        if (expectBytes >= 0 && fr.literalBytes != expectBytes) {
          throw new IOException(
              target.name() + ": literal bytes " + fr.literalBytes + " != expected " + expectBytes);
        }
        double serving = target.pid() > 0 ? cpu1[3 + 2 * ti] - cpu0[3 + 2 * ti] : 0;
        double servingSys = target.pid() > 0 ? cpu1[4 + 2 * ti] - cpu0[4 + 2 * ti] : 0;
        // Everything else the machine did meanwhile (other processes, kernel threads, the idle
        // targets' processes): interference.
        double ours = (cpu1[0] - cpu0[0]) + (cpu1[1] - cpu0[1]);
        for (int k = 0; k < pids.length; k++) {
          ours += pids[k] > 0 ? cpu1[3 + 2 * k] - cpu0[3 + 2 * k] : 0;
        }
        double other = Math.max(0, (cpu1[2] - cpu0[2]) - ours);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("round", r);
        run.put("warmup", isWarmup);
        run.put("target", target.name());
        run.put("seconds", fr.seconds);
        run.put("mib_per_s", fr.literalBytes / MIB / fr.seconds);
        run.put("wire_bytes", fr.wireBytes);
        // Whole run (connect, LOGIN, SELECT, FETCH, LOGOUT; for proxy+rec up to the capture's
        // footer), not only the timed FETCH.
        run.put("cpu_seconds_client", cpu1[0] - cpu0[0]);
        run.put("cpu_seconds_dovecot", dovecotPid > 0 ? cpu1[1] - cpu0[1] : null);
        run.put("cpu_seconds_serving", target.pid() > 0 ? serving : null);
        // The kernel's share (stime) of it: socket I/O, page-cache writes.
        run.put("cpu_seconds_serving_kernel", target.pid() > 0 ? servingSys : null);
        run.put("cpu_seconds_other", Math.round(other * 100) / 100.0); // 10 ms ticks
        run.put("run_wall_seconds", runWall);
        if (capture != null) {
          run.put("capture", capture);
        }
        if (isWarmup) {
          run.put("crc32", Long.toHexString(fr.crc));
          warmCrc.put(target.name(), fr.crc);
        } else {
          seconds.get(target.name()).add(fr.seconds);
          double[] c = cpu.get(target.name());
          c[0] += cpu1[0] - cpu0[0];
          c[1] += cpu1[1] - cpu0[1];
          c[2] += serving;
          c[3] += servingSys;
          c[4] += other;
          c[5] += runWall;
        }
        runs.add(run);
        System.err.printf(
            Locale.ROOT,
            "  throughput %-11s round %2d%s: %7.3f s  %8.1f MiB/s%s%n",
            target.name(), r, isWarmup ? " (warm-up)" : "", fr.seconds,
            fr.literalBytes / MIB / fr.seconds,
            capture == null ? "" : String.format(Locale.ROOT, "  (capture done %.3f s after LOGOUT)",
                (double) capture.get("lag_seconds")));
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("mode", perMessage ? "per-message UID FETCH n (BODY.PEEK[])" : "UID FETCH 1:* (BODY.PEEK[])");
    out.put("messages", messages);
    out.put("literal_bytes", literalBytes);
    out.put("warmup_rounds", warmup);
    out.put("measured_rounds", rounds);
    out.put("targets", names);
    Boolean same = null;
    if (warmCrc.containsKey(DIRECT) && warmCrc.size() > 1) {
      same = true;
      for (Map.Entry<String, Long> e : warmCrc.entrySet()) {
        if (!e.getValue().equals(warmCrc.get(DIRECT))) {
          throw new IOException("CRC32 of the fetched literals differs between direct and " + e.getKey());
        }
      }
    }
    out.put("crc32_direct_equals_proxy", same);
    double dMed = median(seconds.get(DIRECT));
    Map<String, Object> ratios = new LinkedHashMap<>();
    for (Target tg : targets) {
      String t = tg.name();
      List<Double> s = seconds.get(t);
      Map<String, Object> m = new LinkedHashMap<>();
      double best = Collections.min(s);
      double med = median(s);
      m.put("best_seconds", best);
      m.put("median_seconds", med);
      m.put("best_mib_per_s", literalBytes / MIB / best);
      m.put("median_mib_per_s", literalBytes / MIB / med);
      m.put("all_seconds", s);
      // CPU seconds per GiB fetched over the measured runs (connect/login/select included).
      double gib = literalBytes * (double) s.size() / (MIB * 1024);
      double[] c = cpu.get(t);
      m.put("cpu_s_per_gib_client", c[0] / gib);
      m.put("cpu_s_per_gib_dovecot", dovecotPid > 0 ? c[1] / gib : null);
      // The process serving this target: a proxy JVM, HAProxy; null for direct.
      m.put("cpu_s_per_gib_proxy", tg.pid() > 0 ? c[2] / gib : null);
      m.put("cpu_s_per_gib_proxy_kernel", tg.pid() > 0 ? c[3] / gib : null);
      // CPU used by other processes during the measured runs (whole runs, connect to close), in
      // cores: 1.0 = one core fully busy with something else.
      m.put("other_cpu_cores_busy", c[4] / c[5]);
      out.put(t, m);
      // Throughput relative to direct: 0.95 = 95 % of direct's median MiB/s (= direct's median
      // time / this target's).
      ratios.put(t, dMed / med);
    }
    out.put("median_mib_per_s_over_direct", ratios);
    if (names.contains("proxy")) {
      double pMed = median(seconds.get("proxy"));
      out.put("proxy_over_direct_median_time", pMed / dMed);
      if (rec) {
        double rMed = median(seconds.get(REC));
        out.put("proxy_rec_over_direct_median_time", rMed / dMed);
        out.put("proxy_rec_over_proxy_median_time", rMed / pMed);
      }
    }
    if (rec) {
      out.put("captures", caps.summary(literalBytes));
    }
    out.put("runs", runs);
    return out;
  }
  /**
   * The capture directory of the recording proxy. After each proxy+rec session: waits for exactly
   * one new {@code .jsonl} whose last line is the footer, checks the footer (clean end, no gaps,
   * upstream bytes = bytes the client received), notes the blob size and deletes the blob (200
   * MiB per session); the small {@code .jsonl} files stay for {@code bench/run} to count and
   * verify at the end.
   */
  static final class Captures {
    static final Pattern UPSTREAM_BYTES = Pattern.compile("\"upstream>proxy\":(\\d+)");
    static final Pattern REASON = Pattern.compile("\"reason\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    final Path dir;
    final String jar;
    final int timeoutSec;
    final java.util.Set<Path> seen = new java.util.HashSet<>();
    final int before;
    final List<Double> lags = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    long blobBytes;
    long jsonlBytes;
    int sessions;
    Map<String, Object> deepCheck;
    /** The session number (1-based) whose capture keeps its blob, or -1. */
    int keepLast = -1;
    /** That capture, left whole for the capture-reading benchmark in bench/run. */
    Path kept;
    long keptBlobBytes;

    Captures(Path dir, String jar, int timeoutSec) throws IOException {
      if (dir == null || jar == null) {
        throw new IllegalArgumentException("a proxy+rec target needs --captures DIR and --jar JAR");
      }
      this.dir = dir;
      this.jar = jar;
      this.timeoutSec = timeoutSec;
      seen.addAll(jsonlFiles());
      before = seen.size();
    }

    List<Path> jsonlFiles() throws IOException {
      if (!Files.isDirectory(dir)) {
        return List.of();
      }
      try (java.util.stream.Stream<Path> w = Files.walk(dir, 2)) {
        return w.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
      }
    }

    /** The last complete line of a file, or null. */
    static String lastLine(Path p) throws IOException {
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p)) {
        long size = ch.size();
        int n = (int) Math.min(size, 64 * 1024);
        ByteBuffer b = ByteBuffer.allocate(n);
        ch.read(b, size - n);
        String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        if (!s.endsWith("\n")) {
          return null;
        }
        int prev = s.lastIndexOf('\n', s.length() - 2);
        return s.substring(prev + 1, s.length() - 1);
      }
    }

    /** Waits for this session's capture: exactly one new .jsonl, ending in its footer. */
    Path awaitCapture() throws Exception {
      sessions++;
      long t0 = System.nanoTime();
      long deadline = t0 + timeoutSec * 1_000_000_000L;
      Path file = null;
      while (true) {
        if (file == null) {
          List<Path> fresh = new ArrayList<>(jsonlFiles());
          fresh.removeAll(seen);
          if (fresh.size() > 1) {
            throw new IOException("expected one new capture in " + dir + ", found " + fresh);
          }
          file = fresh.isEmpty() ? null : fresh.get(0);
        }
        if (file != null) {
          String last = lastLine(file);
          if (last != null && last.contains("\"type\":\"footer\"")) {
            break;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IOException(
              file == null
                  ? "no capture appeared in " + dir + " within " + timeoutSec + " s"
                  : "capture " + file + " has no footer " + timeoutSec + " s after LOGOUT");
        }
        Thread.sleep(2);
      }
      lags.add((System.nanoTime() - t0) / 1e9);
      seen.add(file);
      return file;
    }

    /** Checks a finished capture (see the class comment), then deletes its blob file. */
    Map<String, Object> check(Path file, FetchRun fr, long literalBytes) throws Exception {
      String footer = lastLine(file);
      double lag = lags.get(lags.size() - 1);
      Path blob = file.resolveSibling(file.getFileName().toString().replaceAll("\\.jsonl$", ".blob"));
      long blobSize = Files.exists(blob) ? Files.size(blob) : 0;
      long jsonlSize = Files.size(file);
      blobBytes += blobSize;
      jsonlBytes += jsonlSize;
      Matcher um = UPSTREAM_BYTES.matcher(footer);
      long upstream = um.find() ? Long.parseLong(um.group(1)) : -1;
      Matcher rm = REASON.matcher(footer);
      String reason = rm.find() ? rm.group(1) : null;
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("file", dir.relativize(file).toString());
      c.put("lag_seconds", lag);
      c.put("jsonl_bytes", jsonlSize);
      c.put("blob_bytes", blobSize);
      c.put("footer_upstream_bytes", upstream);
      c.put("client_received_bytes", fr.connWireBytes);
      c.put("footer_reason", reason);
      List<String> bad = new ArrayList<>();
      if (footer.contains("\"gaps\"")) {
        bad.add("footer reports gaps: " + footer);
      }
      if (upstream != fr.connWireBytes) {
        bad.add("footer says " + upstream + " bytes from upstream, client received " + fr.connWireBytes);
      }
      if (blobSize > literalBytes || blobSize < literalBytes * 0.9) {
        bad.add("blob holds " + blobSize + " bytes, " + literalBytes + " literal bytes were fetched");
      }
      if (deepCheck == null) {
        deepCheck = deepCheck(file, fr);
        if (!Boolean.TRUE.equals(deepCheck.get("ok"))) {
          bad.add("deep check failed: " + deepCheck);
        }
      }
      for (String b : bad) {
        problems.add(c.get("file") + ": " + b);
        System.err.println("  capture problem: " + c.get("file") + ": " + b);
      }
      c.put("problems", bad);
      if (sessions == keepLast) {
        kept = file;
        keptBlobBytes = blobSize;
        c.put("kept_whole", true);
      } else {
        Files.deleteIfExists(blob);
      }
      return c;
    }

    /**
     * {@code captures verify FILE} must exit 0, and {@code captures export FILE --format
     * server-bytes} (which reads the blob) must reproduce every byte the client received.
     */
    Map<String, Object> deepCheck(Path file, FetchRun fr) throws Exception {
      String java = ProcessHandle.current().info().command().orElse("java");
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("file", dir.relativize(file).toString());
      long t0 = System.nanoTime();
      Process v =
          new ProcessBuilder(java, "-jar", jar, "captures", "verify", file.toString())
              .redirectErrorStream(true)
              .start();
      String vout;
      try (InputStream in = v.getInputStream()) {
        vout = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
      boolean vdone = v.waitFor(60, TimeUnit.SECONDS);
      d.put("verify_exit", vdone ? v.exitValue() : null);
      d.put("verify_output", vout.replace(dir.toString() + "/", ""));
      Process x =
          new ProcessBuilder(
                  java, "-jar", jar, "captures", "export", file.toString(), "--format", "server-bytes")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      CRC32 crc = new CRC32();
      long n = 0;
      try (InputStream in = x.getInputStream()) {
        byte[] buf = new byte[1 << 16];
        int k;
        while ((k = in.read(buf)) > 0) {
          crc.update(buf, 0, k);
          n += k;
        }
      }
      boolean xdone = x.waitFor(60, TimeUnit.SECONDS);
      d.put("export_exit", xdone ? x.exitValue() : null);
      d.put("export_server_bytes", n);
      d.put("export_crc32", String.format(Locale.ROOT, "%08x", crc.getValue()));
      d.put("client_received_bytes", fr.connWireBytes);
      d.put("client_received_crc32", String.format(Locale.ROOT, "%08x", fr.wireCrc));
      d.put("seconds", (System.nanoTime() - t0) / 1e9);
      boolean ok =
          Integer.valueOf(0).equals(d.get("verify_exit"))
              && Integer.valueOf(0).equals(d.get("export_exit"))
              && n == fr.connWireBytes
              && crc.getValue() == fr.wireCrc;
      d.put("ok", ok);
      System.err.printf(
          Locale.ROOT,
          "  capture deep check: verify exit %s, export %d bytes crc %s vs client %d bytes crc %s: %s%n",
          d.get("verify_exit"), n, d.get("export_crc32"), fr.connWireBytes,
          d.get("client_received_crc32"), ok ? "ok" : "FAILED");
      return d;
    }

    Map<String, Object> summary(long literalBytesPerSession) throws IOException {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("directory", dir.toString());
      s.put("captures_before_first_run", before);
      s.put("proxy_rec_sessions", sessions);
      s.put("jsonl_files_now", jsonlFiles().size());
      s.put("jsonl_bytes_total", jsonlBytes);
      s.put("blob_bytes_total", blobBytes);
      s.put("literal_bytes_total", literalBytesPerSession * sessions);
      s.put("blob_over_literal", sessions == 0 ? null : blobBytes / (double) (literalBytesPerSession * sessions));
      s.put("lag_median_seconds", lags.isEmpty() ? null : median(lags));
      s.put("lag_max_seconds", lags.isEmpty() ? null : Collections.max(lags));
      s.put("deep_check", deepCheck);
      // Counted in blob_bytes_total, still on disk: bench/run reads it, then deletes it.
      s.put("kept_capture", kept == null ? null : kept.toString());
      s.put("kept_capture_blob_bytes", kept == null ? null : keptBlobBytes);
      s.put("problems", problems);
      return s;
    }
  }

  /**
   * CPU seconds so far: [0] this JVM, [1] Dovecot (master and its children), [2] the whole
   * machine's busy time, then for each pid (-1: none, 0 s) its utime+stime and its stime.
   */
  static double[] cpuNow(long[] pids, long dovecotPid, int clkTck) throws IOException {
    double[] c = new double[3 + 2 * pids.length];
    c[0] =
        ((com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime()
            / 1e9;
    double dovecot = 0;
    if (dovecotPid > 0) {
      dovecot += procCpu(dovecotPid, clkTck);
      try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
        for (Path p : ds) {
          try {
            String st = Files.readString(p.resolve("stat"));
            String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
            if (Long.parseLong(f[1]) == dovecotPid) {
              dovecot += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) clkTck;
            }
          } catch (IOException | RuntimeException gone) {
            // process ended meanwhile
          }
        }
      }
    }
    c[1] = dovecot;
    c[2] = machineBusy(clkTck);
    for (int k = 0; k < pids.length; k++) {
      if (pids[k] > 0) {
        c[3 + 2 * k] = procCpu(pids[k], clkTck);
        c[4 + 2 * k] = procSys(pids[k], clkTck);
      }
    }
    return c;
  }

  /**
   * Busy CPU seconds of the whole machine, all cores: user+nice+system+irq+softirq+steal. (Per
   * process utime+stime on this kernel include the softirq work, e.g. loopback TCP, done in the
   * process's context, so all of these must count for "other" = machine - our processes.)
   */
  static double machineBusy(int clkTck) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/stat"))) {
      if (l.startsWith("cpu ")) {
        String[] f = l.trim().split("\\s+");
        long busy = 0;
        for (int k : new int[] {1, 2, 3, 6, 7, 8}) {
          busy += Long.parseLong(f[k]);
        }
        return busy / (double) clkTck;
      }
    }
    return 0;
  }

  /** stime (kernel time) of one process, in seconds. */
  static double procSys(long pid, int clkTck) throws IOException {
    String st = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[12]) / (double) clkTck;
  }

  /** utime + stime of one process, in seconds. */
  static double procCpu(long pid, int clkTck) throws IOException {
    String st = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
    // after "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) clkTck;
  }

  static final class FetchRun {
    double seconds;
    long literalBytes;
    long wireBytes;
    int messages;
    long crc;
    /** All bytes the client read on the connection (greeting to LOGOUT) and, if asked, their CRC32. */
    long connWireBytes;
    long wireCrc;
  }

  static FetchRun fetchAll(
      InetSocketAddress a, Opts o, boolean perMessage, boolean checksum, boolean wireChecksum,
      int timeoutSec)
      throws Exception {
    try (ImapConn c = new ImapConn(a, 1 << 20, true)) {
      c.wireCrc = wireChecksum ? new CRC32() : null;
      ScheduledFuture<?> dog = c.watchdog(timeoutSec);
      try {
        c.greeting();
        c.command("LOGIN " + o.str("user", "bench") + " " + o.str("pass", "bench"), null);
        int[] exists = {-1};
        c.command("SELECT INBOX", l -> exists[0] = parseExists(l, exists[0]));
        List<Long> uids = new ArrayList<>();
        if (perMessage) {
          c.command("UID SEARCH ALL", l -> {
            if (l.startsWith("* SEARCH")) {
              for (String w : l.substring(8).trim().split(" +")) {
                if (!w.isEmpty()) {
                  uids.add(Long.parseLong(w));
                }
              }
            }
          });
        }
        CRC32 crc = checksum ? new CRC32() : null;
        c.crc = crc;
        c.literalBytes = 0;
        c.literals = 0;
        int[] fetches = {0};
        Consumer<String> countFetch = l -> {
          if (l.startsWith("* ") && l.contains(" FETCH ")) {
            fetches[0]++;
          }
        };
        long wire0 = c.wireBytes;
        long t0 = System.nanoTime();
        if (perMessage) {
          for (long uid : uids) {
            c.command("UID FETCH " + uid + " (BODY.PEEK[])", countFetch);
          }
        } else {
          c.command("UID FETCH 1:* (BODY.PEEK[])", countFetch);
        }
        long t1 = System.nanoTime();
        FetchRun fr = new FetchRun();
        fr.seconds = (t1 - t0) / 1e9;
        fr.literalBytes = c.literalBytes;
        fr.wireBytes = c.wireBytes - wire0;
        fr.messages = fetches[0];
        fr.crc = crc == null ? 0 : crc.getValue();
        c.crc = null;
        if (exists[0] >= 0 && fetches[0] != exists[0]) {
          throw new IOException(
              a + ": SELECT said " + exists[0] + " EXISTS but FETCH returned " + fetches[0]);
        }
        c.command("LOGOUT", null);
        fr.connWireBytes = c.wireBytes;
        fr.wireCrc = c.wireCrc == null ? 0 : c.wireCrc.getValue();
        return fr;
      } finally {
        dog.cancel(false);
      }
    }
  }

  static int parseExists(String line, int prev) {
    if (line.startsWith("* ") && line.endsWith(" EXISTS")) {
      return Integer.parseInt(line.substring(2, line.length() - 7).trim());
    }
    return prev;
  }

  // ------------------------------------------------------------------ latency

  /** The round trips timed: a command template ({@code %d} = a UID) and a name. */
  static final String[][] PROBES = {{"noop", "NOOP"}, {"uid_fetch_flags", "UID FETCH %d (FLAGS)"}};

  /**
   * One logged-in, SELECTed connection to each target (--targets, as for throughput), all open at
   * the same time. For each probe (NOOP, then {@code UID FETCH n (FLAGS)} with n cycling over the
   * mailbox's UIDs): --warmup untimed round trips on each connection, then --count timed ones on
   * each, interleaved in blocks of 100 (direct block, proxy block, ..., the order rotating per
   * block), so slow drifts of the machine hit all alike. One command at a time (TCP_NODELAY):
   * write "tag CMD", read until "tag OK". Reported per target and probe: percentiles, and the
   * added µs at p50/p99/mean against direct.
   */
  static Map<String, Object> latency(Opts o) throws Exception {
    List<Target> targets = targets(o);
    int n = o.integer("count", 10000);
    int warm = o.integer("warmup", 2000);
    int block = 100;
    List<ImapConn> conns = new ArrayList<>();
    List<ScheduledFuture<?>> dogs = new ArrayList<>();
    try {
      long[] uids = null;
      for (Target t : targets) {
        ImapConn c = new ImapConn(t.addr(), 64 * 1024, false);
        conns.add(c);
        dogs.add(c.watchdog(60 + (n + warm) / 100));
        c.greeting();
        c.command("LOGIN " + o.str("user", "bench") + " " + o.str("pass", "bench"), null);
        c.command("SELECT INBOX", null);
        if (uids == null) {
          List<Long> us = new ArrayList<>();
          c.command("UID SEARCH ALL", l -> {
            if (l.startsWith("* SEARCH")) {
              for (String w : l.substring(8).trim().split(" +")) {
                if (!w.isEmpty()) {
                  us.add(Long.parseLong(w));
                }
              }
            }
          });
          if (us.isEmpty()) {
            throw new IOException("the mailbox is empty: nothing for UID FETCH n (FLAGS)");
          }
          uids = us.stream().mapToLong(Long::longValue).toArray();
        }
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("count", n);
      out.put("warmup", warm);
      out.put("targets", targets.stream().map(Target::name).toList());
      for (String[] probe : PROBES) {
        String cmd = probe[1];
        long[][] times = new long[targets.size()][n];
        int[] seen = new int[targets.size()];
        for (int k = 0; k < targets.size(); k++) {
          ImapConn c = conns.get(k);
          for (int i = 0; i < warm; i++) {
            c.timed(String.format(Locale.ROOT, cmd, uids[i % uids.length]), null);
          }
        }
        for (int start = 0, b = 0; start < n; start += block, b++) {
          int end = Math.min(n, start + block);
          for (int j = 0; j < targets.size(); j++) {
            int k = (j + b) % targets.size();
            ImapConn c = conns.get(k);
            int kk = k;
            for (int i = start; i < end; i++) {
              times[k][i] =
                  c.timed(
                      String.format(Locale.ROOT, cmd, uids[i % uids.length]),
                      l -> {
                        if (l.startsWith("* ") && l.contains(" FETCH ")) {
                          seen[kk]++;
                        }
                      });
            }
          }
        }
        if (cmd.contains("FETCH")) {
          for (int k = 0; k < targets.size(); k++) {
            if (seen[k] != n) {
              throw new IOException(
                  targets.get(k).name() + ": " + seen[k] + " FETCH responses to " + n + " " + cmd);
            }
          }
        }
        Map<String, Object> per = new LinkedHashMap<>();
        per.put("command", cmd.replace("%d", "n"));
        Map<String, Object> d = stats(times[0]);
        for (int k = 0; k < targets.size(); k++) {
          Map<String, Object> s = stats(times[k]);
          if (k > 0) {
            for (String q : List.of("p50", "p99", "mean")) {
              s.put("added_" + q + "_us", (double) s.get(q + "_us") - (double) d.get(q + "_us"));
            }
          }
          per.put(targets.get(k).name(), s);
          System.err.printf(
              Locale.ROOT,
              "  latency %-16s %-11s p50 %7.1f us  p99 %7.1f us%n",
              probe[0], targets.get(k).name(), s.get("p50_us"), s.get("p99_us"));
        }
        out.put(probe[0], per);
      }
      for (ImapConn c : conns) {
        c.command("LOGOUT", null);
      }
      return out;
    } finally {
      for (ScheduledFuture<?> d : dogs) {
        d.cancel(false);
      }
      for (ImapConn c : conns) {
        c.close();
      }
    }
  }

  static Map<String, Object> stats(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    double sum = 0;
    for (long v : s) {
      sum += v;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("min_us", s[0] / 1e3);
    m.put("p50_us", pct(s, 50) / 1e3);
    m.put("p90_us", pct(s, 90) / 1e3);
    m.put("p99_us", pct(s, 99) / 1e3);
    m.put("p99_9_us", pct(s, 99.9) / 1e3);
    m.put("max_us", s[s.length - 1] / 1e3);
    m.put("mean_us", sum / s.length / 1e3);
    return m;
  }

  /** Nearest-rank percentile of a sorted array. */
  static long pct(long[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  // ------------------------------------------------------------------ idle sessions and memory

  /**
   * Measures the proxy JVM (--pid) with jcmd: GC.run (twice) then GC.heap_info for the used heap;
   * also VmRSS from /proc and, if the JVM runs with -XX:NativeMemoryTracking=summary, the NMT
   * committed total and its "Other" category (where direct ByteBuffers / Netty's off-heap pools
   * live). Baseline after --warm-sessions connections were opened and closed; then --sessions
   * connections through the proxy, each LOGIN (+ SELECT INBOX unless --no-select), left idle;
   * then all closed again.
   *
   * <p>With --idle: each session also enters IDLE (RFC 2177) and the memory is measured with all
   * of them idling. Then they are watched for --idle-seconds (one selector, non-blocking: a closed
   * connection or a BYE counts as dropped); then a message is appended through a separate
   * connection to --deliver (Dovecot itself), and every session must receive {@code * n EXISTS}
   * for the new count within --exists-timeout seconds; the delays are reported.
   */
  static Map<String, Object> idle(Opts o) throws Exception {
    InetSocketAddress proxy = o.addr("proxy");
    long pid = o.lng("pid", -1);
    int sessions = o.integer("sessions", 1000);
    int conc = o.integer("concurrency", 16);
    int warmSessions = o.integer("warm-sessions", 20);
    boolean select = !o.flag("no-select");
    boolean idleCmd = o.flag("idle");
    int settleMs = o.integer("settle-ms", 1000);
    int openTimeout = o.integer("open-timeout", 60);

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sessions", sessions);
    out.put("select_inbox", select);
    out.put("idle_command", idleCmd);

    // Warm the proxy's code paths (class loading, JIT, pools) so the baseline is comparable.
    System.err.println("  idle: " + warmSessions + " warm-up sessions");
    List<ImapConn> warmConns =
        openSessions(proxy, o, warmSessions, conc, select, openTimeout, new ArrayList<>());
    if (idleCmd) {
      for (ImapConn c : warmConns) {
        c.startIdle();
        c.send("DONE\r\n".getBytes(StandardCharsets.US_ASCII));
      }
    }
    closeAll(warmConns);
    Thread.sleep(settleMs);
    Map<String, Object> before = measure(pid);
    out.put("before", before);

    System.err.println("  idle: opening " + sessions + " sessions through the proxy");
    List<String> errors = new ArrayList<>();
    long t0 = System.nanoTime();
    List<ImapConn> conns = openSessions(proxy, o, sessions, conc, select, openTimeout, errors);
    double openSec = (System.nanoTime() - t0) / 1e9;
    out.put("open_seconds", openSec);
    out.put("sessions_established", conns.size());
    out.put("session_errors", errors.size());
    out.put("session_error_samples", errors.subList(0, Math.min(5, errors.size())));
    System.err.printf(
        Locale.ROOT, "  idle: %d sessions up in %.2f s (%d errors)%n", conns.size(), openSec, errors.size());
    Thread.sleep(settleMs);
    // Prove the sessions are alive (and not just sockets): a NOOP on a sample of them.
    int alive = 0;
    for (int i = 0; i < conns.size(); i += Math.max(1, conns.size() / 20)) {
      conns.get(i).command("NOOP", null);
      alive++;
    }
    out.put("noop_checked", alive);
    if (idleCmd) {
      List<String> idleErrors = new ArrayList<>();
      long i0 = System.nanoTime();
      conns = startIdle(conns, conc, idleErrors);
      out.put("idle_start_seconds", (System.nanoTime() - i0) / 1e9);
      out.put("idle_started", conns.size());
      out.put("idle_errors", idleErrors.size());
      out.put("idle_error_samples", idleErrors.subList(0, Math.min(5, idleErrors.size())));
      System.err.printf(
          Locale.ROOT, "  idle: %d sessions in IDLE (%d errors)%n", conns.size(), idleErrors.size());
      Thread.sleep(settleMs);
    }
    int upstreamPort = o.integer("upstream-port", -1);
    if (upstreamPort > 0) {
      // Sockets on the server side of the upstream port: the proxy's sessions as Dovecot sees them.
      out.put("upstream_established", countEstablished(upstreamPort, false));
    }
    // Both ends of each client connection are on this host: the client's end (remote port = the
    // proxy's) and the proxy's accepted end (local port = the proxy's).
    out.put("client_sockets_established", countEstablished(proxy.getPort(), true));
    out.put("proxy_accepted_established", countEstablished(proxy.getPort(), false));
    Map<String, Object> with = measure(pid);
    out.put("with_sessions", with);

    if (idleCmd) {
      out.put("idle", idleAndDeliver(o, conns, proxy));
      if (upstreamPort > 0) {
        out.put("upstream_established_after_idle", countEstablished(upstreamPort, false));
      }
    }

    System.err.println("  idle: closing sessions");
    closeAll(conns);
    // Until the proxy has closed both sides of every session (Dovecot answers thousands of
    // LOGOUTs one by one), so the third measurement shows what closed sessions leave behind.
    long c0 = System.nanoTime();
    int left = -1;
    while (System.nanoTime() - c0 < 60_000_000_000L) {
      left =
          countEstablished(proxy.getPort(), false)
              + (upstreamPort > 0 ? countEstablished(upstreamPort, false) : 0);
      if (left == 0) {
        break;
      }
      Thread.sleep(100);
    }
    out.put("close_seconds", (System.nanoTime() - c0) / 1e9);
    out.put("sockets_left_after_close", left);
    Thread.sleep(Math.max(settleMs, 2000));
    Map<String, Object> after = measure(pid);
    out.put("after_close", after);

    int n = Math.max(1, conns.size());
    Map<String, Object> per = new LinkedHashMap<>();
    for (String k :
        List.of(
            "heap_used_kib",
            "rss_kib",
            "nmt_committed_kib",
            "nmt_non_heap_committed_kib",
            "nmt_non_heap_excl_jit_gc_kib",
            "nmt_other_committed_kib")) {
      Object b = before.get(k);
      Object w = with.get(k);
      if (b instanceof Long && w instanceof Long) {
        long delta = (Long) w - (Long) b;
        per.put(k.replace("_kib", "_delta_kib"), delta);
        per.put(k.replace("_kib", "_per_session_kib"), (double) delta / n);
      }
    }
    out.put("per_session", per);
    return out;
  }

  /** Every session enters IDLE ({@code + idling}), --concurrency at a time; the failed are closed. */
  static List<ImapConn> startIdle(List<ImapConn> conns, int conc, List<String> errors)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(conc);
    List<Future<ImapConn>> fs = new ArrayList<>();
    for (ImapConn c : conns) {
      fs.add(
          pool.submit(
              () -> {
                ScheduledFuture<?> dog = c.watchdog(60);
                try {
                  c.startIdle();
                  return c;
                } catch (Exception e) {
                  c.close();
                  throw e;
                } finally {
                  dog.cancel(false);
                }
              }));
    }
    List<ImapConn> ok = new ArrayList<>();
    for (Future<ImapConn> f : fs) {
      try {
        ok.add(f.get());
      } catch (Exception e) {
        Throwable c = e.getCause() == null ? e : e.getCause();
        errors.add(c.toString());
      }
    }
    pool.shutdown();
    return ok;
  }

  /**
   * Watches the idling sessions for --idle-seconds, then appends one message through a separate
   * connection to --deliver and waits until every session has seen the new EXISTS (or
   * --exists-timeout passes); the sessions then leave IDLE (DONE) on a best-effort basis.
   */
  static Map<String, Object> idleAndDeliver(Opts o, List<ImapConn> conns, InetSocketAddress proxy)
      throws Exception {
    int idleSeconds = o.integer("idle-seconds", 60);
    int existsTimeout = o.integer("exists-timeout", 30);
    InetSocketAddress deliver = o.addr("deliver");
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("idle_seconds", idleSeconds);
    r.put("exists_timeout_seconds", existsTimeout);
    try (Idler idler = new Idler(conns)) {
      System.err.printf(Locale.ROOT, "  idle: holding %d sessions in IDLE for %d s%n", conns.size(), idleSeconds);
      idler.poll(System.nanoTime() + idleSeconds * 1_000_000_000L, false);
      int droppedDuringIdle = idler.dropped;
      r.put("dropped_during_idle", droppedDuringIdle);
      r.put("client_sockets_established_end_of_idle", countEstablished(proxy.getPort(), true));
      r.put("connected_after_idle", conns.size() - droppedDuringIdle);

      // The new message, through its own connection to the server.
      byte[] msg =
          ("From: Bench <sender@bench.invalid>\r\nTo: bench@bench.invalid\r\n"
                  + "Subject: quirkproxy bench: new mail for idle sessions\r\n"
                  + "Message-ID: <bench-idle-" + System.nanoTime() + "@bench.invalid>\r\n"
                  + "\r\nhello idlers\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      long a0;
      try (ImapConn app = new ImapConn(deliver, 4096, false)) {
        ScheduledFuture<?> dog = app.watchdog(30);
        app.greeting();
        app.command("LOGIN " + o.str("user", "bench") + " " + o.str("pass", "bench"), null);
        a0 = System.nanoTime();
        app.send(("ap APPEND INBOX {" + msg.length + "+}\r\n").getBytes(StandardCharsets.US_ASCII));
        app.send(msg);
        app.send("\r\n".getBytes(StandardCharsets.US_ASCII));
        String line;
        while (!(line = app.readResponse()).startsWith("ap ")) {
          // untagged answers to the APPEND, if any
        }
        if (!line.startsWith("ap OK")) {
          throw new IOException("APPEND failed: " + line);
        }
        r.put("append_seconds", (System.nanoTime() - a0) / 1e9);
        app.command("LOGOUT", null);
        dog.cancel(false);
      }
      idler.sinceNanos = a0;
      System.err.printf(Locale.ROOT, "  idle: message appended; waiting up to %d s for EXISTS%n", existsTimeout);
      idler.poll(a0 + existsTimeout * 1_000_000_000L, true);
      List<Long> delays = new ArrayList<>();
      for (long at : idler.existsAt) {
        if (at > 0) {
          delays.add(at - a0);
        }
      }
      r.put("exists_received", delays.size());
      r.put("exists_missing", conns.size() - delays.size());
      r.put("dropped_total", idler.dropped);
      if (!delays.isEmpty()) {
        long[] d = delays.stream().mapToLong(Long::longValue).toArray();
        Map<String, Object> s = stats(d);
        Map<String, Object> ms = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : s.entrySet()) {
          ms.put(e.getKey().replace("_us", "_ms"), (double) e.getValue() / 1000.0);
        }
        r.put("exists_delay", ms);
      }
      r.put("other_lines", idler.otherLines);
      r.put("other_line_samples", idler.otherSamples);
      r.put("bye_samples", idler.byeSamples);
      System.err.printf(
          Locale.ROOT,
          "  idle: EXISTS reached %d of %d sessions; %d dropped%n",
          delays.size(), conns.size(), idler.dropped);
      idler.done();
    }
    return r;
  }

  /**
   * Many idling sessions on one selector: reads what arrives, line by line, without blocking.
   * Notes for each session whether it saw {@code * n EXISTS} above the count its SELECT reported,
   * and counts closed connections and BYEs as dropped.
   */
  static final class Idler implements Closeable {
    static final Pattern EXISTS = Pattern.compile("^\\* (\\d+) EXISTS$");

    final java.nio.channels.Selector sel = java.nio.channels.Selector.open();
    final List<ImapConn> conns;
    final StringBuilder[] partial;
    final boolean[] gone;
    final long[] existsAt;
    final ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
    long sinceNanos = Long.MAX_VALUE;
    int dropped;
    int got;
    int otherLines;
    final List<String> otherSamples = new ArrayList<>();
    final List<String> byeSamples = new ArrayList<>();

    Idler(List<ImapConn> conns) throws IOException {
      this.conns = conns;
      partial = new StringBuilder[conns.size()];
      gone = new boolean[conns.size()];
      existsAt = new long[conns.size()];
      for (int i = 0; i < conns.size(); i++) {
        ImapConn c = conns.get(i);
        partial[i] = new StringBuilder();
        // Bytes the blocking reader already buffered belong to this session's stream.
        while (c.in.hasRemaining()) {
          feed(i, (char) (c.in.get() & 0xff));
        }
        c.ch.configureBlocking(false);
        c.ch.register(sel, java.nio.channels.SelectionKey.OP_READ, i);
      }
    }

    /** Reads until {@code deadline}; with {@code untilAllExists}, stops once every live one has it. */
    void poll(long deadline, boolean untilAllExists) throws IOException {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || (untilAllExists && got + dropped >= conns.size())) {
          return;
        }
        sel.select(Math.max(1, left / 1_000_000));
        for (java.nio.channels.SelectionKey k : sel.selectedKeys()) {
          int i = (Integer) k.attachment();
          buf.clear();
          int n;
          try {
            n = conns.get(i).ch.read(buf);
          } catch (IOException e) {
            n = -1;
          }
          if (n < 0) {
            k.cancel();
            drop(i, null);
            continue;
          }
          buf.flip();
          while (buf.hasRemaining()) {
            feed(i, (char) (buf.get() & 0xff));
          }
        }
        sel.selectedKeys().clear();
      }
    }

    void feed(int i, char ch) {
      StringBuilder sb = partial[i];
      if (ch != '\n') {
        if (sb.length() < 4096) {
          sb.append(ch);
        }
        return;
      }
      int len = sb.length();
      String line = sb.substring(0, len > 0 && sb.charAt(len - 1) == '\r' ? len - 1 : len);
      sb.setLength(0);
      Matcher m = EXISTS.matcher(line);
      if (m.matches()) {
        if (Integer.parseInt(m.group(1)) > conns.get(i).exists && existsAt[i] == 0 && !gone[i]) {
          existsAt[i] = System.nanoTime();
          got++;
        }
        return;
      }
      if (line.startsWith("* BYE")) {
        drop(i, line);
        return;
      }
      if (!line.matches("^\\* \\d+ (RECENT|FETCH .*)$")) {
        otherLines++;
        if (otherSamples.size() < 5) {
          otherSamples.add(line);
        }
      }
    }

    void drop(int i, String bye) {
      if (gone[i]) {
        return;
      }
      gone[i] = true;
      if (existsAt[i] == 0) {
        dropped++;
      }
      if (bye != null && byeSamples.size() < 5) {
        byeSamples.add(bye);
      }
    }

    /** Ends IDLE and logs out where the socket takes the few bytes at once. */
    void done() {
      ByteBuffer bye = ByteBuffer.wrap("DONE\r\nz LOGOUT\r\n".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < conns.size(); i++) {
        if (!gone[i]) {
          try {
            conns.get(i).ch.write(bye.duplicate());
          } catch (IOException ignored) {
            // closed anyway below
          }
        }
      }
    }

    @Override
    public void close() throws IOException {
      sel.close();
    }
  }

  static List<ImapConn> openSessions(
      InetSocketAddress a, Opts o, int count, int conc, boolean select, int timeoutSec,
      List<String> errors)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(conc);
    List<Future<ImapConn>> fs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      fs.add(
          pool.submit(
              () -> {
                ImapConn c = new ImapConn(a, 4096, false);
                ScheduledFuture<?> dog = c.watchdog(timeoutSec);
                try {
                  c.greeting();
                  c.command("LOGIN " + o.str("user", "bench") + " " + o.str("pass", "bench"), null);
                  if (select) {
                    c.command("SELECT INBOX", l -> c.exists = parseExists(l, c.exists));
                  }
                  return c;
                } catch (Exception e) {
                  c.close();
                  throw e;
                } finally {
                  dog.cancel(false);
                }
              }));
    }
    List<ImapConn> ok = new ArrayList<>();
    for (Future<ImapConn> f : fs) {
      try {
        ok.add(f.get());
      } catch (Exception e) {
        Throwable c = e.getCause() == null ? e : e.getCause();
        errors.add(c.toString());
      }
    }
    pool.shutdown();
    return ok;
  }

  static void closeAll(List<ImapConn> conns) {
    for (ImapConn c : conns) {
      try {
        c.send(("z LOGOUT\r\n").getBytes(StandardCharsets.US_ASCII));
      } catch (IOException ignored) {
        // closing anyway
      }
      c.close();
    }
  }

  static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
  static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");
  static final Pattern NMT_HEAP =
      Pattern.compile("-\\s+Java Heap \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");
  static final Pattern NMT_CATEGORY =
      Pattern.compile("(?m)^-\\s+([A-Za-z][A-Za-z ]*?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");
  /** NMT categories that move with JIT and GC activity rather than with open sessions. */
  static final java.util.Set<String> NMT_VOLATILE =
      java.util.Set.of("Java Heap", "GC", "Code", "Compiler", "Arena Chunk", "Native Memory Tracking");
  static final Pattern NMT_OTHER =
      Pattern.compile("-\\s+Other \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

  static Map<String, Object> measure(long pid) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    jcmd(pid, "GC.run");
    jcmd(pid, "GC.run");
    String heap = jcmd(pid, "GC.heap_info");
    Matcher hm = HEAP_USED.matcher(heap);
    m.put("heap_used_kib", hm.find() ? Long.valueOf(hm.group(1)) : null);
    String nmt = jcmd(pid, "VM.native_memory", "summary");
    Matcher nt = NMT_TOTAL.matcher(nmt);
    m.put("nmt_committed_kib", nt.find() ? Long.valueOf(nt.group(2)) : null);
    Matcher no = NMT_OTHER.matcher(nmt);
    m.put("nmt_other_committed_kib", no.find() ? Long.valueOf(no.group(2)) : null);
    Map<String, Long> cats = new LinkedHashMap<>();
    Matcher nc = NMT_CATEGORY.matcher(nmt);
    while (nc.find()) {
      cats.put(nc.group(1).trim(), Long.valueOf(nc.group(3)));
    }
    Matcher nh = NMT_HEAP.matcher(nmt);
    Object total = m.get("nmt_committed_kib");
    m.put(
        "nmt_non_heap_committed_kib",
        nh.find() && total != null ? (Long) total - Long.parseLong(nh.group(2)) : null);
    long stable = 0;
    boolean any = false;
    for (Map.Entry<String, Long> e : cats.entrySet()) {
      if (!NMT_VOLATILE.contains(e.getKey())) {
        stable += e.getValue();
        any = true;
      }
    }
    m.put("nmt_non_heap_excl_jit_gc_kib", any ? stable : null);
    m.put("nmt_committed_by_category_kib", cats.isEmpty() ? null : cats);
    m.put("rss_kib", rssKib(pid));
    m.put("threads", threads(pid));
    return m;
  }

  /**
   * ESTABLISHED TCP sockets on 127.0.0.1 whose local (or, with {@code remote}, remote) port is
   * {@code port}, from /proc/net/tcp and tcp6.
   */
  static int countEstablished(int port, boolean remote) throws IOException {
    String hex = String.format(Locale.ROOT, ":%04X", port);
    int n = 0;
    for (String f : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(f);
      if (!Files.exists(p)) {
        continue;
      }
      for (String l : Files.readAllLines(p)) {
        String[] c = l.trim().split("\\s+");
        if (c.length > 3
            && c[3].equals("01")
            && isLoopback4(c[1])
            && isLoopback4(c[2])
            && c[remote ? 2 : 1].endsWith(hex)) {
          n++;
        }
      }
    }
    return n;
  }

  /** 127.0.0.1 in /proc/net/tcp ("0100007F:port") or, v4-mapped, in tcp6. */
  static boolean isLoopback4(String addrPort) {
    return addrPort.startsWith("0100007F:") || addrPort.startsWith("0000000000000000FFFF00000100007F:");
  }

  static String jcmd(long pid, String... cmd) throws Exception {
    List<String> argv = new ArrayList<>();
    argv.add("jcmd");
    argv.add(Long.toString(pid));
    argv.addAll(Arrays.asList(cmd));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("jcmd " + String.join(" ", cmd) + " failed: " + new String(out));
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  static Long rssKib(long pid) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.valueOf(l.replaceAll("[^0-9]", ""));
      }
    }
    return null;
  }

  static Long threads(long pid) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith("Threads:")) {
        return Long.valueOf(l.replaceAll("[^0-9]", ""));
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ start-up

  /**
   * Process start to listening: --runs times, starts {@code java [--jvm-opts] -jar JAR proxy
   * --upstream imap://--upstream --listen 127.0.0.1:<free port> -q --no-record --no-rules} and
   * times from the fork to the port being in LISTEN state in /proc/net/tcp (polled every
   * millisecond, without connecting), then stops it with SIGTERM.
   */
  static Map<String, Object> startup(Opts o) throws Exception {
    String jar = o.str("jar", null);
    String upstream = o.str("upstream", null);
    if (jar == null || upstream == null) {
      throw new IllegalArgumentException("startup needs --jar JAR --upstream HOST:PORT");
    }
    int runs = o.integer("runs", 5);
    String javaCmd = ProcessHandle.current().info().command().orElse("java");
    List<Double> secs = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      int port;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(javaCmd);
      for (String opt : o.str("jvm-opts", "").split(" ")) {
        if (!opt.isBlank()) {
          cmd.add(opt);
        }
      }
      cmd.addAll(
          List.of("-jar", jar, "proxy", "--upstream", "imap://" + upstream, "--listen",
              "127.0.0.1:" + port, "-q", "--no-record", "--no-rules"));
      long t0 = System.nanoTime();
      Process p =
          new ProcessBuilder(cmd)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      try {
        long deadline = t0 + 30_000_000_000L;
        while (!isListening(port)) {
          if (!p.isAlive()) {
            throw new IOException("proxy exited with " + p.exitValue() + " before listening: " + cmd);
          }
          if (System.nanoTime() > deadline) {
            throw new IOException("proxy not listening on " + port + " after 30 s");
          }
          Thread.sleep(1);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        secs.add(s);
        System.err.printf(Locale.ROOT, "  start-up run %d: listening after %.3f s%n", r, s);
      } finally {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
        }
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runs", runs);
    out.put("command", "java " + o.str("jvm-opts", "") + " -jar JAR proxy ... --no-record --no-rules");
    out.put("median_seconds", median(secs));
    out.put("min_seconds", Collections.min(secs));
    out.put("max_seconds", Collections.max(secs));
    out.put("all_seconds", secs);
    return out;
  }

  /** A TCP socket in LISTEN state on 127.0.0.1 (or any address) and {@code port}. */
  static boolean isListening(int port) throws IOException {
    String hex = String.format(Locale.ROOT, ":%04X", port);
    for (String f : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(f);
      if (!Files.exists(p)) {
        continue;
      }
      for (String l : Files.readAllLines(p)) {
        String[] c = l.trim().split("\\s+");
        if (c.length > 3 && c[3].equals("0A") && c[1].endsWith(hex)) {
          return true;
        }
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ IMAP connection

  static final class ImapConn implements Closeable {
    final SocketChannel ch;
    final ByteBuffer in;
    final String where;
    long wireBytes;
    long literalBytes;
    int literals;
    int tagN;
    /** The message count the last SELECT reported (-1: none). */
    int exists = -1;
    CRC32 crc;
    /** If set, CRC32 of every byte read from the socket. */
    CRC32 wireCrc;

    ImapConn(InetSocketAddress a, int bufSize, boolean direct) throws IOException {
      where = a.getHostString() + ":" + a.getPort();
      ch = SocketChannel.open();
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.connect(a);
      in = direct ? ByteBuffer.allocateDirect(bufSize) : ByteBuffer.allocate(bufSize);
      in.flip();
    }

    /** Closes the socket after {@code seconds}, which makes a blocked read fail. */
    ScheduledFuture<?> watchdog(int seconds) {
      return WATCHDOG.schedule(this::close, seconds, TimeUnit.SECONDS);
    }

    void fill() throws IOException {
      in.compact();
      int from = in.position();
      int n;
      try {
        n = ch.read(in);
      } finally {
        in.flip();
      }
      if (n < 0) {
        throw new EOFException(where + ": connection closed by peer");
      }
      if (wireCrc != null && n > 0) {
        ByteBuffer fresh = in.duplicate();
        fresh.position(from);
        fresh.limit(from + n);
        wireCrc.update(fresh);
      }
      wireBytes += n;
    }

    /** One physical line, without CRLF, decoded as ISO-8859-1. */
    String readLine() throws IOException {
      ByteArrayOutputStream acc = null;
      while (true) {
        int lim = in.limit();
        int pos = in.position();
        for (int i = pos; i < lim; i++) {
          if (in.get(i) == '\n') {
            byte[] b = new byte[i + 1 - pos];
            in.get(b);
            if (acc != null) {
              acc.write(b, 0, b.length);
              b = acc.toByteArray();
            }
            int len = b.length - 1;
            if (len > 0 && b[len - 1] == '\r') {
              len--;
            }
            return new String(b, 0, len, StandardCharsets.ISO_8859_1);
          }
        }
        if (acc == null) {
          acc = new ByteArrayOutputStream();
        }
        byte[] b = new byte[in.remaining()];
        in.get(b);
        acc.write(b, 0, b.length);
        if (acc.size() > (1 << 20)) {
          throw new IOException(where + ": line longer than 1 MiB");
        }
        fill();
      }
    }

    void skipLiteral(long n) throws IOException {
      while (n > 0) {
        if (!in.hasRemaining()) {
          fill();
        }
        int k = (int) Math.min(n, in.remaining());
        if (crc != null) {
          ByteBuffer s = in.slice();
          s.limit(k);
          crc.update(s);
        }
        in.position(in.position() + k);
        n -= k;
        literalBytes += k;
      }
      literals++;
    }

    static long literalSize(String line) {
      int len = line.length();
      if (len < 3 || line.charAt(len - 1) != '}') {
        return -1;
      }
      int open = line.lastIndexOf('{');
      if (open < 0) {
        return -1;
      }
      int end = len - 1;
      if (line.charAt(end - 1) == '+') {
        end--;
      }
      try {
        return Long.parseLong(line.substring(open + 1, end));
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    /** One logical response line: literals are skipped and shown as {N}. */
    String readResponse() throws IOException {
      String line = readLine();
      StringBuilder sb = null;
      while (true) {
        long lit = literalSize(line);
        if (lit < 0) {
          return sb == null ? line : sb.append(line).toString();
        }
        skipLiteral(lit);
        if (sb == null) {
          sb = new StringBuilder();
        }
        sb.append(line);
        line = readLine();
      }
    }

    void greeting() throws IOException {
      String g = readResponse();
      if (!g.startsWith("* OK")) {
        throw new IOException(where + ": unexpected greeting: " + g);
      }
    }

    void send(byte[] b) throws IOException {
      ByteBuffer bb = ByteBuffer.wrap(b);
      while (bb.hasRemaining()) {
        ch.write(bb);
      }
    }

    /** Sends a command, reads until its tagged response, fails unless OK. */
    String command(String cmd, Consumer<String> untagged) throws IOException {
      String tag = "b" + (++tagN);
      send((tag + " " + cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
      String prefix = tag + " ";
      while (true) {
        String line = readResponse();
        if (line.startsWith(prefix)) {
          if (!line.startsWith(prefix + "OK")) {
            throw new IOException(where + ": " + cmd.split(" ")[0] + " failed: " + line);
          }
          return line;
        }
        if (untagged != null) {
          untagged.accept(line);
        }
      }
    }

    /** Sends IDLE and reads until the server's continuation ({@code + idling}). */
    void startIdle() throws IOException {
      String tag = "b" + (++tagN);
      send((tag + " IDLE\r\n").getBytes(StandardCharsets.US_ASCII));
      while (true) {
        String line = readResponse();
        if (line.startsWith("+")) {
          return;
        }
        if (line.startsWith(tag + " ")) {
          throw new IOException(where + ": IDLE refused: " + line);
        }
        Matcher m = Idler.EXISTS.matcher(line);
        if (m.matches()) {
          exists = Integer.parseInt(m.group(1));
        }
      }
    }

    /** One round trip of {@code cmd}, in ns. */
    long timed(String cmd, Consumer<String> untagged) throws IOException {
      long t0 = System.nanoTime();
      command(cmd, untagged);
      return System.nanoTime() - t0;
    }

    @Override
    public void close() {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2.0;
  }

  static final class Opts {
    final Map<String, String> m = new HashMap<>();

    Opts(String[] args) {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (!a.startsWith("--")) {
          throw new IllegalArgumentException("unexpected argument " + a);
        }
        String k = a.substring(2);
        if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
          m.put(k, args[++i]);
        } else {
          m.put(k, "true");
        }
      }
    }

    boolean has(String k) {
      return m.containsKey(k);
    }

    String str(String k, String def) {
      return m.getOrDefault(k, def);
    }

    int integer(String k, int def) {
      return m.containsKey(k) ? Integer.parseInt(m.get(k)) : def;
    }

    long lng(String k, long def) {
      return m.containsKey(k) ? Long.parseLong(m.get(k)) : def;
    }

    boolean flag(String k) {
      return Boolean.parseBoolean(m.getOrDefault(k, "false"));
    }

    InetSocketAddress addr(String k) {
      String v = m.get(k);
      if (v == null) {
        throw new IllegalArgumentException("--" + k + " HOST:PORT is required");
      }
      int c = v.lastIndexOf(':');
      return new InetSocketAddress(v.substring(0, c), Integer.parseInt(v.substring(c + 1)));
    }
  }

  /** Minimal JSON writer for maps, lists, strings, numbers, booleans and null. */
  static final class Json {
    static String write(Object v) {
      StringBuilder sb = new StringBuilder();
      write(sb, v);
      return sb.toString();
    }

    static void write(StringBuilder sb, Object v) {
      if (v == null) {
        sb.append("null");
      } else if (v instanceof Map) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          str(sb, e.getKey().toString());
          sb.append(':');
          write(sb, e.getValue());
        }
        sb.append('}');
      } else if (v instanceof List) {
        sb.append('[');
        boolean first = true;
        for (Object x : (List<?>) v) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          write(sb, x);
        }
        sb.append(']');
      } else if (v instanceof Double || v instanceof Float) {
        double d = ((Number) v).doubleValue();
        sb.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.6g", d).replaceAll("(\\.\\d*?)0+($|e)", "$1$2").replaceAll("\\.($|e)", "$1") : "null");
      } else if (v instanceof Number || v instanceof Boolean) {
        sb.append(v);
      } else {
        str(sb, v.toString());
      }
    }

    static void str(StringBuilder sb, String s) {
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"':
            sb.append("\\\"");
            break;
          case '\\':
            sb.append("\\\\");
            break;
          case '\n':
            sb.append("\\n");
            break;
          case '\r':
            sb.append("\\r");
            break;
          case '\t':
            sb.append("\\t");
            break;
          default:
            if (c < 0x20) {
              sb.append(String.format("\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
        }
      }
      sb.append('"');
    }
  }
}
