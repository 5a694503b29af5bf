package dev.quirkproxy.session;

/** The IMAP connection states of RFC 9051 §3. */
public enum ImapState {
  NOT_AUTHENTICATED,
  AUTHENTICATED,
  SELECTED,
  LOGOUT
}
