#!/usr/bin/env python3
"""Benchmark: `mfatui list --json` on 2,000 profiles (500 users, 1,500 roles) against the
AWS CLI / botocore on the same files, in one run. Run by hand:

    cargo build --release && scripts/test.sh >/dev/null   # (or any run that made .venv)
    python3 benches/list.py [RUNS]
    python3 benches/list.py --large [MB] [MFATUI]   # time and peak RSS on two large shapes

`--large` writes a config file of MB megabytes (default 50) in each of two shapes, many small
profiles of about five keys and a few profiles with very long values, and reports the wall time
and peak RSS (GNU time) of `mfatui list --json` on each; pass another MFATUI binary to compare.

Peers: AWS CLI v2's `aws configure list-profiles` is botocore's `Session().available_profiles`
(timed as a python -c one-liner); AWS CLI v1, the one on PyPI, lacks list-profiles, so its
nearest whole-CLI command `aws configure list` (loads and resolves the same files) is timed too.
"""
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_small_profiles(path, size):
    """Many small profiles: a thousand users, then roles of five keys each, up to `size` bytes."""
    with open(path, "w") as f:
        written, i = 0, 0
        for u in range(1000):
            written += f.write(f"[profile user{u}]\nmfa_serial = arn:aws:iam::{100000000000 + u}:mfa/user{u}\n"
                               f"aws_access_key_id = AKIA{u:016d}\naws_secret_access_key = {'s' * 40}\n"
                               "region = eu-west-1\n\n")
        while written < size:
            written += f.write(f"[profile role{i}]\nrole_arn = arn:aws:iam::{200000000000 + i % 97}:role/team/role{i}\n"
                               f"source_profile = user{i % 1000}\nregion = us-east-1\nduration_seconds = 3600\n"
                               f"external_id = ext-{i}\n\n")
            i += 1


def write_long_values(path, size):
    """A few profiles whose values are megabytes long: half in `region` (shown by list),
    half in a setting list never shows."""
    per = size // 20
    with open(path, "w") as f:
        for i in range(10):
            f.write(f"[profile long{i}]\nregion = {'r' * per}\nnote = {'n' * per}\n\n")


def large(mb, binary):
    if not os.path.exists("/usr/bin/time"):
        sys.exit("needs GNU time: apt-get install time")
    for shape, write in (("small profiles", write_small_profiles), ("long values", write_long_values)):
        home = tempfile.mkdtemp(prefix="mfatui-large-")
        os.makedirs(os.path.join(home, ".aws"))
        config = os.path.join(home, ".aws", "config")
        write(config, mb * 1_000_000)
        size = os.path.getsize(config)
        env = {"HOME": home, "PATH": os.environ["PATH"]}
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", binary, "list", "--json"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            sys.exit(f"{binary} failed on {shape}: {p.stderr[-500:]}")
        secs, kb = p.stderr.strip().splitlines()[-1].split()
        rss = int(kb) * 1024
        print(f"  {shape:15} {size / 1e6:6.1f} MB file  {float(secs):6.2f} s  {rss / 1e6:7.1f} MB RSS"
              f"  {rss / size:5.2f}x the file")
        shutil.rmtree(home)


if len(sys.argv) > 1 and sys.argv[1] == "--large":
    mb = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    large(mb, sys.argv[3] if len(sys.argv) > 3 else os.path.join(root, "target", "release", "mfatui"))
    sys.exit(0)
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
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"{cmd} failed with status {p.returncode}")
    return elapsed, p.stdout


def peak_rss_mb(cmd):
    """Peak RSS from GNU time (apt-get install time). Measuring from Python would count the
    forked interpreter's pages, which the child keeps in ru_maxrss across exec."""
    if not os.path.exists("/usr/bin/time"):
        return float("nan")
    p = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    return int(p.stderr.strip().splitlines()[-1]) / 1024


def hyperfine_medians():
    """Medians from hyperfine -N (no shell in between), which times process start to exit
    without this script's own spawn overhead. None when hyperfine is not installed."""
    if not shutil.which("hyperfine"):
        return None
    export = os.path.join(home, "hyperfine.json")
    cmdlines = [shlex.join(c) for c in cases.values()]
    subprocess.run(["hyperfine", "-N", "--warmup", "3", "--runs", str(runs), "--export-json", export, *cmdlines],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    with open(export) as f:
        return [r["median"] for r in json.load(f)["results"]]


medians = hyperfine_medians()
timer = "hyperfine -N" if medians else "python subprocess (apt-get install hyperfine for less overhead)"
results = {}
for i, (name, cmd) in enumerate(cases.items()):
    once(cmd)  # warm the page cache
    if medians:
        median, out = medians[i], once(cmd)[1]
    else:
        samples = [once(cmd) for _ in range(runs)]
        median, out = statistics.median(s[0] for s in samples), samples[0][1]
    results[name] = (median, peak_rss_mb(cmd), out)

profiles_ours = results["mfatui list --json"][2].count(b'"kind"')
print(f"{profiles_ours} profiles, {runs} runs each, median wall time ({timer}), peak RSS")
base = results["mfatui list --json"][0]
for name, (median, rss, _) in results.items():
    print(f"  {name:55} {median * 1000:8.1f} ms  {rss:6.1f} MB  {median / base:6.1f}x mfatui")
