#!/usr/bin/env python3
"""Make a set of perfect transcripts disfluent, the way spontaneous speech is, to measure how the
step segmenter holds up on it (written answers, even the ones written to sound spoken, are far
cleaner than people talking).

For every `NAME.transcript.json` (paceback.transcript/1) in SRC, writes to DST the same transcript
with, per 100 words on average, RATE filler words ("um,", "uh,", "like,", "you know,", "I mean,",
"kind of", "so, um,") and RATE / 2.5 words said twice ("the the") and RATE / 5 false starts (the
next two words, then again: "we could, we could build"), each seeded by the file name so a set is
the same every time; its truth manifest `NAME.json` is copied beside it. Inserted words take the
first 40% of the following word's time, so the answer's length and every step boundary stay where
they were. Then measure DST like any set:

  python3 scripts/disfluent.py /tmp/pt/generalization /tmp/disfluent/generalization-6 --rate 6
  python3 scripts/bench_analysis.py /tmp/disfluent/generalization-6

Real hesitant speech has about 2-6 fillers per 100 words (paceback's own delivery report calls
fewer than 4 fine); RATE 3 inserts about 7 words per 100, RATE 6 about 14.

usage: scripts/disfluent.py SRC DST [--rate 3] [--seed 1]
"""
import argparse
import glob
import json
import os
import random
import shutil

FILLERS = [["um,"], ["uh,"], ["uh"], ["like,"], ["you", "know,"], ["I", "mean,"], ["kind", "of"], ["so,", "um,"]]


def bare(word):
    return word.strip(",.?!;:\"'")


def disfluent(words, rate, rnd):
    """The words with fillers, repeats and false starts inserted before some of them."""
    out = []
    for i, w in enumerate(words):
        r = rnd.random() * 100
        if r < rate:
            inserted = rnd.choice(FILLERS)
        elif r < rate * 1.4:
            inserted = [bare(w["w"])]
        elif r < rate * 1.6 and i + 1 < len(words):
            inserted = [bare(w["w"]), bare(words[i + 1]["w"]) + ","]
        else:
            out.append(w)
            continue
        start, end = w["start_s"], w["end_s"]
        cut = start + (end - start) * 0.4
        step = (cut - start) / len(inserted)
        for k, text in enumerate(inserted):
            out.append({"w": text, "start_s": round(start + k * step, 3), "end_s": round(start + (k + 1) * step, 3)})
        out.append({**w, "start_s": round(cut, 3)})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--rate", type=float, default=3.0, help="fillers per 100 words (default 3)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    paths = sorted(glob.glob(os.path.join(args.src, "*.transcript.json")))
    if not paths:
        raise SystemExit(f"no *.transcript.json in {args.src}")
    os.makedirs(args.dst, exist_ok=True)
    added = total = 0
    for path in paths:
        name = os.path.basename(path)
        rnd = random.Random(f"{args.seed}:{name}")
        transcript = json.load(open(path))
        words = disfluent(transcript["words"], args.rate, rnd)
        added += len(words) - len(transcript["words"])
        total += len(transcript["words"])
        transcript["words"] = words
        with open(os.path.join(args.dst, name), "w") as f:
            json.dump(transcript, f)
        manifest = path[: -len(".transcript.json")] + ".json"
        shutil.copy(manifest, os.path.join(args.dst, os.path.basename(manifest)))
    print(f"{len(paths)} transcripts, {added} words added to {total} ({added / total * 100:.1f} per 100)")


if __name__ == "__main__":
    main()
