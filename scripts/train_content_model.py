#!/usr/bin/env python3
"""Train paceback's content model: which words make a sentence sound like each step.

Cue phrases catch signposts ("The biggest risk is..."), but many sentences have none and are
recognisable only by how they talk: pain sentences describe what "they" do "today" and how long it
"takes"; metric sentences have "percent", "from ... to", "per week"; risk sentences "if", "might",
"won't". This script learns that from labelled answer scripts (samples/training/**/*.toml, the
format of samples/README.md; never the development or held-out sets, which measure it).

Model: multinomial naive Bayes over the sentence's words and word pairs, per framework (Working
Backwards, STAR), with add-0.5 smoothing. Only features used in at least MIN_ANSWERS different
answers are kept, so topic words ("toddler", "tractor") drop out and what remains is how people
talk about each step. Output: src/analysis/content_model.json, log P(feature | step) per step plus
the log probability of an unseen feature, embedded in the binary.

usage: scripts/train_content_model.py [--out src/analysis/content_model.json] [DIR...]
"""
import argparse
import glob
import json
import math
import os
import re
import tomllib
from collections import Counter, defaultdict

MIN_ANSWERS = 3
MIN_COUNT = 3
ALPHA = 0.5
STAR = {"situation", "task", "action", "result"}


def normalize(word):
    """The same normalization as paceback's cue matching (src/analysis/phrases.rs)."""
    w = word.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return re.sub(r"^[^0-9a-z]+|[^0-9a-z]+$", "", w)


def features(text):
    words = [w for w in (normalize(t) for t in text.split()) if w]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def sentences(text):
    return [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]


def train(files):
    data = {"working_backwards": [], "star": []}
    for path in files:
        script = tomllib.load(open(path, "rb"))
        for part in script["part"]:
            fw = "star" if part["step"] in STAR else "working_backwards"
            for s in sentences(part["text"]):
                data[fw].append((path, part["step"], features(s)))
    model = {}
    for fw, rows in data.items():
        answers_with = defaultdict(set)
        total = Counter()
        for path, _, feats in rows:
            for f in feats:
                answers_with[f].add(path)
                total[f] += 1
        vocab = sorted(f for f in total if len(answers_with[f]) >= MIN_ANSWERS and total[f] >= MIN_COUNT)
        keep = set(vocab)
        counts = defaultdict(Counter)
        for _, step, feats in rows:
            counts[step].update(f for f in feats if f in keep)
        steps = sorted(counts)
        out = {"features": vocab, "steps": {}}
        for step in steps:
            n = sum(counts[step].values())
            denom = n + ALPHA * (len(vocab) + 1)
            out["steps"][step] = {
                "log_p": [round(math.log((counts[step][f] + ALPHA) / denom), 4) for f in vocab],
                "log_p_unseen": round(math.log(ALPHA / denom), 4),
                "sentences": sum(1 for _, s, _ in rows if s == step),
            }
        model[fw] = out
    return model, {fw: len(rows) for fw, rows in data.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("dirs", nargs="*", default=[os.path.join(here, "..", "samples", "training")])
    ap.add_argument("--out", default=os.path.join(here, "..", "src", "analysis", "content_model.json"))
    args = ap.parse_args()
    files = sorted(f for d in args.dirs for f in glob.glob(os.path.join(d, "**", "*.toml"), recursive=True))
    model, sizes = train(files)
    model = {"schema": "paceback.content_model/1", "trained_on": len(files), "min_answers": MIN_ANSWERS, **model}
    with open(args.out, "w") as f:
        json.dump(model, f, indent=1)  # one value per line: retraining gives a readable diff
        f.write("\n")
    for fw in ("working_backwards", "star"):
        print(f"{fw}: {sizes[fw]} sentences, {len(model[fw]['features'])} features, steps {sorted(model[fw]['steps'])}")
    print(f"wrote {args.out} from {len(files)} answers")


if __name__ == "__main__":
    main()
