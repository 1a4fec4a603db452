#!/usr/bin/env python3
"""Build src/history/references.json: for each question type, one labelled example answer from
samples/answers (its time per step, answer time and think pause), which `paceback compare` shows
as the reference beside the user's takes.

Each example is synthesized with scripts/synth.py (deterministic: the same script gives the same
times) and its truth manifest read: a step's seconds are the sum of its runs (start of the first
word to end of the last, as samples/README.md defines them), so they are the labelled times, not
what the segmenter reads.

usage: scripts/make_references.py [--out src/history/references.json]
Needs what synth.py needs: Python >= 3.11, libespeak-ng1 and sox.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import tomllib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The example per type: complete, well paced answers of the development set (samples/README.md).
EXAMPLES = {
    "product_sense": ("ps08_remote_onboarding_long", "a complete product sense answer in the 5-8 minute range"),
    "strategy": ("st01_streaming_audiobooks", "a complete strategy answer"),
    "prioritization": ("pr01_notes_app_three_features", "a prioritization answer with short framing"),
    "estimation": ("es01_ev_chargers", "an estimation answer: short framing, the maths, a sanity check"),
    "behavioral": ("bh01_disagree_eng_lead", "a STAR answer"),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(REPO, "src/history/references.json"))
    args = ap.parse_args()
    out = {"schema": "paceback.references/1", "references": []}
    with tempfile.TemporaryDirectory() as tmp:
        for qtype, (name, label) in EXAMPLES.items():
            script = os.path.join(REPO, "samples/answers", f"{name}.toml")
            with open(script, "rb") as f:
                meta = tomllib.load(f)
            assert meta["type"] == qtype, f"{name} is a {meta['type']} answer, not {qtype}"
            wav, manifest = os.path.join(tmp, f"{name}.wav"), os.path.join(tmp, f"{name}.json")
            subprocess.run([sys.executable, os.path.join(REPO, "scripts/synth.py"), script, wav,
                            "--manifest", manifest], check=True, stdout=subprocess.DEVNULL)
            with open(manifest) as f:
                truth = json.load(f)
            steps = {}
            for s in truth["steps"]:
                steps[s["step"]] = round(steps.get(s["step"], 0.0) + s["end_s"] - s["start_s"], 2)
            answer = round(truth["answer_end_s"] - truth["answer_start_s"], 2)
            out["references"].append({
                "type": qtype,
                "source": f"samples/answers/{name}.toml",
                "label": label,
                "question": truth["question"],
                "think_pause_s": round(truth["think_pause_s"], 2),
                "answer_s": answer,
                "steps": steps,
            })
            print(f"{qtype:<15} {name:<32} answer {answer:6.1f} s  "
                  + "  ".join(f"{k} {v:.0f}" for k, v in steps.items()))
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(args.out, REPO)}")


if __name__ == "__main__":
    main()
