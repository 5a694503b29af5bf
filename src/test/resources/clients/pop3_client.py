#!/usr/bin/env python3
"""Drives Python's poplib the way a small mail tool does and prints a deterministic summary.

Usage: pop3_client.py HOST PORT USER PASSWORD

Used by dev.quirkproxy.it.RealClientsIT, once directly against Dovecot and once through the
proxy; both runs must print the same summary and receive the same bytes.
"""
import hashlib
import poplib
import sys


def say(*parts):
    print(*parts, flush=True)


def main():
    host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    p = poplib.POP3(host, port, timeout=30)
    say("welcome", p.getwelcome())
    say("capa", sorted(p.capa().items()))
    say("user", p.user(user))
    say("pass", p.pass_(password))
    say("stat", p.stat())
    say("list", p.list())
    say("uidl", p.uidl())
    say("top", p.top(3, 4))
    for i in range(1, 6):
        resp, lines, octets = p.retr(i)
        # poplib removed the dot-stuffing and the line endings.
        body = b"\r\n".join(lines) + b"\r\n"
        say("retr", i, resp, octets, len(body), hashlib.sha256(body).hexdigest())
    say("dele", p.dele(1))
    say("stat", p.stat())
    say("rset", p.rset())
    say("dele", p.dele(2))
    say("quit", p.quit())


if __name__ == "__main__":
    main()
