#!/usr/bin/env python3
"""slowclients.py — hostile connections against sipfed's listen ports (issue 11), loopback only.

Opens, in this order and each from its own source address:
  --half N      TLS port: TCP connected, the handshake never finished (half of them send the
                first bytes of a ClientHello, half nothing);
  --trickle N   TLS port: handshake finished, then one byte of a SIP request every
                --trickle-interval seconds (0.5);
  --silent SRC:N  TCP port: connected, never a byte (repeatable: per-address and total caps).
Then prints `phase=open seconds=S` (how long opening them all took), waits (bounded by
--deadline seconds) until the proxy has closed every one, and prints one line per group: `group=NAME opened=N refused=R closed=C open=O first_close=S last_close=S`
(refused: reset before --refused-within seconds, i.e. at accept; closed: ended later by a
timeout; open: still open at the deadline). Exit 0 always: the caller judges the numbers.
"""
import argparse
import errno
import selectors
import socket
import ssl
import sys
import time


def tcp_connect(src, dst, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(5)
    s.connect((dst, port))
    s.setblocking(False)
    return s


class Group:
    def __init__(self, name):
        self.name, self.socks, self.refused, self.closed = name, [], 0, []
        self.failed_connect = 0
        self.reset_at_connect = 0       # refused so fast that connect() already saw the reset

    def connect_failed(self, e):
        if isinstance(e, ConnectionResetError):
            self.reset_at_connect += 1
            self.refused += 1
        else:
            self.failed_connect += 1

    def report(self, start):
        still = len(self.socks) + self.reset_at_connect - self.refused - len(self.closed)
        first = min(self.closed) - start if self.closed else -1
        last = max(self.closed) - start if self.closed else -1
        opened = len(self.socks) + self.reset_at_connect
        print("group=%s opened=%d refused=%d closed=%d open=%d first_close=%.1f last_close=%.1f "
              "connect_failed=%d" % (self.name, opened, self.refused, len(self.closed), still,
                                     first, last, self.failed_connect))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proxy", required=True)
    ap.add_argument("--tls-port", type=int, required=True)
    ap.add_argument("--tcp-port", type=int, required=True)
    ap.add_argument("--half", default="")        # SRC:N
    ap.add_argument("--trickle", default="")     # SRC:N
    ap.add_argument("--silent", action="append", default=[])  # SRC:N
    ap.add_argument("--trickle-interval", type=float, default=0.5)
    ap.add_argument("--deadline", type=float, default=30)
    ap.add_argument("--refused-within", type=float, default=1.0)
    a = ap.parse_args()
    start = time.time()
    groups, opened_at = [], {}
    sel = selectors.DefaultSelector()

    def spec(s):
        src, n = s.rsplit(":", 1)
        return src, int(n)

    def track(g, s):
        g.socks.append(s)
        opened_at[s] = time.time()
        sel.register(s, selectors.EVENT_READ, g)

    if a.half:
        src, n = spec(a.half)
        g = Group("half_open_tls")
        groups.append(g)
        for i in range(n):
            try:
                s = tcp_connect(src, a.proxy, a.tls_port)
            except OSError as e:
                g.connect_failed(e)
                continue
            if i % 2:
                try:
                    s.send(b"\x16\x03\x01\x02\x00\x01")   # a ClientHello that never ends
                except OSError:
                    pass
            track(g, s)

    tricklers = []
    if a.trickle:
        src, n = spec(a.trickle)
        g = Group("trickle_tls")
        groups.append(g)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        for _ in range(n):
            try:
                raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                raw.bind((src, 0))
                raw.settimeout(5)
                raw.connect((a.proxy, a.tls_port))
                t = ctx.wrap_socket(raw)
                t.setblocking(False)
            except OSError as e:
                g.connect_failed(e)
                continue
            g.socks.append(t)
            opened_at[t] = time.time()
            tricklers.append(t)

    for item in a.silent:
        src, n = spec(item)
        g = Group("silent_tcp_" + src)
        groups.append(g)
        for _ in range(n):
            try:
                track(g, tcp_connect(src, a.proxy, a.tcp_port))
            except OSError as e:
                g.connect_failed(e)

    # How long opening every connection took: the caller's timeouts must be longer, or the first
    # connections are cut off before the last are open (and the caps are never reached).
    print("phase=open seconds=%.1f" % (time.time() - start))
    payload = (b"MESSAGE sip:alice@ciscoexample.test SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:1;"
               b"branch=z9hG4bK-trickle\r\n" + b"X-Slow: " + b"x" * 4000)
    trickle_group = next((g for g in groups if g.name == "trickle_tls"), None)
    pos = {t: 0 for t in tricklers}
    live = set(tricklers)
    next_byte = time.time()

    def ended(g, s):
        if time.time() - opened_at[s] < a.refused_within and g.name != "trickle_tls":
            g.refused += 1
        else:
            g.closed.append(time.time())

    while time.time() - start < a.deadline:
        pending = sum(len(g.socks) + g.reset_at_connect - g.refused - len(g.closed)
                      for g in groups)
        if pending == 0:
            break
        for key, _ in sel.select(timeout=0.1):
            s, g = key.fileobj, key.data
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                ended(g, s)
                s.close()
        if live and time.time() >= next_byte:
            next_byte = time.time() + a.trickle_interval
            for t in list(live):
                try:
                    t.send(payload[pos[t]:pos[t] + 1])
                    pos[t] += 1
                    try:
                        if t.recv(4096) == b"":
                            raise ConnectionResetError
                    except (ssl.SSLWantReadError, BlockingIOError):
                        pass
                except (OSError, ssl.SSLError):
                    live.discard(t)
                    trickle_group.closed.append(time.time())
                    t.close()
    for g in groups:
        g.report(start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
