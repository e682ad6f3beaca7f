#!/usr/bin/env python3
"""Hostile servers, run by hand: how long `mfatui login` waits and how much memory it takes.

    cargo build --release && python3 benches/hostile.py

Two local servers stand in for STS: a black hole (accepts TCP, never answers) and one that streams
a 2 GiB chunked body. Reported per server: exit status, wall time and peak RSS (`/usr/bin/time`),
and mfatui's message. Defaults apply (call_timeout_secs = 25, 1 MiB body cap).
"""
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import home_with  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MFATUI = os.path.join(ROOT, "target", "release", "mfatui")


def server(kind):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)

    def handle(conn):
        if kind == "black hole":
            time.sleep(600)
            return
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n" % (1 << 20) + b"y" * (1 << 20) + b"\r\n"
        try:
            for _ in range(2048):
                conn.sendall(chunk)
        except OSError:
            pass  # mfatui hung up: what is being measured

    def accept():
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}"


if not os.path.exists("/usr/bin/time"):
    sys.exit("needs /usr/bin/time (apt-get install time)")
home = home_with(
    "[profile eve]\nmfa_serial = arn:aws:iam::100000000001:mfa/eve-phone\nregion = eu-west-1\n"
    "[profile r0]\nrole_arn = arn:aws:iam::200000000001:role/r0\nsource_profile = eve\n",
    "[eve]\naws_access_key_id = AKIAEVE0000000000001\naws_secret_access_key = eve-secret\n",
)
try:
    for kind, code in [("black hole", "111111"), ("2 GiB body", "222222")]:
        env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL": server(kind)}
        started = time.perf_counter()
        r = subprocess.run(["/usr/bin/time", "-f", "%M", MFATUI, "login", "eve", "--code", code],
                           env=env, capture_output=True, text=True)
        took = time.perf_counter() - started
        rss_mib = int(r.stderr.strip().splitlines()[-1]) // 1024
        said = next((line.strip() for line in r.stdout.splitlines() if "eve " in line), r.stdout.strip())
        print(f"{kind}: exit {r.returncode} after {took:.1f} s, peak RSS {rss_mib} MiB: {said[:200]}")
finally:
    shutil.rmtree(home, ignore_errors=True)
