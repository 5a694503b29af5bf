#!/usr/bin/env python3
"""Logs in with imaplib or poplib over plain text, implicit TLS or STARTTLS/STLS, reads the whole
INBOX and prints a deterministic summary.

Usage: tls_client.py imap|pop3 none|implicit|starttls HOST PORT CAFILE USER PASSWORD

CAFILE is the PEM file of the CA to trust (the only one: the system's CAs are not loaded); the
certificate must also be for HOST. In starttls mode the summary shows the capabilities before and
after TLS and what the server answered to a login attempt before TLS. A certificate the CA does not
vouch for ends the script with status 3 after a line "verify-error REASON".

Used by dev.quirkproxy.it.DovecotTlsIT.
"""
import hashlib
import imaplib
import poplib
import ssl
import sys

TIMEOUT = 30


def say(*parts):
    print(*parts, flush=True)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def context(cafile):
    # Only the given CA: the test decides what is trusted, not the machine's store.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=cafile)
    return ctx


def tls_of(sock):
    return sock.version() if isinstance(sock, ssl.SSLSocket) else "none"


def imap(mode, host, port, ctx, user, password):
    if mode == "implicit":
        m = imaplib.IMAP4_SSL(host, port, ssl_context=ctx, timeout=TIMEOUT)
    else:
        m = imaplib.IMAP4(host, port, timeout=TIMEOUT)
    if mode == "starttls":
        say("tls-before", tls_of(m.sock))
        say("caps-before", " ".join(sorted(m.capabilities)))
        try:
            say("login-before-tls", m.login(user, password))
        except imaplib.IMAP4.error as e:
            say("login-before-tls refused", e)
        say("starttls", m.starttls(ssl_context=ctx)[0])
    say("tls", tls_of(m.sock))
    say("caps", " ".join(sorted(m.capabilities)))
    say("login", m.login(user, password)[0])
    typ, data = m.select("INBOX", readonly=True)
    say("select", typ, data)
    for uid in range(1, 6):
        typ, data = m.uid("FETCH", str(uid), "(BODY.PEEK[])")
        body = data[0][1]
        say("body", uid, typ, len(body), sha(body))
    say("logout", m.logout()[0])


def pop3(mode, host, port, ctx, user, password):
    if mode == "implicit":
        p = poplib.POP3_SSL(host, port, context=ctx, timeout=TIMEOUT)
    else:
        p = poplib.POP3(host, port, timeout=TIMEOUT)
    if mode == "starttls":
        say("tls-before", tls_of(p.sock))
        say("caps-before", " ".join(sorted(p.capa())))
        try:
            say("user-before-tls", p.user(user))
        except poplib.error_proto as e:
            say("user-before-tls refused", e)
        say("stls", p.stls(context=ctx))
    say("tls", tls_of(p.sock))
    say("caps", " ".join(sorted(p.capa())))
    say("user", p.user(user))
    say("pass", p.pass_(password))
    say("stat", p.stat())
    for i in range(1, 6):
        resp, lines, octets = p.retr(i)
        # poplib removed the dot-stuffing and the line endings.
        body = b"\r\n".join(lines) + b"\r\n"
        say("retr", i, resp, octets, len(body), sha(body))
    say("quit", p.quit())


def main():
    protocol, mode, host, port, cafile, user, password = sys.argv[1:8]
    if mode not in ("none", "implicit", "starttls"):
        raise SystemExit("unknown mode " + mode)
    say("mode", protocol, mode)
    try:
        run = imap if protocol == "imap" else pop3
        run(mode, host, int(port), context(cafile), user, password)
    except ssl.SSLCertVerificationError as e:
        say("verify-error", e.verify_message)
        sys.exit(3)


if __name__ == "__main__":
    main()
