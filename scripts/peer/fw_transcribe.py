#!/usr/bin/env python3
"""Transcribe a WAV file with faster-whisper, for comparison with paceback.

    fw_transcribe.py WAV --model DIR [--beam N] [--threads 2] [--compute-type int8] [--vad]
                     [--prompt TEXT] [--json]

Run it with the venv python made by scripts/peer/setup.sh. DIR must be a local CTranslate2 model directory
(setup.sh puts tiny.en in ~/.cache/paceback-bench/ct2-tiny.en, the default). The Hugging Face Hub is never
contacted: HF_HUB_OFFLINE=1 is set before faster-whisper is imported, and a DIR that is not a directory holding
model.bin is an error rather than a hub model name.

Without --json it prints the transcript text on one line. With --json it prints paceback's transcript schema:

    {"schema": "paceback.transcript/1", "model": "faster-whisper tiny.en int8 beam5", "duration_s": 11.0,
     "words": [{"w": "And", "start_s": 0.0, "end_s": 0.74}, ...],
     "segments": [{"start_s": 0.0, "end_s": 8.02, "text": "And so, my fellow Americans ..."}]}

Words are stripped of surrounding spaces and keep the punctuation faster-whisper attaches to them. Times are
seconds rounded to 0.01. A timing line (model load and transcription seconds) goes to stderr.
"""

import os

# Must be set before faster_whisper (and so huggingface_hub) is imported.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

SCHEMA = "paceback.transcript/1"
DEFAULT_MODEL_DIR = os.path.join(os.path.expanduser("~"), ".cache", "paceback-bench", "ct2-tiny.en")


def model_label(model_dir):
    """'ct2-tiny.en' -> 'tiny.en'; any other directory name is used as it is."""
    name = os.path.basename(os.path.normpath(model_dir))
    return name[4:] if name.startswith("ct2-") else name


def secs(x):
    return round(float(x), 2)


def parse_args(argv):
    p = argparse.ArgumentParser(description="Transcribe a WAV with faster-whisper (peer benchmark for paceback).")
    p.add_argument("wav", help="audio file (16 kHz mono WAV expected; anything PyAV decodes works)")
    p.add_argument("--model", default=DEFAULT_MODEL_DIR, help="local CTranslate2 model directory (default: %(default)s)")
    p.add_argument("--model-name", help="name used in the 'model' field (default: from the directory, 'ct2-' stripped)")
    p.add_argument("--beam", type=int, default=5, help="beam size; 1 = greedy (default: %(default)s)")
    p.add_argument("--threads", type=int, default=2, help="CPU threads (default: %(default)s)")
    p.add_argument("--compute-type", default="int8", help="CTranslate2 compute type (default: %(default)s)")
    p.add_argument("--vad", action="store_true", help="enable faster-whisper's Silero VAD filter (off by default)")
    p.add_argument("--prompt", help="initial prompt (e.g. the filler prompt paceback uses)")
    p.add_argument("--json", action="store_true", help="print paceback.transcript/1 JSON instead of plain text")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not os.path.isfile(os.path.join(args.model, "model.bin")):
        sys.exit(f"error: {args.model} is not a CTranslate2 model directory (no model.bin); run scripts/peer/setup.sh")
    if not os.path.isfile(args.wav):
        sys.exit(f"error: no such audio file: {args.wav}")
    if args.beam < 1 or args.threads < 1:
        sys.exit("error: --beam and --threads must be >= 1")

    t0 = time.perf_counter()
    from faster_whisper import WhisperModel

    model = WhisperModel(args.model, device="cpu", compute_type=args.compute_type, cpu_threads=args.threads,
                         local_files_only=True)
    t1 = time.perf_counter()
    segments_iter, info = model.transcribe(
        args.wav,
        language="en",
        beam_size=args.beam,
        word_timestamps=True,
        vad_filter=args.vad,
        initial_prompt=args.prompt,
    )
    words, segments = [], []
    for seg in segments_iter:  # a generator: decoding happens here
        segments.append({"start_s": secs(seg.start), "end_s": secs(seg.end), "text": seg.text.strip()})
        for w in seg.words or []:
            text = w.word.strip()
            if text:
                words.append({"w": text, "start_s": secs(w.start), "end_s": secs(w.end)})
    t2 = time.perf_counter()

    name = args.model_name or model_label(args.model)
    doc = {
        "schema": SCHEMA,
        "model": f"faster-whisper {name} {args.compute_type} beam{args.beam}" + (" vad" if args.vad else ""),
        "duration_s": secs(info.duration),
        "words": words,
        "segments": segments,
    }
    if args.json:
        json.dump(doc, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(" ".join(s["text"] for s in segments))
    print(f"load_s={t1 - t0:.2f} transcribe_s={t2 - t1:.2f} audio_s={info.duration:.2f} "
          f"rtf={(t2 - t1) / max(info.duration, 1e-9):.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
