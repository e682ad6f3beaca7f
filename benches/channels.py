#!/usr/bin/env python3
"""Benchmark the credential channels, each against its floor in the same run. By hand:

    cargo build --release && python3 benches/channels.py

1. `mfatui credential-process P` with a valid stored session vs `mfatui --version` (starting the
   binary): hyperfine, median ratio (target <= 2x).
2. The AWS CLI's `sts get-caller-identity` through credential_process vs through a managed
   section of ~/.aws/credentials (target: overhead under 10 %).
3. `mfatui serve`: p50 latency and requests/s for cached credentials (wrk on loopback; target
   p50 under 1 ms).

Needs hyperfine and wrk (apt-get install hyperfine wrk) and .venv (scripts/test.sh makes it).
Everything runs against `mfatui sandbox` on 127.0.0.1 in a throw-away HOME.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import eve_seed, start_sandbox  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MFATUI = os.path.join(ROOT, "target", "release", "mfatui")
AWS = os.path.join(ROOT, ".venv", "bin", "aws")
for need, hint in [(MFATUI, "cargo build --release"), (AWS, "scripts/test.sh")]:
    if not os.path.exists(need):
        sys.exit(f"{need} is missing: run {hint}")
for tool in ("hyperfine", "wrk"):
    if not shutil.which(tool):
        sys.exit(f"{tool} is missing: apt-get install {tool}")

SEED = eve_seed(1, "r")

home = tempfile.mkdtemp(prefix="mfatui-bench-")
procs = []
try:
    os.makedirs(os.path.join(home, ".aws"))
    sb, url = start_sandbox(MFATUI, home, SEED)
    procs.append(sb)
    open(os.path.join(home, ".aws", "config"), "w").write(
        "[profile eve]\nmfa_serial = arn:aws:iam::100000000001:mfa/eve-phone\nregion = eu-west-1\n"
        "[profile r0]\nrole_arn = arn:aws:iam::200000000001:role/r0\nsource_profile = eve\n"
        f"[profile cp]\ncredential_process = {MFATUI} credential-process r0\nregion = eu-west-1\n")
    open(os.path.join(home, ".aws", "credentials"), "w").write(
        "[eve]\naws_access_key_id = AKIAEVE0000000000001\naws_secret_access_key = eve-secret\n")
    env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL": url}
    code = json.load(urllib.request.urlopen(f"{url}/_sandbox/totp?serial=arn:aws:iam::100000000001:mfa/eve-phone"))["code"]
    subprocess.run([MFATUI, "login", "eve", "--code", code], env=env, check=True, stdout=subprocess.DEVNULL)

    def hyperfine(*commands, runs=200, warmup=20):
        out = os.path.join(home, "hf.json")
        subprocess.run(["hyperfine", "-N", "--runs", str(runs), "--warmup", str(warmup), "--export-json", out, *commands],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        return [r["median"] * 1000 for r in json.load(open(out))["results"]]

    floor, cp = hyperfine(f"{MFATUI} --version", f"{MFATUI} credential-process r0")
    print(f"credential-process with a stored session: {cp:.2f} ms median; mfatui --version {floor:.2f} ms: {cp / floor:.2f}x the floor")
    # botocore's own credential_process machinery, with `cat` as the process: the channel's floor.
    creds = os.path.join(home, "creds.json")
    open(creds, "w").write(subprocess.run([MFATUI, "credential-process", "r0"], env=env, capture_output=True, text=True, check=True).stdout)
    open(os.path.join(home, ".aws", "config"), "a").write(f"[profile cat]\ncredential_process = cat {creds}\nregion = eu-west-1\n")
    section, cat, process = hyperfine(f"{AWS} sts get-caller-identity --profile r0-mfa",
                                      f"{AWS} sts get-caller-identity --profile cat",
                                      f"{AWS} sts get-caller-identity --profile cp", runs=40, warmup=5)
    print(f"AWS CLI: managed section {section:.0f} ms; credential_process: `cat` {cat:.0f} ms ({100 * (cat / section - 1):+.1f} %), "
          f"mfatui {process:.0f} ms ({100 * (process / section - 1):+.1f} %)")

    serve = subprocess.Popen([MFATUI, "serve", "r0"], env=env, stdout=subprocess.PIPE, text=True)
    procs.append(serve)
    lines = [serve.stdout.readline() for _ in range(3)]
    uri = next(l.split("=", 1)[1].strip() for l in lines if "FULL_URI" in l)
    token_file = next(l.split("=", 1)[1].strip() for l in lines if "TOKEN_FILE" in l)
    token = open(token_file).read()
    subprocess.run(["curl", "-sf", "-H", f"Authorization: {token}", uri], check=True, stdout=subprocess.DEVNULL)
    w = subprocess.run(["wrk", "-t1", "-c1", "-d5s", "--latency", "-H", f"Authorization: {token}", uri],
                       capture_output=True, text=True, check=True).stdout
    p50 = re.search(r"50%\s+([\d.]+)(us|ms)", w)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", w).group(1)
    p50_ms = float(p50.group(1)) / (1000 if p50.group(2) == "us" else 1)
    w8 = subprocess.run(["wrk", "-t2", "-c8", "-d5s", "-H", f"Authorization: {token}", uri],
                        capture_output=True, text=True, check=True).stdout
    rps8 = re.search(r"Requests/sec:\s+([\d.]+)", w8).group(1)
    print(f"serve: p50 {p50_ms:.3f} ms, {float(rps):.0f} req/s one connection, {float(rps8):.0f} req/s with 8")
finally:
    for p in procs:
        p.kill()
        p.wait()
    shutil.rmtree(home, ignore_errors=True)
