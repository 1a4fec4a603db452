#!/usr/bin/env python3
"""What the sentence model adds to analyzing a 6-minute answer: time and memory.

Runs `paceback analyze --transcript` on the 6-minute benchmark answer's transcript (made from
samples/answers/long/long_6min.toml by scripts/script_transcript.py), with the sentence model and,
interleaved in the same run, without it (the peer: cue phrases only), several rounds each; prints
the best wall time and the peak memory (max RSS) of each and the difference. A third row runs
without `--type`, so the type is also read from the answer (its sentences embedded once, shared
with the steps).
Targets (issue #9): under 1 s and under 100 MB extra on 2 cores.

usage: scripts/bench_segmentation.py [--bin target/release/paceback] [--sentence-model DIR] [--rounds 5]
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, env):
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execve(cmd[0], cmd, env)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(REPO, "target/release/paceback"))
    ap.add_argument("--sentence-model", default=os.path.join(REPO, "models/all-MiniLM-L6-v2"))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(REPO, "scripts/script_transcript.py"),
                        os.path.join(REPO, "samples/answers/long/long_6min.toml"), "--out", tmp],
                       check=True, capture_output=True)
        transcript = os.path.join(tmp, "long_6min.transcript.json")
        untyped = [args.bin, "analyze", "--transcript", transcript, "--no-save", "--json"]
        cmd = untyped + ["--type", "product_sense"]
        base = dict(os.environ, PACEBACK_HOME=os.path.join(tmp, "home"))
        with_model = dict(base, PACEBACK_SENTENCE_MODEL=args.sentence_model)
        without = dict(base, PACEBACK_SENTENCE_MODEL=os.path.join(tmp, "none"))
        results = {"sentence model": [], "cues only (peer)": [], "no --type": []}
        for _ in range(args.rounds):
            results["sentence model"].append(run(cmd, with_model))
            results["cues only (peer)"].append(run(cmd, without))
            results["no --type"].append(run(untyped, with_model))
    words = 944
    print(f"6-minute answer ({words} words), {args.rounds} interleaved rounds: best wall time, least CPU time, peak RSS")
    best = {}
    for name, rows in results.items():
        wall = min(r[0] for r in rows)
        rss = max(r[1] for r in rows)
        cpu = min(r[2] for r in rows)
        best[name] = (wall, rss, cpu)
        print(f"  {name:<18} {wall:6.2f} s wall  {cpu:6.2f} s CPU  {rss:7.1f} MB")
    (w1, m1, c1), (w0, m0, c0) = best["sentence model"], best["cues only (peer)"]
    print(f"  added by the sentence model: {w1 - w0:.2f} s wall, {c1 - c0:.2f} s CPU, {m1 - m0:.1f} MB"
          "  (targets: < 1 s on 2 cores, < 100 MB)")
    w2, m2, c2 = best["no --type"]
    print(f"  reading the type from the answer adds: {w2 - w1:.2f} s wall, {c2 - c1:.2f} s CPU, {m2 - m1:.1f} MB")


if __name__ == "__main__":
    main()
