#!/usr/bin/env python3
"""Fit the temperature at which paceback draws the segmentations that bound the problem and
solution shares (`shares.*_range`, the reported 10th-90th percentile): the range should hold the
true share about 80% of the time. Measured on the validation set's clean transcripts (the set the
step model's settings are picked on), it prints the coverage at each temperature and picks the
highest temperature (the narrowest ranges) whose coverage reaches 80%; with --write it stores the
pick in src/analysis/step_model.json (`range_temperature`, sentence reader; rebuild to use it;
--write needs the training environment, `.venv-voices/bin/python`, for the model writer).

The sets are folders of paceback.truth/1 manifests with NAME.transcript.json beside them
(`scripts/script_transcript.py samples/validation/*.toml --out DIR`). Other sets given with
--report are measured at the same temperatures but never decide.

usage: scripts/fit_range_temperature.py VALIDATION_DIR [--report DIR...] [--write]
       [--encoder models/all-MiniLM-L6-v2] [--temperatures 0.2,0.25,...]
"""
import argparse
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(REPO, "src/analysis/step_model.json")
NOMINAL = 0.8


def ranges(encoder, temperatures, folder):
    binary = os.path.join(REPO, "target/release/examples/share_ranges")
    out = subprocess.run([binary, "--encoder", encoder, "--temperatures", ",".join(map(str, temperatures)), folder],
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def coverage(rows, t):
    """(inside, total) over both shares of every answer at temperature t."""
    inside = total = 0
    for r in rows:
        for key in ("problem", "solution"):
            lo, hi = r["ranges"][str(t)][key]
            inside += lo - 1e-9 <= r["true"][key] <= hi + 1e-9
            total += 1
    return inside, total


def reaches(inside, total):
    return inside >= NOMINAL * total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("validation")
    ap.add_argument("--report", nargs="*", default=[])
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--encoder", default=os.path.join(REPO, "models/all-MiniLM-L6-v2"))
    ap.add_argument("--temperatures", default="0.2,0.25,0.3,0.35,0.4,0.45,0.5")
    args = ap.parse_args()
    temperatures = [float(t) for t in args.temperatures.split(",")]
    sets = {"validation": ranges(args.encoder, temperatures, args.validation)}
    for folder in args.report:
        sets[os.path.basename(os.path.normpath(folder))] = ranges(args.encoder, temperatures, folder)
    print("true share inside the reported range (problem and solution together):")
    print("  temperature  " + "  ".join(f"{name:>16}" for name in sets))
    for t in temperatures:
        cells = []
        for rows in sets.values():
            inside, total = coverage(rows, t)
            cells.append(f"{inside:>3}/{total:<3} {inside / max(total, 1) * 100:5.1f}%")
        print(f"  {t:>11}  " + "  ".join(f"{c:>16}" for c in cells))
    val = sets["validation"]
    reaching = [t for t in temperatures if reaches(*coverage(val, t))]
    if not reaching:
        sys.exit(f"no temperature reaches {NOMINAL:.0%} on validation; try lower ones")
    pick = max(reaching)
    print(f"picked {pick}: the highest temperature holding the true share >= {NOMINAL:.0%} of the time on validation")
    if args.write:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from train_step_model import write
        model = json.load(open(MODEL))
        model["frameworks"]["working_backwards"]["range_temperature"] = {"sentence": pick}
        write(model, MODEL)


if __name__ == "__main__":
    main()
