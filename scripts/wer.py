#!/usr/bin/env python3
"""Word error rate between a reference and a hypothesis transcript (standard library only).

    python3 scripts/wer.py REF HYP [--keep-fillers] [--json] [--diff]
    python3 scripts/wer.py --self-test

REF and HYP may each be
  - a plain text file, or
  - a JSON file: a paceback.transcript/1 document (its "words", each {"w": ...}, joined in order), or any
    object with a "text" field (e.g. a sample manifest), or, failing both, one with "segments" (their "text").
    A file is read as JSON when its name ends in .json or its content starts with "{".

Output (one line, parseable):  wer=0.0556 subs=3 dels=1 ins=0 ref_words=72 hyp_words=71
With --json the same as a JSON object; with --diff the misaligned words are listed on stderr too.

WER = (substitutions + deletions + insertions) / reference words, from a minimum-edit-distance word alignment.
If the normalised reference is empty, WER is 0.0 when the hypothesis is empty too and 1.0 otherwise.

Normalisation (normalize(), applied to both sides):
  1. Unicode NFKC, lowercase; curly apostrophes (’ ‘ ʼ) become '.
  2. Hyphens, dashes and slashes separate words ("well-known" -> "well known").
  3. Every other character that is not a letter, digit, apostrophe or whitespace is deleted
     ("U.S." -> "us", "1,000" -> "1000", "Hello!" -> "hello").
  4. An apostrophe is kept only inside a word, between two letters/digits ("don't", "it's" stay; quotes and
     trailing possessive apostrophes as in "students'" go).
  5. Whitespace is collapsed.
  6. Unless --keep-fillers / keep_fillers=True, filler words are removed from both sides:
     um umm uh uhh uhm er erm ah hmm hm mm mmm mhm.
  7. Spelled-out numbers become digits, as whisper writes them ("forty five" -> "45", "two thousand and
     twenty" -> "2020", "five fifteen" -> "5 15"), "%" becomes " percent", and British -ise/-isation
     spellings become -ize/-ization, so that formatting is not counted as recognition error.

Importable:  from wer import wer, wer_details, normalize
"""

import argparse
import json
import re
import sys
import unicodedata
from dataclasses import asdict, dataclass

FILLERS = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "hm", "mm", "mmm", "mhm"})

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u0060": "'", "\u00b4": "'"})
_SEPARATORS = re.compile(r"[-\u2010-\u2015\u2212/\\]+")
_NOT_KEPT = re.compile(r"[^\w\s']|_")
_LONE_APOSTROPHE = re.compile(r"(?<![^\W_])'|'(?![^\W_])")  # an apostrophe not between two word characters


_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_BRITISH = re.compile(r"(\w{2,})is(e|es|ed|ing|ation|ations)$")


def _numbers_to_digits(words):
    """Replace runs of number words with one digit string: ["forty", "five"] -> ["45"]."""
    out, i = [], 0
    while i < len(words):
        if words[i] not in _UNITS and words[i] not in _TENS:
            out.append(words[i])
            i += 1
            continue
        total = current = 0
        last = None  # kind of the previous number word: "unit", "ten", "scale"
        j = i
        while j < len(words):
            w = words[j]
            if w in _UNITS and last in (None, "ten", "scale") and not (last == "ten" and _UNITS[w] >= 10):
                current += _UNITS[w]
                last = "unit"
            elif w in _TENS and last in (None, "scale"):
                current += _TENS[w]
                last = "ten"
            elif w in _SCALES and last in ("unit", "ten") and current > 0:
                if _SCALES[w] == 100:
                    current *= 100
                else:
                    total += current * _SCALES[w]
                    current = 0
                last = "scale"
            elif w == "and" and last == "scale" and j + 1 < len(words) and (words[j + 1] in _UNITS or words[j + 1] in _TENS):
                j += 1
                continue
            else:
                break
            j += 1
        out.append(str(total + current))
        i = j
    return out


def normalize(text, keep_fillers=False):
    """Return the normalised text: lowercase words separated by single spaces (see the module docstring)."""
    t = unicodedata.normalize("NFKC", text).lower().translate(_APOSTROPHES)
    t = t.replace("%", " percent")
    t = _SEPARATORS.sub(" ", t)
    t = _NOT_KEPT.sub("", t)
    t = _LONE_APOSTROPHE.sub("", t)
    words = _numbers_to_digits([_BRITISH.sub(r"\1iz\2", w) for w in t.split()])
    if not keep_fillers:
        words = [w for w in words if w not in FILLERS]
    return " ".join(words)


