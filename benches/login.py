#!/usr/bin/env python3
"""Benchmark: sign in once and get 50 role sessions. mfatui against awsume, aws-mfa and 50
sequential `aws sts assume-role` calls, all against moto on loopback, in one run; and mfatui
against its own sandbox. Run by hand:

    cargo build --release && python3 benches/login.py [RUNS]

Needs .venv (scripts/test.sh makes it); installs awsume and aws-mfa into it if missing. Every
tool gets a fresh HOME per run, so no tool reuses another's (or its own) cache. The CLI peer is
given the MFA session for free: only its 50 AssumeRole calls are timed.
"""
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv", "bin")
MFATUI = os.path.join(ROOT, "target", "release", "mfatui")
ROLES = 50
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3

if not os.path.exists(MFATUI) or not os.path.exists(os.path.join(VENV, "python")):
    sys.exit("run `cargo build --release` and scripts/test.sh first")
if not os.path.exists(os.path.join(VENV, "awsumepy")) or not os.path.exists(os.path.join(VENV, "aws-mfa")):
    subprocess.run([os.path.join(VENV, "python"), "-m", "pip", "install", "-q", "awsume==4.5.4", "aws-mfa==0.0.12"], check=True)
sys.path.insert(0, next(p for p in subprocess.run([os.path.join(VENV, "python"), "-c", "import sys;print('\\n'.join(sys.path))"],
                                                   capture_output=True, text=True).stdout.split() if p.endswith("site-packages")))
import boto3  # noqa: E402  (from the venv)


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import free_port, home_with, wait_port  # noqa: E402


