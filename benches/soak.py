#!/usr/bin/env python3
"""Soak check, run by hand: the dashboard left open keeps 15-minute roles fresh.

    cargo build --release && python3 benches/soak.py [MINUTES]

Five roles of 15 minutes (duration_seconds = 900) are signed in once with `mfatui login`, with
refresh_margin_secs = 840, so every role falls due one minute after each renewal. The dashboard
then runs in tmux, alone. Every 10 s the AWS CLI calls sts get-caller-identity through each
role's managed profile. Reported: renewals per minute (AssumeRole calls counted by the sandbox),
failed AWS CLI calls, and whether any MFA prompt ever appeared. Needs tmux and .venv.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import EVE_SERIAL, eve_seed  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MFATUI = os.path.join(ROOT, "target", "release", "mfatui")
AWS = os.path.join(ROOT, ".venv", "bin", "aws")
MINUTES = float(sys.argv[1]) if len(sys.argv) > 1 else 5
ROLES = 5
SERIAL = EVE_SERIAL

seed = eve_seed(ROLES)
home = tempfile.mkdtemp(prefix="mfatui-soak-")
sock = f"mfatui-soak-{os.getpid()}"
sandbox = None
try:
    os.makedirs(os.path.join(home, ".aws"))
    os.makedirs(os.path.join(home, ".config", "mfatui"))
    json.dump(seed, open(os.path.join(home, "seed.json"), "w"))
    sandbox = subprocess.Popen([MFATUI, "sandbox", "--seed", os.path.join(home, "seed.json")], stdout=subprocess.PIPE, text=True)
    url = sandbox.stdout.readline().split()[-1]
    config = f"[profile eve]\nmfa_serial = {SERIAL}\nregion = eu-west-1\n"
    for i in range(ROLES):
        config += f"[profile s{i}]\nrole_arn = arn:aws:iam::200000000001:role/s{i}\nsource_profile = eve\nduration_seconds = 900\n"
    open(os.path.join(home, ".aws", "config"), "w").write(config)
    open(os.path.join(home, ".aws", "credentials"), "w").write(
        "[eve]\naws_access_key_id = AKIAEVE0000000000001\naws_secret_access_key = eve-secret\n")
    open(os.path.join(home, ".config", "mfatui", "config.toml"), "w").write("refresh_margin_secs = 840\n")
    env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL": url}
    code = json.load(urllib.request.urlopen(f"{url}/_sandbox/totp?serial={SERIAL}"))["code"]
    subprocess.run([MFATUI, "login", "eve", "--code", code], env=env, check=True, stdout=subprocess.DEVNULL)
    stats = lambda: json.load(urllib.request.urlopen(f"{url}/_sandbox/stats")).get("AssumeRole", 0)
    start_assumed = stats()
    cmd = f"env -i PATH=/usr/bin:/bin HOME={home} TERM=xterm-256color AWS_ENDPOINT_URL={url} {MFATUI}"
    subprocess.run(["tmux", "-L", sock, "new-session", "-d", "-s", "soak", "-x", "120", "-y", "30", cmd], check=True)
    started, failures, calls, prompted, per_minute = time.time(), 0, 0, False, []
    minute_mark, minute_start = started, start_assumed
    while time.time() - started < MINUTES * 60:
        for i in range(ROLES):
            r = subprocess.run([AWS, "sts", "get-caller-identity", "--profile", f"s{i}-mfa", "--output", "text"],
                               env=env, capture_output=True, text=True)
            calls += 1
            if r.returncode != 0:
                failures += 1
                print(f"  failed s{i}: {r.stderr.strip()[:200]}")
        screen = subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-t", "soak"], capture_output=True, text=True).stdout
        prompted |= "MFA code for" in screen
        if time.time() - minute_mark >= 60:
            now_assumed = stats()
            per_minute.append(now_assumed - minute_start)
            print(f"minute {len(per_minute)}: {now_assumed - minute_start} renewals")
            minute_mark, minute_start = time.time(), now_assumed
        time.sleep(10)
    total = stats() - start_assumed
    print(f"{MINUTES:g} min, {ROLES} roles of 15 min, margin 840 s: {total} renewals "
          f"(per minute: {per_minute}), {failures} of {calls} AWS CLI calls failed, prompt shown: {prompted}")
finally:
    subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True)
    if sandbox:
        sandbox.kill()
    shutil.rmtree(home, ignore_errors=True)