@dataclass
class WerResult:
    wer: float
    substitutions: int
    deletions: int
    insertions: int
    ref_words: int
    hyp_words: int
    alignment: list  # (op, ref_word, hyp_word) with op in "=SDI"; ref_word/hyp_word None where absent

    def line(self):
        return (f"wer={self.wer:.4f} subs={self.substitutions} dels={self.deletions} ins={self.insertions} "
                f"ref_words={self.ref_words} hyp_words={self.hyp_words}")


def _align(ref, hyp):
    """Minimum edit distance alignment of two word lists; returns [(op, r, h)] in order."""
    n, m = len(ref), len(hyp)
    # back[i][j]: 0 match, 1 substitution, 2 deletion (ref word unmatched), 3 insertion (hyp word extra)
    back = [bytearray(m + 1) for _ in range(n + 1)]
    prev = list(range(m + 1))
    for j in range(1, m + 1):
        back[0][j] = 3
    for i in range(1, n + 1):
        cur = [i] + [0] * m
        bi = back[i]
        bi[0] = 2
        r = ref[i - 1]
        for j in range(1, m + 1):
            if r == hyp[j - 1]:
                best, op = prev[j - 1], 0
            else:
                best, op = prev[j - 1] + 1, 1
            if prev[j] + 1 < best:
                best, op = prev[j] + 1, 2
            if cur[j - 1] + 1 < best:
                best, op = cur[j - 1] + 1, 3
            cur[j] = best
            bi[j] = op
        prev = cur
    out = []
    i, j = n, m
    while i > 0 or j > 0:
        op = back[i][j]
        if op in (0, 1):
            out.append(("=" if op == 0 else "S", ref[i - 1], hyp[j - 1]))
            i, j = i - 1, j - 1
        elif op == 2:
            out.append(("D", ref[i - 1], None))
            i -= 1
        else:
            out.append(("I", None, hyp[j - 1]))
            j -= 1
    out.reverse()
    return out


def wer_details(ref, hyp, keep_fillers=False):
    """Align normalised ref and hyp texts and return a WerResult with the counts."""
    r = normalize(ref, keep_fillers).split()
    h = normalize(hyp, keep_fillers).split()
    alignment = _align(r, h)
    s = sum(1 for op, _, _ in alignment if op == "S")
    d = sum(1 for op, _, _ in alignment if op == "D")
    i = sum(1 for op, _, _ in alignment if op == "I")
    if r:
        rate = (s + d + i) / len(r)
    else:
        rate = 0.0 if not h else 1.0
    return WerResult(rate, s, d, i, len(r), len(h), alignment)


def wer(ref, hyp, keep_fillers=False):
    """Word error rate (a fraction, may exceed 1.0 with many insertions) of hyp against ref."""
    return wer_details(ref, hyp, keep_fillers).wer


def text_of_json(doc, path="<json>"):
    """The transcript text held by a parsed JSON document (see the module docstring)."""
    if isinstance(doc, dict):
        if isinstance(doc.get("words"), list):
            parts = []
            for w in doc["words"]:
                if isinstance(w, dict):
                    parts.append(str(w.get("w", w.get("word", w.get("text", "")))))
                else:
                    parts.append(str(w))
            return " ".join(parts)
        if isinstance(doc.get("text"), str):
            return doc["text"]
        if isinstance(doc.get("segments"), list):
            return " ".join(str(s.get("text", "")) for s in doc["segments"] if isinstance(s, dict))
    if isinstance(doc, str):
        return doc
    raise ValueError(f"{path}: JSON has no 'words', 'text' or 'segments' to score")


def load_text(path):
    """Read a transcript file (plain text or JSON) and return its text."""
    with open(path, encoding="utf-8") as f:
        content = f.read()
    if path.lower().endswith(".json") or content.lstrip().startswith("{"):
        return text_of_json(json.loads(content), path)
    return content


