#!/usr/bin/env python3
"""Pause benchmark: do word times end where speech ends?

    /work/venv-tts/bin/python scripts/bench_pauses.py DIR [--bin target/release/paceback]
        [--model models/ggml-tiny.en-q8_0.bin] [--label after] [--json OUT.json]
    /work/venv-tts/bin/python scripts/bench_pauses.py --fixture OUT.wav   (the e2e test's fixture)

Builds (once, cached in DIR) a set of answers with KNOWN pauses: sentences of held-out answer
texts, each synthesized on its own by a voice (Piper joe, hibari heart, Kokoro jf_alpha fed
English phonemes, espeak-ng en-us; see scripts/neural_synth.py and ../shared/notes/voices.md),
leading/trailing silence trimmed, joined with digital silence of known lengths (0.3-5 s, every
clip has the same multiset of pauses in a different order), resampled to 16 kHz. Each clean clip
also gets two noisy copies with room noise (pink, low-passed) at -45 and -35 dBFS RMS.

Truth: a pause is the run of digital silence between two sentences, found in the clean 16 kHz
audio (exact to a sample or two). espeak clips also have every word's start (scripts/synth.py's
phoneme events); for the neural voices only the first word of each sentence has a known start.

Then runs `BIN transcribe WAV --json` on every clip (outputs kept in DIR/out-LABEL) and prints,
per voice family and noise level:
  pause recall   pauses of 1 s or more (as inserted) with a gap between two consecutive recognized words whose ends
                 are both within 0.2 s of the true pause's ends
  spanned        pauses >= 1 s lying inside one recognized word (a word swallowed them)
  long pauses    clips whose count of gaps >= 2 s between words (what `analyze` reports as
                 long_pauses) equals the true count
  start error    |recognized - true| start of words aligned in order (LCS on normalized words):
                 sentence-initial words (all voices) and every word (espeak), median / p90
  WER            scripts/wer.py on the whole clip
  wall           seconds of transcription for all clips

Measured 2026-12-02 (tiny.en q8_0, --threads 1, a busy 2-core machine), 16 clips (2 answers x 4
voices x clean and -35 dBFS; the -45 dBFS copies were not run for lack of time), 112 pauses of
1 s or more, 64 of 2 s or more:
                         before (main f56325a)     after (branch pauses)
  pause recall, clean    13/56 = 23%               54/56 = 96%
  pause recall, -35 dBFS  5/56 =  9%               44/56 = 79%
  pauses inside a word   90                        0
  long-pause count exact 0/16 clips (13 of 64)     14/16 clips (66 of 64)
  sentence-start error   median 0.068 s, p90 0.165 median 0.008 s, p90 0.045
  word-start error (espeak) median 0.046, p90 0.135  median 0.043, p90 0.131
  words lasting > 1 s    137                       5 (e.g. "5.15," spoken "five fifteen")
  WER                    10.6% (unchanged: only times change)
On samples/demo.wav (espeak, true word times): word-start error median 0.049 -> 0.046 s, p90
0.137 -> 0.126 s; pauses of 0.3 s or more summed 0.9 s -> 8.2 s (true: 7.9 s).
The misses left: clean, two sentences whose first or last word whisper dropped; at -35 dBFS, a
soft word ending (a final "s", "st") under the noise, so the detector's stretch of speech ends
0.25-0.4 s early and the pause looks that much longer.

Measured 2026-12-02 again, all 24 clips (-45 dBFS included), before/after the stretches' edges
reach over frames halfway above the floor in level or brightness (at most 0.4 s): recall clean
54/56 -> 54/56, -45 dBFS 54/56 -> 56/56, -35 dBFS 43/56 -> 45/56; WER 9.99% -> 9.46%.

Measured 2026-12-02 (fourth session), the words fitted to Silero VAD's stretches (paceback's
default after `model fetch`) against the sound level only (PACEBACK_VAD_MODEL=/nonexistent), a
fresh synthesis of the 24 clips: pause recall clean 54/56 -> 54/56, -45 dBFS 56/56 -> 56/56,
-35 dBFS 48/56 -> 56/56; long-pause count exact 22 -> 23 of 24; WER 8.85% either way. A second
set (--answers samples/holdout/h_ps01_new_city_friends.toml,samples/holdout/h_pr02_bank_app_short_skips.toml):
127/135 -> 129/135 (-35 dBFS 41/45 -> 43/45).
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import tomllib
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

RATE = 16000
ANSWERS = ["samples/answers/ps01_toddler_meals.toml", "samples/answers/st01_streaming_audiobooks.toml"]
SENTENCES = 11
# Pauses between the 11 sentences (none at exactly 2.0 s, the long-pause threshold).
PAUSES = [0.3, 0.5, 0.8, 1.0, 1.3, 1.7, 2.4, 3.0, 4.0, 5.0]
THINK_S = 3.0
TAIL_S = 1.0
VOICES = ["piper:joe", "hibari:heart", "kokoro:jf_alpha", "espeak:en-us"]
NOISES = [None, -45, -35]
TOL_S = 0.2
LONG_S = 2.0


def sentences_of(path):
    s = tomllib.load(open(os.path.join(REPO, path), "rb"))
    text = " ".join(p["text"] for p in s["part"])
    return [x for x in re.split(r"(?<=[.?!])\s+", text.strip()) if x]


def norm(w):
    return re.sub(r"[^a-z0-9']", "", w.lower())


def write_wav(path, pcm, rate):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(pcm, -1, 1) * 32767).astype(np.int16).tobytes())


def read_wav(path):
    with wave.open(path) as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768


def neural_clip(voice_spec, sents, pauses, out, think=THINK_S, tail=TAIL_S):
    """Sentences by a neural voice joined with the given pauses; returns per-sentence nominal
    (start, end) in seconds (refined from the audio later)."""
    from neural_synth import Voice, trim
    v = Voice(voice_spec, 1.0)
    audio = [np.zeros(int(think * v.rate), np.float32)]
    at, nominal = len(audio[0]), []
    for i, s in enumerate(sents):
        a = trim(v.say(s))
        peak = float(np.max(np.abs(a))) if len(a) else 0.0
        if peak > 0:
            a = a * (0.7 / peak)
        audio.append(a.astype(np.float32))
        at += len(a)
        gap = pauses[i] if i < len(pauses) else tail
        n = int(round(gap * v.rate))
        audio.append(np.zeros(n, np.float32))
        if i < len(pauses):
            nominal.append((at / v.rate, (at + n) / v.rate))
        at += n
    with tempfile.NamedTemporaryFile(suffix=".wav") as f:
        write_wav(f.name, np.concatenate(audio), v.rate)
        subprocess.run(["sox", "-D", f.name, "-r", str(RATE), "-c", "1", "-b", "16", out], check=True)
    return nominal


def espeak_clip(voice, sents, pauses, out):
    """Through scripts/synth.py (libespeak-ng): every word's true start."""
    import synth
    script = {"question": "q", "type": "product_sense", "voice": voice, "speed": 165,
              "think_pause_s": THINK_S, "tail_s": TAIL_S,
              "part": [{"step": "customer", "text": synth.ascii_text(s),
                        "pause_after_s": pauses[i] if i < len(pauses) else TAIL_S}
                       for i, s in enumerate(sents)]}
    audio, manifest = synth.synthesize(script, RATE)
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(audio.tobytes())
    starts = [p["start_s"] for p in manifest["parts"]]
    nominal = [(b - p, b) for b, p in zip(starts[1:], pauses)]
    return manifest["words"], nominal


