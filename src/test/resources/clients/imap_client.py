#!/usr/bin/env python3
"""Drives Python's imaplib the way a small mail tool does and prints a deterministic summary.

Usage: imap_client.py HOST PORT USER PASSWORD

Used by dev.quirkproxy.it.RealClientsIT, once directly against Dovecot and once through the
proxy; both runs must print the same summary and receive the same bytes.
"""
import hashlib
import imaplib
import random
import sys

# imaplib picks its tag prefix with random.randint(): a fixed seed makes the tags, and with them
# the whole conversation, the same on every run.
random.seed(20250106)

APPENDED = (
    b"From: Tester <tester@example.org>\r\n"
    b"To: Alice <alice@example.net>\r\n"
    b"Subject: appended by imaplib during IDLE\r\n"
    b"Date: Tue, 07 Jan 2025 09:30:00 +0000\r\n"
    b"Message-ID: <imaplib-idle@quirkproxy.test>\r\n"
    b"\r\n"
    b"Hello from the second connection.\r\n"
)


def say(*parts):
    print(*parts, flush=True)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def main():
    host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    m = imaplib.IMAP4(host, port, timeout=30)
    say("welcome", m.welcome)
    say("capabilities", " ".join(sorted(m.capabilities)))
    say("login", m.login(user, password)[0])

    typ, data = m.list()
    say("list", typ)
    for line in data:
        say("  ", line)

    say("select", m.select("INBOX"))

    typ, data = m.fetch("1:*", "(UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE)")
    say("fetch", typ)
    for item in data:
        say("  ", item)

    for uid in range(1, 6):
        typ, data = m.uid("FETCH", str(uid), "(BODY.PEEK[])")
        body = data[0][1]
        say("body", uid, typ, len(body), sha(body))

    say("copy", m.copy("1:2", "Archive"))
    say("store", m.store("1", "+FLAGS", "(\\Deleted)"))
    say("expunge", m.expunge())

    # imaplib on Python 3.11 has no idle(): send IDLE by hand, let a second connection append a
    # message, read until Dovecot announces it, then DONE.
    tag = m._new_tag()
    m.send(tag + b" IDLE\r\n")
    say("idle", m.readline())
    other = imaplib.IMAP4(host, port, timeout=30)
    other.login(user, password)
    say("append", other.append("INBOX", "(\\Seen)", '"07-Jan-2025 09:30:00 +0000"', APPENDED))
    other.logout()
    while True:
        line = m.readline()
        if not line:
            raise SystemExit("connection closed during IDLE")
        say("  ", line)
        if line.endswith(b" EXISTS\r\n"):
            break
    m.send(b"DONE\r\n")
    while True:
        line = m.readline()
        if not line:
            raise SystemExit("connection closed after DONE")
        say("  ", line)
        if line.startswith(tag + b" "):
            break

    say("status", m.status("Archive", "(MESSAGES UIDNEXT UIDVALIDITY)"))
    say("search", m.uid("SEARCH", "ALL"))
    say("logout", m.logout())


if __name__ == "__main__":
    main()
