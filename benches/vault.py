#!/usr/bin/env python3
"""Benchmark credential-process with the vault on, against `mfatui --version`, with the real
Secret Service (GNOME Keyring on a private D-Bus session). By hand:

    cargo build --release && python3 benches/vault.py

Measures, with a valid stored session (hyperfine -N, median):
1. `mfatui --version` (the floor: starting the binary);
2. `credential-process r0-mfa` under vault = keychain, the store's key cached in the kernel keyring
   (target: <= 1.5x the floor);
3. the same with MFATUI_NO_KERNEL_KEYRING=1 (every read asks the Secret Service over D-Bus: what
   runs where keyctl is refused);
4. the same under vault = files (the unencrypted store), for reference.

Needs hyperfine, dbus-daemon, gnome-keyring (scripts/test.sh installs the latter two).
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import EVE_SERIAL, eve_seed, start_sandbox  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MFATUI = os.environ.get("MFATUI_BIN", os.path.join(ROOT, "target", "release", "mfatui"))

work = tempfile.mkdtemp(prefix="mfatui-vault-bench-")
runtime = os.path.join(work, "run")
os.makedirs(runtime, mode=0o700)
base_env = {"PATH": os.path.dirname(MFATUI) + ":" + os.environ["PATH"], "XDG_RUNTIME_DIR": runtime,
            "XDG_DATA_HOME": os.path.join(work, "data")}
# The bus and keyring live as long as this script's pipe to them.
session = subprocess.Popen(
    ["dbus-run-session", "--", "sh", "-c",
     "echo -n PASS | gnome-keyring-daemon --unlock --components=secrets >/dev/null; echo \"$DBUS_SESSION_BUS_ADDRESS\"; read _"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=base_env)
base_env["DBUS_SESSION_BUS_ADDRESS"] = session.stdout.readline().strip()

results = {}
procs = [session]
try:
    for mode in ("keychain", "files"):
        home = os.path.join(work, mode)
        os.makedirs(os.path.join(home, ".aws"))
        os.makedirs(os.path.join(home, ".config", "mfatui"))
        sb, url = start_sandbox(MFATUI, home, eve_seed(1, "r"))
        procs.append(sb)
        open(os.path.join(home, ".aws", "config"), "w").write(
            f"[profile eve]\nmfa_serial = {EVE_SERIAL}\nregion = eu-west-1\n"
            "[profile r0]\nrole_arn = arn:aws:iam::200000000001:role/r0\nsource_profile = eve\n")
        open(os.path.join(home, ".aws", "credentials"), "w").write(
            "[eve]\naws_access_key_id = AKIAEVE0000000000001\naws_secret_access_key = eve-secret\n")
        open(os.path.join(home, ".config", "mfatui", "config.toml"), "w").write(
            f"vault = \"{mode}\"\nexport = \"process\"\n")
        env = dict(base_env, HOME=home, AWS_ENDPOINT_URL=url)
        if mode == "keychain":
            subprocess.run([MFATUI, "vault", "import", "eve"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([MFATUI, "login", "eve"], env=dict(env, MFATUI_TOTP_SEED_EVE="GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
                       check=True, stdout=subprocess.DEVNULL)
        out = os.path.join(work, f"{mode}.json")
        commands = [f"{MFATUI} --version", f"{MFATUI} credential-process r0-mfa"]
        subprocess.run(["hyperfine", "-N", "--warmup", "20", "--runs", "300", "--export-json", out, *commands],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        meds = [r["median"] * 1000 for r in json.load(open(out))["results"]]
        floor = meds[0]
        results[f"credential-process, vault = {mode}"] = (meds[1], floor)
        if mode == "keychain":
            nocache = os.path.join(work, "nocache.json")
            subprocess.run(["hyperfine", "-N", "--warmup", "20", "--runs", "300", "--export-json", nocache,
                            f"{MFATUI} credential-process r0-mfa"],
                           env=dict(env, MFATUI_NO_KERNEL_KEYRING="1"), check=True, stdout=subprocess.DEVNULL)
            results["credential-process, vault = keychain, no kernel cache"] = \
                (json.load(open(nocache))["results"][0]["median"] * 1000, floor)
    # Each against `mfatui --version` measured in the same hyperfine run (the machine is shared).
    for name, (ms, floor) in results.items():
        print(f"{name}: {ms:.2f} ms against --version {floor:.2f} ms: {ms / floor:.2f}x")
finally:
    for p in procs[1:]:
        p.kill()
        p.wait()
    # Closing the pipe ends `read`, so dbus-run-session stops the bus and the keyring goes with it.
    session.stdin.close()
    session.wait()