def self_test():
    cases = [
        # (ref, hyp, keep_fillers, expected wer, (subs, dels, ins))
        ("a b c", "a x c", False, 1 / 3, (1, 0, 0)),
        ("a b c", "a b x c", False, 1 / 3, (0, 0, 1)),
        ("a b c", "a c", False, 1 / 3, (0, 1, 0)),
        ("a b c", "", False, 1.0, (0, 3, 0)),
        ("", "", False, 0.0, (0, 0, 0)),
        ("", "a", False, 1.0, (0, 0, 1)),
        ("a b", "c d e f", False, 2.0, (2, 0, 2)),
        ("And so, my fellow Americans: ask not!", "and so my fellow americans ask not", False, 0.0, (0, 0, 0)),
        ("I don't know", "i DON’T know", False, 0.0, (0, 0, 0)),
        ("the 'students' books", "the students books", False, 0.0, (0, 0, 0)),
        ("a well-known U.S. fact", "a well known us fact", False, 0.0, (0, 0, 0)),
        ("so um I was uh thinking", "so I was thinking", False, 0.0, (0, 0, 0)),
        ("so I was thinking", "Um, so I was, uh, thinking. Hmm.", False, 0.0, (0, 0, 0)),
        ("so um I was uh thinking", "so I was thinking", True, 2 / 6, (0, 2, 0)),
    ]
    failures = 0
    for ref, hyp, keep, want, counts in cases:
        got = wer_details(ref, hyp, keep)
        ok = abs(got.wer - want) < 1e-9 and (got.substitutions, got.deletions, got.insertions) == counts
        if not ok:
            failures += 1
            print(f"FAIL wer({ref!r}, {hyp!r}, keep_fillers={keep}) = {got.line()}; want {want:.4f} {counts}")
    norm_cases = [
        ("Hello,   World!", "hello world"),
        ("It's 5 o'clock — 1,000 people.", "it's 5 o'clock 1000 people"),
        ("'quoted'", "quoted"),
        ("Um, yes. Mm-hmm.", "yes"),
        ("forty-five minutes at five fifteen", "45 minutes at 5 15"),
        ("two thousand and twenty four people, thirty percent", "2024 people 30 percent"),
        ("30% of one hundred", "30 percent of 100"),
        ("we realise the organisation", "we realize the organization"),
        ("one, two and ten", "1 2 and 10"),
    ]
    for text, want in norm_cases:
        got = normalize(text)
        if got != want:
            failures += 1
            print(f"FAIL normalize({text!r}) = {got!r}; want {want!r}")
    # JSON inputs
    doc = {"schema": "paceback.transcript/1", "words": [{"w": "And", "start_s": 0.0, "end_s": 0.5},
                                                        {"w": "so,", "start_s": 0.5, "end_s": 0.7}]}
    if normalize(text_of_json(doc)) != "and so" or text_of_json({"text": "x y"}) != "x y":
        failures += 1
        print("FAIL text_of_json")
    total = len(cases) + len(norm_cases) + 1
    print(f"{total - failures} passed, {failures} failed")
    return 1 if failures else 0


def main(argv=None):
    p = argparse.ArgumentParser(description="Word error rate of HYP against REF (text or JSON files).")
    p.add_argument("ref", nargs="?", help="reference transcript file")
    p.add_argument("hyp", nargs="?", help="hypothesis transcript file")
    p.add_argument("--keep-fillers", action="store_true", help="do not remove filler words (um, uh, ...)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--diff", action="store_true", help="list substitutions/deletions/insertions on stderr")
    p.add_argument("--self-test", action="store_true", help="run the built-in checks and exit")
    a = p.parse_args(argv)
    if a.self_test:
        return self_test()
    if not a.ref or not a.hyp:
        p.error("REF and HYP are required (or --self-test)")
    try:
        res = wer_details(load_text(a.ref), load_text(a.hyp), a.keep_fillers)
    except (OSError, ValueError) as e:  # json.JSONDecodeError is a ValueError
        print(f"wer.py: error: {e}", file=sys.stderr)
        return 2
    if a.diff:
        for op, r, h in res.alignment:
            if op != "=":
                print(f"{op} ref={r or '-'} hyp={h or '-'}", file=sys.stderr)
    if a.json:
        d = asdict(res)
        del d["alignment"]
        d["wer"] = round(d["wer"], 6)
        print(json.dumps(d))
    else:
        print(res.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
