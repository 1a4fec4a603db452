#!/usr/bin/env bash
# Retrain the encoder adapter (src/analysis/encoder_adapter.safetensors) and the step model
# (src/analysis/step_model.json) from the labelled answers, then compare the readers.
#   scripts/retrain_step_model.sh [WORKDIR]     (default /tmp/paceback-train; ~60 minutes on 2 cores)
# Needs the sentence model in models/ (`paceback model fetch --dir models`) and the training
# dependencies (scripts/requirements-train.txt; made here in .venv-train when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/paceback-train}
py=${PACEBACK_TRAIN_PY:-.venv-train/bin/python}
if [ ! -x "$py" ]; then
    python3 -m venv .venv-train
    .venv-train/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-train.txt
fi
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
f=target/release/examples/step_features
# The adapter learns from the training answers' units (text and label; no embeddings needed).
$f "${train_sets[@]}" > "$work/units-train.jsonl"
$f "$work/validation" > "$work/units-validation.jsonl"
"$py" scripts/finetune_encoder.py "$work/units-train.jsonl" --validation "$work/units-validation.jsonl"
for k in 0 1; do
    "$py" scripts/finetune_encoder.py "$work/units-train.jsonl" --validation "$work/units-validation.jsonl" \
        --fold $k --folds 2 --out "$work/fold$k.safetensors"
done
cargo build --release --examples # with the new adapter built in
# Each half of the training answers is embedded by the adapter that did not learn from it.
for k in 0 1; do
    $f --encoder $enc --adapter "$work/fold$k.safetensors" --fold $k/2 "${train_sets[@]}"
done > "$work/train.jsonl"
for s in answers validation holdout generalization; do $f --encoder $enc "$work/$s" > "$work/$s.jsonl"; done
target/release/examples/question_features $enc src/questions/bank.toml samples/questions/train.toml > "$work/questions.jsonl"
target/release/examples/content_features $enc samples/questions/content_train.toml > "$work/content.jsonl"
"$py" scripts/train_step_model.py "$work/train.jsonl" --validation "$work/validation.jsonl" \
    --dev "$work/answers.jsonl" --questions "$work/questions.jsonl" --content "$work/content.jsonl"
"$py" scripts/compare_readers.py "$work/train.jsonl" "$work/validation.jsonl" \
    "$work/answers.jsonl" "$work/holdout.jsonl" "$work/generalization.jsonl"
