#!/usr/bin/env python3
"""Benchmark: the dashboard with 2,000 profiles (500 users, 1,500 roles), in tmux. Run by hand:

    cargo build --release && python3 benches/dashboard.py [IDLE_SECONDS]
    MFATUI_BIN=/path/to/other/mfatui python3 benches/dashboard.py   # another build, same run

Figures: process start to first full frame and key-to-frame latency while filtering (both
recorded by the app itself under MFATUI_TIMING), idle CPU over IDLE_SECONDS (default 60) with the
countdowns running (from /proc/PID/stat), and peak RSS (VmHWM). Needs tmux.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MFATUI = os.environ.get("MFATUI_BIN") or os.path.join(ROOT, "target", "release", "mfatui")
IDLE = int(sys.argv[1]) if len(sys.argv) > 1 else 60
if not os.path.exists(MFATUI) or not shutil.which("tmux"):
    sys.exit("needs `cargo build --release` and tmux")

home = tempfile.mkdtemp(prefix="mfatui-dash-bench-")
subprocess.run([sys.executable, os.path.join(ROOT, "benches", "gen_profiles.py"), home], check=True)
timing = os.path.join(home, "timing.jsonl")
sock = f"mfatui-bench-{os.getpid()}"
tmux = lambda *a: subprocess.run(["tmux", "-L", sock, *a], capture_output=True, text=True).stdout
cmd = f"exec env -i PATH=/usr/bin:/bin HOME={home} TERM=xterm-256color MFATUI_TIMING={timing} {MFATUI}"
try:
    tmux("new-session", "-d", "-s", "b", "-x", "120", "-y", "40", cmd)
    for _ in range(200):
        if os.path.exists(timing) and "first_frame_ms" in open(timing).read():
            break
        time.sleep(0.05)
    pid = int(tmux("display", "-p", "-t", "b", "#{pane_pid}").strip())
    time.sleep(1)
    tmux("send-keys", "-t", "b", "/")
    for ch in "role12":
        time.sleep(0.2)
        tmux("send-keys", "-t", "b", ch)
    time.sleep(0.3)
    for _ in "role12":
        time.sleep(0.2)
        tmux("send-keys", "-t", "b", "BSpace")
    tmux("send-keys", "-t", "b", "Escape")
    time.sleep(1)

    def cpu_ticks():
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    hz = os.sysconf("SC_CLK_TCK")
    t0, c0 = time.time(), cpu_ticks()
    time.sleep(IDLE)
    t1, c1 = time.time(), cpu_ticks()
    idle_pct = (c1 - c0) / hz / (t1 - t0) * 100
    rss = next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM")) / 1024
    tmux("send-keys", "-t", "b", "q")
    time.sleep(0.5)

    records = [json.loads(l) for l in open(timing)]
    first = next(r["first_frame_ms"] for r in records if "first_frame_ms" in r)
    keys = [r["key_to_frame_ms"] for r in records if "key_to_frame_ms" in r]
    print("dashboard, 2,000 profiles (500 users, 1,500 roles), 120x40 tmux")
    print(f"  first full frame after process start   {first:7.1f} ms   (target < 20 ms)")
    stages = next((r["startup_ms"] for r in records if "startup_ms" in r), None)
    if stages:
        print("    of which, ms since start: " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))
    print(f"  key to frame while filtering ({len(keys)} keys)  median {statistics.median(keys):5.2f} ms, max {max(keys):5.2f} ms   (target < 16 ms)")
    print(f"  idle CPU over {IDLE} s with countdowns       {idle_pct:7.3f} % of a core   (target < 0.2 %)")
    print(f"  peak RSS                                {rss:7.1f} MB   (target < 30 MB)")
finally:
    tmux("kill-server")
    shutil.rmtree(home, ignore_errors=True)
