#!/usr/bin/env python3
"""Content checks and question types, measured on tables written independently:

  samples/questions/content_test.toml   80 sentences (first writer) and
  samples/questions/content_test2.toml  158 sentences (a second writer, labelled blind by another
                                         person) and
  samples/questions/content_test3.toml  sentences by one more writer, labelled blind by another
                                         person (2026-12-05), each labelled with what it says (an
                                         outcome metric, a guardrail, a threshold, a mitigation,
                                         something left out of v1, a hedged extra...): precision and
                                         recall of what paceback decides, per property, with and
                                         without the sentence model, per table and all together
  samples/questions/content_dev.toml    200 sentences (a third writer): the selection table, on
                                         which choices about the content model were made; reported
                                         apart from the test tables
  samples/questions/test.toml           90 interview question wordings (first writer) and
  samples/questions/test2.toml          96 more (a second writer, typed blind by another person):
                                         accuracy of type inference (the classifier; the patterns
                                         alone)

No table here is trained on (the training tables are content_train.toml and train.toml); the test
tables are not tuned on either.
Targets (issue #10): precision and recall >= 0.9 each; type inference >= 95%.

usage: scripts/bench_content.py [--encoder models/all-MiniLM-L6-v2]
"""
import argparse
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROPS = ["outcome_metric", "usage_metric", "guardrail", "threshold", "mitigation", "deprioritization", "hedged_extra"]
QTYPES = ["product_sense", "strategy", "prioritization", "estimation", "behavioral"]


def truth(labels, p):
    labels = set(labels)
    if p == "deprioritization":
        return "deprioritization" in labels or "deprioritization_no_reason" in labels
    return p in labels


def example(name, *args):
    out = subprocess.run([os.path.join(REPO, "target/release/examples", name), *args],
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--encoder", default=os.path.join(REPO, "models/all-MiniLM-L6-v2"))
    args = ap.parse_args()
    tables = {name: example("content_features", args.encoder, os.path.join(REPO, "samples/questions", name))
              for name in ("content_test.toml", "content_test2.toml", "content_test3.toml")}
    tables["the three together"] = [r for rows in tables.values() for r in rows]
    tables["content_dev.toml (selection)"] = example(
        "content_features", args.encoder, os.path.join(REPO, "samples/questions/content_dev.toml"))
    for name, rows in tables.items():
        content_table(name, rows)
    tables = {name: example("question_features", args.encoder, os.path.join(REPO, "samples/questions", name))
              for name in ("test.toml", "test2.toml")}
    tables["both"] = [q for qs in tables.values() for q in qs]
    for name, qs in tables.items():
        question_table(name, qs)


FOUND = ["outcome_metric", "usage_metric", "guardrail", "threshold", "mitigation", "deprioritization", "reason", "hedged_extra"]


def content_table(name, rows):
    print(f"content checks on {len(rows)} independent sentences, {name} (precision / recall):")
    print(f"  {'property':<18} {'with the sentence model':>24} {'phrase lists only':>20}  sentences")
    worst = 1.0
    for p in PROPS:
        def pr(pred):
            tp = sum(1 for r, y in zip(rows, pred) if y and truth(r["labels"], p))
            fp = sum(1 for r, y in zip(rows, pred) if y and not truth(r["labels"], p))
            fn = sum(1 for r, y in zip(rows, pred) if not y and truth(r["labels"], p))
            return tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        model = pr([p in r["said"] for r in rows])
        patterns = pr([r["found"][FOUND.index(p)] for r in rows])
        worst = min(worst, *model)
        n = sum(truth(r["labels"], p) for r in rows)
        print(f"  {p:<18} {model[0]:>12.2f} / {model[1]:.2f} {patterns[0]:>12.2f} / {patterns[1]:.2f}  {n:>5}")
    print(f"  lowest precision or recall with the sentence model: {worst:.2f}  (target >= 0.90)")


def question_table(name, qs):
    right = sum(1 for q in qs if q["predicted"] == q["type"])
    pattern_right = 0
    for q in qs:
        m = q["x"][384:389]
        order = ["behavioral", "estimation", "prioritization", "strategy", "product_sense"]
        first = next((t for t in order if m[QTYPES.index(t)] == 1.0), None)
        pattern_right += first == q["type"]
    print(f"question types on {len(qs)} independent wordings, {name}: {right}/{len(qs)} ({right/len(qs)*100:.1f}%) "
          f"with the sentence model; {pattern_right}/{len(qs)} with phrase patterns only  (target >= 95%)")

if __name__ == "__main__":
    sys.exit(main())
