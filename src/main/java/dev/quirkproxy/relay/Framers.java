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

  static ChannelHandler clientFramer(Session session) {
    if (session instanceof ImapSession imap) {
      return new ImapFrameDecoder(ImapFrameDecoder.Side.CLIENT, imap.clientFraming());
    }
    Pop3Session pop3 = (Pop3Session) session;
    return new Pop3CommandDecoder(pop3::maxClientLine);
  }

  /** A server framer and a way to ask it whether it sits between frames. */
  record ServerFramer(ChannelHandler handler, BooleanSupplier atFrameBoundary) {}

  static ServerFramer serverFramer(Session session) {
    if (session instanceof ImapSession imap) {
      ImapFrameDecoder d = new ImapFrameDecoder(ImapFrameDecoder.Side.SERVER, imap.serverFraming());
      return new ServerFramer(d, d::atFrameBoundary);
    }
    Pop3ResponseDecoder d = new Pop3ResponseDecoder(((Pop3Session) session).serverFraming());
    return new ServerFramer(d, d::atFrameBoundary);
  }
}
