#!/usr/bin/env python3
"""Accuracy of `paceback analyze` against answers with known step boundaries.

Each folder is one set. In it, every `NAME.json` truth manifest (paceback.truth/1) is paired with
either `NAME.wav` (spoken: transcribed by paceback, or read from the `--transcripts` cache) or
`NAME.transcript.json` (a perfect transcript, no recognition errors). For every answer the script
runs `paceback analyze --transcript ... --question "<question>" --json` and prints, per answer, per
set and overall:

  step acc   fraction of speech time (the analyzed words' durations) whose predicted step is the
             true step (the truth span containing the word's middle, else the nearest one)
  P err/S err  |predicted - true| problem-definition / solution share (true shares from the same
             engine on the same words with the truth boundaries forced with --steps-from)
  P/S ok     the problem_share and solution_share verdicts match the truth verdicts, or the
             prediction says it is borderline (a warn that names its uncertainty)
  verdicts   checks whose status matches the status under true segmentation
  type       predicted question type == true type (from the question text, else what was said)
  calib      of the speech time in spans reported with confidence >= 0.8, the share on the right step
  coverage   how often the true problem / solution share lies inside the range the report gives
             for it (shares.*_range: the 10th-90th percentile of the sampled segmentations,
             widened to hold the decoded one); and how many share verdicts are borderline

The sentence model is read from --sentence-model (default: models/all-MiniLM-L6-v2 of this
repository, as `scripts/setup.sh --dev` installs it); without it paceback falls back to the cue
reader, which this script says rather than measuring it silently (--cues-only measures it on
purpose).

usage: scripts/bench_analysis.py [--bin target/release/paceback] [--sentence-model DIR | --cues-only]
       [--transcripts DIR] [--json OUT] DIR...
"""
import argparse
import glob
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARE_CHECKS = ("problem_share", "solution_share")


def run_json(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"failed ({out.returncode}): {' '.join(cmd)}\n{out.stderr}")
    return json.loads(out.stdout)


def true_step_at(truth, t):
    best, dist = None, float("inf")
    for s in truth["steps"]:
        if s["start_s"] - 1e-6 <= t <= s["end_s"] + 1e-6:
            return s["step"]
        d = min(abs(t - s["start_s"]), abs(t - s["end_s"]))
        if d < dist:
            best, dist = s["step"], d
    return best


def transcript_for(binary, manifest, cache):
    """The transcript to analyze: the perfect one beside the manifest, else the WAV transcribed."""
    base = manifest[:-5]
    if os.path.exists(base + ".transcript.json"):
        return base + ".transcript.json", "clean"
    wav = base + ".wav"
    if not os.path.exists(wav):
        return None, None
    # Keyed by set folder and answer: the same answer spoken by two voices is two recordings.
    set_name = os.path.basename(os.path.dirname(os.path.abspath(base)))
    path = os.path.join(cache, f"{set_name}__{os.path.basename(base)}.json")
    if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(wav):
        # Transcribe first: a failed run must not leave an empty cache entry.
        words = subprocess.run([binary, "transcribe", wav, "--json"], capture_output=True, text=True, check=True).stdout
        with open(path, "w") as f:
            f.write(words)
    return path, "spoken"


