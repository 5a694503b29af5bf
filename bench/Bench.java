/*
 * quirkproxy end-to-end benchmark client. Single-file Java program, no dependencies:
 *
 *   java bench/Bench.java throughput --direct HOST:PORT --proxy HOST:PORT [options]
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

  /**
   * Per run: new connection, LOGIN, SELECT INBOX (not timed), then the timed part: either one
   * {@code UID FETCH 1:* (BODY.PEEK[])} (default) or, with --per-message, one {@code UID FETCH uid
   * (BODY.PEEK[])} per message, strictly one after another. The clock runs from writing the
   * command to reading the last tagged OK. Targets alternate: direct, proxy in even rounds, proxy,
   * direct in odd rounds.
   */
  static Map<String, Object> throughput(Opts o) throws Exception {
    InetSocketAddress direct = o.addr("direct");
    InetSocketAddress proxy = o.addr("proxy");
    int warmup = o.integer("warmup", 1);
    int rounds = o.integer("rounds", 3);
    boolean perMessage = o.flag("per-message");
    long expectBytes = o.lng("expect-bytes", -1);
    int timeoutSec = o.integer("timeout", 60);
    long proxyPid = o.lng("proxy-pid", -1);
    long dovecotPid = o.lng("dovecot-pid", -1);
    int clkTck = o.integer("clk-tck", 100);

    List<Map<String, Object>> runs = new ArrayList<>();
    Map<String, List<Double>> seconds = new HashMap<>();
    seconds.put("direct", new ArrayList<>());
    seconds.put("proxy", new ArrayList<>());
    // CPU seconds summed over the measured runs, per target: client (this JVM), proxy, Dovecot.
    Map<String, double[]> cpu = new HashMap<>();
    cpu.put("direct", new double[5]); // client, proxy, dovecot, machine busy, run wall time
    cpu.put("proxy", new double[5]);
    Map<String, Long> warmCrc = new HashMap<>();
    long literalBytes = -1;
    int messages = -1;
    for (int r = 0; r < warmup + rounds; r++) {
      boolean isWarmup = r < warmup;
      String[] order = (r % 2 == 0) ? new String[] {"direct", "proxy"} : new String[] {"proxy", "direct"};
      for (String target : order) {
        InetSocketAddress a = target.equals("direct") ? direct : proxy;
        double[] cpu0 = cpuNow(proxyPid, dovecotPid, clkTck);
        long w0 = System.nanoTime();
        FetchRun fr = fetchAll(a, o, perMessage, isWarmup, timeoutSec);
        double runWall = (System.nanoTime() - w0) / 1e9;
        double[] cpu1 = cpuNow(proxyPid, dovecotPid, clkTck);
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
        // Whole run (connect, LOGIN, SELECT, FETCH, LOGOUT), not only the timed FETCH.
        run.put("cpu_seconds_client", cpu1[0] - cpu0[0]);
        run.put("cpu_seconds_proxy", proxyPid > 0 ? cpu1[1] - cpu0[1] : null);
        run.put("cpu_seconds_dovecot", dovecotPid > 0 ? cpu1[2] - cpu0[2] : null);
        // Everything else the machine did meanwhile (other processes, kernel threads): interference.
        double other = (cpu1[3] - cpu0[3]) - (cpu1[0] - cpu0[0]) - (cpu1[1] - cpu0[1]) - (cpu1[2] - cpu0[2]);
        run.put("cpu_seconds_other", Math.max(0, Math.round(other * 100) / 100.0)); // 10 ms ticks
        run.put("run_wall_seconds", runWall);
        if (isWarmup) {
          run.put("crc32", Long.toHexString(fr.crc));
          warmCrc.put(target, fr.crc);
        } else {
          seconds.get(target).add(fr.seconds);
          for (int k = 0; k < 4; k++) {
            cpu.get(target)[k] += cpu1[k] - cpu0[k];
          }
          cpu.get(target)[4] += runWall;
        }
        runs.add(run);
        System.err.printf(
            Locale.ROOT,
            "  throughput %-6s round %d%s: %7.3f s  %8.1f MiB/s%n",
            target, r, isWarmup ? " (warm-up)" : "", fr.seconds, fr.literalBytes / MIB / fr.seconds);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("mode", perMessage ? "per-message UID FETCH n (BODY.PEEK[])" : "UID FETCH 1:* (BODY.PEEK[])");
    out.put("messages", messages);
    out.put("literal_bytes", literalBytes);
    out.put("warmup_rounds", warmup);
    out.put("measured_rounds", rounds);
    Boolean same = null;
    if (warmCrc.containsKey("direct") && warmCrc.containsKey("proxy")) {
      same = warmCrc.get("direct").equals(warmCrc.get("proxy"));
      if (!same) {
        throw new IOException("CRC32 of the fetched literals differs between direct and proxy");
      }
    }
    out.put("crc32_direct_equals_proxy", same);
    for (String t : List.of("direct", "proxy")) {
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
      m.put("cpu_s_per_gib_client", cpu.get(t)[0] / gib);
      m.put("cpu_s_per_gib_proxy", proxyPid > 0 && t.equals("proxy") ? cpu.get(t)[1] / gib : null);
      m.put("cpu_s_per_gib_dovecot", dovecotPid > 0 ? cpu.get(t)[2] / gib : null);
      double[] c = cpu.get(t);
      // CPU used by other processes during the measured runs (whole runs, connect to close), in
      // cores: 1.0 = one core fully busy with something else.
      m.put("other_cpu_cores_busy", Math.max(0, c[3] - c[0] - c[1] - c[2]) / c[4]);
      out.put(t, m);
    }
    out.put(
        "proxy_over_direct_median_time",
        median(seconds.get("proxy")) / median(seconds.get("direct")));
    out.put("runs", runs);
    return out;
  }

  /** CPU seconds so far: this JVM, the proxy process, Dovecot (master and its children). */
  static double[] cpuNow(long proxyPid, long dovecotPid, int clkTck) throws IOException {
    double client =
        ((com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime()
            / 1e9;
    double proxy = proxyPid > 0 ? procCpu(proxyPid, clkTck) : 0;
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
    return new double[] {client, proxy, dovecot, machineBusy(clkTck)};
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
  }

  static FetchRun fetchAll(
      InetSocketAddress a, Opts o, boolean perMessage, boolean checksum, int timeoutSec)
      throws Exception {
    try (ImapConn c = new ImapConn(a, 1 << 20, true)) {
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
      int n;
      try {
        n = ch.read(in);
      } finally {
        in.flip();
      }
      if (n < 0) {
        throw new EOFException(where + ": connection closed by peer");
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
