#!/usr/bin/env python3
"""Compare ways of reading sentences for the step segmenter, trained and tuned the same way:

  (a) meaning only: sentence embeddings (the unit's and its neighbours'), position, question type
  (b) cues only: the cue lexicon's evidence and the word model (naive Bayes), position, type
  (c) both: (a) + (b), what paceback ships as the `sentence` reader

Each is a logistic regression trained on TRAIN, its regularization and emission weight picked on
VALIDATION, decoded with the same learned transitions, then measured (step-time accuracy: the share
of each answer's speech time on the true step, averaged over answers) on every TEST file.

usage: scripts/compare_readers.py TRAIN.jsonl VALIDATION.jsonl TEST.jsonl...   (step_features dumps)
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_step_model as T  # noqa: E402

D = 384


def columns(steps):
    """Index ranges of the blocks in the dumped `sentence` vector."""
    n = len(steps)
    emb = np.arange(0, 3 * D)
    cues = np.arange(3 * D, 3 * D + 2 * n)
    rest = np.arange(3 * D + 2 * n, 3 * D + 2 * n + 11 + 5)  # position bumps, question type
    return {"a": np.concatenate([emb, rest]), "b": np.concatenate([cues, rest]), "c": np.concatenate([emb, cues, rest])}


def run(train, validation, tests):
    results = {}
    for fw, steps in T.FRAMEWORKS.items():
        tr = [a for a in train if a["framework"] == fw]
        va = [a for a in validation if a["framework"] == fw]
        n = len(steps)
        y = T.labels(tr, steps)
        prior = np.bincount(y, minlength=n).astype(float) + 1.0
        prior /= prior.sum()
        start, trans = T.chain_counts(tr, steps)
        for name, cols in columns(steps).items():
            X = T.matrix(tr, "sentence")[:, cols]
            best = None
            for C in (1.0, 3.0, 10.0, 30.0):
                W, b = T.fit(X, y, C, n)
                posts = [T.log_posterior(np.array([u["sentence"] for u in a["units"]])[:, cols], W, b) for a in va]
                for w in T.WEIGHT_GRID:
                    paths = [T.decode(a, lp, prior, w, start, trans, steps) for a, lp in zip(va, posts)]
                    acc, _ = T.time_accuracy(va, paths, steps)
                    if best is None or acc > best[0]:
                        best = (acc, W, b, w)
            _, W, b, w = best
            for label, answers in [("validation", validation)] + tests:
                A = [a for a in answers if a["framework"] == fw]
                paths = [T.decode(a, T.log_posterior(np.array([u["sentence"] for u in a["units"]])[:, cols], W, b), prior, w, start, trans, steps) for a in A]
                _, accs = T.time_accuracy(A, paths, steps)
                results.setdefault((name, label), []).extend(accs)
    return results


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    train, validation = T.load(sys.argv[1]), T.load(sys.argv[2])
    tests = [(os.path.basename(p).rsplit(".", 1)[0], T.load(p)) for p in sys.argv[3:]]
    results = run(train, validation, tests)
    labels = ["validation"] + [t for t, _ in tests]
    print(f"{'reader':<28}" + "".join(f"{label:>16}" for label in labels))
    names = {"a": "(a) meaning only", "b": "(b) cues + word model", "c": "(c) both (shipped)"}
    for key, title in names.items():
        print(f"{title:<28}" + "".join(f"{np.mean(results[(key, label)])*100:15.1f}%" for label in labels))


if __name__ == "__main__":
    main()
