#!/usr/bin/env python3
"""A labelled answer script -> a perfect transcript with natural timing, and its truth manifest.

For measuring segmentation without recognition errors: every word of the script, in order, with
times from a simple speech model (word length sets its duration, ~150-170 wpm), pauses after commas
and sentences drawn at random, and the random choices seeded by the file name so the output is
deterministic. Pauses do NOT depend on step boundaries: real speakers do not reliably pause longer
between the parts of an answer, and a set that did would flatter a segmenter that leans on pauses.

usage: scripts/script_transcript.py SCRIPT.toml... --out DIR
  writes DIR/NAME.transcript.json (paceback.transcript/1) and DIR/NAME.json (paceback.truth/1)
"""
import argparse
import hashlib
import json
import os
import random
import re
import tomllib


def sentences(text):
    return [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]


def has_letter(tok):
    return any(c.isalnum() for c in tok)


def build(script, name):
    rng = random.Random(int(hashlib.sha256(name.encode()).hexdigest()[:16], 16))
    rate = rng.uniform(0.85, 1.15)  # this speaker's speed
    t = round(rng.uniform(3.0, 11.0), 2)  # think pause
    think = t
    words, parts = [], []
    for p_i, part in enumerate(script["part"]):
        start = None
        sents = sentences(part["text"])
        for s_i, sent in enumerate(sents):
            toks = [tok for tok in sent.split() if has_letter(tok)]
            for k, tok in enumerate(toks):
                letters = sum(c.isalnum() for c in tok)
                dur = (0.11 + 0.052 * letters) * rate * rng.uniform(0.85, 1.15)
                w = {"w": tok.strip(), "start_s": round(t, 3), "end_s": round(t + dur, 3)}
                words.append(w)
                if start is None:
                    start = w["start_s"]
                t += dur
                last_word = k + 1 == len(toks)
                if not last_word:
                    t += rng.uniform(0.15, 0.4) if tok.endswith((",", ";", ":")) else rng.uniform(0.0, 0.06)
            last_sentence = p_i + 1 == len(script["part"]) and s_i + 1 == len(sents)
            if not last_sentence:
                r = rng.random()
                t += rng.uniform(1.2, 3.0) if r < 0.06 else rng.uniform(0.25, 1.0)
        parts.append({"step": part["step"], "start_s": start, "end_s": words[-1]["end_s"], "text": part["text"]})
    steps = []
    for p in parts:
        if steps and steps[-1]["step"] == p["step"]:
            steps[-1]["end_s"] = p["end_s"]
        else:
            steps.append({"step": p["step"], "start_s": p["start_s"], "end_s": p["end_s"]})
    end = words[-1]["end_s"]
    duration = round(end + 1.0, 3)
    transcript = {
        "schema": "paceback.transcript/1",
        "model": "script",
        "duration_s": duration,
        "words": words,
        "segments": [{"start_s": p["start_s"], "end_s": p["end_s"], "text": p["text"]} for p in parts],
    }
    truth = {
        "schema": "paceback.truth/1",
        "question": script["question"],
        "type": script["type"],
        "voice": "script",
        "duration_s": duration,
        "think_pause_s": think,
        "answer_start_s": think,
        "answer_end_s": end,
        "steps": steps,
        "parts": parts,
        "words": words,
        "text": " ".join(p["text"] for p in script["part"]),
    }
    return transcript, truth


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scripts", nargs="+")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for path in args.scripts:
        name = os.path.splitext(os.path.basename(path))[0]
        script = tomllib.load(open(path, "rb"))
        transcript, truth = build(script, name)
        with open(os.path.join(args.out, name + ".transcript.json"), "w") as f:
            json.dump(transcript, f, indent=1)
        with open(os.path.join(args.out, name + ".json"), "w") as f:
            json.dump(truth, f, indent=1)
    print(f"{len(args.scripts)} transcripts in {args.out}")


if __name__ == "__main__":
    main()
