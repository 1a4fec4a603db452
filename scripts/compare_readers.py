#!/usr/bin/env python3
"""Compare ways of reading sentences for the step segmenter, trained and tuned the same way:

  (a) meaning only: sentence embeddings (the unit's and its neighbours'), position, question type
  (b) cues only: the cue lexicon's evidence and the word model (naive Bayes), position, type
  (c) both: (a) + (b), read one sentence at a time (and its two neighbours)
  (d) with --sequence: both, read in sequence: (c)'s features through the sequence reader, small
      bidirectional GRUs over the whole answer (scripts/sequence_reader.py; needs PyTorch), its
      evidence shared with (c)'s as train_step_model.py shares it
  (e) the last of the above with the boundary reader (P(a new step starts at this unit) moving
      each unit's transitions, train_step_model.train_boundary), when it decodes VALIDATION better

(a)-(c) are logistic regressions trained on TRAIN, its regularization and emission weight picked on
VALIDATION, decoded with the same learned transitions, then measured (step-time accuracy: the share
of each answer's speech time on the true step, averaged over answers) on every TEST file.

usage: scripts/compare_readers.py [--sequence] TRAIN.jsonl VALIDATION.jsonl TEST.jsonl...   (step_features dumps)
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_step_model as T  # noqa: E402

D = 384


def columns(steps, width):
    """Index ranges of the blocks in the dumped `sentence` vector (`width` numbers)."""
    n = len(steps)
    emb = np.arange(0, 3 * D)
    cues = np.arange(3 * D, 3 * D + 2 * n)
    rest = np.arange(3 * D + 2 * n, width)  # position bumps, question type and what follows them
    return {"a": np.concatenate([emb, rest]), "b": np.concatenate([cues, rest]), "c": np.concatenate([emb, cues, rest])}


def run(train, validation, tests, sequence=False):
    results = {}
    for fw, steps in T.FRAMEWORKS.items():
        tr = [a for a in train if a["framework"] == fw]
        va = [a for a in validation if a["framework"] == fw]
        n = len(steps)
        y = T.labels(tr, steps)
        prior = np.bincount(y, minlength=n).astype(float) + 1.0
        prior /= prior.sum()
        counts = T.chain_counts(tr, steps)
        readers, weights = {}, {}
        for name, cols in columns(steps, len(tr[0]["units"][0]["sentence"])).items():
            X = T.matrix(tr, "sentence")[:, cols]
            best = None
            for C in (1.0, 3.0, 10.0, 30.0):
                W, b = T.fit(X, y, C, n)
                posts = [T.log_posterior(np.array([u["sentence"] for u in a["units"]])[:, cols], W, b) for a in va]
                for w in T.WEIGHT_GRID:
                    paths = [T.decode(a, lp, prior, w, counts, steps) for a, lp in zip(va, posts)]
                    acc, _ = T.time_accuracy(va, paths, steps)
                    if best is None or acc > best[0]:
                        best = (acc, W, b, w)
            _, W, b, w = best
            readers[name] = lambda X, W=W, b=b, cols=cols: T.log_posterior(np.array(X)[:, cols], W, b)
            weights[name] = w
            measure(results, name, readers[name], w, validation, tests, fw, prior, counts, steps)
        if sequence:
            import sequence_reader
            decoded = T.decoded_accuracy(va, prior, counts, steps)
            network, _ = sequence_reader.train(tr, va, steps, decoded, T.WEIGHT_GRID)
            _, share, w = T.pick_share(decoded, va, readers["c"], network)
            readers["d"] = lambda X: T.mixed(readers["c"](X), network(X), share)  # noqa: E731
            weights["d"] = w
            measure(results, "d", readers["d"], w, validation, tests, fw, prior, counts, steps)
        last = "d" if sequence else "c"
        posts = [readers[last]([u["sentence"] for u in a["units"]]) for a in va]
        boundary = T.train_boundary(tr, va, posts, prior, counts, steps, weights[last])
        if boundary:
            boundary, w = boundary
        else:  # not better on validation: the row repeats the reader without it
            w = weights[last]
        measure(results, "e", readers[last], w, validation, tests, fw, prior, counts, steps, boundary)
    return results


def measure(results, name, read, w, validation, tests, fw, prior, counts, steps, boundary=None):
    for label, answers in [("validation", validation)] + tests:
        A = [a for a in answers if a["framework"] == fw]
        paths = [T.decode(a, read([u["sentence"] for u in a["units"]]), prior, w, counts, steps, boundary) for a in A]
        _, accs = T.time_accuracy(A, paths, steps)
        results.setdefault((name, label), []).extend(accs)


def main():
    args = sys.argv[1:]
    sequence = "--sequence" in args
    args = [a for a in args if a != "--sequence"]
    if len(args) < 3:
        sys.exit(__doc__)
    train, validation = T.load(args[0]), T.load(args[1])
    tests = [(os.path.basename(p).rsplit(".", 1)[0], T.load(p)) for p in args[2:]]
    results = run(train, validation, tests, sequence)
    labels = ["validation"] + [t for t, _ in tests]
    print(f"{'reader':<38}" + "".join(f"{label:>16}" for label in labels))
    names = {"a": "(a) meaning only", "b": "(b) cues + word model", "c": "(c) both"}
    if sequence:
        names["d"] = "(d) both, read in sequence"
    names["e"] = "(e) (d) + boundary reader (shipped)" if sequence else "(e) (c) + boundary reader"
    for key, title in names.items():
        print(f"{title:<38}" + "".join(f"{np.mean(results[(key, label)])*100:15.1f}%" for label in labels))


if __name__ == "__main__":
    main()
