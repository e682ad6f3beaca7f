#!/usr/bin/env python3
"""Benchmark: `mfatui list --json` on 2,000 profiles (500 users, 1,500 roles) against the
AWS CLI / botocore on the same files, in one run. Run by hand:

    cargo build --release && scripts/test.sh >/dev/null   # (or any run that made .venv)
    python3 benches/list.py [RUNS]

Peers: AWS CLI v2's `aws configure list-profiles` is botocore's `Session().available_profiles`
(timed as a python -c one-liner); AWS CLI v1, the one on PyPI, lacks list-profiles, so its
nearest whole-CLI command `aws configure list` (loads and resolves the same files) is timed too.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
venv = os.path.join(root, ".venv", "bin")
mfatui = os.path.join(root, "target", "release", "mfatui")
for need in (mfatui, os.path.join(venv, "aws")):
    if not os.path.exists(need):
        sys.exit(f"missing {need}: run `cargo build --release` and scripts/test.sh first")

home = tempfile.mkdtemp(prefix="mfatui-bench-")
subprocess.run([sys.executable, os.path.join(root, "benches", "gen_profiles.py"), home], check=True)
env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_DEFAULT_REGION": "us-east-1"}
botocore = "import botocore.session\nprint('\\n'.join(botocore.session.Session().available_profiles))"
cases = {
    "mfatui list --json": [mfatui, "list", "--json"],
    "botocore available_profiles (= aws v2 list-profiles)": [os.path.join(venv, "python"), "-c", botocore],
    "aws configure list (AWS CLI v1)": [os.path.join(venv, "aws"), "configure", "list"],
}


def once(cmd):
    start = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{cmd} failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024, out  # ru_maxrss is KiB on Linux


results = {}
for name, cmd in cases.items():
    once(cmd)  # warm the page cache
    samples = [once(cmd) for _ in range(runs)]
    results[name] = (statistics.median(s[0] for s in samples), max(s[1] for s in samples), samples[0][2])

profiles_ours = results["mfatui list --json"][2].count(b'"kind"')
print(f"{profiles_ours} profiles, {runs} runs each, median wall time, peak RSS")
base = results["mfatui list --json"][0]
for name, (median, rss, _) in results.items():
    print(f"  {name:55} {median * 1000:8.1f} ms  {rss:6.1f} MB  {median / base:6.1f}x mfatui")
