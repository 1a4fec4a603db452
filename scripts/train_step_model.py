#!/usr/bin/env python3
"""Train paceback's step model (src/analysis/step_model.json) from labelled answers.

Input: the units of labelled answers with their features, as dumped by
`cargo run --release --example step_features -- --encoder models/all-MiniLM-L6-v2 SET...`
(one JSON line per answer). Only training answers (samples/training, as perfect transcripts made by
scripts/script_transcript.py) go in; the development set may be given with --dev to print figures;
the held-out and generalization sets are never read here.

What is learned, per framework (Working Backwards, STAR):
- two multinomial logistic regressions giving P(step | unit): `sentence` (the unit's embedding, its
  neighbours', cue evidence, word model, position) and `cues` (the same without embeddings); the
  regularization is picked by cross-validation over answers (each fold leaves out one writer's answers);
- the step prior, and per question type the start and transition probabilities between units,
  counted on the labelled answers (add-one smoothing, backed off to the framework's counts so a
  rare type borrows from the others);
- the emission weight of each reader (how much the classifier counts against the transitions),
  picked by cross-validation on decoded step-time accuracy;
- a few example sentences per step (well-classified, from different answers) for `--explain`.

usage: scripts/train_step_model.py TRAIN.jsonl [--dev DEV.jsonl] [--out src/analysis/step_model.json]
Needs numpy and scikit-learn (scripts/requirements-train.txt).
"""
import argparse
import json
import math
from collections import defaultdict

import numpy as np
from sklearn.linear_model import LogisticRegression

FRAMEWORKS = {
    "working_backwards": ["classify", "customer", "pain", "vision", "capabilities", "metrics", "risks", "thesis"],
    "star": ["situation", "task", "action", "result"],
}
TYPES = {
    "working_backwards": ["product_sense", "strategy", "prioritization", "estimation"],
    "star": ["behavioral"],
}
TYPE_STEPS = {
    "estimation": ["classify", "customer", "pain", "capabilities", "risks", "thesis"],
}
READERS = ["sentence", "cues"]
C_GRID = {"sentence": [0.1, 0.3, 1.0, 3.0], "cues": [0.5, 2.0, 8.0]}
WEIGHT_GRID = [0.4, 0.6, 0.8, 1.0, 1.3, 1.6]
BACKOFF = 8.0  # pseudo-counts of the framework's transition row given to each type's row


def framework_of(qtype):
    return "star" if qtype == "behavioral" else "working_backwards"


def load(path):
    answers = []
    for line in open(path):
        a = json.loads(line)
        a["framework"] = framework_of(a["type"])
        answers.append(a)
    return answers


def matrix(answers, reader):
    return np.array([u[reader] for a in answers for u in a["units"]], dtype=np.float64)


def labels(answers, steps):
    return np.array([steps.index(u["label"]) for a in answers for u in a["units"]])


def allowed(qtype, steps):
    return [steps.index(s) for s in TYPE_STEPS.get(qtype, steps)]


def chain_counts(answers, steps):
    """Start and transition counts per type and for the whole framework."""
    n = len(steps)
    start = defaultdict(lambda: np.zeros(n))
    trans = defaultdict(lambda: np.zeros((n, n)))
    for a in answers:
        seq = [steps.index(u["label"]) for u in a["units"]]
        for key in (a["type"], "*"):
            start[key][seq[0]] += 1
            for x, y in zip(seq, seq[1:]):
                trans[key][x, y] += 1
    return start, trans


def chain(start, trans, qtype, n):
    """log start and transition probabilities for a type: its counts plus BACKOFF pseudo-counts
    spread like the framework's, plus one."""
    s_all = start["*"] / max(start["*"].sum(), 1)
    t_all = trans["*"] / np.maximum(trans["*"].sum(axis=1, keepdims=True), 1)
    s = start[qtype] + BACKOFF * s_all + 1.0
    t = trans[qtype] + BACKOFF * t_all + 1.0
    return np.log(s / s.sum()), np.log(t / t.sum(axis=1, keepdims=True))


def viterbi(em, log_start, log_trans):
    m, n = em.shape
    best = log_start + em[0]
    back = np.zeros((m, n), dtype=int)
    for i in range(1, m):
        scores = best[:, None] + log_trans
        back[i] = scores.argmax(axis=0)
        best = scores.max(axis=0) + em[i]
    path = [int(best.argmax())]
    for i in range(m - 1, 0, -1):
        path.append(int(back[i][path[-1]]))
    return path[::-1]


def decode(answer, log_post, prior, weight, start, trans, steps):
    """Decode one answer from per-unit log P(step | unit); returns step indexes (framework order)."""
    idx = allowed(answer["type"], steps)
    lp = log_post[:, idx]
    lp = lp - np.logaddexp.reduce(lp, axis=1, keepdims=True)
    pr = np.log(prior[idx] / prior[idx].sum())
    em = weight * (lp - pr)
    ls, lt = chain(start, trans, answer["type"], len(steps))
    ls = ls[idx] - np.logaddexp.reduce(ls[idx])
    lt = lt[np.ix_(idx, idx)]
    lt = lt - np.logaddexp.reduce(lt, axis=1, keepdims=True)
    return [idx[k] for k in viterbi(em, ls, lt)]