def true_pauses(pcm, nominal):
    """Each inserted pause as it is in the 16 kHz audio: the run of digital silence (|x| <= 2
    LSB) around the middle of where it was put."""
    quiet = np.abs(pcm) <= 2.5 / 32768
    runs = []
    for a, b in nominal:
        mid = int((a + b) / 2 * RATE)
        assert quiet[mid], f"no silence at {mid / RATE:.3f} s"
        s = mid
        while s > 0 and quiet[s - 1]:
            s -= 1
        e = mid
        while e < len(pcm) and quiet[e]:
            e += 1
        assert abs((e - s) / RATE - (b - a)) < 0.15, f"silence {s / RATE}-{e / RATE}, put {a}-{b}"
        runs.append((s / RATE, e / RATE))
    return runs


def pink_noise(n, seed, dbfs):
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(n)
    spec = np.fft.rfft(white)
    f = np.fft.rfftfreq(n, 1 / RATE)
    shape = 1 / np.sqrt(np.maximum(f, 20.0))
    shape[f > 6000] *= np.exp(-(f[f > 6000] - 6000) / 1500)  # a room, not a hiss
    x = np.fft.irfft(spec * shape, n)
    x *= 10 ** (dbfs / 20) / np.sqrt(np.mean(x * x))
    return x.astype(np.float32)


