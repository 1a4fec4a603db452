#!/usr/bin/env bash
# Speak every labelled script of a set with the voice it names (`voice = "piper:joe"`, default
# piper:joe), or with --voice V for all of them: SET/*.toml -> OUT/NAME.wav + OUT/NAME.json.
# Skips outputs newer than their script. Needs the voices' virtual environment (scripts/voices-venv.sh).
#   scripts/make_spoken_set.sh samples/generalization /tmp/gen-spoken [--voice hibari:heart]
set -euo pipefail
cd "$(dirname "$0")/.."
set_dir=$1 out=$2 voice=${4:-}
[ "${3:-}" = "--voice" ] || voice=""
py=${PACEBACK_VOICES_PY:-.venv-voices/bin/python}
mkdir -p "$out"
for f in "$set_dir"/*.toml; do
    n=$(basename "$f" .toml)
    [ "$out/$n.wav" -nt "$f" ] && continue
    v=${voice:-$(python3 -c 'import sys,tomllib; print(tomllib.load(open(sys.argv[1],"rb")).get("voice","piper:joe"))' "$f")}
    echo "$n ($v)"
    "$py" scripts/neural_synth.py "$f" "$out/$n.wav" --voice "$v" --manifest "$out/$n.json"
done
