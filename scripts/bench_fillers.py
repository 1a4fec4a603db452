#!/usr/bin/env python3
"""Fillers and teen/ty numbers spoken by human-like voices: does paceback keep them?

    .venv-voices/bin/python scripts/bench_fillers.py DIR [--bin target/release/paceback]
        [--model models/ggml-tiny.en-q8_0.bin] [--label run] [--threads N]

Builds (once, cached in DIR) one clip per voice (Piper joe, hibari heart, Kokoro jf_alpha fed
English phonemes, espeak-ng en-us; see scripts/neural_synth.py) of the sixteen sentences below,
spoken the way candidates talk: "um" and "uh" mid-sentence, and numbers whose teen and ty forms
are easily confused ("eighteen" / "eighty"). Each sentence is synthesized on its own and the
sentences are joined with 0.6 s of silence. Then runs `BIN transcribe WAV --json` on every clip
and prints, per voice:

  fillers   spoken "um"/"uh" that come back as a filler in the right place (words aligned in
            order, fillers included), and fillers transcribed where none was spoken
  numbers   spoken teen/ty numbers that come back with the same value in the right place ("18"
            and "eighteen" are the same; "80" for "eighteen" is wrong)
  WER       scripts/wer.py (fillers removed, as everywhere else)

The sentences were written for this benchmark (they are recognition material, not answers to
segment). What a neural voice does with "um" is its own reading of the word, not a speaker's
hesitation: the figures say whether paceback keeps fillers a voice says, not how often people
say them.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from bench_pauses import espeak_clip, lcs_pairs, neural_clip, norm  # noqa: E402

VOICES = ["piper:joe", "hibari:heart", "kokoro:jf_alpha", "espeak:en-us"]
GAP_S = 0.6
SENTENCES = [
    "So, um, the first thing I'd look at is who actually plans dinner.",
    "Parents spend about eighteen minutes a day, uh, deciding what to cook.",
    "Um, I think the biggest pain is the last hour before dinner.",
    "We surveyed thirty families and, uh, fourteen of them order takeout twice a week.",
    "The goal is to get that down to, um, once a week within sixty days.",
    "Uh, let me think about the metrics for a second.",
    "I'd track weekly active planners and, um, the share who cook three dinners a week.",
    "Retention at day thirteen was about forty percent, uh, which is low for this category.",
    "So the, um, the guardrail would be support tickets per thousand users.",
    "Fifteen percent of users came from referrals and, uh, fifty percent from search.",
    "Um, one risk is that grocery prices change every week.",
    "We'd mitigate that with, uh, a price refresh every nineteen hours.",
    "Seventeen out of seventy pilot users asked for a shopping list.",
    "I'd leave, um, meal kits out of the first version.",
    "Uh, in one sentence, we help busy parents decide dinner in under sixteen seconds.",
    "That's, um, roughly eighty hours saved per family per year.",
]
FILLERS = {"um", "uh", "umm", "uhh", "er", "erm", "hmm"}
TEENS_TYS = {
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}


def token(w):
    """A word for alignment: fillers as one symbol, teen/ty numbers as their value."""
    n = norm(w)
    if n in FILLERS:
        return "<filler>"
    if n in TEENS_TYS:
        return str(TEENS_TYS[n])
    return n.rstrip("%") if n.rstrip("%").isdigit() else n


def build(dirpath):
    os.makedirs(dirpath, exist_ok=True)
    clips = []
    for voice in VOICES:
        name = voice.replace(":", "-")
        wav = os.path.join(dirpath, name + ".wav")
        if not os.path.exists(wav):
            t0 = time.time()
            pauses = [GAP_S] * (len(SENTENCES) - 1)
            if voice.startswith("espeak:"):
                espeak_clip(voice.split(":", 1)[1], SENTENCES, pauses, wav)
            else:
                neural_clip(voice, SENTENCES, pauses, wav)
            print(f"built {name} in {time.time() - t0:.0f} s", file=sys.stderr)
        clips.append({"name": name, "voice": voice.split(":")[0], "wav": wav})
    return clips


def score(hyp_words):
    from wer import wer
    ref = [token(w) for s in SENTENCES for w in s.split() if norm(w)]
    hyp = [token(w["w"]) for w in hyp_words if norm(w["w"])]
    pairs = lcs_pairs(ref, hyp)
    matched_ref = {i for i, _ in pairs}
    fill_ref = [i for i, t in enumerate(ref) if t == "<filler>"]
    fill_hyp = [j for j, t in enumerate(hyp) if t == "<filler>"]
    nums = [i for i, t in enumerate(ref) if t.isdigit()]
    return {
        "fillers": len(fill_ref),
        "fillers_kept": sum(i in matched_ref for i in fill_ref),
        "fillers_heard": len(fill_hyp),
        "numbers": len(nums),
        "numbers_right": sum(i in matched_ref for i in nums),
        "wer": wer(" ".join(SENTENCES), " ".join(w["w"] for w in hyp_words)),
        "wrong_numbers": [ref[i] for i in nums if i not in matched_ref],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--bin", default=os.path.join(REPO, "target/release/paceback"))
    ap.add_argument("--model", default=os.path.join(REPO, "models/ggml-tiny.en-q8_0.bin"))
    ap.add_argument("--label", default="run")
    ap.add_argument("--threads")
    args = ap.parse_args()
    clips = build(args.dir)
    outdir = os.path.join(args.dir, f"out-{args.label}")
    os.makedirs(outdir, exist_ok=True)
    total = {"fillers": 0, "fillers_kept": 0, "fillers_heard": 0, "numbers": 0, "numbers_right": 0}
    print(f"{args.label}: {len(SENTENCES)} sentences per voice, model {os.path.basename(args.model)}")
    for c in clips:
        cmd = [args.bin, "transcribe", c["wav"], "--json", "--model", args.model]
        if args.threads:
            cmd += ["--threads", args.threads]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"{c['name']}: paceback exited {p.returncode}: {p.stderr.strip()}")
        hyp = json.loads(p.stdout)
        with open(os.path.join(outdir, c["name"] + ".json"), "w") as f:
            f.write(p.stdout)
        r = score(hyp["words"])
        for k in total:
            total[k] += r[k]
        extra = r["fillers_heard"] - r["fillers_kept"]
        print(f"  {c['voice']:<8} fillers kept {r['fillers_kept']}/{r['fillers']} (+{max(extra, 0)} where none was said)"
              f"   teen/ty numbers right {r['numbers_right']}/{r['numbers']}"
              f"{'  missed: ' + ', '.join(r['wrong_numbers']) if r['wrong_numbers'] else ''}"
              f"   WER {r['wer']:.1%}")
    print(f"  all      fillers kept {total['fillers_kept']}/{total['fillers']} = {total['fillers_kept'] / total['fillers']:.0%}"
          f"   teen/ty numbers right {total['numbers_right']}/{total['numbers']}"
          f" = {total['numbers_right'] / total['numbers']:.0%}")


if __name__ == "__main__":
    sys.exit(main())
