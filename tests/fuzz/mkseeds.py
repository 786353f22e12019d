#!/usr/bin/env python3
"""mkseeds.py — (re)write the seed corpora of tests/fuzz/corpus/ from the repository's own files.

  tests/fuzz/mkseeds.py      (from the repository root; the files are committed, run it after
                              changing rules/, the examples or tests/acceptance/raw/)

  loader/   each node file with its dial-plan files, in fuzz_loader.c's format (`%%` lines)
  cases/    every rules/**/*.cases file as it is
  request/  every tests/acceptance/raw/*.sip message with its ${...} filled in as sipraw.py
            would send it, behind fuzz_request.c's control byte (from the IM&P peer over TLS,
            from the Internet over TLS, to the DMZ plan)
  stream/   every raw message, a MESSAGE, a CRLF keep-alive and the message again, as one
            connection's bytes behind fuzz_stream.c's control bytes
  admin/    requests to the admin port (with and without the bearer token, pipelined, a body)
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


def stream_seeds():
    """A connection's bytes: each raw message, then a MESSAGE, a CRLF keep-alive and the message
    again, behind fuzz_stream.c's control bytes (the largest read cycling through its sizes)."""
    d = fresh("stream")
    message = raw_fill(read(os.path.join(ROOT, "tests", "acceptance", "raw", "message.sip"))
                       .decode("latin-1"))
    for i, p in enumerate(sorted(glob.glob(os.path.join(ROOT, "tests", "acceptance", "raw",
                                                        "*.sip")))):
        msg = raw_fill(read(p).decode("latin-1"))
        with open(os.path.join(d, os.path.basename(p)[:-4]), "wb") as f:
            f.write(bytes([i % 8, i & 0xFF]) + msg + message + b"\r\n\r\n" + msg)


def admin_seeds():
    """Requests to the admin port, behind fuzz_admin.c's control bytes (bit 3: a token is set)."""
    d = fresh("admin")
    auth = "Authorization: Bearer s3cret\r\n"
    reqs = {
        "metrics": "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9061\r\n\r\n",
        "history-token": "GET /history?n=5&x=1 HTTP/1.1\r\nHost: h\r\n" + auth + "\r\n",
        "status-wrong-token": "GET /status HTTP/1.0\r\nAuthorization: Bearer nope\r\n\r\n",
        "head-root": "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n",
        "post-body": "POST /status HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
        "pipelined": "GET /summary HTTP/1.1\r\nHost: h\r\n\r\nGET /presence HTTP/1.1\r\n"
                     "Host: h\r\n" + auth + "\r\nGET /nope HTTP/1.1\r\n\r\n",
        "absolute-uri": "GET http://127.0.0.1:9061/index.html HTTP/1.1\r\n\r\n",
        "http2-preface": "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    }
    for i, (name, text) in enumerate(sorted(reqs.items())):
        ctl = (i % 8) | (8 if "token" in name or name == "pipelined" else 0)
        with open(os.path.join(d, name), "wb") as f:
            f.write(bytes([ctl, i]) + text.encode("latin-1"))


loader_seeds()
cases_seeds()
request_seeds()
stream_seeds()
admin_seeds()
