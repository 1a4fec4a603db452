#!/usr/bin/env bash
# A virtual environment (.venv-voices) with the neural voices and the step model's training
# dependencies (scripts/requirements-voices.txt, about 400 MB). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv-voices/bin/python ] || python3 -m venv .venv-voices
.venv-voices/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-voices.txt
echo "voices ready: .venv-voices/bin/python"
