#!/usr/bin/env python3
"""How clients fare when a session must be renewed, run by hand:

    cargo build --release && python3 benches/renewal.py    # MFATUI=path, VENV=path/to/.venv

Against `mfatui sandbox` on 127.0.0.1 in a throw-away HOME, with a 1-hour role r0:

1. AssumeRole slowed to 2.5 s (sandbox fault injection) and r0's stored session 10 minutes from
   its end: the time `mfatui serve r0` takes to answer boto3 (container provider) and the AWS CLI,
   and how many AssumeRole calls the sandbox counted (1 = the renewal was never cancelled).
2. Late in the session (r0 stored with 16 min, 15 min 5 s, 15 min 1 s, 10 min and 6 min left;
   `LEFT="960 600"` picks others; r15, a 15-minute role, with 5 and 4 min left): credential
   fetches per 5 calls of one boto3 session and of one JavaScript SDK v3 client (fromHttp,
   fromContainerMetadata, the default chain, fromProcess; when `npm ci` was run in benches/js),
   through serve (a counting proxy in front of it) and through credential_process (a counting
   wrapper), and credential_process runs per `aws` command. Target: 1 everywhere, except botocore
   with a 15-minute role, which no renewal can satisfy (its window is 15 minutes).
"""
import http.server
import json
import os
import shutil
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
VENV = os.environ.get("VENV", os.path.join(ROOT, ".venv"))
PYTHON, AWS = os.path.join(VENV, "bin", "python"), os.path.join(VENV, "bin", "aws")
for need in (MFATUI, PYTHON, AWS):
    if not os.path.exists(need):
        sys.exit(f"{need} is missing: cargo build --release, scripts/test.sh (or set MFATUI, VENV)")

SEED = eve_seed(1, "r")
FIVE_CALLS = ("import boto3,time\nc=boto3.Session(region_name='eu-west-1').client('sts')\n"
              "for i in range(5):\n    c.get_caller_identity()\n    time.sleep(1)\n")


def put(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="PUT")
    urllib.request.urlopen(req).read()