def build(dirpath, answers=ANSWERS):
    os.makedirs(dirpath, exist_ok=True)
    clips = []
    for a_i, answer in enumerate(answers):
        sents = sentences_of(answer)[:SENTENCES]
        for v_i, voice in enumerate(VOICES):
            rng = random.Random(f"{answer}{voice}")
            pauses = PAUSES[:]
            rng.shuffle(pauses)
            base = f"a{a_i + 1}_{voice.replace(':', '-')}"
            clean = os.path.join(dirpath, base + ".wav")
            truth_path = os.path.join(dirpath, base + ".truth.json")
            if not os.path.exists(truth_path):
                t0 = time.time()
                if voice.startswith("espeak:"):
                    words, nominal = espeak_clip(voice.split(":", 1)[1], sents, pauses, clean)
                else:
                    words = None
                    nominal = neural_clip(voice, sents, pauses, clean)
                pcm = read_wav(clean)
                runs = true_pauses(pcm, nominal)
                firsts = [THINK_S] + [b for _, b in runs]
                truth = {"voice": voice, "answer": answer, "sentences": sents, "pauses": [
                    {"start_s": round(a, 4), "end_s": round(b, 4), "nominal_s": p}
                    for (a, b), p in zip(runs, pauses)],
                    "sentence_starts": [round(x, 4) for x in firsts],
                    "words": words, "text": " ".join(sents)}
                json.dump(truth, open(truth_path, "w"), indent=1)
                print(f"built {base} in {time.time() - t0:.0f} s", file=sys.stderr)
            truth = json.load(open(truth_path))
            for noise in NOISES:
                name = base if noise is None else f"{base}_n{-noise}"
                wav = os.path.join(dirpath, name + ".wav")
                if not os.path.exists(wav):
                    pcm = read_wav(clean)
                    write_wav(wav, pcm + pink_noise(len(pcm), a_i * 100 + v_i * 10 + -noise, noise), RATE)
                clips.append({"name": name, "wav": wav, "truth": truth, "voice": voice.split(":")[0],
                              "noise": "clean" if noise is None else f"{noise} dBFS"})
    return clips


def lcs_pairs(a, b):
    """Index pairs of equal items of a and b, aligned in order (longest common subsequence)."""
    n, m = len(a), len(b)
    L = np.zeros((n + 1, m + 1), np.int32)
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            L[i, j] = L[i + 1, j + 1] + 1 if a[i] == b[j] else max(L[i + 1, j], L[i, j + 1])
    i = j = 0
    out = []
    while i < n and j < m:
        if a[i] == b[j]:
            out.append((i, j))
            i += 1
            j += 1
        elif L[i + 1, j] >= L[i, j + 1]:
            i += 1
        else:
            j += 1
    return out


def score(clip, hyp):
    from wer import wer
    t = clip["truth"]
    words = [w for w in hyp["words"] if norm(w["w"])]
    r = {"name": clip["name"], "voice": clip["voice"], "noise": clip["noise"]}
    r["wer"] = wer(t["text"], " ".join(w["w"] for w in hyp["words"]))
    r["ref_words"] = len(t["text"].split())
    found, spanned, total = 0, 0, 0
    misses = []
    for p in t["pauses"]:
        if p["nominal_s"] < 1.0:
            continue
        total += 1
        ok = any(abs(a["end_s"] - p["start_s"]) <= TOL_S and abs(b["start_s"] - p["end_s"]) <= TOL_S
                 for a, b in zip(words, words[1:]))
        found += ok
        if any(w["start_s"] < p["start_s"] + TOL_S and w["end_s"] > p["end_s"] - TOL_S for w in words):
            spanned += 1
        if not ok:
            near = [(a["w"], a["end_s"], b["w"], b["start_s"]) for a, b in zip(words, words[1:])
                    if a["end_s"] > p["start_s"] - 1.5 and b["start_s"] < p["end_s"] + 1.5]
            misses.append({"pause": [p["start_s"], p["end_s"]], "near": near[:3]})
    r["pauses"], r["found"], r["spanned"], r["misses"] = total, found, spanned, misses
    gaps = [b["start_s"] - a["end_s"] for a, b in zip(hyp["words"], hyp["words"][1:])]
    r["long_true"] = sum(p["nominal_s"] >= LONG_S for p in t["pauses"])
    r["long_found"] = sum(g >= LONG_S for g in gaps)
    # sentence-initial word starts
    hw = [norm(w["w"]) for w in words]
    tw, first_of = [], {}
    for k, s in enumerate(t["sentences"]):
        for j, w in enumerate(x for x in (norm(x) for x in s.split()) if x):
            if j == 0:
                first_of[len(tw)] = t["sentence_starts"][k]
            tw.append(w)
    pairs = lcs_pairs(tw, hw)
    r["sent_start_err"] = [abs(words[j]["start_s"] - first_of[i]) for i, j in pairs if i in first_of]
    r["word_start_err"] = []
    if t["words"]:
        tw2 = [norm(w["w"]) for w in t["words"]]
        r["word_start_err"] = [abs(words[j]["start_s"] - t["words"][i]["start_s"])
                               for i, j in lcs_pairs(tw2, hw)]
    r["long_words"] = sum(w["end_s"] - w["start_s"] > 1.0 for w in words)
    return r


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round((len(xs) - 1) * p)))]


