#!/usr/bin/env python3
"""sipraw.py — raw SIP bytes for the bad-input scenarios (t_badinput*.sh).

  sipraw.py send TP PROXY_IP:PORT LOCAL_IP FILE [--wait S] [--count N] [-D KEY=VAL]...
      Send FILE (tests/acceptance/raw/*.sip) over udp, tcp or tls and print every response
      received within S seconds (or until N responses), one block per response. LF line ends
      become CRLF; ${TP} ${LIP} ${LPORT} ${PIP} ${PPORT} ${BRANCH} ${CALLID} ${CL} (body length)
      ${NUL} ${REPEAT:N:TEXT} ${HDRS:N} (N distinct headers) and -D keys are substituted.
      --cl N writes Content-Length N instead of the body length; --close-after-send closes the
      connection right after the last byte; --split B sends only the first B bytes, then closes;
      --lead N puts N CRLFs (keep-alives) before the message, in the same write or datagram.
      --repeat N does it all N times, each on a new connection (fresh Call-ID and branch);
      --times N sends the message N times from the same socket (one sender), then waits.
      --save F writes the bytes sent to F (the last message, with --repeat).
  sipraw.py hdiff SENT LOG
      Compare the message saved by `send --save` with the request of the same Call-ID in a
      `uas` LOG, line by line (request line, header lines as they are on the wire, folding
      included, then the body): `  LINE` same, `- LINE` only sent, `+ LINE` only received.
  sipraw.py uas TP IP:PORT LOG [--status [METHOD=]N]... [--silent] [--silent-to METHOD]...
      A server on udp or tcp that answers every request (not ACK/BENOTIFY) with N (METHOD=N:
      that method only) and appends each request it receives to LOG; --silent never answers
      (a black hole that still reads), --silent-to never answers that method.
  sipraw.py idle TP PROXY_IP:PORT LOCAL_IP SECONDS [--after FILE]
      Open a tcp connection (tls-partial: send the first bytes of a TLS record and stall), send
      nothing (or FILE once, then nothing); print `closed after X s` when the proxy closes it
      (counted from the last byte exchanged), `open` otherwise.
  sipraw.py flood TCP PROXY_IP:PORT LOCAL_IP N FILE --wait S
      Send N copies of FILE (distinct Call-IDs) over one tcp connection as fast as possible and
      count the final responses per status until all N are answered or S seconds pass.
"""
import os
import random
import re
import select
import socket
import ssl
import sys
import time


def die(msg):
    print("sipraw: " + msg, file=sys.stderr)
    sys.exit(2)


def hostport(s):
    h, p = s.rsplit(":", 1)
    return h, int(p)


def expand(text, env):
    def rep(m):
        k = m.group(1)
        if k.startswith("REPEAT:"):
            _, n, t = k.split(":", 2)
            return t * int(n)
        if k.startswith("HDRS:"):
            n = int(k.split(":")[1])
            return "".join("X%d: %d\n" % (i, i) for i in range(n))
        if k == "NUL":
            return "\0"
        if k in env:
            return str(env[k])
        die("unknown placeholder ${%s}" % k)
    return re.sub(r"\$\{([A-Za-z0-9_]+(?::[^}]*)?)\}", rep, text)


def build(path, env, cl=None):
    raw = open(path, "rb").read().decode("latin-1")
    # The first pass fills everything except the body length, which needs the body.
    env = dict(env)
    env.setdefault("CL", "${CL}")
    text = expand(raw.replace("\r\n", "\n"), env).replace("\n", "\r\n")
    head, sep, body = text.partition("\r\n\r\n")
    n = len(body.encode("latin-1"))
    text = text.replace("${CL}", str(cl if cl is not None else n))
    return text.encode("latin-1")


def parse_messages(buf):
    """Split a stream buffer into complete messages; returns (messages, rest)."""
    out = []
    while True:
        i = buf.find(b"\r\n\r\n")
        if i < 0:
            return out, buf
        head = buf[:i].decode("latin-1")
        m = re.search(r"(?im)^(?:content-length|l)[ \t]*:[ \t]*(\d+)", head)
        n = int(m.group(1)) if m else 0
        if len(buf) < i + 4 + n:
            return out, buf
        out.append(buf[: i + 4 + n])
        buf = buf[i + 4 + n:]


def connect(tp, proxy, lip):
    ph, pp = hostport(proxy)
    if tp == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((lip, 0))
        s.connect((ph, pp))
        return s
    s = socket.create_connection((ph, pp), timeout=5, source_address=(lip, 0))
    if tp == "tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    return s


def recv_some(s, tp, timeout):
    if tp == "tls" and s.pending():
        return s.recv(65536)
    r, _, _ = select.select([s], [], [], timeout)
    if not r:
        return None
    try:
        return s.recv(65536)
    except (ConnectionResetError, ssl.SSLError):
        return b""


def show(msg):
    head = msg.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    print(head)
    print("--")
    sys.stdout.flush()


