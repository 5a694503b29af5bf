/*
 * quirkproxy end-to-end benchmark client. Single-file Java program, no dependencies:
 *
 *   java bench/Bench.java throughput --direct HOST:PORT --proxy HOST:PORT
 *       [--rec-proxy HOST:PORT --rec-proxy-pid PID --captures DIR --jar JAR] [options]
 *   java bench/Bench.java latency    --direct HOST:PORT --proxy HOST:PORT [options]
 *   java bench/Bench.java idle       --proxy HOST:PORT --pid PROXY_PID [options]
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
      System.err.println("usage: java Bench.java throughput|latency|idle --option value ...");
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
  static final String PROXY = "proxy";
  static final String REC = "proxy+rec";

  /**
   * Orders of the three targets, one per round in turn: over six rounds each target is first,
   * second and third twice, so warm-up drift and page-cache effects hit all alike.
   */
  static final String[][] ORDERS3 = {
    {DIRECT, PROXY, REC}, {REC, PROXY, DIRECT}, {PROXY, REC, DIRECT},
    {DIRECT, REC, PROXY}, {REC, DIRECT, PROXY}, {PROXY, DIRECT, REC}
  };

  /**
   * Per run: new connection, LOGIN, SELECT INBOX (not timed), then the timed part: either one
   * {@code UID FETCH 1:* (BODY.PEEK[])} (default) or, with --per-message, one {@code UID FETCH uid
   * (BODY.PEEK[])} per message, strictly one after another. The clock runs from writing the
   * command to reading the last tagged OK. Targets: direct, proxy (recording off) and, with
   * --rec-proxy, proxy+rec (a second proxy JVM recording into --captures); they alternate: direct,
   * proxy in even rounds, proxy, direct in odd rounds; with three targets see {@link #ORDERS3}.
   *
   * <p>After each proxy+rec run the client waits until that session's capture has its footer (the
   * recorder writes off the event loop and may lag); the CPU times for the run are taken after
   * that, so the proxy's includes the whole recording; then it checks the capture and deletes its
   * blob file (not counted: that is the benchmark's own work). The
   * first proxy+rec capture is also run through {@code captures verify} and {@code captures export
   * --format server-bytes}, whose CRC32 must equal that of every byte the client received.
   */
  static Map<String, Object> throughput(Opts o) throws Exception {
    InetSocketAddress direct = o.addr("direct");
    InetSocketAddress proxy = o.addr("proxy");
    InetSocketAddress recProxy = o.has("rec-proxy") ? o.addr("rec-proxy") : null;
    int warmup = o.integer("warmup", 1);
    int rounds = o.integer("rounds", 3);
    boolean perMessage = o.flag("per-message");
    long expectBytes = o.lng("expect-bytes", -1);
    int timeoutSec = o.integer("timeout", 60);
    long proxyPid = o.lng("proxy-pid", -1);
    long recPid = o.lng("rec-proxy-pid", -1);
    long dovecotPid = o.lng("dovecot-pid", -1);
    int clkTck = o.integer("clk-tck", 100);
    Captures caps = null;
    if (recProxy != null) {
      caps = new Captures(Path.of(o.str("captures", null)), o.str("jar", null), timeoutSec);
    }
    List<String> targets = recProxy != null ? List.of(DIRECT, PROXY, REC) : List.of(DIRECT, PROXY);

    List<Map<String, Object>> runs = new ArrayList<>();
    Map<String, List<Double>> seconds = new HashMap<>();
    // CPU seconds summed over the measured runs, per target: client (this JVM), proxy, proxy+rec,
    // Dovecot, machine busy, proxy kernel time, proxy+rec kernel time; then run wall time.
    Map<String, double[]> cpu = new HashMap<>();
    for (String t : targets) {
      seconds.put(t, new ArrayList<>());
      cpu.put(t, new double[8]);
    }
    Map<String, Long> warmCrc = new LinkedHashMap<>();
    long literalBytes = -1;
    int messages = -1;
    for (int r = 0; r < warmup + rounds; r++) {
      boolean isWarmup = r < warmup;
      String[] order =
          recProxy != null
              ? ORDERS3[r % ORDERS3.length]
              : (r % 2 == 0) ? new String[] {DIRECT, PROXY} : new String[] {PROXY, DIRECT};
      for (String target : order) {
        InetSocketAddress a = target.equals(DIRECT) ? direct : target.equals(PROXY) ? proxy : recProxy;
        // The first proxy+rec run also CRCs every byte the client receives, for the export check.
        boolean deepCheck = target.equals(REC) && caps.deepCheck == null;
        double[] cpu0 = cpuNow(proxyPid, recPid, dovecotPid, clkTck);
        long w0 = System.nanoTime();
        FetchRun fr = fetchAll(a, o, perMessage, isWarmup, deepCheck, timeoutSec);
        Path captureFile = target.equals(REC) ? caps.awaitCapture() : null;
        double runWall = (System.nanoTime() - w0) / 1e9;
        double[] cpu1 = cpuNow(proxyPid, recPid, dovecotPid, clkTck);
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
              target + " round " + r + ": got " + fr.messages + " messages / " + fr.literalBytes
                  + " literal bytes, earlier runs got " + messages + " / " + literalBytes);
        }
        if (expectBytes >= 0 && fr.literalBytes != expectBytes) {
          throw new IOException(
              target + ": literal bytes " + fr.literalBytes + " != expected " + expectBytes);
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("round", r);
        run.put("warmup", isWarmup);
        run.put("target", target);
        run.put("seconds", fr.seconds);
        run.put("mib_per_s", fr.literalBytes / MIB / fr.seconds);
        run.put("wire_bytes", fr.wireBytes);
        // Whole run (connect, LOGIN, SELECT, FETCH, LOGOUT; for proxy+rec up to the capture's
        // footer), not only the timed FETCH.
        run.put("cpu_seconds_client", cpu1[0] - cpu0[0]);
        run.put("cpu_seconds_proxy", proxyPid > 0 ? cpu1[1] - cpu0[1] : null);
        run.put("cpu_seconds_proxy_rec", recPid > 0 ? cpu1[2] - cpu0[2] : null);
        // The kernel's share (stime) of the two proxies' CPU: socket I/O, page-cache writes.
        run.put("cpu_seconds_proxy_kernel", proxyPid > 0 ? cpu1[5] - cpu0[5] : null);
        run.put("cpu_seconds_proxy_rec_kernel", recPid > 0 ? cpu1[6] - cpu0[6] : null);
        run.put("cpu_seconds_dovecot", dovecotPid > 0 ? cpu1[3] - cpu0[3] : null);
        // Everything else the machine did meanwhile (other processes, kernel threads): interference.
        double other = (cpu1[4] - cpu0[4]);
        for (int k = 0; k < 4; k++) {
          other -= cpu1[k] - cpu0[k];
        }
        run.put("cpu_seconds_other", Math.max(0, Math.round(other * 100) / 100.0)); // 10 ms ticks
        run.put("run_wall_seconds", runWall);
        if (capture != null) {
          run.put("capture", capture);
        }
        if (isWarmup) {
          run.put("crc32", Long.toHexString(fr.crc));
          warmCrc.put(target, fr.crc);
        } else {
          seconds.get(target).add(fr.seconds);
          for (int k = 0; k < 7; k++) {
            cpu.get(target)[k] += cpu1[k] - cpu0[k];
          }
          cpu.get(target)[7] += runWall;
        }
        runs.add(run);
        System.err.printf(
            Locale.ROOT,
            "  throughput %-9s round %2d%s: %7.3f s  %8.1f MiB/s%s%n",
            target, r, isWarmup ? " (warm-up)" : "", fr.seconds, fr.literalBytes / MIB / fr.seconds,
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
    out.put("targets", targets);
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
    for (String t : targets) {
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
      // The proxy serving this target (null for direct).
      Double proxyCpu = null;
      Double proxyKernel = null;
      if (t.equals(PROXY) && proxyPid > 0) {
        proxyCpu = c[1] / gib;
        proxyKernel = c[5] / gib;
      } else if (t.equals(REC) && recPid > 0) {
        proxyCpu = c[2] / gib;
        proxyKernel = c[6] / gib;
      }
      m.put("cpu_s_per_gib_proxy", proxyCpu);
      m.put("cpu_s_per_gib_proxy_kernel", proxyKernel);
      m.put("cpu_s_per_gib_dovecot", dovecotPid > 0 ? c[3] / gib : null);
      // CPU used by other processes during the measured runs (whole runs, connect to close), in
      // cores: 1.0 = one core fully busy with something else.
      m.put("other_cpu_cores_busy", Math.max(0, c[4] - c[0] - c[1] - c[2] - c[3]) / c[7]);
      out.put(t, m);
    }
    double dMed = median(seconds.get(DIRECT));
    double pMed = median(seconds.get(PROXY));
    out.put("proxy_over_direct_median_time", pMed / dMed);
    if (recProxy != null) {
      double rMed = median(seconds.get(REC));
      out.put("proxy_rec_over_direct_median_time", rMed / dMed);
      out.put("proxy_rec_over_proxy_median_time", rMed / pMed);
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

    Captures(Path dir, String jar, int timeoutSec) throws IOException {
      if (dir == null || jar == null) {
        throw new IllegalArgumentException("--rec-proxy needs --captures DIR and --jar JAR");
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
      Files.deleteIfExists(blob);
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
      s.put("problems", problems);
      return s;
    }
  }

  /**
   * CPU seconds so far: this JVM, the proxy, the recording proxy, Dovecot (master and its
   * children), and the whole machine's busy time.
   */
  static double[] cpuNow(long proxyPid, long recPid, long dovecotPid, int clkTck) throws IOException {
    double client =
        ((com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime()
            / 1e9;
    double proxy = proxyPid > 0 ? procCpu(proxyPid, clkTck) : 0;
    double rec = recPid > 0 ? procCpu(recPid, clkTck) : 0;
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
    double proxySys = proxyPid > 0 ? procSys(proxyPid, clkTck) : 0;
    double recSys = recPid > 0 ? procSys(recPid, clkTck) : 0;
    return new double[] {client, proxy, rec, dovecot, machineBusy(clkTck), proxySys, recSys};
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

  /**
   * One logged-in, SELECTed connection to each target, both open at the same time. After
   * --warmup-noops untimed NOOPs on each, --noops timed NOOP round trips on each, interleaved in
   * blocks of 100 (direct block, proxy block, ...), so slow drifts of the machine hit both alike.
   * One NOOP at a time: write "tag NOOP", read until "tag OK".
   */
  static Map<String, Object> latency(Opts o) throws Exception {
    InetSocketAddress direct = o.addr("direct");
    InetSocketAddress proxy = o.addr("proxy");
    int n = o.integer("noops", 2000);
    int warm = o.integer("warmup-noops", 2000);
    int block = 100;
    try (ImapConn d = new ImapConn(direct, 64 * 1024, false);
        ImapConn p = new ImapConn(proxy, 64 * 1024, false)) {
      ScheduledFuture<?> dd = d.watchdog(120);
      ScheduledFuture<?> pd = p.watchdog(120);
      for (ImapConn c : List.of(d, p)) {
        c.greeting();
        c.command("LOGIN " + o.str("user", "bench") + " " + o.str("pass", "bench"), null);
        c.command("SELECT INBOX", null);
        for (int i = 0; i < warm; i++) {
          c.command("NOOP", null);
        }
      }
      long[] dt = new long[n];
      long[] pt = new long[n];
      for (int start = 0; start < n; start += block) {
        int end = Math.min(n, start + block);
        for (int i = start; i < end; i++) {
          dt[i] = d.timedNoop();
        }
        for (int i = start; i < end; i++) {
          pt[i] = p.timedNoop();
        }
      }
      d.command("LOGOUT", null);
      p.command("LOGOUT", null);
      dd.cancel(false);
      pd.cancel(false);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("noops", n);
      out.put("warmup_noops", warm);
      Map<String, Object> ds = stats(dt);
      Map<String, Object> ps = stats(pt);
      out.put("direct", ds);
      out.put("proxy", ps);
      out.put("added_p50_us", (double) ps.get("p50_us") - (double) ds.get("p50_us"));
      out.put("added_p99_us", (double) ps.get("p99_us") - (double) ds.get("p99_us"));
      out.put("added_mean_us", (double) ps.get("mean_us") - (double) ds.get("mean_us"));
      System.err.printf(
          Locale.ROOT,
          "  latency direct p50 %.1f us p99 %.1f us | proxy p50 %.1f us p99 %.1f us%n",
          ds.get("p50_us"), ds.get("p99_us"), ps.get("p50_us"), ps.get("p99_us"));
      return out;
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

  // ------------------------------------------------------------------ idle memory

  /**
   * Measures the proxy JVM (--pid) with jcmd: GC.run (twice) then GC.heap_info for the used heap;
   * also VmRSS from /proc and, if the JVM runs with -XX:NativeMemoryTracking=summary, the NMT
   * committed total and its "Other" category (where direct ByteBuffers / Netty's off-heap pools
   * live). Baseline after --warm-sessions connections were opened and closed; then --sessions
   * connections through the proxy, each LOGIN (+ SELECT INBOX unless --no-select), all left idle;
   * then all closed again.
   */
  static Map<String, Object> idle(Opts o) throws Exception {
    InetSocketAddress proxy = o.addr("proxy");
    long pid = o.lng("pid", -1);
    int sessions = o.integer("sessions", 1000);
    int conc = o.integer("concurrency", 16);
    int warmSessions = o.integer("warm-sessions", 20);
    boolean select = !o.flag("no-select");
    int settleMs = o.integer("settle-ms", 1000);

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sessions", sessions);
    out.put("select_inbox", select);

    // Warm the proxy's code paths (class loading, JIT, pools) so the baseline is comparable.
    System.err.println("  idle: " + warmSessions + " warm-up sessions");
    closeAll(openSessions(proxy, o, warmSessions, conc, select, new ArrayList<>()));
    Thread.sleep(settleMs);
    Map<String, Object> before = measure(pid);
    out.put("before", before);

    System.err.println("  idle: opening " + sessions + " sessions through the proxy");
    List<String> errors = new ArrayList<>();
    long t0 = System.nanoTime();
    List<ImapConn> conns = openSessions(proxy, o, sessions, conc, select, errors);
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

    System.err.println("  idle: closing sessions");
    closeAll(conns);
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

  static List<ImapConn> openSessions(
      InetSocketAddress a, Opts o, int count, int conc, boolean select, List<String> errors)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(conc);
    List<Future<ImapConn>> fs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      fs.add(
          pool.submit(
              () -> {
                ImapConn c = new ImapConn(a, 4096, false);
                ScheduledFuture<?> dog = c.watchdog(60);
                try {
                  c.greeting();
                  c.command("LOGIN " + o.str("user", "bench") + " " + o.str("pass", "bench"), null);
                  if (select) {
                    c.command("SELECT INBOX", null);
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

  // ------------------------------------------------------------------ IMAP connection

  static final class ImapConn implements Closeable {
    final SocketChannel ch;
    final ByteBuffer in;
    final String where;
    long wireBytes;
    long literalBytes;
    int literals;
    int tagN;
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

    long timedNoop() throws IOException {
      long t0 = System.nanoTime();
      command("NOOP", null);
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
