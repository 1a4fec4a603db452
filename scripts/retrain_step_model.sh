#!/usr/bin/env bash
# Retrain src/analysis/step_model.json from the labelled answers, then compare the readers.
#   scripts/retrain_step_model.sh [WORKDIR]     (default /tmp/paceback-train; ~25 minutes on 2 cores)
# Needs the sentence model in models/ (`paceback model fetch --dir models`), the training
# dependencies (scripts/voices-venv.sh) and PyTorch for the sequence reader in that environment
# (`.venv-voices/bin/pip install torch`).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/paceback-train}
py=${PACEBACK_VOICES_PY:-.venv-voices/bin/python}
enc=models/all-MiniLM-L6-v2
mkdir -p "$work"
cargo build --release --examples
train_sets=()
for d in samples/training/*/; do
    n=$(basename "$d")
    python3 scripts/script_transcript.py "$d"*.toml --out "$work/train-$n" > /dev/null
    train_sets+=("$work/train-$n")
done
for s in answers validation holdout generalization; do
    python3 scripts/script_transcript.py samples/$s/*.toml --out "$work/$s" > /dev/null
done
python3 scripts/script_transcript.py samples/calibration/*/*.toml --out "$work/calibration" > /dev/null
f=target/release/examples/step_features
$f --encoder $enc "${train_sets[@]}" > "$work/train.jsonl"
for s in answers validation holdout generalization; do $f --encoder $enc "$work/$s" > "$work/$s.jsonl"; done
target/release/examples/question_features $enc src/questions/bank.toml samples/questions/train.toml > "$work/questions.jsonl"
target/release/examples/content_features $enc samples/questions/content_train.toml > "$work/content.jsonl"
"$py" scripts/train_step_model.py "$work/train.jsonl" --validation "$work/validation.jsonl" \
    --dev "$work/answers.jsonl" --questions "$work/questions.jsonl" --content "$work/content.jsonl" --sequence
# How sure the model says it is (confidences, share ranges) is fitted with the new model compiled in.
cargo build --release --locked --example uncertainty
"$py" scripts/fit_uncertainty.py "$work/validation" --calibration "$work/calibration" --encoder $enc --write
"$py" scripts/compare_readers.py --sequence "$work/train.jsonl" "$work/validation.jsonl" \
    "$work/answers.jsonl" "$work/holdout.jsonl" "$work/generalization.jsonl"
