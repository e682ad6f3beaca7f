#!/usr/bin/env python3
"""A slowloris against `mfatui serve` at the default descriptor limit, run by hand:

    cargo build --release && python3 benches/slowloris.py      # or MFATUI=path/to/mfatui

`mfatui serve r0` runs under `ulimit -n 1024` against `mfatui sandbox` (127.0.0.1 only). An
attacker opens 1,100 connections that each send part of a request head, then one header line a
second, reconnecting whenever the server closes one (at most 50,000 connections, 20 s). A legit
client asks for r0 every 100 ms with botocore's 2 s budget. Reported: the legit client's answered
count, p50/p99/max latency (before and during the attack), and the server's CPU use in % of a
core during the attack (/proc/PID/stat). Targets: p99 < 100 ms, CPU < 10 %.
"""
import http.client
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import eve_seed, start_sandbox  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MFATUI = os.environ.get("MFATUI", os.path.join(ROOT, "target", "release", "mfatui"))
if not os.path.exists(MFATUI):
    sys.exit(f"{MFATUI} is missing: cargo build --release (or set MFATUI)")
ATTACK_SECS, CONNECTIONS, MAX_OPENED = 20, 1100, 50_000

SEED = eve_seed(1, "r")


def cpu_secs(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def legit(port, token, secs):
    """Latencies (s) of requests every 100 ms for `secs`, and the failures."""
    lat, failed, end = [], [], time.monotonic() + secs
    while time.monotonic() < end:
        started = time.perf_counter()
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/profile/r0", headers={"Authorization": token})
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                lat.append(time.perf_counter() - started)
            else:
                failed.append(f"HTTP {r.status}")
        except OSError as e:
            failed.append(repr(e))
        time.sleep(0.1)
    return lat, failed


def attack(port, stop, opened):
    def connect():
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=0.3)
            s.settimeout(0.05)
            s.sendall(b"GET /profile/r0 HTTP/1.1\r\nHost: x\r\n")
            opened[0] += 1
            return s
        except OSError:
            return None
    conns = [connect() for _ in range(CONNECTIONS)]
    while not stop.is_set():
        time.sleep(1)
        for i, s in enumerate(conns):
            try:
                if s is None:
                    raise OSError
                s.sendall(b"X-a: b\r\n")
            except OSError:
                if s is not None:
                    s.close()
                conns[i] = connect() if opened[0] < MAX_OPENED else None
    for s in conns:
        if s is not None:
            s.close()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000 if xs else float("nan")


def report(name, lat, failed):
    print(f"{name}: {len(lat)} answered, {len(failed)} failed {failed[:3]}; "
          f"p50 {pct(lat, 0.5):.1f} ms, p99 {pct(lat, 0.99):.1f} ms, max {max(lat, default=0) * 1000:.1f} ms")


soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
home = tempfile.mkdtemp(prefix="mfatui-bench-")
procs = []
try:
    os.makedirs(os.path.join(home, ".aws"))
    sb, url = start_sandbox(MFATUI, home, SEED)
    procs.append(sb)
    open(os.path.join(home, ".aws", "config"), "w").write(
        "[profile eve]\nmfa_serial = arn:aws:iam::100000000001:mfa/eve-phone\nregion = eu-west-1\n"
        "[profile r0]\nrole_arn = arn:aws:iam::200000000001:role/r0\nsource_profile = eve\n")
    open(os.path.join(home, ".aws", "credentials"), "w").write(
        "[eve]\naws_access_key_id = AKIAEVE0000000000001\naws_secret_access_key = eve-secret\n")
    env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL": url}
    code = json.load(urllib.request.urlopen(f"{url}/_sandbox/totp?serial=arn:aws:iam::100000000001:mfa/eve-phone"))["code"]
    subprocess.run([MFATUI, "login", "eve", "--code", code], env=env, check=True, capture_output=True)

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
    serve = subprocess.Popen([MFATUI, "serve", "r0"], env=env, stdout=subprocess.PIPE, text=True, preexec_fn=limit)
    procs.append(serve)
    lines = [serve.stdout.readline() for _ in range(3)]
    uri = next(x for x in lines if "FULL_URI=" in x).split("=", 1)[1].strip()
    token_file = next(x for x in lines if "TOKEN_FILE=" in x).split("=", 1)[1].strip()
    port, token = int(uri.split(":")[2].split("/")[0]), open(token_file).read()

    report("no attack (5 s)", *legit(port, token, 5))
    stop, opened = threading.Event(), [0]
    t = threading.Thread(target=attack, args=(port, stop, opened))
    t.start()
    time.sleep(2)
    cpu0, t0 = cpu_secs(serve.pid), time.monotonic()
    lat, failed = legit(port, token, ATTACK_SECS - 4)
    cpu = (cpu_secs(serve.pid) - cpu0) / (time.monotonic() - t0)
    stop.set()
    t.join()
    report(f"under attack ({CONNECTIONS} held, {opened[0]} opened in all)", lat, failed)
    print(f"server CPU under attack: {cpu * 100:.1f} % of a core; still running: {serve.poll() is None}")
finally:
    for p in procs:
        p.terminate()
        p.wait()
    shutil.rmtree(home, ignore_errors=True)
