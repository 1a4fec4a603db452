#!/usr/bin/env bash
# faster-whisper behind paceback's `transcribe WAV --json` command line, so a benchmark that runs
# paceback (scripts/bench_pauses.py --bin scripts/peer/as_paceback.sh) can run the peer on the same
# clips and score it the same way. FW_BEAM (default 5) and FW_THREADS (default 2) choose the
# decoding; --model and --threads given to it are ignored (the peer uses its own tiny.en copy).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${PACEBACK_BENCH_CACHE:-$HOME/.cache/paceback-bench}
[ "${1:-}" = transcribe ] || { echo "usage: $0 transcribe WAV --json [...]" >&2; exit 2; }
wav=$2
exec "$cache/venv/bin/python" "$here/fw_transcribe.py" "$wav" --model "$cache/ct2-tiny.en" \
    --threads "${FW_THREADS:-2}" --compute-type int8 --beam "${FW_BEAM:-5}" --json