def cmd_send(a):
    tp, proxy, lip, path = a[0], a[1], a[2], a[3]
    wait, count, env, cl, close_after, split, repeat = 3.0, 1, {}, None, False, None, 1
    save, lead, times = None, 0, 1
    i = 4
    while i < len(a):
        if a[i] == "--wait":
            wait = float(a[i + 1]); i += 2
        elif a[i] == "--count":
            count = int(a[i + 1]); i += 2
        elif a[i] == "-D":
            k, v = a[i + 1].split("=", 1); env[k] = v; i += 2
        elif a[i] == "--cl":
            cl = int(a[i + 1]); i += 2
        elif a[i] == "--close-after-send":
            close_after = True; i += 1
        elif a[i] == "--split":
            split = int(a[i + 1]); i += 2
        elif a[i] == "--repeat":
            repeat = int(a[i + 1]); i += 2
        elif a[i] == "--lead":
            lead = int(a[i + 1]); i += 2
        elif a[i] == "--times":
            times = int(a[i + 1]); i += 2
        elif a[i] == "--save":
            save = a[i + 1]; i += 2
        else:
            die("unknown option " + a[i])
    for _ in range(repeat):
        send_once(tp, proxy, lip, path, dict(env), wait, count, cl, close_after, split, save,
                  lead, times)
    return 0


def send_once(tp, proxy, lip, path, env, wait, count, cl, close_after, split, save, lead=0,
              times=1):
    s = connect(tp, proxy, lip)
    lport = s.getsockname()[1]
    ph, pp = hostport(proxy)
    env.update(TP=tp.upper(), LIP=lip, LPORT=lport, PIP=ph, PPORT=pp,
               BRANCH="z9hG4bK-raw-%d" % random.randrange(1 << 40),
               CALLID="raw-%d@%s" % (random.randrange(1 << 40), lip))
    data = b"\r\n" * lead + build(path, env, cl)
    if split is not None:
        data = data[:split]
    if save:
        with open(save, "wb") as f:
            f.write(data)
    for _ in range(times):
        if tp == "udp":
            s.send(data)
        else:
            s.sendall(data)
    if close_after or split is not None:
        s.close()
        print("sent %d bytes, closed" % len(data))
        return 0
    end, buf, got = time.time() + wait, b"", 0
    while got < count and time.time() < end:
        chunk = recv_some(s, tp, max(0.0, end - time.time()))
        if chunk is None:
            break
        if chunk == b"":
            print("connection closed by the proxy")
            break
        if tp == "udp":
            show(chunk)
            got += 1
            continue
        buf += chunk
        msgs, buf = parse_messages(buf)
        for m in msgs:
            show(m)
            got += 1
    s.close()
    return 0


def cmd_uas(a):
    tp, (ip, port), log = a[0], hostport(a[1]), a[2]
    status, silent = {"": 200}, set()
    i = 3
    while i < len(a):
        if a[i] == "--status":
            method, _, n = a[i + 1].rpartition("=")
            status[method] = int(n); i += 2
        elif a[i] == "--silent":
            silent.add(""); i += 1
        elif a[i] == "--silent-to":
            silent.add(a[i + 1]); i += 2
        else:
            die("unknown option " + a[i])
    logf = open(log, "ab", buffering=0)

    def answer(msg):
        logf.write(msg + b"\n=====\n")
        head = msg.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        first = head.split("\r\n", 1)[0]
        method = first.split(" ", 1)[0]
        if ("" in silent or method in silent or first.startswith("SIP/2.0")
                or method in ("ACK", "BENOTIFY")):
            return None
        keep = [ln for ln in head.split("\r\n")[1:]
                if re.match(r"(?i)(via|v|from|f|to|t|call-id|i|cseq|record-route)\s*:", ln)]
        keep = [ln + (";tag=uas" if re.match(r"(?i)(to|t)\s*:", ln) and "tag=" not in ln else "")
                for ln in keep]
        return ("SIP/2.0 %d Answer\r\n%s\r\nContent-Length: 0\r\n\r\n"
                % (status.get(method, status[""]), "\r\n".join(keep))).encode("latin-1")

    if tp == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((ip, port))
        while True:
            data, peer = s.recvfrom(65536)
            r = answer(data)
            if r:
                s.sendto(r, peer)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((ip, port))
    srv.listen(64)
    conns = {}
    while True:
        r, _, _ = select.select([srv] + list(conns), [], [])
        for s in r:
            if s is srv:
                c, _ = srv.accept()
                conns[c] = b""
                continue
            try:
                chunk = s.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                del conns[s]
                s.close()
                continue
            msgs, conns[s] = parse_messages(conns[s] + chunk)
            for m in msgs:
                rr = answer(m)
                if rr:
                    s.sendall(rr)


