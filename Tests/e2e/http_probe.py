#!/usr/bin/env python3
"""Drives evt's metrics/health listener the way a hostile or slow world would.

  http_probe.py PORT slow SECONDS   50 idle connections and one client sending a header byte a
                                    second, while /healthz is asked every 0.25 s for SECONDS:
                                    prints the longest answer time in ms and how many failed
  http_probe.py PORT get PATH       one request: prints the status, then the body, and the time
                                    it took in ms on the last line
  http_probe.py PORT raw BYTES      sends BYTES (Python escapes) and prints the status line of
                                    the reply ("none" when the connection closed without one)"""
import socket
import sys
import time

port = int(sys.argv[1])


def connect():
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def request(path):
    t = time.monotonic()
    c = connect()
    c.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while True:
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    c.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body, (time.monotonic() - t) * 1000


mode = sys.argv[2]
if mode == "slow":
    seconds = float(sys.argv[3])
    idle = [connect() for _ in range(50)]
    drip = connect()
    request_bytes = b"GET /healthz HTTP/1.1\r\nX-Slow: " + b"a" * 1000
    sent, longest, failed, asked = 0, 0.0, 0, 0
    start = time.monotonic()
    next_drip = start
    while time.monotonic() - start < seconds:
        if time.monotonic() >= next_drip:
            try:
                drip.sendall(request_bytes[sent:sent + 1])
            except OSError:
                drip = connect()  # the listener closed it at its deadline: start again
                sent = 0
            sent = (sent + 1) % len(request_bytes)
            next_drip += 1
        try:
            status, _, ms = request("/healthz")
            asked += 1
            longest = max(longest, ms)
            if status != 200:
                failed += 1
        except OSError:
            failed += 1
        time.sleep(0.25)
    print("%.1f %d %d" % (longest, failed, asked))
elif mode == "get":
    status, body, ms = request(sys.argv[3])
    print(status)
    sys.stdout.write(body.decode(errors="replace"))
    print("%.1f" % ms)
elif mode == "raw":
    c = connect()
    c.sendall(sys.argv[3].encode().decode("unicode_escape").encode("latin-1"))
    data = b""
    try:
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    print(data.split(b"\r\n")[0].decode(errors="replace") if data else "none")
