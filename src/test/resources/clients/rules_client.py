"""A well-behaved imaplib client for the rules tests: prints what it saw, step by step.

Usage: rules_client.py HOST PORT USER PASSWORD
It uses IDLE only when the server announces it (as real clients do), otherwise it polls with NOOP.
Every line it prints is "step: result"; an aborted connection prints "aborted: reason" and stops.
"""
import imaplib
import sys
import time


def say(step, result):
    print(step + ": " + str(result), flush=True)


def main():
    host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    m = imaplib.IMAP4(host, port)
    say("greeting", m.welcome.decode("latin-1"))
    say("capabilities", " ".join(sorted(m.capabilities)))
    try:
        say("login", m.login(user, password))
        if "IDLE" in m.capabilities:
            tag = m._new_tag()
            m.send(tag + b" IDLE\r\n")
            answer = m.readline().decode("latin-1").strip()
            say("idle", answer)
            if answer.startswith("* BYE"):
                raise imaplib.IMAP4.abort(answer)
            m.send(b"DONE\r\n")
            say("idle done", m.readline().decode("latin-1").strip())
        else:
            say("poll", m.noop())
        say("noop", m.noop())
        say("untagged", sorted(k for k in m.untagged_responses))
        say("list", m.list())
        say("select sent", m.select("Sent"))
        start = time.monotonic()
        say("select inbox", m.select("INBOX"))
        say("select seconds", round(time.monotonic() - start, 2))
        say("untagged after select", sorted(m.untagged_responses))
        say("fetch", m.fetch("1", "(FLAGS)"))
        say("logout", m.logout())
    except (imaplib.IMAP4.abort, OSError) as e:
        say("aborted", e)


main()
