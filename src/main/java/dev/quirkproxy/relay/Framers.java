package dev.quirkproxy.relay;

import dev.quirkproxy.codec.FramingDecoder;
import dev.quirkproxy.codec.imap.ImapFrameDecoder;
import dev.quirkproxy.codec.pop3.Pop3CommandDecoder;
import dev.quirkproxy.codec.pop3.Pop3ResponseDecoder;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Pop3Session;
import dev.quirkproxy.session.Session;
import java.net.SocketAddress;

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

  static FramingDecoder clientFramer(Session session) {
    if (session instanceof ImapSession imap) {
      return new ImapFrameDecoder(ImapFrameDecoder.Side.CLIENT, imap.clientFraming());
    }
    return new Pop3CommandDecoder(((Pop3Session) session)::maxClientLine);
  }

  static FramingDecoder serverFramer(Session session) {
    if (session instanceof ImapSession imap) {
      return new ImapFrameDecoder(ImapFrameDecoder.Side.SERVER, imap.serverFraming());
    }
    return new Pop3ResponseDecoder(((Pop3Session) session).serverFraming());
  }
}
