#!/usr/bin/env python3
"""Train the answer-type reader: which kind of question an answer is for, read from the answer
itself, for when neither `--type` nor the question is given and the speaker did not name it.

Features: the answer's sentence embeddings averaged by speaking time (unit length), the first 384
numbers of each unit's `sentence` vector in a step_features dump. Model: a multinomial logistic
regression over the five types, C picked by 5-fold cross-validated accuracy on the training
answers. `scripts/train_step_model.py` calls this for a full retrain; on its own it replaces the
`answer_types` entry of an existing step model (so the rest of it is not retrained):

usage: scripts/train_answer_types.py TRAIN.jsonl [--validation V.jsonl] [--model src/analysis/step_model.json]
"""
import argparse
import json

import numpy as np

DIM = 384
TYPES = ["product_sense", "strategy", "prioritization", "estimation", "behavioral"]
C_GRID = [1.0, 3.0, 10.0, 30.0]


def answer_vector(units):
    """Speaking-time-weighted mean of the units' embeddings, at unit length."""
    E = np.array([u["sentence"][:DIM] for u in units])
    d = np.array([max(u["end_s"] - u["start_s"], 1e-3) for u in units])
    v = (E * d[:, None]).sum(0) / d.sum()
    return v / max(np.linalg.norm(v), 1e-12)


def dataset(answers):
    X = np.array([answer_vector(a["units"]) for a in answers])
    y = np.array([TYPES.index(a["type"]) for a in answers])
    return X, y


def train_answer_types(train, validation=()):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    X, y = dataset(train)
    best = None
    for C in C_GRID:
        pred = cross_val_predict(LogisticRegression(C=C, max_iter=5000), X, y,
                                 cv=StratifiedKFold(5, shuffle=True, random_state=0))
        acc = float(np.mean(pred == y))
        if best is None or acc > best[0] + 1e-9:
            best = (acc, C)
    acc, C = best
    m = LogisticRegression(C=C, max_iter=5000).fit(X, y)
    line = f"answer types: {len(y)} answers, C={C}: cross-validated accuracy {acc*100:.1f}%"
    if validation:
        Xv, yv = dataset(validation)
        line += f"; validation {int((m.predict(Xv) == yv).sum())}/{len(yv)}"
    print(line)
    return {
        "types": [TYPES[k] for k in m.classes_],
        "weights": [[round(float(v), 5) for v in row] for row in m.coef_],
        "bias": [round(float(v), 5) for v in m.intercept_],
    }


def load(path):
    return [json.loads(line) for line in open(path)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("train")
    ap.add_argument("--validation")
    ap.add_argument("--model", default="src/analysis/step_model.json")
    args = ap.parse_args()
    entry = train_answer_types(load(args.train), load(args.validation) if args.validation else ())
    model = json.load(open(args.model))
    model["answer_types"] = entry
    with open(args.model, "w") as f:
        json.dump(model, f, indent=1)
        f.write("\n")
    print(f"wrote answer_types into {args.model}")


if __name__ == "__main__":
    main()
