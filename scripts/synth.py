#!/usr/bin/env python3
"""Synthesize a spoken interview answer with exact ground truth.

    python3 scripts/synth.py SCRIPT.toml OUT.wav [--manifest OUT.json] [--rate 16000] [--verify]

SCRIPT.toml (see samples/README.md) gives the question, the true question type, an espeak-ng voice
and speed, the silent think pause, and the answer as a list of parts, each labelled with a step id.
Each part is spoken by libespeak-ng (called through ctypes, no espeak-ng process), cut from the
first sound of its first word to its last non-silent sample, and the parts are joined with
silences of exact sample counts:

    [think_pause_s of silence] part1 [pause_after_s] part2 [pause_after_s] ... partN [tail_s]

(the last part's pause_after_s is ignored; tail_s follows it). The WAV is 16-bit mono PCM at --rate
(espeak speaks at 22050 Hz; each part is resampled on its own with `sox rate -v`, a linear-phase
resampler, so a time t inside a part maps to the same t after resampling, and lowered by 2 dB
so that the resampler's overshoot does not clip).

The truth manifest (schema "paceback.truth/1") holds:

  words  one entry per whitespace-separated token of the script that contains a letter or digit,
         with leading/trailing punctuation stripped. Times come from espeak's own events:
         start_s = the first sample of the word's first phoneme (espeak's phoneme event; espeak's
                   word event can sit up to 60 ms earlier, before a pause or a stop closure). Where
                   espeak speaks two words as one dictionary entry ("in the", "out of") the split is
                   the phoneme boundary after the first word's phonemes. If the word follows
                   silence, the start moves to the first sample above SILENCE (at most ONSET_MAX_S;
                   measured: phoneme starts after a pause are within 1 ms of the acoustic onset).
         end_s   = the end of the word's last phoneme: the next pause phoneme if one follows the
                   word, else the next word's start, moved back over silent samples (a stop
                   closure before a pause). In fluent speech espeak leaves no gap, so end_s
                   usually equals the next word's start_s. A voice with an echo (en-us+f2) rings
                   on for up to ~0.15 s after end_s; that ring is not part of the word.
  steps  contiguous runs of parts with the same step merged: start_s = first word start of the run,
         end_s = last word end of the run. A step may appear again later (the speaker went back).
  parts  the same per part, unmerged, with its text.
  think_pause_s  = start of the first word (equal to the script's think_pause_s, by construction).
  answer_start_s / answer_end_s = first word start / last word end; duration_s = whole file.

Times are seconds rounded to the millisecond. Measured accuracy: see samples/README.md.
Needs only the Python standard library, libespeak-ng (libespeak-ng1) and the `sox` program.
--verify prints how far word starts/ends next to silence are from the energy onsets/offsets.
"""
import argparse
import array
import bisect
import ctypes
import json
import subprocess
import sys
import tomllib
import wave

ESPEAK_RATE_HZ = 22050
SILENCE = 100          # |sample| <= SILENCE is silence (-50 dBFS); espeak pauses are zeros (not en-us+f2)
ONSET_MAX_S = 0.12     # how far a word start may move forward to its acoustic onset
STEPS = ["classify", "customer", "pain", "vision", "capabilities", "metrics", "risks", "thesis"]
STAR_STEPS = ["situation", "task", "action", "result"]
TYPES = ["product_sense", "strategy", "prioritization", "estimation", "behavioral"]
ASCII_FIXES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2014": ", ",
               "\u2013": "-", "\u2026": "...", "\u00a0": " "}

# --- libespeak-ng through ctypes (layouts from /usr/include/espeak-ng/speak_lib.h) ---------
AUDIO_OUTPUT_SYNCHRONOUS = 2
EVENT_LIST_TERMINATED, EVENT_WORD, EVENT_PHONEME = 0, 1, 7
INITIALIZE_PHONEME_EVENTS = 1
POS_CHARACTER = 1
CHARS_UTF8 = 1
PARAM_RATE = 1


class EspeakEvent(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint),
                ("text_position", ctypes.c_int), ("length", ctypes.c_int),
                ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", ctypes.c_char * 8)]


class EspeakVoice(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("languages", ctypes.c_char_p),
                ("identifier", ctypes.c_char_p), ("gender", ctypes.c_ubyte), ("age", ctypes.c_ubyte),
                ("variant", ctypes.c_ubyte), ("xx1", ctypes.c_ubyte), ("score", ctypes.c_int),
                ("spare", ctypes.c_void_p)]


SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                  ctypes.POINTER(EspeakEvent))


class Espeak:
    """Synchronous espeak-ng, one per process (re-initialising in the same process changes the audio).

    speak(text) -> (samples at 22050 Hz, events) where events are ("word", char_index, sample) and
    ("phoneme", name, sample) in time order; `sample` is the exact index in this text's samples.
    """

    def __init__(self, voice, speed):
        self.lib = ctypes.CDLL("libespeak-ng.so.1")
        rate = self.lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, None, INITIALIZE_PHONEME_EVENTS)
        if rate != ESPEAK_RATE_HZ:
            sys.exit(f"synth: espeak_Initialize returned {rate}, expected {ESPEAK_RATE_HZ}")
        self._callback = SYNTH_CALLBACK(self._on_audio)  # keep a reference: espeak holds the pointer
        self.lib.espeak_SetSynthCallback(self._callback)
        # like the espeak-ng command line: a voice file name first, else a language (+variant)
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            props = EspeakVoice(languages=voice.encode())
            if self.lib.espeak_SetVoiceByProperties(ctypes.byref(props)) != 0:
                sys.exit(f"synth: unknown espeak-ng voice {voice!r}")
        self.lib.espeak_SetParameter(PARAM_RATE, int(speed), 0)
        self.lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        self.samples, self.events = array.array("h"), []

    def _on_audio(self, wav, n, events):
        i = 0
        while events[i].type != EVENT_LIST_TERMINATED:
            e = events[i]
            if e.type == EVENT_WORD:
                self.events.append(("word", e.text_position - 1, e.sample))  # text_position is 1-based
            elif e.type == EVENT_PHONEME:
                self.events.append(("phoneme", bytes(e.id).rstrip(b"\0").decode(), e.sample))
            i += 1
        if wav and n > 0:
            self.samples.extend(wav[:n])
        return 0

    def speak(self, text):
        self.samples, self.events = array.array("h"), []
        data = text.encode() + b"\0"
        # no espeakENDPAUSE: no sentence pause is appended after the text
        err = self.lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, CHARS_UTF8, None, None)
        if err != 0 or self.lib.espeak_Synchronize() != 0:
            sys.exit(f"synth: espeak_Synth failed ({err}) on: {text[:60]}")
        return self.samples, self.events

    def phoneme_count(self, word):
        """Number of phonemes espeak gives `word` spoken alone."""
        ptr = ctypes.c_char_p(word.encode())
        out = self.lib.espeak_TextToPhonemes(ctypes.byref(ptr), CHARS_UTF8, ord("|") << 8) or b""
        return sum(1 for ph in out.decode().replace(" ", "|").split("|") if ph.strip("',%=_:"))


# --- one part: tokens, word times, trimming ---------------------------------------------------
def ascii_text(text):
    for bad, good in ASCII_FIXES.items():
        text = text.replace(bad, good)
    text = " ".join(text.split())
    if not text.isascii():
        sys.exit(f"synth: non-ASCII text (espeak positions would not map to characters): {text[:60]}")
    return text


def tokens(text):
    """[(char_start, char_end, word)] for whitespace tokens holding a letter or digit."""
    out, pos = [], 0
    for raw in text.split(" "):
        word = raw.strip(".,;:!?\"()[]")
        if any(c.isalnum() for c in word):
            out.append((pos, pos + len(raw), word))
        pos += len(raw) + 1
    return out


def phoneme_starts(text, events, tts):
    """Start sample of each token: the start of its first phoneme.

    Word events are matched to tokens by character position (espeak sometimes reports a position
    inside the previous token and splits tokens such as "2,000" into several words: the first event
    of each token wins). espeak speaks some word pairs as one dictionary entry ("in the", "out of")
    with a single word event; such a group is split at the phoneme boundary given by the phoneme
    count of each word spoken alone.
    """
    toks = tokens(text)
    ends = [t[1] for t in toks]
    heads, last = [], -1  # (token index, index into events) of accepted word events
    for j, (kind, char, _) in enumerate(events):
        k = bisect.bisect_right(ends, char) if kind == "word" else -1
        if last < k < len(toks):
            heads.append((k, j))
            last = k
    if not heads or heads[0][0] != 0:
        sys.exit(f"synth: espeak gave no word event for the first word of: {text[:60]}")
    starts = [None] * len(toks)
    for h, (k, j) in enumerate(heads):
        k_next, j_next = heads[h + 1] if h + 1 < len(heads) else (len(toks), len(events))
        phonemes = [smp for kind, name, smp in events[j:j_next]
                    if kind == "phoneme" and not name.startswith("_")]
        if not phonemes:
            phonemes = [events[j][2]]
        n = 0
        for m in range(k, k_next):
            if n >= len(phonemes):
                sys.exit(f"synth: cannot place {toks[m][2]!r} inside espeak's word in: {text[:60]}")
            starts[m] = phonemes[n]
            n += tts.phoneme_count(toks[m][2]) if m + 1 < k_next else 0
    return toks, starts


