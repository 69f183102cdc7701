#!/usr/bin/env python3
"""Sends PING to each Redis given (a unix socket path or HOST:PORT) over and over, about every
2 ms, until the file STOP exists (or 300 s pass); then prints the longest wait for a reply in
milliseconds, over all servers. Used to show that no call of evt blocks Redis for long.

usage: ping_watch.py STOP SERVER [SERVER ...]"""
import os
import socket
import sys
import time

stop, servers = sys.argv[1], sys.argv[2:]
conns = []
for s in servers:
    if s.startswith("/"):
        c = socket.socket(socket.AF_UNIX)
        c.connect(s)
    else:
        host, port = s.rsplit(":", 1)
        c = socket.create_connection((host, int(port)))
    c.settimeout(30)
    conns.append(c)
longest = 0.0
deadline = time.monotonic() + 300
while not os.path.exists(stop) and time.monotonic() < deadline:
    for c in conns:
        t = time.monotonic()
        c.sendall(b"PING\r\n")
        reply = b""
        while not reply.endswith(b"\r\n"):
            reply += c.recv(64)
        longest = max(longest, (time.monotonic() - t) * 1000)
    time.sleep(0.002)
print("%.1f" % longest)
