#!/usr/bin/env python3
"""slowclients.py — hostile connections against sipfed's listen ports (issue 11), loopback only.

Opens, in this order and each from its own source address:
  --half N      TLS port: TCP connected, the handshake never finished (half of them send the
                first bytes of a ClientHello, half nothing);
  --trickle N   TLS port: handshake finished, then at once one byte of a SIP request and one
                more every --trickle-interval seconds (0.5), also while the other connections
                are being opened;
  --silent SRC:N  TCP port: connected, never a byte (repeatable: per-address and total caps).
Then prints `phase=open seconds=S` (how long opening them all took), waits (bounded by
--deadline seconds) until the proxy has closed every one, and prints one line per group: `group=NAME opened=N refused=R closed=C open=O first_close=S last_close=S
life_min=S life_max=S` (refused: reset before --refused-within seconds, i.e. at accept; closed:
ended later by a timeout; open: still open at the deadline; first/last_close: seconds from the
start; life: from each closed connection's own opening to its close), for the trickling group
also `after_first_byte_min=S after_first_byte_max=S` (from its first SIP byte to its close).
Exit 0 always: the caller judges the numbers.
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
        self.lives = []                 # closed connections: seconds from opening to close
        self.after_first_byte = []      # trickling ones: seconds from their first byte to close
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
        extra = ""
        if self.name == "trickle_tls":
            extra = " after_first_byte_min=%.1f after_first_byte_max=%.1f" % span(
                self.after_first_byte)
        print("group=%s opened=%d refused=%d closed=%d open=%d first_close=%.1f last_close=%.1f "
              "life_min=%.1f life_max=%.1f%s connect_failed=%d" % (
                  self.name, opened, self.refused, len(self.closed), still, first, last,
                  *span(self.lives), extra, self.failed_connect))


def span(values):
    return (min(values), max(values)) if values else (-1, -1)


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
    groups, opened_at, first_byte_at = [], {}, {}
    sel = selectors.DefaultSelector()
    payload = (b"MESSAGE sip:alice@ciscoexample.test SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:1;"
               b"branch=z9hG4bK-trickle\r\n" + b"X-Slow: " + b"x" * 4000)
    trickle_group, pos = Group("trickle_tls"), {}
    live = set()
    next_byte = [time.time()]

    def trickle_closed(g, t, when):
        g.closed.append(when)
        g.lives.append(when - opened_at[t])
        g.after_first_byte.append(when - first_byte_at[t])

    def trickle_one(g, t):
        """The next byte of t's message; False when the proxy has closed t."""
        try:
            t.send(payload[pos[t]:pos[t] + 1])
            pos[t] += 1
            try:
                if t.recv(4096) == b"":
                    raise ConnectionResetError
            except (ssl.SSLWantReadError, BlockingIOError):
                pass
            return True
        except (OSError, ssl.SSLError):
            live.discard(t)
            trickle_closed(g, t, time.time())
            t.close()
            return False

    def trickle_tick():
        # also called between two connections while opening: a pause longer than the proxy's
        # message_timeout / 2 would read as a finished message and restart its clock
        if live and time.time() >= next_byte[0]:
            next_byte[0] = time.time() + a.trickle_interval
            for t in list(live):
                trickle_one(trickle_group, t)

    def spec(s):
        src, n = s.rsplit(":", 1)
        return src, int(n)

    def track(g, s):
        g.socks.append(s)
        opened_at[s] = time.time()
        sel.register(s, selectors.EVENT_READ, g)
        trickle_tick()

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

    if a.trickle:
        src, n = spec(a.trickle)
        g = trickle_group
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
            opened_at[t] = first_byte_at[t] = time.time()
            pos[t] = 0
            live.add(t)
            trickle_one(g, t)
            trickle_tick()

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

    def ended(g, s):
        if time.time() - opened_at[s] < a.refused_within and g.name != "trickle_tls":
            g.refused += 1
        else:
            g.closed.append(time.time())
            g.lives.append(time.time() - opened_at[s])

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
        trickle_tick()
    for g in groups:
        g.report(start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
