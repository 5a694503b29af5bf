package dev.quirkproxy.relay;

import dev.quirkproxy.capture.SessionCapture;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.Session;
import io.netty.channel.Channel;
import java.util.function.BooleanSupplier;

/**
 * One proxied connection as the channel handlers, the upstream connector and the listener see it:
 * {@link SessionRelay} (same protocol on both sides) or {@link TranslatingRelay} (POP3 clients,
 * IMAP upstream). All methods run on the session's event loop.
 */
interface Relay {

  /** The client's session: its id names the log lines, its protocol the client's. */
  Session session();

  /** The tracker of the upstream connection (the client's session when nothing is translated). */
  Session upstreamSession();

  Channel client();

  SessionCapture capture();

  boolean closing();

  /** Records this session (set before the relay starts). */
  void recordTo(SessionCapture sessionCapture);

  /** Fingerprints the client (set before the relay starts, after {@link #recordTo}). */
  void identifyWith(ClientIdentification who);

  /** The capture cannot be written: end the session or go on, as {@code policy} says. */
  void recordingFailed(
      java.io.IOException cause, dev.quirkproxy.capture.CaptureSettings.OnError policy);

  // ---- client channel

  void clientPart(WirePart part);

  void clientReadComplete();

  void clientWritabilityChanged();

  void checkIdle();

  void clientTlsFailed(Throwable cause);

  void clientInputShutdown();

  void clientClosed();

  /** A framer or handler failed on bytes from the client ({@code fromClient}) or the server. */
  void failed(Throwable cause, boolean fromClient);

  // ---- upstream channel

  void upstreamAttached(Channel channel);

  void upstreamConnected(Channel channel, BooleanSupplier atFrameBoundary);

  void upstreamUnreachable(Throwable cause);

  void upstreamTlsFailed(Channel channel, String what, Throwable cause);

  void serverPart(WirePart part);

  void upstreamReadComplete();

  void upstreamWritabilityChanged();

  void upstreamInputShutdown();

  void upstreamClosed();

  // ---- the listener

  /** Ends the session politely at the next frame boundary. */
  void goodbye(String reason);

  /** Closes both connections now. */
  void forceClose();
}