procs = []
try:
    port = free_port()
    procs.append(subprocess.Popen([os.path.join(VENV, "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    moto = f"http://127.0.0.1:{port}"
    wait_port(port)
    iam = boto3.client("iam", endpoint_url=moto, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    iam.create_user(UserName="bench")
    key = iam.create_access_key(UserName="bench")["AccessKey"]
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="bench")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="bench", SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})
    arns = [iam.create_role(RoleName=f"r{i}", AssumeRolePolicyDocument=trust)["Role"]["Arn"] for i in range(ROLES)]

    role_profiles = "".join(f"[profile r{i}]\nrole_arn = {arn}\nsource_profile = bench\nmfa_serial = {serial}\n" for i, arn in enumerate(arns))
    config = f"[profile bench]\nmfa_serial = {serial}\nregion = us-east-1\n{role_profiles}"
    creds = f"[bench]\naws_access_key_id = {key['AccessKeyId']}\naws_secret_access_key = {key['SecretAccessKey']}\n"

    def env(h, endpoint):
        return {"PATH": VENV + ":" + os.environ["PATH"], "HOME": h, "AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": "us-east-1"}

    def timed(fn):
        samples = []
        for _ in range(RUNS):
            samples.append(fn())
        return statistics.median(samples)

    def run_mfatui(endpoint, code):
        h = home_with(config, creds)
        start = time.perf_counter()
        p = subprocess.run([MFATUI, "login", "bench", "--code", code()], env=env(h, endpoint), capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        assert p.returncode == 0 and f"{ROLES + 1} ready" in p.stdout, p.stdout + p.stderr
        shutil.rmtree(h)
        return elapsed

    def run_cli():
        h = home_with(config, creds)
        e = env(h, moto)
        e.update({"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]})
        s = json.loads(subprocess.run([os.path.join(VENV, "aws"), "sts", "get-session-token", "--serial-number", serial,
                                       "--token-code", "123456", "--output", "json"], env=e, capture_output=True, text=True, check=True).stdout)["Credentials"]
        e.update({"AWS_ACCESS_KEY_ID": s["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": s["SecretAccessKey"], "AWS_SESSION_TOKEN": s["SessionToken"]})
        start = time.perf_counter()
        for arn in arns:
            subprocess.run([os.path.join(VENV, "aws"), "sts", "assume-role", "--role-arn", arn, "--role-session-name", "bench"],
                           env=e, capture_output=True, check=True)
        elapsed = time.perf_counter() - start
        shutil.rmtree(h)
        return elapsed

    def run_awsume():
        h = home_with(config, creds)
        start = time.perf_counter()
        for i in range(ROLES):
            p = subprocess.run([os.path.join(VENV, "awsumepy"), f"r{i}", "--mfa-token", "123456"], env=env(h, moto),
                               capture_output=True, text=True, stdin=subprocess.DEVNULL)
            assert "AWS_SESSION_TOKEN" in p.stdout or "Awsume" in p.stdout, p.stdout + p.stderr
        elapsed = time.perf_counter() - start
        shutil.rmtree(h)
        return elapsed

    def run_aws_mfa():
        long_term = "".join(f"[r{i}-long-term]\naws_access_key_id = {key['AccessKeyId']}\naws_secret_access_key = {key['SecretAccessKey']}\n"
                            f"aws_mfa_device = {serial}\n" for i in range(ROLES))
        h = home_with("", long_term)
        start = time.perf_counter()
        for i, arn in enumerate(arns):
            p = subprocess.run([os.path.join(VENV, "aws-mfa"), "--profile", f"r{i}", "--assume-role", arn, "--role-session-name", "bench", "--force"],
                               env=env(h, moto), input="123456\n", capture_output=True, text=True)
            assert p.returncode == 0, p.stdout + p.stderr
        elapsed = time.perf_counter() - start
        shutil.rmtree(h)
        return elapsed

    results = {
        "mfatui login (50 roles)": timed(lambda: run_mfatui(moto, lambda: "123456")),
        "aws sts assume-role x50 (CLI v1)": timed(run_cli),
        "awsume x50": timed(run_awsume),
        "aws-mfa --assume-role x50": timed(run_aws_mfa),
    }

    # mfatui against its own sandbox: the same 50 roles, real MFA codes.
    seed = {"users": [{"account": "111111111111", "name": "bench", "access_keys": [{"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}],
                       "mfa": {"name": "bench", "seed": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}}],
            "roles": [{"account": "222222222222", "name": f"r{i}", "trusted": ["arn:aws:iam::111111111111:root"]} for i in range(ROLES)]}
    seed_file = os.path.join(tempfile.mkdtemp(), "seed.json")
    with open(seed_file, "w") as f:
        json.dump(seed, f)
    sb = subprocess.Popen([MFATUI, "sandbox", "--seed", seed_file], stdout=subprocess.PIPE, text=True)
    procs.append(sb)
    sandbox = sb.stdout.readline().split()[-1]
    serial_sb = "arn:aws:iam::111111111111:mfa/bench"
    config = f"[profile bench]\nmfa_serial = {serial_sb}\nregion = us-east-1\n" + "".join(
        f"[profile r{i}]\nrole_arn = arn:aws:iam::222222222222:role/r{i}\nsource_profile = bench\n" for i in range(ROLES))
    offset = [0]

    def sandbox_code():
        # Each run needs a fresh code: move the sandbox clock one window on instead of waiting.
        offset[0] += 30
        req = urllib.request.Request(sandbox + "/_sandbox/faults", data=json.dumps({"clock_offset_secs": offset[0]}).encode(), method="PUT")
        urllib.request.urlopen(req).read()
        return json.load(urllib.request.urlopen(f"{sandbox}/_sandbox/totp?serial={serial_sb}"))["code"]

    results["mfatui login (50 roles), sandbox"] = timed(lambda: run_mfatui(sandbox, sandbox_code))

    base = results["mfatui login (50 roles)"]
    peers = [v for k, v in results.items() if not k.startswith("mfatui")]
    print(f"{ROLES} role sessions from one MFA code, median of {RUNS} runs, wall time")
    for name, t in results.items():
        print(f"  {name:40} {t * 1000:9.0f} ms  {t / base:6.1f}x mfatui-on-moto")
    print(f"fastest peer / mfatui: {min(peers) / base:.1f}x")
finally:
    for p in procs:
        p.kill()
        p.wait()