def time_accuracy(answers, paths, steps):
    accs = []
    for a, path in zip(answers, paths):
        total = right = 0.0
        for u, k in zip(a["units"], path):
            d = u["end_s"] - u["start_s"]
            total += d
            right += d * (steps[k] == u["label"])
        accs.append(right / total if total else 1.0)
    return float(np.mean(accs)), accs


def fit(X, y, C, n):
    clf = LogisticRegression(C=C, max_iter=3000)
    clf.fit(X, y)
    # Classes never seen get no weight (a very low bias).
    W = np.zeros((n, X.shape[1]))
    b = np.full(n, -20.0)
    for row, k in enumerate(clf.classes_):
        W[k] = clf.coef_[row] if len(clf.classes_) > 2 else (clf.coef_[0] if row == 1 else -clf.coef_[0])
        b[k] = clf.intercept_[row] if len(clf.classes_) > 2 else (clf.intercept_[0] if row == 1 else -clf.intercept_[0])
    return W, b


def log_posterior(X, W, b):
    z = X @ W.T + b
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


def folds(answers):
    """Leave one corpus out: every fold is all the answers of one writer (or writing session),
    so the figures say how the model does on a writer it has never seen."""
    sets = sorted({a["set"] for a in answers})
    return [[i for i, a in enumerate(answers) if a["set"] == s] for s in sets]


def cross_validate(answers, steps, reader, C):
    """Out-of-fold log posteriors for every answer."""
    n = len(steps)
    out = [None] * len(answers)
    for test in folds(answers):
        train = [a for i, a in enumerate(answers) if i not in set(test)]
        W, b = fit(matrix(train, reader), labels(train, steps), C, n)
        for i in test:
            out[i] = log_posterior(np.array([u[reader] for u in answers[i]["units"]]), W, b)
    return out


def train_framework(answers, dev, steps):
    n = len(steps)
    y = labels(answers, steps)
    prior = np.bincount(y, minlength=n).astype(float) + 1.0
    prior /= prior.sum()
    start, trans = chain_counts(answers, steps)
    classifiers, weights = {}, {}
    oof_sentence = None
    for reader in READERS:
        best = None
        for C in C_GRID[reader]:
            oof = cross_validate(answers, steps, reader, C)
            for w in WEIGHT_GRID:
                paths = [decode(a, lp, prior, w, start, trans, steps) for a, lp in zip(answers, oof)]
                acc, _ = time_accuracy(answers, paths, steps)
                if best is None or acc > best[0]:
                    best = (acc, C, w, oof)
        acc, C, w, oof = best
        print(f"  {reader:<9} C={C} weight={w}: cross-validated step-time accuracy {acc*100:.1f}%")
        W, b = fit(matrix(answers, reader), y, C, n)
        classifiers[reader] = (W, b)
        weights[reader] = w
        if reader == "sentence":
            oof_sentence = oof
        if dev:
            paths = [decode(a, log_posterior(np.array([u[reader] for u in a["units"]]), W, b), prior, w, start, trans, steps) for a in dev]
            dacc, _ = time_accuracy(dev, paths, steps)
            print(f"  {reader:<9} development set: {dacc*100:.1f}% ({len(dev)} answers)")
    examples = pick_examples(answers, oof_sentence, steps)
    return prior, start, trans, classifiers, weights, examples


def pick_examples(answers, oof, steps, per_step=12):
    """Well-classified sentences of 6-30 words, at most one per answer and step."""
    cands = defaultdict(list)
    for a, lp in zip(answers, oof):
        for u, row in zip(a["units"], lp):
            k = steps.index(u["label"])
            words = len(u["text"].split())
            if 6 <= words <= 30:
                cands[k].append((float(row[k]), a["name"], u["text"]))
    out = []
    for k in range(len(steps)):
        seen = set()
        for score, name, text in sorted(cands[k], reverse=True):
            if name in seen:
                continue
            seen.add(name)
            out.append([steps[k], text])
            if len(seen) == per_step:
                break
    return out


def rounded(x, digits=5):
    return [round(float(v), digits) for v in x]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("train")
    ap.add_argument("--dev")
    ap.add_argument("--out", default="src/analysis/step_model.json")
    args = ap.parse_args()
    train = load(args.train)
    dev = load(args.dev) if args.dev else []
    model = {"schema": "paceback.step-model/1", "trained_on": f"{len(train)} labelled answers", "frameworks": {}}
    for fw, steps in FRAMEWORKS.items():
        answers = [a for a in train if a["framework"] == fw]
        print(f"{fw}: {len(answers)} answers, {sum(len(a['units']) for a in answers)} units")
        prior, start, trans, classifiers, weights, examples = train_framework(
            answers, [a for a in dev if a["framework"] == fw], steps)
        n = len(steps)
        chains = {t: chain(start, trans, t, n) for t in TYPES[fw]}
        model["frameworks"][fw] = {
            "steps": steps,
            "classifiers": {
                r: {
                    "inputs": ["embedding", "previous", "next", "cues", "content", "position"] if r == "sentence"
                    else ["cues", "content", "position"],
                    "weights": [rounded(row) for row in W],
                    "bias": rounded(b),
                }
                for r, (W, b) in classifiers.items()
            },
            "prior": rounded(prior, 6),
            "emission_weight": weights,
            "start": {t: rounded(c[0], 4) for t, c in chains.items()},
            "transitions": {t: [rounded(row, 4) for row in c[1]] for t, c in chains.items()},
            "examples": examples,
        }
    with open(args.out, "w") as f:
        json.dump(model, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
