#!/usr/bin/env python3
"""Peak memory of `paceback transcribe` by recording length: flat apart from the 16 kHz audio.

Makes recordings of 1, 16 and 60 minutes as a phone or laptop writes them (48 kHz stereo 16-bit
WAV, and FLAC): the bundled demo answer (95 s of speech) followed by quiet room noise, and prints
the peak resident memory (ru_maxrss) of transcribing each, beside the size of the 16 kHz mono audio
paceback must hold (4 bytes x 16,000 x seconds) and that of the file itself.

usage: scripts/bench_memory.py [--bin target/release/paceback] [--model models/ggml-tiny.en-q8_0.bin]
       [--minutes 1 16 60] [--keep DIR]
Needs sox. Takes a few minutes (the 60-minute files are 690 MB of WAV).
"""
import argparse
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)
sys.path.insert(0, here)
from bench_segmentation import run  # noqa: E402  (wall s, peak RSS MB, CPU s; exits on failure)


def make(path, minutes):
    """The demo answer (at most `minutes` of it), then room noise up to `minutes`."""
    demo = os.path.join(repo, "samples", "demo.wav")
    total = minutes * 60
    speech = min(total, 95)
    subprocess.run(["sox", demo, "-r", "48000", "-c", "2", "-b", "16", path + ".demo.wav",
                    "trim", "0", str(speech)], check=True)
    parts = [path + ".demo.wav"]
    if total > speech:
        noise = path + ".noise.wav"
        subprocess.run(["sox", "-n", "-r", "48000", "-c", "2", "-b", "16", noise, "synth",
                        str(total - speech), "pinknoise", "vol", "0.003"], check=True)
        parts.append(noise)
    subprocess.run(["sox", *parts, path], check=True)
    for p in parts:
        os.remove(p)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(repo, "target", "release", "paceback"))
    ap.add_argument("--model", default=os.path.join(repo, "models", "ggml-tiny.en-q8_0.bin"))
    ap.add_argument("--minutes", type=int, nargs="+", default=[1, 16, 60])
    ap.add_argument("--keep", help="keep the generated recordings here")
    args = ap.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix="paceback-mem-")
    os.makedirs(work, exist_ok=True)
    print(f"{'recording':<24} {'file MB':>8} {'16k audio MB':>12} {'peak RSS MB':>11} {'wall s':>7}")
    for minutes in args.minutes:
        wav = os.path.join(work, f"{minutes}min.wav")
        if not os.path.exists(wav):
            make(wav, minutes)
        flac = wav[:-4] + ".flac"
        if not os.path.exists(flac):
            subprocess.run(["sox", wav, flac], check=True)
        for path in (wav, flac):
            secs, peak, _ = run([args.bin, "transcribe", path, "--model", args.model, "--json"], dict(os.environ))
            audio_mb = minutes * 60 * 16000 * 4 / 2**20
            label = f"{minutes} min {os.path.splitext(path)[1][1:]} 48k stereo"
            print(f"{label:<24} {os.path.getsize(path) / 2**20:8.0f} {audio_mb:12.0f} {peak:11.0f} {secs:7.1f}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
