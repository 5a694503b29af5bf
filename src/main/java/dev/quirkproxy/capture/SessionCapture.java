package dev.quirkproxy.capture;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.imap.ImapSyntax;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The recording of one session, fed by the relay on the session's event loop: every part received
 * from either side (redacted), what the proxy sent instead where it changed something, and the
 * footer. The events go to the {@link CaptureStore}'s writer thread; nothing here touches a disk.
 */
public final class SessionCapture {

  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HHmmss.SSS", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final CaptureStore store;
  private final Session session;
  private final Redactor redactor;

  /** For the commands the proxy itself sends upstream when it translates protocols. */
  private final Redactor ownCommandRedactor;

  private final Consumer<IOException> onError;
  private final CaptureFile file;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final Map<Direction, Long> bytes = new EnumMap<>(Direction.class);
  private final Map<String, Object> footerFields = new LinkedHashMap<>();
  private long seq;
  private boolean finished;

  private SessionCapture(
      CaptureStore store,
      Session session,
      Map<String, Object> header,
      Consumer<IOException> onError) {
    this.store = store;
    this.session = session;
    this.redactor =
        store.settings().recordSecrets() ? null : new Redactor(store.settings().redactUser());
    this.ownCommandRedactor =
        store.settings().recordSecrets() ? null : new Redactor(store.settings().redactUser());
    this.onError = onError;
    for (Direction d : Direction.values()) {
      bytes.put(d, 0L);
    }
    this.file = store.open(fileName(session), header, onError, ready);
  }

