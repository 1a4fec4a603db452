#!/usr/bin/env bash
# Set up paceback and analyze the bundled sample answer (samples/demo.wav, a 95 s product sense
# answer). Everything runs on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
target/release/paceback analyze samples/demo.wav \
    --question "Design a product that helps first-time home cooks cook more often." -v
