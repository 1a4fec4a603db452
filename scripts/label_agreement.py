#!/usr/bin/env python3
"""How far two people agree on the steps of the generalization answers, and where paceback stands.

samples/second_labels.json holds a second, blind labelling of every answer in
samples/generalization and samples/generalization2: each answer cut into sentences (the split
below), given to another labeller with the question, its type and LABELLING.md only, one step per
sentence. This script prints, per set, the share of words (a stand-in for speaking time) on which
the two labellings agree, and with --paceback BIN the share on which paceback's segmentation of
the clean transcript (scripts/script_transcript.py) agrees with each labelling.

usage: scripts/label_agreement.py [--paceback target/release/paceback --sentence-model DIR]
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib

from bench_analysis import run_json, true_step_at
from script_transcript import has_letter

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = {"generalization": "samples/generalization", "generalization2": "samples/generalization2"}
SPLIT = re.compile(r'(?<=[.?!])["\u201d)]?\s+(?=[A-Z"\u201c(])')


def sentences(script):
    """(sentence, step) in order: every part's text cut at sentence ends."""
    return [(s.strip(), p["step"]) for p in script["part"] for s in SPLIT.split(p["text"].strip()) if s.strip()]


def tokens(text):
    return [t for t in text.split() if has_letter(t)]


def predicted_words(binary, transcripts, name, question):
    """paceback's step for every word of the answer's clean transcript (made by script_transcript.py)."""
    tpath = os.path.join(transcripts, name + ".transcript.json")
    words = json.load(open(tpath))["words"]
    pred = run_json([binary, "analyze", "--transcript", tpath, "--no-save", "--question", question, "--json"])
    return [true_step_at(pred, (w["start_s"] + w["end_s"]) / 2) for w in words]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paceback", help="also compare this paceback binary's steps with both labellings")
    ap.add_argument("--sentence-model", default=os.path.join(REPO, "models/all-MiniLM-L6-v2"))
    args = ap.parse_args()
    second = json.load(open(os.path.join(REPO, "samples/second_labels.json")))
    os.environ["PACEBACK_SENTENCE_MODEL"] = args.sentence_model
    with tempfile.TemporaryDirectory() as tmp:
        for set_name, folder in SETS.items():
            c, confusions = collections.Counter(), collections.Counter()
            per_framework = collections.defaultdict(collections.Counter)
            scripts = sorted(f for f in os.listdir(os.path.join(REPO, folder)) if f.endswith(".toml"))
            transcripts = os.path.join(tmp, set_name)
            if args.paceback:
                subprocess.run([sys.executable, os.path.join(REPO, "scripts/script_transcript.py"),
                                *(os.path.join(REPO, folder, f) for f in scripts), "--out", transcripts],
                               check=True, capture_output=True)
            for f in scripts:
                path = os.path.join(REPO, folder, f)
                script = tomllib.load(open(path, "rb"))
                sents, other = sentences(script), second[f[:-5]]
                if len(sents) != len(other):
                    sys.exit(f"{f}: {len(sents)} sentences, {len(other)} second labels")
                pred = predicted_words(args.paceback, transcripts, f[:-5], script["question"]) if args.paceback else None
                fw = per_framework["stories (STAR)" if script["type"] == "behavioral" else "Working Backwards"]
                w = 0
                for (text, first), snd in zip(sents, other):
                    k = len(tokens(text))
                    if first != snd:
                        confusions[(first, snd)] += k
                    for counts in (c, fw):
                        counts["words"] += k
                        counts["agree"] += k * (first == snd)
                        if pred:
                            for p in pred[w:w + k]:
                                counts["pb_first"] += p == first
                                counts["pb_second"] += p == snd
                                if first == snd:
                                    counts["both"] += 1
                                    counts["pb_both"] += p == first
                    w += k
                c["answers"] += 1
            n = c["words"]
            print(f"{set_name}: {c['answers']} answers, {n} words; the two labellings agree on {c['agree'] / n:.1%}")
            print("  most words in dispute (first, second): " +
                  ", ".join(f"{a}/{b} {k}" for (a, b), k in confusions.most_common(6)))
            if args.paceback:
                print(f"  paceback agrees with the first labelling on {c['pb_first'] / n:.1%}, with the second on "
                      f"{c['pb_second'] / n:.1%}, and on the words both labellers agree on {c['pb_both'] / c['both']:.1%}")
            for name, fc in sorted(per_framework.items()):
                line = f"  {name}: {fc['words']} words, the labellings agree on {fc['agree'] / fc['words']:.1%}"
                if args.paceback:
                    line += (f"; paceback agrees with the first on {fc['pb_first'] / fc['words']:.1%}, the second on "
                             f"{fc['pb_second'] / fc['words']:.1%}, both where they agree {fc['pb_both'] / max(fc['both'], 1):.1%}")
                print(line)


if __name__ == "__main__":
    main()
