package dev.quirkproxy.session;

/** The POP3 session states of RFC 1939 §3. */
public enum Pop3State {
  AUTHORIZATION,
  TRANSACTION,
  UPDATE
}