def is_silent(samples, a, b):
    return all(-SILENCE <= x <= SILENCE for x in samples[max(a, 0):b])


def part_words(text, samples, events, tts):
    """[(word, start, end)] in samples at 22050 Hz relative to the cut part, and the cut bounds.

    The part is cut from the first sound of its first word to its last non-silent sample. Cutting at
    the first word drops the echo of the previous part that espeak lets leak into the start of the
    next one (voices with an echo, such as en-us+f2); the echo after the last word is kept.
    A word ends where its last phoneme ends: at the next pause phoneme, else at the next word's
    start, then moved back over silent samples.
    """
    toks, first = phoneme_starts(text, events, tts)
    speech = sorted(smp for kind, name, smp in events if kind == "phoneme" and name[:1] != "_")
    pauses = sorted(smp for kind, name, smp in events if kind == "phoneme" and name[:1] == "_")
    n = len(samples)
    lead = first[0]
    while lead < n and abs(samples[lead]) <= SILENCE:
        lead += 1
    tail = n
    while tail > lead and abs(samples[tail - 1]) <= SILENCE:
        tail -= 1
    if tail <= lead:
        sys.exit(f"synth: espeak produced silence for: {text[:60]}")
    starts = []
    for k in range(len(toks)):
        s = min(max(first[k], lead), tail - 1)
        if is_silent(samples, s - int(0.02 * ESPEAK_RATE_HZ), s):  # after silence: acoustic onset
            limit = s + int(ONSET_MAX_S * ESPEAK_RATE_HZ)
            limit = min(limit, first[k + 1] if k + 1 < len(toks) else tail)
            while s < limit and abs(samples[s]) <= SILENCE:
                s += 1
        starts.append(s)
    words = []
    for k, (_, _, w) in enumerate(toks):
        nxt = first[k + 1] if k + 1 < len(toks) else n
        last_phoneme = speech[max(bisect.bisect_left(speech, nxt) - 1, 0)]
        i = bisect.bisect_right(pauses, max(last_phoneme, first[k]))
        e = pauses[i] if i < len(pauses) and pauses[i] < nxt else nxt
        e = min(e, starts[k + 1] if k + 1 < len(toks) else tail)
        while e > starts[k] + 1 and abs(samples[e - 1]) <= SILENCE:
            e -= 1
        words.append((w, starts[k] - lead, max(e, starts[k] + 1) - lead))
    return words, lead, tail


def resample(samples, rate):
    raw = ["-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", "-L"]
    # espeak peaks near full scale: 2 dB of headroom for the resampler's overshoot
    cmd = ["sox", "-D", "-V1", *raw, "-r", str(ESPEAK_RATE_HZ), "-", *raw, "-r", str(rate), "-",
           "gain", "-2", "rate", "-v"]
    out = subprocess.run(cmd, input=samples.tobytes(), capture_output=True, check=True).stdout
    res = array.array("h")
    res.frombytes(out)
    return res


# --- the whole answer -------------------------------------------------------------------------
def load_script(path):
    with open(path, "rb") as f:
        s = tomllib.load(f)
    for key in ("question", "type", "voice", "speed", "think_pause_s", "part"):
        if key not in s:
            sys.exit(f"synth: {path}: missing {key!r}")
    if s["type"] not in TYPES:
        sys.exit(f"synth: {path}: type must be one of {TYPES}")
    allowed = STAR_STEPS if s["type"] == "behavioral" else STEPS
    for p in s["part"]:
        if p.get("step") not in allowed:
            sys.exit(f"synth: {path}: step {p.get('step')!r} not in {allowed}")
        p["text"] = ascii_text(p["text"])
    return s