def cmd_idle(a):
    tp, proxy, lip, secs = a[0], a[1], a[2], float(a[3])
    ph, pp = hostport(proxy)
    s = socket.create_connection((ph, pp), timeout=5, source_address=(lip, 0))
    if "--after" in a:
        # One request first: sofia arms its idle timer only once a connection has carried data.
        lport = s.getsockname()[1]
        env = dict(TP="TCP", LIP=lip, LPORT=lport, PIP=ph, PPORT=pp, BRANCH="z9hG4bK-idle",
                   CALLID="idle-%d@%s" % (random.randrange(1 << 40), lip))
        s.sendall(build(a[a.index("--after") + 1], env))
        msgs, buf, t1 = [], b"", time.time() + 3
        while not msgs and time.time() < t1:
            r, _, _ = select.select([s], [], [], 0.2)
            if r:
                buf += s.recv(65536)
                msgs, buf = parse_messages(buf)
    if tp == "tls-partial":
        # A ClientHello cut in the middle: the handshake stalls.
        s.send(bytes.fromhex("160301"))
    t0 = time.time()
    r, _, _ = select.select([s], [], [], secs)
    if r:
        try:
            d = s.recv(100)
        except OSError:
            d = b""
        if not d:
            print("closed after %.1f s" % (time.time() - t0))
            return 0
        print("data after %.1f s" % (time.time() - t0))
        return 0
    print("open")
    return 0


def cmd_flood(a):
    tp, proxy, lip, n, path = a[0], a[1], a[2], int(a[3]), a[4]
    wait = float(a[a.index("--wait") + 1]) if "--wait" in a else 40.0
    # --pace MS: at most 16 kB per MS milliseconds (sofia refuses a stream whose queued bytes
    # exceed max_message_size at once, see docs/errors.md); 0: as fast as the socket takes them.
    pace = float(a[a.index("--pace") + 1]) / 1000 if "--pace" in a else 0.0
    chunk, next_send = (16384 if pace else 65536), 0.0
    s = connect(tp, proxy, lip)
    lport = s.getsockname()[1]
    ph, pp = hostport(proxy)
    base = dict(TP=tp.upper(), LIP=lip, LPORT=lport, PIP=ph, PPORT=pp)
    out = b"".join(build(path, dict(base, BRANCH="z9hG4bK-fl-%d" % k, CALLID="fl-%d@%s" % (k, lip)))
                   for k in range(n))
    t0 = time.time()
    s.setblocking(False)
    sent, buf, counts, finals, retry_after = 0, b"", {}, 0, 0
    end = t0 + wait
    while finals < n and time.time() < end:
        want_w = [s] if sent < len(out) and time.time() >= next_send else []
        r, w, _ = select.select([s], want_w, [], pace if want_w == [] and sent < len(out) else 0.2)
        if w:
            try:
                sent += s.send(out[sent:sent + chunk])
                next_send = time.time() + pace
            except BlockingIOError:
                pass
        if r:
            try:
                data = s.recv(262144)
            except BlockingIOError:
                continue
            if not data:
                break
            buf += data
            msgs, buf = parse_messages(buf)
            for m in msgs:
                st = int(m.split(b" ", 2)[1])
                if st < 200:
                    continue
                finals += 1
                counts[st] = counts.get(st, 0) + 1
                if re.search(rb"(?im)^retry-after\s*:", m):
                    retry_after += 1
    print("sent=%d/%d finals=%d seconds=%.1f retry_after=%d %s" % (
        sent, len(out), finals, time.time() - t0, retry_after,
        " ".join("%d=%d" % kv for kv in sorted(counts.items()))))
    return 0


def wire_lines(msg):
    """A message as its wire lines: request/status line, header lines (a folded header keeps its
    continuation lines as separate entries), an empty line, then the body as one entry."""
    head, _, body = msg.partition(b"\r\n\r\n")
    return [ln.decode("latin-1") for ln in head.split(b"\r\n")] + ["", body.decode("latin-1")]


def call_id(msg):
    m = re.search(rb"(?im)^(?:call-id|i)[ \t]*:[ \t]*(\S+)", msg.split(b"\r\n\r\n", 1)[0])
    return m.group(1) if m else None


def cmd_hdiff(a):
    import difflib
    sent = open(a[0], "rb").read()
    want = call_id(sent)
    got = [m for m in open(a[1], "rb").read().split(b"\n=====\n") if m and call_id(m) == want]
    if not got:
        print("! no request with Call-ID %s in %s" % (want.decode("latin-1"), a[1]))
        return 1
    for line in difflib.ndiff(wire_lines(sent), wire_lines(got[0])):
        if not line.startswith("? "):
            print(line)
    return 0


def main():
    if len(sys.argv) < 2:
        die(__doc__)
    cmd, a = sys.argv[1], sys.argv[2:]
    fn = {"send": cmd_send, "uas": cmd_uas, "idle": cmd_idle, "flood": cmd_flood,
          "hdiff": cmd_hdiff}.get(cmd)
    if not fn:
        die("unknown command " + cmd)
    sys.exit(fn(a))


if __name__ == "__main__":
    main()
