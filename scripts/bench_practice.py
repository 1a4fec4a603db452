#!/usr/bin/env python3
"""How soon the full report appears after the user stops a 6-minute practice answer.

Synthesizes the 6-minute benchmark answer (samples/answers/long/long_6min.toml), plays it in
real time as the default microphone (scripts/audio_fixture.sh over a private headless
PulseAudio), runs `paceback practice`, presses Enter 1 s after the answer ends, and measures:

  enter -> exit      wall time from Enter to the process exiting with the report printed
  transcript ready   paceback's own figure ("report ready X s after you stopped")

and, in the same run, the peer: `paceback analyze` of the saved take from scratch, which is the
wait without live transcription.

Target (issue #4): the report within 2 s of stopping, for a 6-minute answer.

usage: scripts/bench_practice.py [--bin target/release/paceback] [--model FILE]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUESTION = "Design a product that helps first-time home cooks cook more often."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(REPO, "target/release/paceback"))
    ap.add_argument("--model", default=os.environ.get("PACEBACK_MODEL",
                                                      os.path.join(REPO, "models/ggml-tiny.en-q8_0.bin")))
    ap.add_argument("--sentence-model", default=os.environ.get("PACEBACK_SENTENCE_MODEL",
                                                               os.path.join(REPO, "models/all-MiniLM-L6-v2")))
    ap.add_argument("--script", default=os.path.join(REPO, "samples/answers/long/long_6min.toml"))
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="pbbench", dir="/tmp") as tmp:
        wav, manifest = os.path.join(tmp, "answer.wav"), os.path.join(tmp, "answer.json")
        subprocess.run([sys.executable, os.path.join(REPO, "scripts/synth.py"), args.script, wav,
                        "--manifest", manifest], check=True, stdout=subprocess.DEVNULL)
        truth = json.load(open(manifest))
        answer_end = max(w["end_s"] for w in truth["words"])
        fx = os.path.join(tmp, "fx")
        exports = subprocess.run([os.path.join(REPO, "scripts/audio_fixture.sh"), "start", wav, fx,
                                  "--pace", "realtime"], check=True, capture_output=True, text=True).stdout
        env = dict(os.environ, PACEBACK_HOME=os.path.join(tmp, "home"), NO_COLOR="1",
                   PACEBACK_SENTENCE_MODEL=args.sentence_model)
        env.pop("PULSE_SERVER", None)
        for line in exports.splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            env[key] = value
        try:
            print(f"playing a {answer_end / 60:.1f}-minute answer in real time…", file=sys.stderr)
            child = subprocess.Popen([args.bin, "practice", "--model", args.model, "--question", QUESTION],
                                     env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
            err_lines = []
            reader = threading.Thread(target=lambda: err_lines.extend(child.stderr), daemon=True)
            reader.start()
            started = time.monotonic()
            # The capture starts within a fraction of a second; stop 1 s after the last word.
            time.sleep(answer_end + 1.0)
            enter = time.monotonic()
            child.stdin.write("\n")
            child.stdin.flush()
            stdout = child.stdout.read()
            child.wait()
            exit_s = time.monotonic() - enter
            reader.join(timeout=5)
        finally:
            subprocess.run([os.path.join(REPO, "scripts/audio_fixture.sh"), "stop", fx], capture_output=True)
        stderr = "".join(err_lines)
        if child.returncode != 0:
            sys.exit(f"practice failed ({child.returncode}): {stderr[-2000:]}")
        m = re.search(r"saved as (\S+) .*report ready ([0-9.]+) s", stderr)
        take, ready = m.group(1), float(m.group(2))
        recorded = os.path.join(env["PACEBACK_HOME"], "recordings", f"{take}.wav")

        t = time.monotonic()
        subprocess.run([args.bin, "analyze", "--no-save", "--model", args.model, "--question", QUESTION,
                        "--json", recorded], env=env, check=True, capture_output=True)
        peer_s = time.monotonic() - t

        print(f"answer {answer_end:.0f} s, recorded {enter - started:.0f} s wall")
        print(f"{'':<44} {'seconds':>8}")
        print(f"{'practice: Enter -> report printed, exit':<44} {exit_s:>8.2f}")
        print(f"{'practice: transcript ready after stop':<44} {ready:>8.2f}")
        print(f"{'peer: analyze the same take from scratch':<44} {peer_s:>8.2f}")
        print(f"target: report within 2 s of stopping: {'met' if exit_s <= 2.0 else 'MISSED'}"
              f" ({peer_s / max(exit_s, 1e-3):.0f}x sooner than analyzing afterwards)")
        print(f"report: {len(stdout.splitlines())} lines; problem definition line: "
              f"{next((l.strip() for l in stdout.splitlines() if 'problem definition' in l), '?')}")


if __name__ == "__main__":
    main()
