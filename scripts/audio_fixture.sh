#!/usr/bin/env bash
# Present a WAV file as the ALSA "default" capture device (the "microphone"), on a machine
# without a sound card, for integration tests and latency benchmarks.
#
#   scripts/audio_fixture.sh start IN.wav DIR [--pace realtime|fast] [--pad SECONDS]
#   scripts/audio_fixture.sh stop DIR
#
# start  converts IN.wav to DIR/fixture.raw (F32 LE, 48 kHz, 2 ch, followed by SECONDS of
#        silence, default 30), writes DIR/asound.conf and prints ONLY `export VAR=value` lines
#        on stdout (progress goes to stderr), so use it as:
#            eval "$(scripts/audio_fixture.sh start samples/demo.wav /tmp/fx)"
#        The app must open the device as F32 / 48 kHz / 2 channels (cpal's default config on
#        it): the ALSA file plugin converts nothing.
#   --pace realtime (default): capture is paced by the clock of a null source in a private
#        headless PulseAudio (pid DIR/pulse.pid, socket DIR/pulse/native, log DIR/pulse.log);
#        after the end of the file capture returns silence.
#   --pace fast: null slave, no PulseAudio; capture runs as fast as the reader and after the
#        end of the file the last period repeats forever: stop by sample count.
#   A running server for DIR is replaced. Missing apt packages are installed (needs root/sudo).
# stop   kills DIR's PulseAudio (if any) and leaves the files.
#
# ALSA_CONFIG_PATH is process-wide: run capture tests one at a time or in subprocesses.
set -euo pipefail

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
log() { echo "audio_fixture: $*" >&2; }
die() { log "$*"; exit 1; }

ensure_packages() {
    local missing=() p sudo=""
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    log "installing: ${missing[*]}"
    { $sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive \
        $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"; } >&2
}

# Kill DIR's PulseAudio if pulse.pid names a live pulseaudio started for DIR.
stop_server() {
    local dir=$1 pid
    [ -f "$dir/pulse.pid" ] || return 0
    pid=$(cat "$dir/pulse.pid")
    if [[ $pid =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null \
            | grep -qF -- "pulseaudio --daemonize=no -n -F $dir/headless.pa"; then
        log "stopping pulseaudio $pid"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; sleep 0.2; fi
    fi
    rm -f "$dir/pulse.pid" "$dir/pulse/native"
}

cmd=${1:-}
case $cmd in
    start) [ $# -ge 3 ] || usage; in_wav=$2; dir=$3; shift 3 ;;
    stop) [ $# -eq 2 ] || usage; dir=$2 ;;
    *) usage ;;
esac
if [ "$cmd" = stop ]; then
    [ ! -d "$dir" ] || stop_server "$(cd "$dir" && pwd -P)"
    exit 0
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)

pace=realtime pad=30
while [ $# -gt 0 ]; do
    case $1 in
        --pace) pace=${2:-}; shift 2 || usage ;;
        --pad) pad=${2:-}; shift 2 || usage ;;
        *) usage ;;
    esac
done
[[ $pace =~ ^(realtime|fast)$ ]] || die "--pace must be realtime or fast"
[[ $pad =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--pad must be a number of seconds"
[ -f "$in_wav" ] || die "no such file: $in_wav"
# a unix socket path must fit in 108 bytes; quotes/spaces would break the generated configs
[ ${#dir} -le 90 ] || die "DIR path too long for a unix socket: $dir"
[[ $dir =~ ^[A-Za-z0-9_./+-]+$ ]] || die "DIR may contain only [A-Za-z0-9_./+-]: $dir"

pkgs=(sox)
[ "$pace" = realtime ] && pkgs+=(pulseaudio pulseaudio-utils libasound2-plugins)
ensure_packages "${pkgs[@]}"

stop_server "$dir"

log "converting $in_wav -> $dir/fixture.raw (+${pad}s silence)"
sox -D "$in_wav" -t raw -e floating-point -b 32 -L -r 48000 -c 2 "$dir/fixture.raw.tmp" \
    rate -v pad 0 "$pad"
mv -f "$dir/fixture.raw.tmp" "$dir/fixture.raw"

sock="$dir/pulse/native"
if [ "$pace" = realtime ]; then
    slave="{ type pulse server \"unix:$sock\" device \"vsrc\" }"
else
    slave="{ type null }"
fi
# Must be the ONLY entry of ALSA_CONFIG_PATH (merged with the system config, a PulseAudio
# hook can take over "default"). Without minperiodtime ALSA picks 1-frame periods.
cat >"$dir/asound.conf" <<EOF
defaults.pcm.minperiodtime 5000
pcm.!default {
    type file
    slave.pcm $slave
    file "/dev/null"
    infile "$dir/fixture.raw"
    format "raw"
    hint.description "audio_fixture: $dir/fixture.raw"
}
EOF

if [ "$pace" = realtime ]; then
    mkdir -p "$dir/pulse"
    chmod 700 "$dir/pulse"
    # Only the timing comes from PulseAudio (the file plugin replaces the samples). Not a
    # null sink's monitor: an idle null sink sleeps in 2 s blocks, so capture would start
    # 0-2 s late. max_latency_msec keeps the source from posting a burst at stream start.
    cat >"$dir/headless.pa" <<EOF
load-module module-native-protocol-unix auth-anonymous=1 socket=$sock
load-module module-null-source source_name=vsrc rate=48000 channels=2 max_latency_msec=20
set-default-source vsrc
EOF
    log "starting pulseaudio (log $dir/pulse.log)"
    # own session, no tty, stdout/stderr to the log: the caller's $(...) must not wait for it
    HOME="$dir/pulse" XDG_RUNTIME_DIR="$dir/pulse" PULSE_RUNTIME_PATH="$dir/pulse" \
        PULSE_STATE_PATH="$dir/pulse" setsid pulseaudio --daemonize=no -n -F "$dir/headless.pa" \
        --exit-idle-time=-1 --use-pid-file=no --system=no \
        --log-target=stderr </dev/null >"$dir/pulse.log" 2>&1 &
    echo $! >"$dir/pulse.pid"
    ok=""
    for _ in $(seq 100); do
        if pactl --server="unix:$sock" info >/dev/null 2>&1; then ok=1; break; fi
        kill -0 "$(cat "$dir/pulse.pid")" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$ok" ]; then
        tail -n 20 "$dir/pulse.log" >&2
        stop_server "$dir"
        die "pulseaudio did not come up"
    fi
    log "pulseaudio $(cat "$dir/pulse.pid") ready on $sock"
fi

printf 'export ALSA_CONFIG_PATH=%q\n' "$dir/asound.conf"
if [ "$pace" = realtime ]; then
    printf 'export PULSE_SERVER=%q\n' "unix:$sock"
fi
