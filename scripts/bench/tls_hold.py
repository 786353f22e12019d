#!/usr/bin/env python3
"""tls_hold.py — open N mutual-TLS connections to HOST:PORT and hold them (make bench, RSS test).

Usage: tls_hold.py HOST PORT N CERT KEY CAFILE MAX_SECONDS
Prints "open K" once K connections completed their handshake (K < N when some failed), then keeps
them open until stdin is closed or MAX_SECONDS pass, and closes them all. Bounded in time and count.
"""
import select
import socket
import ssl
import sys
import time


def main():
    host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cert, key, cafile, max_secs = sys.argv[4], sys.argv[5], sys.argv[6], float(sys.argv[7])
    deadline = time.monotonic() + max_secs
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    ctx.check_hostname = False          # the peer is addressed by IP; the chain is still verified
    ctx.load_cert_chain(cert, key)
    conns, failed = [], 0
    for _ in range(n):
        if time.monotonic() > deadline:
            break
        try:
            raw = socket.create_connection((host, port), timeout=5)
            conns.append(ctx.wrap_socket(raw))
        except (OSError, ssl.SSLError):
            failed += 1
    print(f"open {len(conns)} failed {failed}", flush=True)
    left = deadline - time.monotonic()
    if left > 0:
        select.select([sys.stdin], [], [], left)   # stdin closed or readable: done
    for c in conns:
        c.close()


if __name__ == "__main__":
    main()
