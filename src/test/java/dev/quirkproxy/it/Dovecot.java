package dev.quirkproxy.it;

import dev.quirkproxy.testing.TestTls;
import dev.quirkproxy.tls.CertificateAuthority;
import dev.quirkproxy.tls.IssuedCertificate;
import dev.quirkproxy.tls.TlsSetupException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * A real Dovecot (IMAP + POP3) of the test's own: a temp directory with its own {@code
 * dovecot.conf}, passwd-file users and Maildirs seeded with {@link MailSeed}, started as {@code
 * dovecot -F} on free high ports of 127.0.0.1 and stopped (and the directory deleted) by {@link
 * #close()}. Meant as a static JUnit fixture:
 *
 * <pre>{@code
 * static Dovecot dovecot;
 * @BeforeAll static void start() throws Exception { dovecot = Dovecot.start(); }
 * @AfterAll static void stop() { dovecot.close(); }
 * }</pre>
 *
 * <p>Every test asks for fresh users ({@link #newUser}) so that a "direct" run and a "proxied" run
 * start from identical mailboxes: same bytes, flags, INTERNALDATEs, UIDs and UIDVALIDITY.
 *
 * <p>With {@link Option#TLS} it also offers TLS: STARTTLS on the plain ports and implicit TLS
 * (IMAPS, POP3S) on two more, with a certificate for {@code 127.0.0.1} and {@code localhost} issued
 * by a CA of its own ({@link #tlsCaFile()}), TLS 1.2 and newer. Plain-text login on the plain ports
 * stays allowed.
 *
 * <p>If Dovecot is not installed this fails rather than skips: CI installs {@code dovecot-imapd}
 * and {@code dovecot-pop3d}, and a skipped integration test would hide a missing dependency.
 */
public final class Dovecot implements AutoCloseable {

  /** Every user's password (PLAIN scheme in the passwd-file). */
  public static final String PASSWORD = "Pa55-word";

  private static final Duration STARTUP = Duration.ofSeconds(20);
  private static final int NOBODY = 65534;

  private final Path dir;
  private final int imapPort;
  private final int pop3Port;
  private final int imapsPort;
  private final int pop3sPort;
  private final int mailUid;
  private final int mailGid;
  private final Set<Option> options;
  private final Thread shutdownHook;
  private Process process;
  private int userCounter;

  private Dovecot(Path dir, int[] ports, int mailUid, int mailGid, Set<Option> options) {
    this.dir = dir;
    this.options = options;
    this.imapPort = ports[0];
    this.pop3Port = ports[1];
    this.imapsPort = ports.length > 2 ? ports[2] : 0;
    this.pop3sPort = ports.length > 3 ? ports[3] : 0;
    this.mailUid = mailUid;
    this.mailGid = mailGid;
    this.shutdownHook = new Thread(this::stopProcess, "dovecot-shutdown");
  }

  /** What a test can ask of its Dovecot beyond the defaults. */
  public enum Option {
    /**
     * Load the imap_zlib plugin, so Dovecot offers COMPRESS=DEFLATE (RFC 4978) after login. Off by
     * default: the proxy hides COMPRESS, and only without it are the bytes a client gets through
     * the proxy identical to Dovecot's.
     */
    IMAP_COMPRESS,
    /**
     * Offer TLS: {@code ssl = yes} (STARTTLS/STLS on the plain ports, where plain-text login still
     * works) and implicit-TLS listeners on {@link #imapsPort()} and {@link #pop3sPort()}, with a
     * certificate issued by a test CA ({@link #tlsCaFile()}).
     */
    TLS,
    /**
     * RFC 6154 special-use mailboxes: Drafts, Junk, Sent and Trash with their attributes, created
     * and subscribed at each user's first login ({@code auto = subscribe}), so LIST and LSUB
     * answers carry {@code \Drafts}, {@code \Junk}, {@code \Sent} and {@code \Trash}. Off by
     * default: the other tests' users have INBOX and Archive only.
     */
    SPECIAL_USE,
    /**
     * Advertise neither MOVE (RFC 6851) nor UIDPLUS (RFC 4315) after login ({@code imap_capability}
     * set to Dovecot's own list without them), like older servers: a proxy that follows the
     * capabilities must fall back to COPY, STORE and plain EXPUNGE.
     */
    NO_MOVE_NO_UIDPLUS
  }

  /** The special-use mailboxes {@link Option#SPECIAL_USE} gives every user: name, attribute. */
  public static final List<List<String>> SPECIAL_USE_MAILBOXES =
      List.of(
          List.of("Drafts", "\\Drafts"),
          List.of("Junk", "\\Junk"),
          List.of("Sent", "\\Sent"),
          List.of("Trash", "\\Trash"));

  /** Starts a Dovecot with no users yet; add them with {@link #newUser}. */
  public static Dovecot start(Option... options) throws IOException, InterruptedException {
    Path binary = findBinary("dovecot");
    IllegalStateException last = null;
    // A free port found now can be taken by someone else before Dovecot binds it: then Dovecot
    // exits at once and we try again with other ports.
    for (int attempt = 1; attempt <= 3; attempt++) {
      Path dir = Files.createTempDirectory("quirkproxy-dovecot-");
      // Dovecot's unprivileged processes (and the mail user) must be able to reach the Maildirs.
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      int[] ports = freePorts(Set.of(options).contains(Option.TLS) ? 4 : 2);
      boolean root = ((Integer) Files.getAttribute(dir, "unix:uid")) == 0;
      int uid = root ? NOBODY : (Integer) Files.getAttribute(dir, "unix:uid");
      int gid = root ? NOBODY : (Integer) Files.getAttribute(dir, "unix:gid");
      Dovecot d = new Dovecot(dir, ports, uid, gid, Set.of(options));
      try {
        d.writeConfig(root);
        d.launch(binary);
        return d;
      } catch (IllegalStateException e) {
        last = e;
        d.close();
      } catch (IOException | InterruptedException | RuntimeException | Error e) {
        d.close();
        throw e;
      }
    }
    throw last;
  }

  public int imapPort() {
    return imapPort;
  }

  public int pop3Port() {
    return pop3Port;
  }

  /** The implicit-TLS IMAP port (IMAPS); only with {@link Option#TLS}. */
  public int imapsPort() {
    requireTls();
    return imapsPort;
  }

  /** The implicit-TLS POP3 port (POP3S); only with {@link Option#TLS}. */
  public int pop3sPort() {
    requireTls();
    return pop3sPort;
  }

  /**
   * The PEM certificate of the CA that issued Dovecot's certificate, for a client to trust; only
   * with {@link Option#TLS}.
   */
  public Path tlsCaFile() {
    requireTls();
    return dir.resolve("tls-ca").resolve("ca.pem");
  }

  private void requireTls() {
    if (!options.contains(Option.TLS)) {
      throw new IllegalStateException("this Dovecot was started without Option.TLS");
    }
  }

  public Path directory() {
    return dir;
  }

  /** Dovecot's log so far (for failure messages). */
  public String log() {
    try {
      Path log = dir.resolve("dovecot.log");
      return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "(no log)";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /**
   * Adds a user named {@code hint-N} (N counts up per Dovecot) with {@link #PASSWORD} and a Maildir
   * seeded with {@link MailSeed}, and returns the name.
   */
  public synchronized String newUser(String hint) {
    String name = hint + "-" + (++userCounter);
    reset(name);
    try {
      writeUser(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return name;
  }

  /**
   * Puts a user's mail back into the seeded state. Only call it while no session of that user is
   * open (Dovecot writes its index files until a session has ended, after the client saw the LOGOUT
   * answer); {@link #newUser} avoids the question altogether.
   */
  public synchronized void reset(String user) {
    try {
      Path home = dir.resolve("home").resolve(user);
      deleteTree(home);
      Path maildir = home.resolve("Maildir");
      seedMaildir(maildir, MailSeed.INBOX_UIDVALIDITY, MailSeed.INBOX);
      for (String folder : MailSeed.FOLDERS) {
        Path f = maildir.resolve("." + folder);
        seedMaildir(f, MailSeed.ARCHIVE_UIDVALIDITY, List.of());
        Files.createFile(f.resolve("maildirfolder"));
      }
      chownTree(home);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    stopProcess();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // JVM shutting down, or the hook was never added.
    }
    try {
      deleteTree(dir);
    } catch (IOException e) {
      // A leftover temp directory is not worth failing a test run for.
    }
  }

  // ---- start and stop

  private void writeConfig(boolean root) throws IOException {
    StringBuilder c = new StringBuilder();
    c.append("# Written by dev.quirkproxy.it.Dovecot for one test run.\n");
    c.append("instance_name = quirkproxy-it-").append(imapPort).append('\n');
    c.append("base_dir = ").append(dir.resolve("run")).append('\n');
    c.append("state_dir = ").append(dir.resolve("state")).append('\n');
    c.append("log_path = ").append(dir.resolve("dovecot.log")).append('\n');
    c.append("info_log_path = ").append(dir.resolve("dovecot.log")).append('\n');
    c.append("listen = 127.0.0.1\n");
    if (options.contains(Option.TLS)) {
      writeTlsFiles();
      c.append("ssl = yes\n");
      c.append("ssl_cert = <").append(dir.resolve("tls").resolve("cert.pem")).append('\n');
      c.append("ssl_key = <").append(dir.resolve("tls").resolve("key.pem")).append('\n');
      c.append("ssl_min_protocol = TLSv1.2\n");
    } else {
      c.append("ssl = no\n");
    }
    c.append("disable_plaintext_auth = no\n");
    c.append("auth_mechanisms = plain login\n");
    c.append("protocols = imap pop3\n");
    c.append("mail_location = maildir:~/Maildir\n");
    if (options.contains(Option.SPECIAL_USE)) {
      c.append("namespace inbox {\n  inbox = yes\n");
      for (List<String> m : SPECIAL_USE_MAILBOXES) {
        c.append("  mailbox ")
            .append(m.get(0))
            .append(" {\n    special_use = ")
            .append(m.get(1))
            .append("\n    auto = subscribe\n  }\n");
      }
      c.append("}\n");
    }
    c.append("first_valid_uid = ").append(Math.max(1, mailUid)).append('\n');
    c.append("pop3_uidl_format = %08Xu%08Xv\n");
    // IDLE learns of new mail through inotify; should that be unavailable, poll every second
    // instead of every 30 (tests wait for EXISTS during IDLE with a 20 s read timeout).
    c.append("mailbox_idle_check_interval = 1 secs\n");
    if (!root) {
      // Not root: everything runs as the current user, and nothing can chroot.
      String user = Files.getAttribute(dir, "posix:owner").toString();
      String group = Files.getAttribute(dir, "posix:group").toString();
      c.append("default_internal_user = ").append(user).append('\n');
      c.append("default_internal_group = ").append(group).append('\n');
      c.append("default_login_user = ").append(user).append('\n');
      c.append("service anvil {\n  chroot =\n}\n");
    }
    String chroot = root ? "" : "  chroot =\n";
    c.append("service imap-login {\n")
        .append(chroot)
        .append("  inet_listener imap {\n    port = ")
        .append(imapPort)
        .append("\n  }\n")
        .append(tlsListener("imaps", imapsPort))
        .append("}\n");
    c.append("service pop3-login {\n")
        .append(chroot)
        .append("  inet_listener pop3 {\n    port = ")
        .append(pop3Port)
        .append("\n  }\n")
        .append(tlsListener("pop3s", pop3sPort))
        .append("}\n");
    Path users = dir.resolve("passwd.d");
    Files.createDirectories(users);
    // Dovecot's auth process (not root) reads these; do not depend on the umask.
    Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rwxr-xr-x"));
    c.append("passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ")
        .append(users)
        .append("/%u\n}\n");
    c.append("userdb {\n  driver = passwd-file\n  args = username_format=%u ")
        .append(users)
        .append("/%u\n}\n");
    c.append("protocol imap {\n  mail_max_userip_connections = 2000\n");
    if (options.contains(Option.IMAP_COMPRESS)) {
      c.append("  mail_plugins = $mail_plugins imap_zlib\n");
    }
    if (options.contains(Option.NO_MOVE_NO_UIDPLUS)) {
      c.append(
          "  imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT"
              + " THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE LIST-EXTENDED"
              + " I18NLEVEL=1 ESEARCH SEARCHRES WITHIN LIST-STATUS LITERAL+ SPECIAL-USE\n");
    }
    c.append("}\n");
    c.append("protocol pop3 {\n  mail_max_userip_connections = 2000\n}\n");
    Files.createDirectories(dir.resolve("home"));
    Files.setPosixFilePermissions(
        dir.resolve("home"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(dir.resolve("dovecot.conf"), c.toString(), StandardCharsets.US_ASCII);
  }

  /** The implicit-TLS listener block: on its port with {@link Option#TLS}, else disabled. */
  private String tlsListener(String name, int port) {
    if (!options.contains(Option.TLS)) {
      return "  inet_listener " + name + " {\n    port = 0\n  }\n";
    }
    return "  inet_listener "
        + name
        + " {\n    address = 127.0.0.1\n    port = "
        + port
        + "\n    ssl = yes\n  }\n";
  }

  /**
   * Makes Dovecot's TLS identity: a CA of its own in {@code tls-ca/} (separate from any CA the
   * proxy uses, so a test can tell the two trusts apart) and a certificate for {@code localhost},
   * {@code 127.0.0.1} and {@code ::1} in {@code tls/cert.pem} (leaf, then the CA) with its key in
   * {@code tls/key.pem}. Dovecot's config process reads both at start.
   */
  private void writeTlsFiles() throws IOException {
    IssuedCertificate identity;
    try {
      identity = CertificateAuthority.loadOrCreate(dir.resolve("tls-ca")).issue(List.of());
    } catch (TlsSetupException e) {
      throw new IOException("cannot make Dovecot's certificate: " + e.getMessage(), e);
    }
    Path tls = Files.createDirectories(dir.resolve("tls"));
    Files.writeString(
        tls.resolve("cert.pem"), pem(identity.chain().toArray()), StandardCharsets.US_ASCII);
    Path key = tls.resolve("key.pem");
    Files.createFile(
        key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(key, pem(identity.key()), StandardCharsets.US_ASCII);
  }

  private static String pem(Object... objects) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        w.writeObject(o);
      }
    }
    return out.toString();
  }

  /**
   * One passwd-file per user ({@code passwd.d/NAME}, named by {@code %u} in the config). Dovecot
   * re-reads a changed passwd-file at most once per second (db-passwd-file.c checks {@code
   * last_sync_time == ioloop_time}), so a user added to a shared file could be unknown for up to a
   * second; a file of its own is read at the user's first login.
   */
  private void writeUser(String user) throws IOException {
    String line =
        user
            + ":{PLAIN}"
            + PASSWORD
            + ":"
            + mailUid
            + ":"
            + mailGid
            + "::"
            + dir.resolve("home").resolve(user)
            + "::\n";
    Path tmp = dir.resolve("passwd.d").resolve("." + user + ".tmp");
    Files.writeString(tmp, line, StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
    Files.move(
        tmp,
        dir.resolve("passwd.d").resolve(user),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  private void launch(Path binary) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(binary.toString(), "-F", "-c", dir.resolve("dovecot.conf").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("dovecot.stdout").toFile());
    process = pb.start();
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    long deadline = System.nanoTime() + STARTUP.toNanos();
    boolean imapUp = false;
    boolean pop3Up = false;
    while (!(imapUp && pop3Up)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "dovecot exited with status " + process.exitValue() + " at start:\n" + diagnostics());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "dovecot did not accept connections within "
                + STARTUP.toSeconds()
                + " s:\n"
                + diagnostics());
      }
      imapUp =
          imapUp
              || greets(imapPort, "* OK ") && (imapsPort == 0 || greetsOverTls(imapsPort, "* OK "));
      pop3Up =
          pop3Up
              || greets(pop3Port, "+OK ") && (pop3sPort == 0 || greetsOverTls(pop3sPort, "+OK "));
      if (!(imapUp && pop3Up)) {
        Thread.sleep(50);
      }
    }
  }

  /** True if something on the port answers with a greeting starting with {@code prefix}. */
  private static boolean greets(int port, String prefix) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(5000);
      return startsWith(s.getInputStream(), prefix);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The same over implicit TLS, verifying the certificate against {@link #tlsCaFile()} and the host
   * name 127.0.0.1: also proves the TLS setup is what the tests expect.
   */
  private boolean greetsOverTls(int port, String prefix) throws IOException {
    SSLContext trusting;
    try {
      trusting =
          TestTls.clientTrusting(
              CertificateAuthority.loadOrCreate(dir.resolve("tls-ca")).certificate());
    } catch (GeneralSecurityException | TlsSetupException e) {
      throw new IOException("cannot trust Dovecot's CA: " + e.getMessage(), e);
    }
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      plain.setSoTimeout(5000);
      try (SSLSocket s =
          (SSLSocket) trusting.getSocketFactory().createSocket(plain, "127.0.0.1", port, false)) {
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.startHandshake();
        return startsWith(s.getInputStream(), prefix);
      }
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean startsWith(InputStream in, String prefix) throws IOException {
    byte[] buf = new byte[prefix.length()];
    int n = 0;
    while (n < buf.length) {
      int r = in.read(buf, n, buf.length - n);
      if (r < 0) {
        return false;
      }
      n += r;
    }
    return new String(buf, StandardCharsets.US_ASCII).equals(prefix);
  }

  private String diagnostics() {
    String stdout;
    try {
      Path p = dir.resolve("dovecot.stdout");
      stdout = Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      stdout = "";
    }
    return "--- stdout/stderr ---\n" + stdout + "\n--- dovecot.log ---\n" + log();
  }

  private synchronized void stopProcess() {
    if (process == null) {
      return;
    }
    // SIGTERM makes the master (in the foreground with -F) stop all its children.
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
  }

  static Path findBinary(String name) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":")));
    }
    // dovecot lives in /usr/sbin, which is not on every user's PATH.
    dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin", "/usr/local/bin"));
    for (String d : dirs) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException(
        "'"
            + name
            + "' is not installed (looked on PATH and in /usr/sbin, /usr/local/sbin, /sbin). "
            + "The real-server integration tests need it: "
            + "apt-get install -y dovecot-imapd dovecot-pop3d isync fetchmail curl python3");
  }

  private static int[] freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  // ---- Maildirs

  private static void seedMaildir(Path maildir, long uidValidity, List<MailSeed.Message> messages)
      throws IOException {
    for (String sub : List.of("cur", "new", "tmp")) {
      Files.createDirectories(maildir.resolve(sub));
    }
    StringBuilder uidlist = new StringBuilder();
    // dovecot-uidlist version 3: fixing UIDVALIDITY and the UIDs here makes them the same on
    // every run, instead of the time the mailbox was first opened.
    uidlist
        .append("3 V")
        .append(uidValidity)
        .append(" N")
        .append(messages.size() + 1)
        .append(" G")
        .append(String.format(Locale.ROOT, "%032x", uidValidity))
        .append('\n');
    for (MailSeed.Message m : messages) {
      long secs = m.received().getEpochSecond();
      String base = secs + ".M" + m.uid() + "P1.quirkproxy-seed";
      Path file = maildir.resolve("cur").resolve(base + ":2," + m.maildirFlags());
      Files.write(file, m.lf());
      // A Maildir message's INTERNALDATE is its file's mtime.
      Files.setLastModifiedTime(file, FileTime.from(m.received()));
      uidlist.append(m.uid()).append(" :").append(base).append('\n');
    }
    Files.writeString(maildir.resolve("dovecot-uidlist"), uidlist, StandardCharsets.US_ASCII);
  }

  private void chownTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.setAttribute(p, "unix:uid", mailUid);
        Files.setAttribute(p, "unix:gid", mailGid);
      }
    }
    for (Path p = root; p != null && p.startsWith(dir) && !p.equals(dir); p = p.getParent()) {
      Files.setAttribute(p, "unix:uid", mailUid);
      Files.setAttribute(p, "unix:gid", mailGid);
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
