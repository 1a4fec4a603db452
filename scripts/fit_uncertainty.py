#!/usr/bin/env python3
"""Fit how sure paceback says it is: a step reported with confidence >= 0.8 should be right at
least 90% of the time, and the range reported beside the problem and solution shares
(`shares.*_range`) should hold the true share at least 80% of the time.

0. The confidences' temperature (every log-potential is multiplied by it for the steps'
   probabilities; the steps themselves do not change), measured on the calibration set (answers
   written by people outside the team, never trained on: `samples/calibration`): the highest
   temperature (the surest confidences) at which the speech time in steps reported with
   confidence >= 0.8 is on the true step at least 90% of the time there. The training script's
   own pick (the likeliest on validation, whose answers are written like the training answers)
   was too sure on other people's answers.
1. The temperature of the sampled segmentations (the range is their 10th-90th percentile),
   measured on the validation set's clean transcripts (the set the step model's settings are
   picked on): the highest temperature (the narrowest ranges) whose coverage reaches 80% there.
2. How far that range is widened on each side, as a fraction of its width, measured on the
   calibration set (answers written by people outside the team, never trained on:
   `samples/calibration`): the smallest widening whose coverage reaches 80% there. The draws
   only know where the model is unsure; on answers unlike its training answers it is also wrong
   where it is sure, more so on answers where it is unsure (a margin proportional to the range,
   as in normalized conformal prediction; a constant margin gave as many ranges holding the
   truth but more borderline verdicts on every set).

"At least 80%" is counted as split conformal prediction counts it: at least ceil(0.8 (n + 1)) of
the n answers' ranges (59 of 72), so that the claim holds for the next answer, not only on
average over these.

With --write the three are stored in src/analysis/step_model.json (`temperature` of every
framework, `range_temperature` and `range_widening` of Working Backwards, sentence reader; rebuild to use them; --write needs the training environment,
`.venv-voices/bin/python`, for the model writer).

The sets are folders of paceback.truth/1 manifests with NAME.transcript.json beside them
(`scripts/script_transcript.py samples/validation/*.toml --out DIR`). Other sets given with
--report are measured at the same settings but never decide.

usage: scripts/fit_uncertainty.py VALIDATION_DIR --calibration DIR [--report DIR...] [--write]
       [--encoder models/all-MiniLM-L6-v2] [--confidence 0.25,0.3,...] [--temperatures 0.2,0.25,...]
       [--widenings 0,0.01,...]
"""
import argparse
import json
import math
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(REPO, "src/analysis/step_model.json")
NOMINAL = 0.8
CONFIDENT_RIGHT = 0.9