def synthesize(script, rate):
    tts = Espeak(script["voice"], script["speed"])
    silence = lambda seconds: array.array("h", bytes(2 * round(seconds * rate)))  # noqa: E731
    audio = silence(script["think_pause_s"])
    parts, words = [], []
    for i, p in enumerate(script["part"]):
        samples, events = tts.speak(p["text"])
        pw, lead, tail = part_words(p["text"], samples, events, tts)
        offset = len(audio) / rate
        audio.extend(resample(samples[lead:tail], rate))
        timed = [{"w": w, "start_s": offset + a / ESPEAK_RATE_HZ, "end_s": offset + b / ESPEAK_RATE_HZ}
                 for w, a, b in pw]
        words += timed
        parts.append({"step": p["step"], "start_s": timed[0]["start_s"], "end_s": timed[-1]["end_s"],
                      "text": p["text"]})
        last = i == len(script["part"]) - 1
        pause = script.get("tail_s", 1.0) if last else p.get("pause_after_s", 0.6)
        audio.extend(silence(pause))
    steps = []
    for p in parts:
        if steps and steps[-1]["step"] == p["step"]:
            steps[-1]["end_s"] = p["end_s"]
        else:
            steps.append({"step": p["step"], "start_s": p["start_s"], "end_s": p["end_s"]})
    r = lambda t: round(t, 3)  # noqa: E731
    for item in steps + parts + words:
        item["start_s"], item["end_s"] = r(item["start_s"]), r(item["end_s"])
    manifest = {
        "schema": "paceback.truth/1",
        "question": script["question"], "type": script["type"],
        "voice": script["voice"], "speed": script["speed"], "sample_rate": rate,
        "duration_s": r(len(audio) / rate), "think_pause_s": words[0]["start_s"],
        "answer_start_s": words[0]["start_s"], "answer_end_s": words[-1]["end_s"],
        "steps": steps, "parts": parts, "words": words,
        "text": " ".join(p["text"] for p in parts),
    }
    check(manifest)
    return audio, manifest


def check(m):
    """The manifest's invariants; a failure is a bug in this script."""
    words, steps = m["words"], m["steps"]
    assert m["think_pause_s"] == words[0]["start_s"]
    assert all(a["end_s"] <= b["start_s"] for a, b in zip(words, words[1:])), "words overlap"
    assert all(w["start_s"] < w["end_s"] for w in words), "empty word"
    assert all(a["step"] != b["step"] and a["end_s"] <= b["start_s"] for a, b in zip(steps, steps[1:]))
    assert steps[0]["start_s"] == words[0]["start_s"] and steps[-1]["end_s"] == words[-1]["end_s"]
    for w in words:
        assert any(s["start_s"] <= w["start_s"] and w["end_s"] <= s["end_s"] for s in steps), w
    assert words[-1]["end_s"] <= m["duration_s"]


def verify(audio, rate, m):
    """Compare the manifest with the audio itself: every word start that follows >= 60 ms of silence
    should sit on the acoustic onset, every word end followed by silence on the acoustic offset
    (offsets of a voice with an echo include the echo). Returns the two lists of differences in ms."""
    loud = lambda i: abs(audio[i]) > SILENCE  # noqa: E731
    gap = int(0.06 * rate)
    onsets, offsets = [], []
    for w in m["words"]:
        s, e = round(w["start_s"] * rate), round(w["end_s"] * rate)
        if not any(loud(i) for i in range(max(s - gap, 0), max(s - 20 * rate // 1000, 0))):
            j = max(s - gap, 0)
            while not loud(j):
                j += 1
            onsets.append((j - s) * 1000 / rate)
        if e + gap < len(audio) and not any(loud(i) for i in range(e + 20 * rate // 1000, e + gap)):
            j = e + gap
            while not loud(j - 1):
                j -= 1
            offsets.append((j - e) * 1000 / rate)
    return onsets, offsets


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("script")
    ap.add_argument("out_wav")
    ap.add_argument("--manifest", help="write the truth manifest (JSON) here")
    ap.add_argument("--rate", type=int, default=16000, help="output sample rate (default 16000)")
    ap.add_argument("--verify", action="store_true",
                    help="report how far word times are from the energy onsets/offsets in the audio")
    args = ap.parse_args()
    audio, manifest = synthesize(load_script(args.script), args.rate)
    if args.verify:
        for name, d in zip(("onsets", "offsets"), verify(audio, args.rate, manifest)):
            worst = max((abs(x) for x in d), default=0)
            print(f"verify {name}: {len(d)} words next to silence, max |diff| {worst:.1f} ms")
    with wave.open(args.out_wav, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(args.rate)
        w.writeframes(audio.tobytes())
    if args.manifest:
        with open(args.manifest, "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
