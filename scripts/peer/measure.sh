#!/usr/bin/env bash
# Run a command and report its wall time and peak resident memory.
#
#   scripts/peer/measure.sh [-o FILE] [--] CMD [ARG...]
#
# The command's stdout and stderr pass through untouched. Afterwards one line goes to stderr (and, with
# -o FILE, is also written to FILE):
#
#   wall_s=12.34 peak_mb=310.5 exit=0
#
# peak_mb is GNU time's %M (maximum resident set size, KiB / 1024): the largest single process among the
# command and the children it waited for, not their sum. The exit status of the command is passed on.
# Needs GNU time at /usr/bin/time; when it is missing and we are root on Debian, it is installed with apt-get.
set -uo pipefail

out_file=""
while [ $# -gt 0 ]; do
    case "$1" in
        -o) [ $# -ge 2 ] || { echo "measure.sh: -o needs a file" >&2; exit 2; }; out_file="$2"; shift 2 ;;
        --) shift; break ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || { echo "usage: measure.sh [-o FILE] [--] CMD [ARG...]" >&2; exit 2; }

TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "measure.sh: installing GNU time" >&2
        { apt-get install -y -qq time || { apt-get update -qq && apt-get install -y -qq time; }; } >/dev/null 2>&1
    fi
    [ -x "$TIME" ] || { echo "measure.sh: GNU time not found at $TIME (Debian: apt-get install time)" >&2; exit 2; }
fi

tfile="$(mktemp)"
trap 'rm -f "$tfile"' EXIT
"$TIME" -o "$tfile" -f '%e %M' "$@"
rc=$?
# GNU time writes "Command exited with non-zero status N" (or "terminated by signal") before the format line.
read -r wall kib < <(tail -n 1 "$tfile")
case "$wall $kib" in
    *[!0-9.\ ]*|" "*) echo "measure.sh: could not read GNU time output: $(cat "$tfile")" >&2; exit "${rc:-2}" ;;
esac
line="$(awk -v w="$wall" -v k="$kib" -v rc="$rc" 'BEGIN { printf "wall_s=%.2f peak_mb=%.1f exit=%d", w, k / 1024, rc }')"
echo "$line" >&2
[ -z "$out_file" ] || echo "$line" >"$out_file"
exit "$rc"
