#!/usr/bin/env bash
# Install what paceback needs on Debian/Ubuntu (if missing), build it, and fetch the speech model.
#   scripts/setup.sh            model into $PACEBACK_HOME/models (~/.local/share/paceback/models)
#   scripts/setup.sh --dev      model into ./models, for the tests
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake libclang-dev libasound2-dev pkg-config python3 python3-pip espeak-ng libespeak-ng1 sox)
if [ "${1:-}" = "--dev" ]; then
    # Tests: a headless PulseAudio paces the ALSA file "microphone"; Chromium renders the HTML; man renders the manual page; pyte is the terminal the panel tests read.
    packages+=(pulseaudio pulseaudio-utils libasound2-plugins chromium man-db python3-pyte)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing: ${missing[*]}"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
    echo "cargo not found: install Rust (1.89 or newer) from https://rustup.rs and run this again" >&2
    exit 1
fi
cargo build --release --locked

if [ "${1:-}" = "--dev" ]; then
    target/release/paceback model fetch --dir models
else
    target/release/paceback model fetch
fi
