#!/usr/bin/env bash
# Set up (packages, build, model in ./models) and run every test: unit, CLI and end to end with
# the real model. Tests that need ../shared (a real-voice sample) say so and skip without it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
python3 scripts/wer.py --self-test
cargo test --release --locked -- --test-threads 2
