#!/usr/bin/env python3
"""A user appending to ~/.aws/credentials while mfatui rewrites it, run by hand:

    cargo build --release && python3 benches/appends.py [ROUNDS] [MFATUI_BINARY]

Each round: one section appended every 100 ms (`open(p, "a")`, 60 in all) while
`mfatui refresh --all` runs back to back (eve and 5 roles, so every run rewrites the file).
Reported per round: rewrites, and appends found in neither the file, a `*.mfatui-conflict-*`
file nor the backup. Pass another build's binary to compare (the figure before a fix).
"""
import glob
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
from common import EVE_SERIAL, eve_seed  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 12
MFATUI = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "target", "release", "mfatui")
SERIAL = EVE_SERIAL
ROLES = 5

seed = eve_seed(ROLES)
home = tempfile.mkdtemp(prefix="mfatui-appends-")
sandbox = None
try:
    os.makedirs(os.path.join(home, ".aws"))
    json.dump(seed, open(os.path.join(home, "seed.json"), "w"))
    sandbox = subprocess.Popen([MFATUI, "sandbox", "--seed", os.path.join(home, "seed.json")],
                               stdout=subprocess.PIPE, text=True)
    url = sandbox.stdout.readline().split()[-1]
    config = f"[profile eve]\nmfa_serial = {SERIAL}\nregion = eu-west-1\n"
    for i in range(ROLES):
        config += f"[profile s{i}]\nrole_arn = arn:aws:iam::200000000001:role/s{i}\nsource_profile = eve\n"
    open(os.path.join(home, ".aws", "config"), "w").write(config)
    creds = os.path.join(home, ".aws", "credentials")
    open(creds, "w").write("[eve]\naws_access_key_id = AKIAEVE0000000000001\naws_secret_access_key = eve-secret\n")
    env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL": url}
    code = json.load(urllib.request.urlopen(f"{url}/_sandbox/totp?serial={SERIAL}"))["code"]
    subprocess.run([MFATUI, "login", "eve", "--code", code], env=env, check=True, stdout=subprocess.DEVNULL)
    lost_total, lost_runs, writes_total = 0, 0, 0
    for r in range(ROUNDS):
        done = threading.Event()

        def append():
            for i in range(60):
                with open(creds, "a") as f:
                    f.write(f"\n[appended-{r}-{i}]\nregion = eu-west-1\n")
                time.sleep(0.1)
            done.set()

        t = threading.Thread(target=append)
        started = time.time()
        t.start()
        writes = 0
        while not done.is_set():
            subprocess.run([MFATUI, "refresh", "--all"], env=env, check=True, stdout=subprocess.DEVNULL)
            writes += 1
        t.join()
        kept = open(creds).read()
        for extra in glob.glob(creds + ".mfatui-conflict-*") + [creds + ".mfatui-backup"]:
            if os.path.exists(extra):
                kept += open(extra).read()
        lost = [i for i in range(60) if f"[appended-{r}-{i}]\n" not in kept]
        lost_total += len(lost)
        lost_runs += bool(lost)
        writes_total += writes
        print(f"round {r + 1}: {writes} rewrites in {time.time() - started:.1f} s, {len(lost)} of 60 appends lost {lost}")
    print(f"{ROUNDS} rounds, {60 * ROUNDS} appends, {writes_total} rewrites: "
          f"{lost_total} lost in {lost_runs} rounds ({MFATUI})")
finally:
    if sandbox:
        sandbox.kill()
    shutil.rmtree(home, ignore_errors=True)
