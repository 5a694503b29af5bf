package dev.quirkproxy.relay;

import dev.quirkproxy.codec.imap.ImapFrameDecoder;
import dev.quirkproxy.codec.pop3.Pop3CommandDecoder;
import dev.quirkproxy.codec.pop3.Pop3ResponseDecoder;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Pop3Session;
import dev.quirkproxy.session.Session;
import io.netty.channel.ChannelHandler;
import java.net.SocketAddress;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/** Chooses the session type and the framers for a protocol, one place for both sides. */
final class Framers {

  private Framers() {}

  static Session newSession(ProxyConfig config, SocketAddress client) {
    Limits limits = config.limits();
    return switch (config.listen().protocol()) {
      case IMAP -> new ImapSession(client, limits);
      case POP3 -> new Pop3Session(client, limits);
    };
  }

  /**
   * A framer, a way to ask it whether it sits between frames, and a way to throw away what it has
   * buffered (after STARTTLS).
   */
  record Framer(
      ChannelHandler handler, BooleanSupplier atFrameBoundary, IntSupplier discardBuffered) {}

  static Framer clientFramer(Session session) {
    if (session instanceof ImapSession imap) {
      ImapFrameDecoder d = new ImapFrameDecoder(ImapFrameDecoder.Side.CLIENT, imap.clientFraming());
      return new Framer(d, d::atFrameBoundary, d::discardBuffered);
    }
    Pop3CommandDecoder d = new Pop3CommandDecoder(((Pop3Session) session)::maxClientLine);
    return new Framer(d, () -> true, d::discardBuffered);
  }

  static Framer serverFramer(Session session) {
    if (session instanceof ImapSession imap) {
      ImapFrameDecoder d = new ImapFrameDecoder(ImapFrameDecoder.Side.SERVER, imap.serverFraming());
      return new Framer(d, d::atFrameBoundary, d::discardBuffered);
    }
    Pop3ResponseDecoder d = new Pop3ResponseDecoder(((Pop3Session) session).serverFraming());
    return new Framer(d, d::atFrameBoundary, d::discardBuffered);
  }
}