home = tempfile.mkdtemp(prefix="mfatui-bench-")
procs = []
try:
    os.makedirs(os.path.join(home, ".aws"))
    sb, url = start_sandbox(MFATUI, home, SEED)
    procs.append(sb)
    runs = os.path.join(home, "runs")
    wrapper = os.path.join(home, "cp.sh")
    open(wrapper, "w").write(f"#!/bin/sh\necho run >> {runs}\nexec {MFATUI} credential-process \"$1\"\n")
    os.chmod(wrapper, 0o755)
    open(os.path.join(home, ".aws", "config"), "w").write(
        "[profile eve]\nmfa_serial = arn:aws:iam::100000000001:mfa/eve-phone\nregion = eu-west-1\n"
        "[profile r0]\nrole_arn = arn:aws:iam::200000000001:role/r0\nsource_profile = eve\n"
        "[profile r15]\nrole_arn = arn:aws:iam::200000000001:role/r0\nsource_profile = eve\nduration_seconds = 900\n"
        f"[profile cp]\ncredential_process = {wrapper} r0\nregion = eu-west-1\n"
        f"[profile cp15]\ncredential_process = {wrapper} r15\nregion = eu-west-1\n")
    open(os.path.join(home, ".aws", "credentials"), "w").write(
        "[eve]\naws_access_key_id = AKIAEVE0000000000001\naws_secret_access_key = eve-secret\n")
    env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL": url}
    code = json.load(urllib.request.urlopen(f"{url}/_sandbox/totp?serial=arn:aws:iam::100000000001:mfa/eve-phone"))["code"]
    subprocess.run([MFATUI, "login", "eve", "--code", code], env=env, check=True, capture_output=True)
    store = os.path.join(home, ".local", "state", "mfatui", "sessions.json")

    subprocess.run([MFATUI, "refresh", "r15"], env=env, check=True, capture_output=True)

    def near_end(left, profile="r0"):
        doc = json.load(open(store))
        doc["sessions"][profile]["expiration"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + left))
        json.dump(doc, open(store, "w"))

    serve = subprocess.Popen([MFATUI, "serve", "--all", "r0"], env=env, stdout=subprocess.PIPE, text=True)
    procs.append(serve)
    lines = [serve.stdout.readline() for _ in range(3)]
    uri = next(x for x in lines if "FULL_URI=" in x).split("=", 1)[1].strip()
    token_file = next(x for x in lines if "TOKEN_FILE=" in x).split("=", 1)[1].strip()
    container = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": uri, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token_file,
                 "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1"}

    # 1. A 2.5 s AssumeRole.
    put(f"{url}/_sandbox/faults", {"rules": [{"action": "AssumeRole", "effect": {"latency_ms": 2500}}]})
    fetch = ("import boto3,time\nt=time.perf_counter()\nboto3.Session(region_name='eu-west-1').get_credentials()"
             ".get_frozen_credentials()\nprint(f'credentials fetched in {time.perf_counter()-t:.2f} s')")
    for client, argv in [("boto3", [PYTHON, "-c", fetch]),
                         ("aws", [AWS, "sts", "get-caller-identity"])]:
        near_end(600)
        before = json.load(urllib.request.urlopen(f"{url}/_sandbox/stats")).get("AssumeRole", 0)
        started = time.perf_counter()
        r = subprocess.run(argv, env={**env, **container}, capture_output=True, text=True)
        took = time.perf_counter() - started
        after = json.load(urllib.request.urlopen(f"{url}/_sandbox/stats")).get("AssumeRole", 0)
        print(f"2.5 s AssumeRole, {client} through serve: exit {r.returncode} in {took:.2f} s, "
              f"{after - before} AssumeRole call(s); {r.stdout.strip()[-60:]} {r.stderr.strip()[-200:]}")
    put(f"{url}/_sandbox/faults", {"rules": []})

    # 2. Late in the session: a counting proxy in front of serve.
    fetches = [0]
    target = uri.rsplit("/profile/", 1)[0]

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            fetches[0] += 1
            req = urllib.request.Request(target + self.path, headers={"Authorization": self.headers["Authorization"]})
            try:
                r = urllib.request.urlopen(req)
                status, body = r.status, r.read()
            except urllib.error.HTTPError as e:
                status, body = e.code, e.read()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    JS = os.path.join(ROOT, "benches", "js")
    has_js = os.path.exists(os.path.join(JS, "node_modules"))
    if not has_js:
        print("(JavaScript SDK skipped: run `npm ci` in benches/js)")

    def count(profile, left, argv, extra, counter):
        near_end(left, profile)
        fetches[0] = 0
        open(runs, "w").close()
        r = subprocess.run(argv, env={**env, **extra}, capture_output=True, text=True, cwd=JS)
        if r.returncode != 0:
            return f"failed: {r.stderr.strip()[-150:]}"
        return fetches[0] if counter == "serve" else len(open(runs).read().split())

    points = [("r0", int(x)) for x in os.environ.get("LEFT", "960 905 901 600 360").split()]
    for profile, left in points + [("r15", 300), ("r15", 240)]:
        proxied = {**container, "AWS_CONTAINER_CREDENTIALS_FULL_URI": f"http://127.0.0.1:{proxy.server_port}/profile/{profile}",
                   "AWS_CONTAINER_AUTHORIZATION_TOKEN": open(token_file).read()}
        cp = {"AWS_PROFILE": "cp" if profile == "r0" else "cp15"}
        got = {
            "boto3 serve": count(profile, left, [PYTHON, "-c", FIVE_CALLS], proxied, "serve"),
            "boto3 process": count(profile, left, [PYTHON, "-c", FIVE_CALLS], cp, "runs"),
            "aws CLI runs per command": count(profile, left, [AWS, "sts", "get-caller-identity"], cp, "runs"),
        }
        if has_js:
            node = ["node", os.path.join(JS, "five_calls.mjs")]
            got["JS fromHttp"] = count(profile, left, node + ["http"], proxied, "serve")
            got["JS fromContainerMetadata"] = count(profile, left, node + ["container"], proxied, "serve")
            got["JS chain (container)"] = count(profile, left, node + ["chain"], proxied, "serve")
            got["JS fromProcess"] = count(profile, left, node + ["process"], cp, "runs")
            got["JS chain (process)"] = count(profile, left, node + ["chain"], cp, "runs")
        print(f"{profile} with {left // 60} min {left % 60:02d} s left, fetches per 5 calls: "
              + ", ".join(f"{k} {v}" for k, v in got.items()))
finally:
    for p in procs:
        p.terminate()
        p.wait()
    shutil.rmtree(home, ignore_errors=True)