def measured(encoder, confidence, temperatures, folder):
    binary = os.path.join(REPO, "target/release/examples/uncertainty")
    out = subprocess.run([binary, "--encoder", encoder, "--confidence", ",".join(map(str, confidence)),
                          "--temperatures", ",".join(map(str, temperatures)), folder],
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def confident_right(rows, t):
    """(seconds right, seconds) in steps reported with confidence >= 0.8 at temperature t."""
    time = sum(r["confident"][str(t)][0] for r in rows)
    right = sum(r["confident"][str(t)][1] for r in rows)
    return right, time


def coverage(rows, t, widening=0.0):
    """(inside, total) over both shares of every answer at temperature t, the range widened on
    each side by `widening` times its width (within 0-1, as paceback reports it)."""
    inside = total = 0
    for r in rows:
        if "ranges" not in r:
            continue
        for key in ("problem", "solution"):
            lo, hi = r["ranges"][str(t)][key]
            margin = widening * (hi - lo)
            lo, hi = max(lo - margin, 0.0), min(hi + margin, 1.0)
            inside += lo - 1e-9 <= r["true"][key] <= hi + 1e-9
            total += 1
    return inside, total


def reaches(inside, total):
    """Whether `inside` of `total` ranges holding the truth is enough to claim NOMINAL coverage of
    the next answer: split conformal prediction's finite-sample rule, at least
    ceil(NOMINAL * (total + 1)) of them (59 of 72, 27 of 32), not NOMINAL * total, which falls
    short by up to one answer in `total`."""
    return inside >= math.ceil(NOMINAL * (total + 1) - 1e-9)


def table(title, sets, settings):
    """One row per setting, one column per set: the coverage there."""
    print(title)
    print("  " + " " * 12 + "  ".join(f"{name:>16}" for name in sets))
    for label, t, widening in settings:
        cells = []
        for rows in sets.values():
            inside, total = coverage(rows, t, widening)
            cells.append(f"{inside:>3}/{total:<3} {inside / max(total, 1) * 100:5.1f}%")
        print(f"  {label:>10}  " + "  ".join(f"{c:>16}" for c in cells))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("validation")
    ap.add_argument("--calibration", required=True)
    ap.add_argument("--report", nargs="*", default=[])
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--encoder", default=os.path.join(REPO, "models/all-MiniLM-L6-v2"))
    ap.add_argument("--confidence", default="0.2,0.25,0.3,0.35,0.4,0.45,0.5")
    ap.add_argument("--temperatures", default="0.2,0.25,0.3,0.35,0.4,0.45,0.5")
    ap.add_argument("--widenings", default=",".join(str(round(0.01 * i, 2)) for i in range(101)))
    args = ap.parse_args()
    confidence = [float(t) for t in args.confidence.split(",")]
    temperatures = [float(t) for t in args.temperatures.split(",")]
    widenings = [float(w) for w in args.widenings.split(",")]
    folders = {"validation": args.validation, "calibration": args.calibration}
    folders.update({os.path.basename(os.path.normpath(f)): f for f in args.report})
    sets = {name: measured(args.encoder, confidence, temperatures, f) for name, f in folders.items()}

    print("speech time in steps reported with confidence >= 0.8 that is on the true step (seconds per answer):")
    print("  " + " " * 12 + "  ".join(f"{name:>16}" for name in sets))
    for t in confidence:
        cells = []
        for rows in sets.values():
            right, time = confident_right(rows, t)
            cells.append(f"{right / max(time, 1e-9) * 100:5.1f}% {time / max(len(rows), 1):5.0f} s")
        print(f"  {'T ' + str(t):>10}  " + "  ".join(f"{c:>16}" for c in cells))
    sure_enough = [t for t in confidence if confident_right(sets["calibration"], t)[0]
                   >= CONFIDENT_RIGHT * confident_right(sets["calibration"], t)[1]]
    if not sure_enough:
        sys.exit(f"no confidence temperature keeps confident steps {CONFIDENT_RIGHT:.0%} right on the calibration set")
    confidence_pick = max(sure_enough)
    print(f"confidence temperature {confidence_pick}: the highest whose confident steps are right >= "
          f"{CONFIDENT_RIGHT:.0%} of the time on the calibration set")

    table("true share inside the reported range (problem and solution together), not widened:",
          sets, [(f"T {t}", t, 0.0) for t in temperatures])
    reaching = [t for t in temperatures if reaches(*coverage(sets["validation"], t))]
    if not reaching:
        sys.exit(f"no temperature reaches {NOMINAL:.0%} on validation; try lower ones")
    pick = max(reaching)
    print(f"temperature {pick}: the highest holding the true share >= {NOMINAL:.0%} of the time on validation")
    shown = [w for w in widenings if round(w * 100) % 5 == 0]
    table(f"at temperature {pick}, widened on each side by a fraction of the width:", sets,
          [(f"+{w}", pick, w) for w in shown])
    enough = [w for w in widenings if reaches(*coverage(sets["calibration"], pick, w))]
    if not enough:
        sys.exit(f"no widening reaches {NOMINAL:.0%} on the calibration set; try larger ones")
    widening = min(enough)
    inside, total = coverage(sets["calibration"], pick, widening)
    print(f"widening {widening}: the smallest holding the true share >= {NOMINAL:.0%} of the time on the "
          f"calibration set ({inside}/{total})")
    if args.write:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from train_step_model import write
        model = json.load(open(MODEL))
        for f in model["frameworks"].values():
            f["temperature"]["sentence"] = confidence_pick
        framework = model["frameworks"]["working_backwards"]
        framework["range_temperature"] = {"sentence": pick}
        framework["range_widening"] = {"sentence": widening}
        write(model, MODEL)


if __name__ == "__main__":
    main()
