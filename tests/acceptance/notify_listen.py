#!/usr/bin/env python3
"""notify_listen.py SOCKET LOG — play systemd's side of sd_notify(3): bind a Unix datagram socket
at SOCKET and append every message received to LOG (one message per record, records separated by
a line '--'), flushed at once, until killed."""
import os
import socket
import sys

path, log = sys.argv[1], sys.argv[2]
if os.path.exists(path):
    os.unlink(path)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
with open(log, "a", encoding="utf-8") as out:
    while True:
        data = sock.recv(4096)
        out.write(data.decode("utf-8", "replace").rstrip("\n") + "\n--\n")
        out.flush()
