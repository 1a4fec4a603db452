#!/bin/sh
# Synthesize the development set of spoken answers with their truth manifests.
#
#   scripts/make_samples.sh OUTDIR [--long] [--demo]
#
# For every samples/answers/*.toml writes OUTDIR/NAME.wav (16 kHz mono 16-bit) and OUTDIR/NAME.json
# (truth manifest, see scripts/synth.py). Outputs newer than their script and than synth.py are
# skipped, so running it again is cheap.
#   --long   also samples/answers/long/*.toml into OUTDIR/long/ (the ~6 minute benchmark answer)
#   --demo   also rebuild samples/demo.wav and samples/demo.json (the bundled demo) in the repository
# Needs python3 (3.11+), libespeak-ng1 and sox.
set -eu

usage() { echo "usage: $0 OUTDIR [--long] [--demo]" >&2; exit 2; }
[ $# -ge 1 ] || usage
out=$1; shift
long=0; demo=0
for arg in "$@"; do
    case $arg in
        --long) long=1 ;;
        --demo) demo=1 ;;
        *) usage ;;
    esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
synth=$root/scripts/synth.py

# build SCRIPT.toml OUT_WAV OUT_JSON: synthesize unless both outputs are up to date
build() {
    if [ -f "$2" ] && [ -f "$3" ] && [ "$2" -nt "$1" ] && [ "$3" -nt "$1" ] \
        && [ "$2" -nt "$synth" ] && [ "$3" -nt "$synth" ]; then
        echo "up to date: $2"
        return
    fi
    echo "synthesizing: $2"
    python3 "$synth" "$1" "$2.tmp" --manifest "$3.tmp"
    mv "$2.tmp" "$2"
    mv "$3.tmp" "$3"
}

mkdir -p "$out"
for toml in "$root"/samples/answers/*.toml; do
    name=$(basename "$toml" .toml)
    build "$toml" "$out/$name.wav" "$out/$name.json"
done
if [ $long = 1 ]; then
    mkdir -p "$out/long"
    for toml in "$root"/samples/answers/long/*.toml; do
        name=$(basename "$toml" .toml)
        build "$toml" "$out/long/$name.wav" "$out/long/$name.json"
    done
fi
if [ $demo = 1 ]; then
    build "$root/samples/demo.toml" "$root/samples/demo.wav" "$root/samples/demo.json"
fi