def evaluate(binary, manifest, tpath, kind):
    truth = json.load(open(manifest))
    name = os.path.splitext(os.path.basename(manifest))[0]
    common = ["analyze", "--transcript", tpath, "--no-save", "--question", truth["question"], "--json"]
    pred = run_json([binary, *common])
    oracle = run_json([binary, *common, "--type", truth["type"], "--steps-from", manifest])
    # Same type as the oracle for the verdict comparison (type errors are scored separately).
    pred_t = pred if pred["question"]["type"] == truth["type"] else run_json([binary, *common, "--type", truth["type"]])

    speech = correct = 0.0
    for w in pred_t["words"]:
        d = w["end_s"] - w["start_s"]
        speech += d
        if w.get("step") == true_step_at(truth, (w["start_s"] + w["end_s"]) / 2):
            correct += d
    acc = correct / speech if speech else 1.0

    # Calibration: time in confident spans that is on the right step.
    conf_time = conf_right = 0.0
    for span in pred_t["steps"]:
        if span.get("confidence", 0.0) < 0.8:
            continue
        for w in pred_t["words"]:
            mid = (w["start_s"] + w["end_s"]) / 2
            if span["start_s"] <= mid <= span["end_s"]:
                d = w["end_s"] - w["start_s"]
                conf_time += d
                if true_step_at(truth, mid) == span["step"]:
                    conf_right += d

    def share(a, key):
        v = a["shares"][key]
        return v if v is not None else 0.0

    p_err = abs(share(pred_t, "problem_definition") - share(oracle, "problem_definition"))
    s_err = abs(share(pred_t, "solution") - share(oracle, "solution"))
    want = {c["id"]: c["status"] for c in oracle["checks"]}
    got = {c["id"]: c for c in pred_t["checks"]}
    wrong = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k, {}).get("status"))
    shares_ok = all(
        want.get(k) == got.get(k, {}).get("status") or got.get(k, {}).get("borderline", False)
        for k in SHARE_CHECKS
        if k in want or k in got
    )
    def covered(key, range_key):
        r = pred_t["shares"].get(range_key)
        return None if r is None else r[0] - 1e-9 <= share(oracle, key) <= r[1] + 1e-9

    return {
        "name": name,
        "kind": kind,
        "covered": [covered("problem_definition", "problem_definition_range"), covered("solution", "solution_range")],
        "borderline": sum(bool(got.get(k, {}).get("borderline")) for k in SHARE_CHECKS),
        "share_verdicts": sum(k in got for k in SHARE_CHECKS),
        "type": truth["type"],
        "step_accuracy": acc,
        "problem_share_error": p_err,
        "solution_share_error": s_err,
        "shares_ok": shares_ok,
        "verdicts": len(want),
        "verdicts_wrong": wrong,
        "type_ok": pred["question"]["type"] == truth["type"],
        "type_pred": pred["question"]["type"],
        "type_source": pred["question"]["type_source"],
        "confident_time": conf_time,
        "confident_right": conf_right,
        "pred_steps": [s["step"] for s in pred_t["steps"]],
        "true_steps": [s["step"] for s in truth["steps"]],
    }


