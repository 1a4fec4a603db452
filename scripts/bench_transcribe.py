#!/usr/bin/env python3
"""Transcription benchmark: paceback against faster-whisper on the same tiny.en weights.

Synthesizes the 6-minute answer samples/answers/long/long_6min.toml (or takes --wav/--manifest),
then runs, interleaved for --rounds rounds (this machine's speed drifts; interleaving keeps the
comparison fair):

  paceback transcribe          (target/release/paceback, the model in models/ or $PACEBACK_MODEL)
  faster-whisper int8 beam 1   (2 threads, same tiny.en CTranslate2 weights, word timestamps)
  faster-whisper int8 beam 5

and prints per tool the best and median wall time, peak memory and WER (scripts/wer.py), and the
ratio of paceback's wall time to faster-whisper beam 5 (target: at most 0.6 at equal or lower WER).
Needs scripts/peer/setup.sh (run automatically) and GNU time.

usage: scripts/bench_transcribe.py [--rounds 3] [--wav W --manifest M] [--before OLD_BIN]
(--before: an earlier paceback build, run in the same rounds as a fourth tool, to measure a change)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from wer import wer  # noqa: E402

CACHE = os.path.expanduser("~/.cache/paceback-bench")


def measure(cmd, out_path, env=None):
    """Run cmd with stdout to out_path; return (wall_s, peak_mb)."""
    stats = out_path + ".time"
    with open(out_path, "w") as out:
        subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", stats, *cmd], stdout=out, stderr=subprocess.DEVNULL,
                       check=True, env=env)
    wall, kb = open(stats).read().split()[-2:]
    return float(wall), int(kb) / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--wav")
    ap.add_argument("--manifest")
    ap.add_argument("--before", metavar="OLD_BIN", help="an earlier paceback binary to compare with")
    args = ap.parse_args()

    subprocess.run([os.path.join(HERE, "peer", "setup.sh")], check=True, stdout=subprocess.DEVNULL)
    tmp = tempfile.mkdtemp(prefix="paceback-bench-")
    wav, manifest = args.wav, args.manifest
    if not wav:
        wav, manifest = os.path.join(tmp, "long_6min.wav"), os.path.join(tmp, "long_6min.json")
        subprocess.run([sys.executable, os.path.join(HERE, "synth.py"),
                        os.path.join(ROOT, "samples", "answers", "long", "long_6min.toml"), wav,
                        "--manifest", manifest], check=True)
    reference = json.load(open(manifest))["text"]
    duration = json.load(open(manifest))["duration_s"]

    model = os.environ.get("PACEBACK_MODEL", os.path.join(ROOT, "models", "ggml-tiny.en-q8_0.bin"))
    python = os.path.join(CACHE, "venv", "bin", "python")
    fw = [python, os.path.join(HERE, "peer", "fw_transcribe.py"), wav, "--model", os.path.join(CACHE, "ct2-tiny.en"),
          "--threads", "2", "--compute-type", "int8", "--json"]
    tools = {
        "paceback (greedy, q8_0)": [os.path.join(ROOT, "target", "release", "paceback"), "transcribe", wav, "--json",
                                    "--model", model],
        **({"paceback before": [args.before, "transcribe", wav, "--json", "--model", model]}
           if args.before else {}),
        "faster-whisper int8 beam 1": fw + ["--beam", "1"],
        "faster-whisper int8 beam 5": fw + ["--beam", "5"],
    }
    runs = {name: [] for name in tools}
    for r in range(args.rounds):
        for name, cmd in tools.items():
            out = os.path.join(tmp, f"{abs(hash(name))}-{r}.json")
            wall, peak = measure(cmd, out)
            words = " ".join(w["w"] for w in json.load(open(out))["words"])
            runs[name].append((wall, peak, wer(reference, words)))
            print(f"round {r + 1}: {name:<28} {wall:6.1f} s  {peak:5.0f} MB  WER {runs[name][-1][2]:.3f}", flush=True)

    print(f"\n{duration:.0f} s of audio, {args.rounds} rounds, 2 cores")
    print(f"{'tool':<28} {'best s':>7} {'median s':>9} {'x realtime':>10} {'peak MB':>8} {'WER':>6}")
    best = {}
    for name, rs in runs.items():
        walls = [w for w, _, _ in rs]
        best[name] = min(walls)
        print(f"{name:<28} {min(walls):7.1f} {statistics.median(walls):9.1f} {duration / min(walls):10.1f} "
              f"{max(p for _, p, _ in rs):8.0f} {rs[0][2]:6.3f}")
    pb, fw5 = best["paceback (greedy, q8_0)"], best["faster-whisper int8 beam 5"]
    print(f"\npaceback / faster-whisper beam 5 wall time: {pb / fw5:.2f} (target <= 0.60)")
    print(f"paceback / faster-whisper beam 1 wall time: {pb / best['faster-whisper int8 beam 1']:.2f}")
    if args.before:
        print(f"paceback / paceback before: {pb / best['paceback before']:.2f}")


if __name__ == "__main__":
    main()
