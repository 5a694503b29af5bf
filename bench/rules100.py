#!/usr/bin/env python3
"""Writes 100 rules to stdout for the `proxy+rules` target of bench/run.

A realistic mix of what rule files contain (commands by name, responses by name, kind, status or
code, client family/version/confidence, regular expressions over the raw first line in both
directions, state, mailbox and capability conditions) with real actions (delay, drop, inject,
replace, ...), chosen so that NONE of them matches the bench traffic: LOGIN, SELECT INBOX,
UID SEARCH ALL, UID FETCH 1:* (BODY.PEEK[]), NOOP, UID FETCH n (FLAGS), LOGOUT and Dovecot's
answers to them. Conditions that would match that traffic on their own (a response name such as
EXISTS, the tagged OK of LOGIN) are narrowed by a client family or mailbox the bench never has.
bench/run checks the file with `rules check` and runs `rules test` over the captured bench
sessions, which must report 0 rule hits; then every frame is evaluated against all 100 rules and
forwarded unchanged, which is the cost measured.
"""

import json
import sys

FAMILIES = ["outlook", "ios-mail", "apple-mail-macos", "k9", "aosp-email",
            "evolution", "geary", "mutt", "alpine", "roundcube"]
CLIENT_COMMANDS = ["XLIST", "GETQUOTAROOT", "MOVE", "UID MOVE", "COPY", "UID COPY", "APPEND",
                   "EXPUNGE", "UID EXPUNGE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE",
                   "NAMESPACE", "COMPRESS", "ENABLE", "ID", "AUTHENTICATE", "GETACL", "MYRIGHTS",
                   "SETMETADATA", "GETMETADATA", "UNSELECT", "CLOSE", "UID STORE"]
RESPONSES = ["EXISTS", "EXPUNGE", "VANISHED", "CAPABILITY", "LIST", "LSUB", "STATUS",
             "NAMESPACE", "ESEARCH", "QUOTA", "QUOTAROOT", "METADATA", "ENABLED", "ID",
             "RECENT", "FLAGS", "SEARCH"]
CLIENT_RE = [r"(?i)^\S+ (UID )?MOVE ", r"(?i)^\S+ APPEND \"?Drafts", r"(?i)^\S+ ID \(",
             r"(?i)^\S+ UID FETCH \d+:\* \(.*X-GM-", r"(?i)^\S+ SELECT \"?Junk",
             r"(?i)^\S+ (UID )?EXPUNGE", r"(?i)^\S+ COMPRESS DEFLATE", r"(?i)^\S+ ENABLE QRESYNC"]
SERVER_RE = [r"^\* \d+ (EXPUNGE|VANISHED)", r"^\* \d+ FETCH .*X-GM-LABELS",
             r"^\* OK \[HIGHESTMODSEQ", r"^\* LIST \(.*\\Junk", r"^\S+ NO \[OVERQUOTA",
             r"^\* BYE \[ALERT", r"^\* CAPABILITY .*XAPPLEPUSHSERVICE", r"^\* ESEARCH \(TAG"]
EITHER_RE = [r"(?i)x-spam-flag", r"(?i)\bXYZZY\b", r"(?i)\bX-QUIRK-NEVER\b"]


def action(i):
    return [
        {"type": "delay", "ms": 250},
        {"type": "drop"},
        {"type": "inject", "after": ["* OK [ALERT] quirkproxy was here"]},
        {"type": "replace", "pattern": "\\\\Seen", "replacement": ""},
        {"type": "split", "chunk": 8, "pauseMs": 10},
    ][i % 5]


def rules():
    out = []
    # 25 commands by name; every other one only for some client family.
    for i, cmd in enumerate(CLIENT_COMMANDS):
        when = {"direction": "client", "command": cmd}
        if i % 2 == 0:
            when["client"] = FAMILIES[i % len(FAMILIES)]
        out.append((when, action(i)))
    # 17 responses by name, each narrowed to a client family or a mailbox the bench never has.
    for i, r in enumerate(RESPONSES):
        narrow = {"client": FAMILIES[i % len(FAMILIES)]} if i % 2 else {"mailbox": "Junk"}
        out.append(({"response": r, **narrow}, action(len(out))))
    # 4 by kind/status, 4 by response code.
    out.append(({"response": {"kind": "tagged", "status": ["NO", "BAD"]}}, action(1)))
    out.append(({"response": "continuation", "command": "AUTHENTICATE"}, action(2)))
    out.append(({"response": {"kind": "untagged", "status": "BYE"}, "client": "k9"}, action(3)))
    out.append(({"response": {"kind": "tagged", "status": "OK"}, "command": ["LOGIN", "AUTHENTICATE"],
                 "client": {"family": ["outlook", "ios-mail"]}}, action(4)))
    for code in ["TRYCREATE", "OVERQUOTA", "ALREADYEXISTS", "UNAVAILABLE"]:
        out.append(({"code": code}, action(len(out))))
    # 20 client identity conditions (families, versions, confidence), with a command or not.
    for i in range(20):
        client = [
            {"family": [FAMILIES[i % len(FAMILIES)]]},
            {"family": "thunderbird", "version": f"<{60 + i}"},
            {"familyRegex": f"(?i){FAMILIES[i % len(FAMILIES)]}.*"},
            {"family": "thunderbird", "minConfidence": 0.99},
        ][i % 4]
        when = {"client": client}
        if i % 2 == 0:
            when["command"] = CLIENT_COMMANDS[i]
        out.append((when, action(i)))
    # 19 regular expressions over the raw first line: 8 commands, 8 responses, 3 either way.
    for r in CLIENT_RE:
        out.append(({"direction": "client", "line": r}, action(len(out))))
    for r in SERVER_RE:
        out.append(({"direction": "server", "line": r}, action(len(out))))
    for r in EITHER_RE:
        out.append(({"line": r}, action(len(out))))
    # 6 protocol, state, mailbox and capability conditions.
    out.append(({"protocol": "pop3", "command": "RETR"}, {"type": "delay", "ms": 100}))
    out.append(({"state": "selected", "mailbox": "Junk", "command": "UID FETCH"}, action(5)))
    out.append(({"capability": "NOTIFY", "command": "IDLE"}, action(6)))
    out.append(({"state": "not-authenticated", "command": "STARTTLS"}, action(7)))
    out.append(({"mailbox": {"regex": "(?i)^(Sent|Drafts)$"}, "response": "FETCH"}, action(8)))
    out.append(({"command": {"name": "UID STORE", "flags": ["\\Deleted"]}}, action(9)))
    # 5 more on UID FETCH, the bench's own command, for clients it is not.
    for i in range(5):
        out.append(({"command": "UID FETCH", "client": FAMILIES[(i * 3) % len(FAMILIES)]},
                    {"type": "replace", "pattern": f"X-NEVER-THERE-{i}", "replacement": "x"}))
    assert len(out) == 100, len(out)
    return [{"id": f"bench-{n:03d}", "description": "bench/run: must not match the bench traffic",
             "when": w, "action": a} for n, (w, a) in enumerate(out)]


json.dump({"version": 1, "rules": rules()}, sys.stdout, indent=1)
sys.stdout.write("\n")