def summary(label, rows):
    n = len(rows)
    wb = [r for r in rows if r["type"] != "behavioral"]
    total_v = sum(r["verdicts"] for r in rows)
    wrong_v = sum(len(r["verdicts_wrong"]) for r in rows)
    conf_t = sum(r["confident_time"] for r in rows)
    conf_r = sum(r["confident_right"] for r in rows)
    acc = [r["step_accuracy"] for r in rows]
    print(f"== {label}: {n} answers")
    print(f"   step-time accuracy: mean {sum(acc)/n*100:.1f}%, min {min(acc)*100:.1f}%")
    if wb:
        print(f"   share error: problem mean {sum(r['problem_share_error'] for r in wb)/len(wb):.3f} max {max(r['problem_share_error'] for r in wb):.3f}; "
              f"solution mean {sum(r['solution_share_error'] for r in wb)/len(wb):.3f} max {max(r['solution_share_error'] for r in wb):.3f}")
        print(f"   problem/solution verdicts right or borderline: {sum(r['shares_ok'] for r in wb)}/{len(wb)}")
        cov = [[r["covered"][i] for r in wb if r["covered"][i] is not None] for i in (0, 1)]
        print(f"   true share inside the reported range: problem {sum(cov[0])}/{len(cov[0])}, "
              f"solution {sum(cov[1])}/{len(cov[1])}")
        print(f"   share verdicts reported borderline: {sum(r['borderline'] for r in wb)}/{sum(r['share_verdicts'] for r in wb)}")
    print(f"   verdict agreement: {total_v-wrong_v}/{total_v} ({(total_v-wrong_v)/max(total_v,1)*100:.1f}%)")
    print(f"   type accuracy: {sum(r['type_ok'] for r in rows)}/{n}")
    if conf_t:
        print(f"   confidence >= 0.8: {conf_r/conf_t*100:.1f}% of {conf_t/max(sum(1 for _ in rows),1):.0f} s per answer on the right step")
    return {"set": label, "answers": n, "step_accuracy_mean": sum(acc) / n, "step_accuracy_min": min(acc)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--bin", default="target/release/paceback")
    ap.add_argument("--transcripts", help="cache whisper transcripts here (reused when present)")
    ap.add_argument("--json", help="write per-answer results here")
    ap.add_argument("--steps", action="store_true", help="print predicted vs true step sequences")
    ap.add_argument("--quiet", action="store_true", help="only the per-set summaries")
    ap.add_argument("--sentence-model", default=os.path.join(REPO, "models/all-MiniLM-L6-v2"))
    ap.add_argument("--cues-only", action="store_true", help="measure the cue reader (no sentence model)")
    args = ap.parse_args()
    if args.cues_only:
        os.environ["PACEBACK_SENTENCE_MODEL"] = os.path.join(REPO, "no-sentence-model")
        print("reader: cue phrases and word model only (--cues-only)")
    elif os.path.isfile(os.path.join(args.sentence_model, "model.safetensors")):
        os.environ["PACEBACK_SENTENCE_MODEL"] = args.sentence_model
        print(f"reader: the sentence model in {args.sentence_model}")
    else:
        sys.exit(f"no sentence model in {args.sentence_model}: run `scripts/setup.sh --dev` (or "
                 "`paceback model fetch --dir models`), give --sentence-model DIR, or --cues-only")
    cache = args.transcripts or os.path.join(os.environ.get("TMPDIR", "/tmp"), "paceback-bench-transcripts")
    os.makedirs(cache, exist_ok=True)
    sets = []
    for d in args.dirs:
        rows = []
        for manifest in sorted(glob.glob(os.path.join(d, "*.json"))):
            if manifest.endswith(".transcript.json"):
                continue
            tpath, kind = transcript_for(args.bin, manifest, cache)
            if tpath:
                rows.append(evaluate(args.bin, manifest, tpath, kind))
        if rows:
            sets.append((os.path.basename(os.path.normpath(d)), rows))
    if not sets:
        sys.exit("no NAME.json + NAME.wav or NAME.transcript.json pairs found")
    if not args.quiet:
        print(f"{'answer':<40} {'type':<15} {'step acc':>8} {'P err':>6} {'S err':>6} {'P/S':>4} {'verdicts':>9} {'type':>5}")
        for _, rows in sets:
            for r in rows:
                print(
                    f"{r['name']:<40} {r['type']:<15} {r['step_accuracy']*100:7.1f}% {r['problem_share_error']:6.3f} "
                    f"{r['solution_share_error']:6.3f} {'ok' if r['shares_ok'] else 'NO':>4} {r['verdicts']-len(r['verdicts_wrong']):>4}/{r['verdicts']:<4} "
                    f"{'ok' if r['type_ok'] else 'NO':>5}"
                    + (f"  wrong: {','.join(r['verdicts_wrong'])}" if r["verdicts_wrong"] else "")
                )
                if args.steps:
                    print(f"    pred: {' '.join(r['pred_steps'])}\n    true: {' '.join(r['true_steps'])}")
        print()
    out = [summary(label, rows) for label, rows in sets]
    if len(sets) > 1:
        summary("all sets", [r for _, rows in sets for r in rows])
    if args.json:
        json.dump({"sets": out, "answers": [r for _, rows in sets for r in rows]}, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
