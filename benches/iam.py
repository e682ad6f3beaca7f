#!/usr/bin/env python3
"""Benchmarks of the IAM view, run by hand:

    cargo build --release && python3 benches/iam.py [RUNS]

1. Rotation against the sandbox with a 3 s consistency delay (new keys refused for 3 s), as a
   ratio to the floor: a boto3 client doing the same protocol (list, create, poll the new key
   every 5 ms until it works, two more checks, deactivate, see the old key refused, delete) with
   no pause it is not forced to make. The sandbox counts time in whole seconds, so the effective
   delay is 2-3 s; both sides see the same distribution.
2. Rotation against moto: `mfatui rotate` against `aws-iam-login PROFILE rotate` (installed into
   .venv if missing), same moto, same run. moto never refuses a deactivated key, so mfatui's
   check that AWS refuses the old key runs to its bound (key_propagation_secs = 1 here).
3. The MFA audit of a user in 10 groups with 5 managed policies each (50 policies, 100+ IAM
   calls) against the sandbox: wall time with 16 fetches at once and with 1.

Needs .venv (scripts/test.sh makes it). Every tool gets its own HOME.
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv", "bin")
if not os.path.exists(VENV):
    VENV = "/work/main/.venv/bin"
MFATUI = os.path.join(ROOT, "target", "release", "mfatui")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
ACCOUNT = "123456789012"
TOTP = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

if not os.path.exists(MFATUI) or not os.path.exists(os.path.join(VENV, "python")):
    sys.exit("run `cargo build --release` and scripts/test.sh first")
if not os.path.exists(os.path.join(VENV, "aws-iam-login")):
    subprocess.run([os.path.join(VENV, "python"), "-m", "pip", "install", "-q", "aws-iam-login==0.3.6"], check=True)
site = subprocess.run([os.path.join(VENV, "python"), "-c", "import sys;print('\\n'.join(sys.path))"],
                      capture_output=True, text=True).stdout.split()
sys.path.insert(0, next(p for p in site if p.endswith("site-packages")))
import boto3  # noqa: E402  (from the venv)
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import free_port, home_with, wait_port  # noqa: E402


def mfatui(home, endpoint, *args, env=None):
    e = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL": endpoint, **(env or {})}
    t = time.perf_counter()
    p = subprocess.run([MFATUI, *args], env=e, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    took = time.perf_counter() - t
    if p.returncode not in (0, 1):
        sys.exit(f"mfatui {' '.join(args)} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
    return took, p


def client(service, endpoint, key, secret, token=None):
    cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=token, config=cfg)


def user(name, key, mfa=True, **extra):
    u = {"account": ACCOUNT, "name": name, "access_keys": [{"id": key, "secret": f"{name}-secret"}], **extra}
    if mfa:
        u["mfa"] = {"name": f"{name}-phone", "seed": TOTP}
    return u


def start_sandbox(seed):
    port = free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(seed, f)
    p = subprocess.Popen([MFATUI, "sandbox", "--port", str(port), "--seed", f.name],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    return p, f"http://127.0.0.1:{port}"


def sandbox_put(endpoint, path, body):
    req = urllib.request.Request(endpoint + path, data=json.dumps(body).encode(), method="PUT",
                                 headers={"content-type": "application/json"})
    urllib.request.urlopen(req).read()


def stats(endpoint):
    return json.load(urllib.request.urlopen(endpoint + "/_sandbox/stats"))


def floor_rotation(endpoint, key, secret):
    """The same protocol with no pause that is not forced: the floor."""
    t0 = time.perf_counter()
    iam = client("iam", endpoint, key, secret)
    iam.list_access_keys(UserName="floor")
    new = iam.create_access_key(UserName="floor")["AccessKey"]
    sts_new = client("sts", endpoint, new["AccessKeyId"], new["SecretAccessKey"])
    ok = 0
    while ok < 3:
        try:
            sts_new.get_caller_identity()
            ok += 1
        except botocore.exceptions.ClientError:
            ok = 0
            time.sleep(0.005)
    iam_new = client("iam", endpoint, new["AccessKeyId"], new["SecretAccessKey"])
    iam_new.update_access_key(UserName="floor", AccessKeyId=key, Status="Inactive")
    try:
        client("sts", endpoint, key, secret).get_caller_identity()
    except botocore.exceptions.ClientError:
        pass
    iam_new.delete_access_key(UserName="floor", AccessKeyId=key)
    return time.perf_counter() - t0, new["AccessKeyId"], new["SecretAccessKey"]


def bench_sandbox_rotation(procs):
    seed = {"accounts": [{"id": ACCOUNT}], "users": [user("rot", "AKIAROT0000000000001"),
                                                      user("floor", "AKIAFLOOR00000000001", mfa=False)]}
    p, endpoint = start_sandbox(seed)
    procs.append(p)
    sandbox_put(endpoint, "/_sandbox/faults", {"new_key_delay_secs": 3})
    home = home_with(f"[profile rot]\nregion = us-east-1\nmfa_serial = arn:aws:iam::{ACCOUNT}:mfa/rot-phone\n",
                     "[rot]\naws_access_key_id = AKIAROT0000000000001\naws_secret_access_key = rot-secret\n")
    env = {"MFATUI_TOTP_SEED_ROT": TOTP}
    mfatui(home, endpoint, "keys", "rot", env=env)  # sign in once, untimed
    ours, floors, calls = [], [], []
    key, secret = "AKIAFLOOR00000000001", "floor-secret"
    for _ in range(RUNS):
        before = stats(endpoint)
        took, out = mfatui(home, endpoint, "rotate", "rot", "--yes", env=env)
        after = stats(endpoint)
        calls.append(sum(after.values()) - sum(before.values()))
        assert "Done:" in out.stdout, out.stdout + out.stderr
        ours.append(took)
        f, key, secret = floor_rotation(endpoint, key, secret)
        floors.append(f)
    m, fl = statistics.median(ours), statistics.median(floors)
    print(f"1. rotation, sandbox, 3 s delay: mfatui median {m:.2f} s (min {min(ours):.2f}), floor median {fl:.2f} s "
          f"(min {min(floors):.2f}); ratio {m / fl:.2f}; {statistics.median(calls):.0f} requests per rotation")


def bench_moto_rotation(procs):
    port = free_port()
    procs.append(subprocess.Popen([os.path.join(VENV, "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    endpoint = f"http://127.0.0.1:{port}"
    wait_port(port)
    admin = client("iam", endpoint, "AKIAADMIN", "admin")
    ours, theirs = [], []
    for i in range(RUNS):
        keys = {}
        for name in (f"mo{i}", f"al{i}"):
            admin.create_user(UserName=name)
            keys[name] = admin.create_access_key(UserName=name)["AccessKey"]
        mo, al = keys[f"mo{i}"], keys[f"al{i}"]
        serial = f"arn:aws:iam::{ACCOUNT}:mfa/mo{i}"
        home_m = home_with(f"[profile mo{i}]\nregion = us-east-1\nmfa_serial = {serial}\n",
                           f"[mo{i}]\naws_access_key_id = {mo['AccessKeyId']}\naws_secret_access_key = {mo['SecretAccessKey']}\n",
                           "key_propagation_secs = 1\n")
        env = {f"MFATUI_TOTP_SEED_MO{i}": TOTP}
        mfatui(home_m, endpoint, "keys", f"mo{i}", env=env)  # sign in once, untimed
        took, out = mfatui(home_m, endpoint, "rotate", f"mo{i}", "--yes", env=env)
        assert "Done:" in out.stdout, out.stdout + out.stderr
        ours.append(took)
        home_a = home_with("[default]\nregion = us-east-1\n",
                           f"[al{i}]\naws_access_key_id = {al['AccessKeyId']}\naws_secret_access_key = {al['SecretAccessKey']}\n"
                           f"username = al{i}\nmfa_serial = arn:aws:iam::{ACCOUNT}:mfa/al{i}\n")
        e = {"HOME": home_a, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": "us-east-1"}
        t = time.perf_counter()
        p = subprocess.run([os.path.join(VENV, "aws-iam-login"), f"al{i}", "rotate"], env=e, capture_output=True, text=True)
        theirs.append(time.perf_counter() - t)
        if p.returncode != 0 or "successfully rotated" not in p.stdout:
            sys.exit(f"aws-iam-login failed:\n{p.stdout}{p.stderr}")
    m, a = statistics.median(ours), statistics.median(theirs)
    print(f"2. rotation, moto: mfatui median {m:.2f} s (of which 1 s is the bound on moto's never-refused old key), "
          f"aws-iam-login median {a:.2f} s (a fixed 10 s sleep, no verification); ratio {m / a:.2f}")


def bench_audit(procs):
    policies, groups = [], []
    for g in range(10):
        names = []
        for i in range(5):
            name = f"p{g}-{i}"
            doc = {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::bucket-{g}-{i}/*"}]}
            policies.append({"account": ACCOUNT, "name": name, "document": doc})
            names.append(f"arn:aws:iam::{ACCOUNT}:policy/{name}")
        groups.append({"account": ACCOUNT, "name": f"g{g}", "attached_policies": names})
    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}
    boundary = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": ["iam:GetUser", "iam:ListMFADevices", "sts:GetSessionToken"], "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}
    policies.append({"account": ACCOUNT, "name": "MfaRequired", "document": boundary})
    wide = user("wide", "AKIAWIDE000000000001", groups=[f"g{g}" for g in range(10)],
                inline_policies={"ReadIam": admin}, boundary=f"arn:aws:iam::{ACCOUNT}:policy/MfaRequired")
    p, endpoint = start_sandbox({"accounts": [{"id": ACCOUNT}], "users": [wide], "policies": policies, "groups": groups})
    procs.append(p)
    env = {"MFATUI_TOTP_SEED_WIDE": TOTP}
    home = home_with(f"[profile wide]\nregion = us-east-1\nmfa_serial = arn:aws:iam::{ACCOUNT}:mfa/wide-phone\n",
                     "[wide]\naws_access_key_id = AKIAWIDE000000000001\naws_secret_access_key = wide-secret\n",
                     "concurrency = 16\n")
    mfatui(home, endpoint, "keys", "wide", env=env)  # sign in once, untimed
    for concurrency in (16, 1):
        with open(os.path.join(home, ".config", "mfatui", "config.toml"), "w") as f:
            f.write(f"concurrency = {concurrency}\n")
        times, calls = [], []
        for _ in range(RUNS):
            before = stats(endpoint)
            took, out = mfatui(home, endpoint, "audit", "wide", env=env)
            after = stats(endpoint)
            assert "MFA ENFORCED" in out.stdout and "52 of 52" in out.stdout, out.stdout + out.stderr
            times.append(took)
            calls.append(sum(after.values()) - sum(before.values()))
        print(f"3. audit, 10 groups x 5 managed policies, {concurrency:2} at once: median {statistics.median(times) * 1000:.0f} ms "
              f"(min {min(times) * 1000:.0f}), {statistics.median(calls):.0f} requests")


procs = []
try:
    bench_sandbox_rotation(procs)
    bench_moto_rotation(procs)
    bench_audit(procs)
finally:
    for p in procs:
        p.kill()
