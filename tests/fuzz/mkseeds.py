#!/usr/bin/env python3
"""mkseeds.py — (re)write the seed corpora of tests/fuzz/corpus/ from the repository's own files.

  tests/fuzz/mkseeds.py      (from the repository root; the files are committed, run it after
                              changing rules/, the examples or tests/acceptance/raw/)

  loader/   each node file with its dial-plan files, in fuzz_loader.c's format (`%%` lines)
  cases/    every rules/**/*.cases file as it is
  request/  every tests/acceptance/raw/*.sip message with its ${...} filled in as sipraw.py
            would send it, behind fuzz_request.c's control byte (from the IM&P peer over TLS,
            from the Internet over TLS, to the DMZ plan)
"""
import glob
import os
import re
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def fresh(target):
    d = os.path.join(CORPUS, target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def read(path):
    with open(path, "rb") as f:
        return f.read()


def loader_seeds():
    d = fresh("loader")
    nodes = {
        "lab": ("sipfed.ini", "rules"),
        "internal": ("rules/examples/internal/sipfed.ini", "rules/examples/internal/rules"),
        "dmz": ("rules/examples/dmz/sipfed.ini", "rules/examples/dmz/rules"),
        "dist": ("dist/sipfed.ini", "dist/rules"),
        "cisco-guide": ("sipfed.ini", "tests/unit/data/loader/cisco-guide"),
    }
    for name, (node, rules) in nodes.items():
        parts = [read(os.path.join(ROOT, node))]
        parts += [read(p) for p in sorted(glob.glob(os.path.join(ROOT, rules, "*.ini")))]
        with open(os.path.join(d, name), "wb") as f:
            f.write(b"\n%%\n".join(parts))


def cases_seeds():
    d = fresh("cases")
    for p in sorted(glob.glob(os.path.join(ROOT, "rules", "**", "*.cases"), recursive=True)):
        shutil.copy(p, os.path.join(d, os.path.basename(p)))


def raw_fill(text):
    """sipraw.py's substitutions, with the repeat counts capped (seeds stay small)."""
    text = text.replace("${TP}", "TLS").replace("${LIP}", "127.0.0.4").replace("${LPORT}", "40123")
    text = text.replace("${PIP}", "127.0.0.1").replace("${PPORT}", "5061")
    text = text.replace("${BRANCH}", "z9hG4bK-seed1").replace("${CALLID}", "seed-call-1@127.0.0.4")
    text = text.replace("${NUL}", "\0")
    text = re.sub(r"\$\{REPEAT:(\d+):([^}]*)\}", lambda m: m.group(2) * min(int(m.group(1)), 40),
                  text)
    text = re.sub(r"\$\{HDRS:(\d+)\}",
                  lambda m: "\n".join("X-Seed-%d: v" % i for i in range(min(int(m.group(1)), 20))),
                  text)
    text = re.sub(r"\$\{\w+\}", "x", text.replace("${CL}", "@CL@"))
    head, sep, body = text.partition("\n\n")
    msg = head.replace("@CL@", str(len(body.replace("\n", "\r\n")))) + sep + body
    return msg.replace("\r\n", "\n").replace("\n", "\r\n").encode("latin-1")


def request_seeds():
    d = fresh("request")
    # fuzz_request.c's control byte: plan | origin << 2 | tls | verified | inbound
    controls = {"imp": 0x00 | 0 << 2 | 0x60, "internet": 0x00 | 1 << 2 | 0xE0,
                "dmz": 0x02 | 7 << 2 | 0xE0}
    for p in sorted(glob.glob(os.path.join(ROOT, "tests", "acceptance", "raw", "*.sip"))):
        msg = raw_fill(read(p).decode("latin-1"))
        name = os.path.basename(p)[:-4]
        for origin, ctl in controls.items():
            if origin == "dmz" and not name.startswith("message"):
                continue
            with open(os.path.join(d, "%s-%s" % (name, origin)), "wb") as f:
                f.write(bytes([ctl]) + msg)


loader_seeds()
cases_seeds()
request_seeds()
