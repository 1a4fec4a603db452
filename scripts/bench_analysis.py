#!/usr/bin/env python3
"""Accuracy of `paceback analyze` against answers with known step boundaries.

For every `NAME.wav` + `NAME.json` (a paceback.truth/1 manifest) in the given folders, runs
`paceback analyze NAME.wav --question "<question>" --json` (or reuses a cached transcript with
`--transcripts DIR`), then prints per answer and overall:

  step acc   fraction of speech time (truth word durations) whose predicted step is the true step
  P err/S err  |predicted - true| problem-definition / solution share (true shares computed from the
             truth boundaries with paceback's own rule, on the same recognized words)
  verdicts   checks whose status matches the status under true segmentation (same words, same
             engine, truth boundaries forced with --steps-from)
  type       predicted question type == true type (from the question text, else what was said)
  pause err  |predicted - true| think pause, seconds

Targets (issue #3): step accuracy >= 95%, share error <= 0.03, every verdict right.

usage: scripts/bench_analysis.py [--bin target/release/paceback] [--transcripts DIR] [--json OUT] DIR...
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile


def run_json(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"failed ({out.returncode}): {' '.join(cmd)}\n{out.stderr}")
    return json.loads(out.stdout)


def predicted_step_at(steps, t):
    for s in steps:
        if s["start_s"] <= t < s["end_s"]:
            return s["step"]
    if steps and t >= steps[-1]["start_s"]:
        return steps[-1]["step"]
    return steps[0]["step"] if steps else None


def true_step_of_word(truth, w):
    mid = (w["start_s"] + w["end_s"]) / 2
    for s in truth["steps"]:
        if s["start_s"] - 1e-6 <= mid <= s["end_s"] + 1e-6:
            return s["step"]
    return None


def evaluate(binary, wav, manifest, transcript_dir):
    truth = json.load(open(manifest))
    name = os.path.splitext(os.path.basename(wav))[0]
    common = ["--no-save", "--question", truth["question"], "--json"]
    with tempfile.TemporaryDirectory() as tmp:
        if transcript_dir:
            tpath = os.path.join(transcript_dir, name + ".json")
            if not os.path.exists(tpath):
                # Transcribe first: a failed run must not leave an empty cache entry.
                words = subprocess.run([binary, "transcribe", wav, "--json"], capture_output=True, text=True, check=True).stdout
                with open(tpath, "w") as f:
                    f.write(words)
            source = ["--transcript", tpath]
        else:
            tpath = os.path.join(tmp, "t.json")
            with open(tpath, "w") as f:
                f.write(subprocess.run([binary, "transcribe", wav, "--json"], capture_output=True, text=True, check=True).stdout)
            source = ["--transcript", tpath]
        pred = run_json([binary, "analyze", *source, *common])
        oracle = run_json([binary, "analyze", *source, *common, "--type", truth["type"], "--steps-from", manifest])
        # Same type as the oracle for the verdict comparison (type errors are scored separately).
        pred_t = run_json([binary, "analyze", *source, *common, "--type", truth["type"]])

    speech = correct = 0.0
    for w in truth["words"]:
        d = w["end_s"] - w["start_s"]
        speech += d
        if predicted_step_at(pred_t["steps"], (w["start_s"] + w["end_s"]) / 2) == true_step_of_word(truth, w):
            correct += d
    acc = correct / speech if speech else 1.0

    def share(a, key):
        v = a["shares"][key]
        return v if v is not None else 0.0

    p_err = abs(share(pred_t, "problem_definition") - share(oracle, "problem_definition"))
    s_err = abs(share(pred_t, "solution") - share(oracle, "solution"))
    want = {c["id"]: c["status"] for c in oracle["checks"]}
    got = {c["id"]: c["status"] for c in pred_t["checks"]}
    wrong = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
    return {
        "name": name,
        "type": truth["type"],
        "step_accuracy": acc,
        "problem_share_error": p_err,
        "solution_share_error": s_err,
        "verdicts": len(want),
        "verdicts_wrong": wrong,
        "type_ok": pred["question"]["type"] == truth["type"],
        "type_pred": pred["question"]["type"],
        "type_source": pred["question"]["type_source"],
        "think_pause_error": abs(pred["think_pause_s"] - truth["think_pause_s"]),
        "pred_steps": [s["step"] for s in pred_t["steps"]],
        "true_steps": [s["step"] for s in truth["steps"]],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--bin", default="target/release/paceback")
    ap.add_argument("--transcripts", help="cache transcripts here (reused when present)")
    ap.add_argument("--json", help="write per-answer results here")
    ap.add_argument("--steps", action="store_true", help="print predicted vs true step sequences")
    args = ap.parse_args()
    if args.transcripts:
        os.makedirs(args.transcripts, exist_ok=True)
    rows = []
    for d in args.dirs:
        for manifest in sorted(glob.glob(os.path.join(d, "*.json"))):
            wav = manifest[:-5] + ".wav"
            if os.path.exists(wav):
                rows.append(evaluate(args.bin, wav, manifest, args.transcripts))
    if not rows:
        sys.exit("no NAME.wav + NAME.json pairs found")
    print(f"{'answer':<36} {'type':<15} {'step acc':>8} {'P err':>6} {'S err':>6} {'verdicts':>9} {'type':>5} {'pause err':>9}")
    for r in rows:
        print(
            f"{r['name']:<36} {r['type']:<15} {r['step_accuracy']*100:7.1f}% {r['problem_share_error']:6.3f} "
            f"{r['solution_share_error']:6.3f} {r['verdicts']-len(r['verdicts_wrong']):>4}/{r['verdicts']:<4} "
            f"{'ok' if r['type_ok'] else 'NO':>5} {r['think_pause_error']:8.2f}s"
            + (f"  wrong: {','.join(r['verdicts_wrong'])}" if r["verdicts_wrong"] else "")
        )
        if args.steps:
            print(f"    pred: {' '.join(r['pred_steps'])}\n    true: {' '.join(r['true_steps'])}")
    n = len(rows)
    total_v = sum(r["verdicts"] for r in rows)
    wrong_v = sum(len(r["verdicts_wrong"]) for r in rows)
    print()
    print(f"answers: {n}")
    print(f"step-time accuracy: mean {sum(r['step_accuracy'] for r in rows)/n*100:.1f}%, min {min(r['step_accuracy'] for r in rows)*100:.1f}%  (target >= 95%)")
    print(f"problem share error: mean {sum(r['problem_share_error'] for r in rows)/n:.3f}, max {max(r['problem_share_error'] for r in rows):.3f}  (target <= 0.03)")
    print(f"solution share error: mean {sum(r['solution_share_error'] for r in rows)/n:.3f}, max {max(r['solution_share_error'] for r in rows):.3f}  (target <= 0.03)")
    print(f"verdict agreement: {total_v-wrong_v}/{total_v} ({(total_v-wrong_v)/total_v*100:.1f}%); answers with every verdict right: {sum(1 for r in rows if not r['verdicts_wrong'])}/{n}")
    print(f"type accuracy: {sum(r['type_ok'] for r in rows)}/{n}")
    print(f"think-pause error: mean {sum(r['think_pause_error'] for r in rows)/n:.2f} s, max {max(r['think_pause_error'] for r in rows):.2f} s")
    if args.json:
        json.dump(rows, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