  /**
   * Starts recording a session.
   *
   * @param details header fields the relay knows (listen, upstream, TLS modes, listener)
   * @param onError runs on {@code loop} the first time the capture cannot be written
   */
  public static SessionCapture start(
      CaptureStore store,
      Session session,
      Map<String, Object> details,
      Executor loop,
      Consumer<IOException> onError) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("type", "header");
    header.put("format", CaptureFormat.NAME);
    header.put("version", CaptureFormat.VERSION);
    header.put("session", session.id());
    header.put("protocol", session.protocol().name().toLowerCase(Locale.ROOT));
    header.putAll(details);
    header.put("client", String.valueOf(session.clientAddress()));
    header.put("start", session.startedAt().toString());
    header.put("secrets", store.settings().recordSecrets() ? "kept" : "redacted");
    boolean[] reported = new boolean[1];
    Consumer<IOException> once =
        e ->
            loop.execute(
                () -> {
                  if (!reported[0]) {
                    reported[0] = true;
                    onError.accept(e);
                  }
                });
    return new SessionCapture(store, session, header, once);
  }

  /** Completes once the header is written (or writing it failed, which {@code onError} reports). */
  public CompletableFuture<?> ready() {
    return ready;
  }

  /** The capture file, for logs and tests. */
  public String path() {
    return file.path.toString();
  }

  /** False while the writer is far behind: the relay should not read more for now. */
  public boolean writable() {
    return store.writable();
  }

  /** Records a part as received from the client or the upstream; returns its sequence number. */
  public long received(Direction direction, WirePart part) {
    long n = ++seq;
    bytes.merge(direction, (long) part.content().readableBytes(), Long::sum);
    String replacement =
        direction == Direction.CLIENT_TO_PROXY && redactor != null
            ? redactor.redact(session, part)
            : null;
    if (replacement != null && replacement.isEmpty()) {
      return n;
    }
    Map<String, Object> fields =
        frame(n, direction, part.kind(), part.frameStart(), part.frameEnd());
    String tag =
        part.isLine() && part.frameStart() && replacement == null
            ? tag(direction, part.text())
            : null;
    if (tag != null) {
      fields.put("tag", tag);
    }
    if (replacement != null) {
      // The replacement keeps one char per octet of the original line: write it as those octets.
      fields.put("redacted", true);
      emit(fields, Unpooled.wrappedBuffer(replacement.getBytes(StandardCharsets.ISO_8859_1)), null);
    } else {
      emit(fields, part.content().retainedDuplicate(), null);
    }
    return n;
  }

  /**
   * Records bytes the proxy sent that differ from what it received (a rewrite or its own answer).
   */
  public void sent(Direction direction, ByteBuf data, long inReplyTo) {
    long n = ++seq;
    bytes.merge(direction, (long) data.readableBytes(), Long::sum);
    Map<String, Object> fields = frame(n, direction, WirePart.Kind.LINE, true, true);
    fields.put("kind", "proxy");
    if (inReplyTo > 0) {
      fields.put("re", inReplyTo);
    }
    emit(fields, data.retainedDuplicate(), null);
  }

  /**
   * Records a command line the proxy composed itself and sends upstream (protocol translation),
   * with its credentials redacted as a client's would be: LOGIN arguments, AUTHENTICATE responses.
   * Call before {@code tracker} sees the line, as for a client's part.
   *
   * @param tracker the session of the upstream connection, whose protocol and state say what a line
   *     is
   */
  public void sentOwn(Session tracker, ByteBuf line, long inReplyTo) {
    long n = ++seq;
    bytes.merge(Direction.PROXY_TO_UPSTREAM, (long) line.readableBytes(), Long::sum);
    Map<String, Object> fields =
        frame(n, Direction.PROXY_TO_UPSTREAM, WirePart.Kind.LINE, true, true);
    fields.put("kind", "proxy");
    if (inReplyTo > 0) {
      fields.put("re", inReplyTo);
    }
    String replacement = null;
    if (ownCommandRedactor != null) {
      WirePart part = WirePart.line(line.retainedDuplicate(), true, true, null);
      try {
        replacement = ownCommandRedactor.redact(tracker, part);
      } finally {
        part.release();
      }
    }
    if (replacement != null) {
      fields.put("redacted", true);
      emit(fields, Unpooled.wrappedBuffer(replacement.getBytes(StandardCharsets.ISO_8859_1)), null);
    } else {
      emit(fields, line.retainedDuplicate(), null);
    }
  }

  /** Records that the part numbered {@code of} was not forwarded as received. */
  public void outcome(long of, String what) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("type", "outcome");
    fields.put("seq", ++seq);
    fields.put("t", micros(Instant.now()));
    fields.put("of", of);
    fields.put("outcome", what);
    emit(fields, null, null);
  }

  /**
   * Records a session event that is not a frame, e.g. {@code fingerprint} when the client's
   * identification changes. {@code fields} hold strings, numbers, booleans, lists and maps.
   */
  public void event(String type, Map<String, Object> fields) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("type", type);
    e.put("seq", ++seq);
    e.put("t", micros(Instant.now()));
    e.putAll(fields);
    emit(e, null, null);
  }

  /** A field for the footer (the last value set under a key wins). */
  public void footer(String key, Object value) {
    footerFields.put(key, value);
  }

  /** Writes the footer and closes the capture; later calls do nothing. */
  public void finish(String reason) {
    if (finished) {
      return;
    }
    finished = true;
    Map<String, Object> footer = new LinkedHashMap<>();
    footer.put("type", "footer");
    footer.put("end", Instant.now().toString());
    footer.put("reason", reason);
    footer.put("events", seq);
    Map<String, Object> counts = new LinkedHashMap<>();
    bytes.forEach((d, n) -> counts.put(d.code(), n));
    footer.put("bytes", counts);
    footer.putAll(footerFields);
    store.finish(file, footer, onError);
  }

  private Map<String, Object> frame(
      long n, Direction direction, WirePart.Kind kind, boolean start, boolean end) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("type", "frame");
    fields.put("seq", n);
    fields.put("t", micros(Instant.now()));
    fields.put("dir", direction.code());
    fields.put("kind", kind.name().toLowerCase(Locale.ROOT));
    if (start) {
      fields.put("start", true);
    }
    if (end) {
      fields.put("end", true);
    }
    return fields;
  }

  private void emit(Map<String, Object> fields, ByteBuf data, String text) {
    // Tasks run in order on the writer thread, so the file is open (or failed) by then.
    store.frame(file, fields, data, text, onError);
  }

  private String tag(Direction direction, String line) {
    if (session.protocol() != Protocol.IMAP) {
      return null;
    }
    if (direction == Direction.CLIENT_TO_PROXY) {
      if (((ImapSession) session).expectsSaslLine()) {
        return null;
      }
      ImapSyntax.CommandStart c = ImapSyntax.commandStart(line);
      return c == null ? null : c.tag();
    }
    ImapSyntax.ResponseStart r = ImapSyntax.responseStart(line);
    return r.kind() == ImapSyntax.ResponseStart.Kind.TAGGED ? r.tag() : null;
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  /** {@code 2026-11-26/143012.123-imap-52344-s000001.jsonl}: sorts by time, says what it holds. */
  static String fileName(Session session) {
    Instant t = session.startedAt();
    int port = session.clientAddress() instanceof InetSocketAddress a ? a.getPort() : 0;
    return DAY.format(t)
        + "/"
        + TIME.format(t)
        + "-"
        + session.protocol().name().toLowerCase(Locale.ROOT)
        + "-"
        + port
        + "-"
        + session.id()
        + ".jsonl";
  }
}
