"""A real SMTP server for the end-to-end tests (aiosmtpd, Debian's python3-aiosmtpd).

Usage: smtp_sink.py PORT DIR — listens on 127.0.0.1:PORT and stores every accepted message
as DIR/<n>.eml (first line: "X-Envelope-To: <rcpt>"), until SIGTERM.
"""
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, directory):
        self.directory = directory
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = len(os.listdir(self.directory)) + 1
            tmp = os.path.join(self.directory, ".%d.tmp" % n)
            with open(tmp, "wb") as f:
                f.write(("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
                f.write(envelope.original_content)
            os.rename(tmp, os.path.join(self.directory, "%06d.eml" % n))
        return "250 Message accepted for delivery"


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Store(directory), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("listening", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
