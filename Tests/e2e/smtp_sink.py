"""A real SMTP server for the end-to-end tests (aiosmtpd, Debian's python3-aiosmtpd).

Usage: smtp_sink.py PORT DIR [USER:PASSWORD] — listens on 127.0.0.1:PORT and stores every
accepted message as DIR/<n>.eml (first line: "X-Envelope-To: <rcpt>"), until SIGTERM. With
USER:PASSWORD, clients must authenticate (AUTH PLAIN or LOGIN) before sending.

Misbehaviour on demand, from the environment: SINK_DATA_DELAY=SECONDS waits that long before
answering DATA; SINK_DEFER_RCPT=ADDRESS answers 450 to that recipient; SINK_REJECT_RCPT=ADDRESS
answers 550 to it.
"""
import asyncio
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Store:
    def __init__(self, directory):
        self.directory = directory
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == os.environ.get("SINK_DEFER_RCPT"):
            return "450 4.2.1 Mailbox busy, try again later"
        if address == os.environ.get("SINK_REJECT_RCPT"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        delay = float(os.environ.get("SINK_DATA_DELAY", "0"))
        if delay:
            await asyncio.sleep(delay)
        with self.lock:
            n = len(os.listdir(self.directory)) + 1
            tmp = os.path.join(self.directory, ".%d.tmp" % n)
            with open(tmp, "wb") as f:
                f.write(("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
                f.write(envelope.original_content)
            os.rename(tmp, os.path.join(self.directory, "%06d.eml" % n))
        return "250 Message accepted for delivery"


class Credentials:
    def __init__(self, user, password):
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (self.user, self.password)
        return AuthResult(success=ok)


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    auth = {}
    if len(sys.argv) > 3:
        user, password = sys.argv[3].split(":", 1)
        auth = dict(authenticator=Credentials(user, password), auth_required=True, auth_require_tls=False)
    controller = Controller(Store(directory), hostname="127.0.0.1", port=port, **auth)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("listening", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