def summary(rows, key):
    groups = {}
    for r in rows:
        groups.setdefault(r[key], []).append(r)
    groups["ALL"] = rows
    lines = []
    for g, rs in groups.items():
        pauses = sum(r["pauses"] for r in rs)
        found = sum(r["found"] for r in rs)
        spanned = sum(r["spanned"] for r in rs)
        exact = sum(r["long_found"] == r["long_true"] for r in rs)
        se = [e for r in rs for e in r["sent_start_err"]]
        we = [e for r in rs for e in r["word_start_err"]]
        wer_w = sum(r["wer"] * r["ref_words"] for r in rs) / sum(r["ref_words"] for r in rs)
        lines.append(f"  {g:<10} recall {found}/{pauses} = {found / pauses:6.1%}  spanned {spanned:3d}  "
                     f"long-count exact {exact}/{len(rs)} (found {sum(r['long_found'] for r in rs)}, "
                     f"true {sum(r['long_true'] for r in rs)})  sent-start med/p90 {pct(se, .5):.3f}/{pct(se, .9):.3f}  "
                     + (f"word-start med/p90 {pct(we, .5):.3f}/{pct(we, .9):.3f}  " if we else "")
                     + f"WER {wer_w:6.2%}  words>1s {sum(r['long_words'] for r in rs)}")
    return "\n".join(lines)


def fixture(out):
    """A short clip with two known pauses >= 1 s (Piper joe), and its truth beside it."""
    sents = ["Parents decide dinner at five.", "They scroll for ten minutes.", "Then they order takeout."]
    pauses = [1.2, 2.4]
    nominal = neural_clip("piper:joe", sents, pauses, out, think=0.5, tail=0.3)
    runs = true_pauses(read_wav(out), nominal)
    truth = {"text": " ".join(sents), "pauses": [{"start_s": round(a, 3), "end_s": round(b, 3)} for a, b in runs]}
    print(json.dumps(truth))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", nargs="?")
    ap.add_argument("--bin", default=os.path.join(REPO, "target/release/paceback"))
    ap.add_argument("--model", default=os.path.join(REPO, "models/ggml-tiny.en-q8_0.bin"))
    ap.add_argument("--label", default="run")
    ap.add_argument("--json")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="keep transcripts already in DIR/out-LABEL")
    ap.add_argument("--fixture")
    ap.add_argument("--only", help="comma-separated clip names (a1_piper-joe_n35, ...) to run and score")
    ap.add_argument("--threads", help="passed to transcribe --threads")
    ap.add_argument("--answers", help="comma-separated answer files to build the clips from (a second set, to "
                    "confirm on other texts what was chosen on the default two); default: " + ", ".join(ANSWERS))
    args = ap.parse_args()
    if args.fixture:
        return fixture(args.fixture)
    if not args.dir:
        ap.error("DIR is required")
    clips = build(args.dir, args.answers.split(",") if args.answers else ANSWERS)
    if args.only:
        clips = [c for c in clips if c["name"] in args.only.split(",")]
    if args.build_only:
        return
    outdir = os.path.join(args.dir, f"out-{args.label}")
    os.makedirs(outdir, exist_ok=True)
    rows, wall = [], 0.0
    for c in clips:
        out = os.path.join(outdir, c["name"] + ".json")
        if not (args.reuse and os.path.exists(out) and os.path.getsize(out)):
            t0 = time.time()
            cmd = [args.bin, "transcribe", c["wav"], "--json", "--model", args.model]
            if args.threads:
                cmd += ["--threads", args.threads]
            p = subprocess.run(cmd, capture_output=True, text=True)
            wall += time.time() - t0
            if p.returncode not in (0, 1):
                sys.exit(f"{c['name']}: exit {p.returncode}: {p.stderr}")
            open(out, "w").write(p.stdout)
        rows.append(score(c, json.load(open(out))))
    print(f"{args.label}: {len(rows)} clips, transcription wall {wall:.1f} s")
    print("by voice:")
    print(summary(rows, "voice"))
    print("by noise:")
    print(summary(rows, "noise"))
    if args.json:
        json.dump({"label": args.label, "wall_s": wall, "clips": rows}, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
