package dev.quirkproxy.session;

import dev.quirkproxy.codec.WirePart;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Protocol state of one proxied connection, as the upstream sees it: what the client sent through
 * and what the server answered. The relay feeds it every forwarded client part and every server
 * part; framers ask it the facts that cross directions. Confined to one event-loop thread.
 */
public abstract sealed class Session permits ImapSession, Pop3Session {

  private static final AtomicLong COUNTER = new AtomicLong();

  private final String id;
  private final SocketAddress clientAddress;
  private final Limits limits;
  private final Instant startedAt = Instant.now();
  private TlsSide clientTls = TlsSide.PLAIN;
  private ClientIdentity identity = ClientIdentity.UNKNOWN;
  private final Map<Class<?>, Object> attachments = new HashMap<>();

  protected Session(SocketAddress clientAddress, Limits limits) {
    this.id = String.format(java.util.Locale.ROOT, "s%06d", COUNTER.incrementAndGet() % 1_000_000);
    this.clientAddress = clientAddress;
    this.limits = limits;
  }

  /** Short id that every log line of this session carries (MDC key {@code session}). */
  public String id() {
    return id;
  }

  public abstract Protocol protocol();

  public SocketAddress clientAddress() {
    return clientAddress;
  }

  public Limits limits() {
    return limits;
  }

  public Instant startedAt() {
    return startedAt;
  }

  /**
   * The client side's TLS: plain for good, TLS from the first byte, or plain until STARTTLS/STLS
   * (then {@link TlsSide#STARTED}).
   */
  public enum TlsSide {
    PLAIN,
    IMPLICIT,
    STARTTLS_OFFERED,
    STARTED
  }

  public TlsSide clientTls() {
    return clientTls;
  }

  /** True when the client's bytes are protected by TLS right now. */
  public boolean clientSecure() {
    return clientTls == TlsSide.IMPLICIT || clientTls == TlsSide.STARTED;
  }

  /** Set once, when the session starts. */
  public void clientTls(TlsSide side) {
    this.clientTls = side;
  }

  /**
   * The client's STARTTLS/STLS was accepted. RFC 9051 §6.2.1 and RFC 2595 §4 make the client forget
   * what it learned before TLS (capabilities); trackers that keep them override this.
   */
  public void clientTlsStarted() {
    this.clientTls = TlsSide.STARTED;
  }

  /** Which client this is, as far as the fingerprint (or a forced identity) says so far. */
  public ClientIdentity identity() {
    return identity;
  }

  /** Set by the relay whenever the fingerprint's answer changes. */
  public void identify(ClientIdentity who) {
    this.identity = who;
  }

  /**
   * Per-session state of an interceptor (interceptors are shared by all sessions of a listener):
   * the object stored under {@code type}, created by {@code init} on first use.
   */
  public <T> T attachment(Class<T> type, Supplier<T> init) {
    return type.cast(attachments.computeIfAbsent(type, t -> init.get()));
  }

  /** True once the client has logged in (IMAP authenticated or selected, POP3 TRANSACTION). */
  public abstract boolean authenticated();

  /** True once the session is ending (IMAP LOGOUT or BYE, POP3 QUIT). */
  public abstract boolean ending();

  /** A part the relay forwards from the client to the server. */
  public abstract void clientSent(WirePart part);

  /** A part the server sent (before any interceptor changes it). */
  public abstract void serverSent(WirePart part);

  /** The command name of a client line, for logs: never arguments, which may hold secrets. */
  public abstract String describeClientLine(String line);
}
