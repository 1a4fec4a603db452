#!/usr/bin/env python3
"""Run a command in a pseudo-terminal, keep a VT100 screen of it (pyte) and report what was on
screen over time, for tests of the live panel.

    pty_screen.py --cols 80 --rows 40 [--enter-at S] [--resize COLS@S] [--watch TEXT]... -- CMD...

Every 0.2 s the screen is read; for each --watch TEXT it records how many times TEXT is on screen
(`counts`: the rows joined, whitespace collapsed, so a line the terminal wrapped still counts
once) and how many rows hold it exactly (`rows_with`). Prints one JSON object: {"exit": code, "snapshots": [{"t": s,
"counts": {...}, "rows": [...]}...], "final": [...rows...], "output": "all text printed"}.
Exit 3 when pyte is missing (the caller skips).
"""

import argparse
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

try:
    import pyte
except ImportError:
    print("pyte is missing (apt-get install python3-pyte)", file=sys.stderr)
    sys.exit(3)


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cols", type=int, default=80)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--enter-at", type=float)
    ap.add_argument("--resize", help="COLS@SECONDS")
    ap.add_argument("--watch", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd

    pid, fd = pty.fork()
    if pid == 0:
        set_size(0, a.rows, a.cols)
        os.environ["TERM"] = "xterm-256color"
        os.execvp(cmd[0], cmd)

    screen = pyte.Screen(a.cols, a.rows)
    stream = pyte.ByteStream(screen)
    start = time.monotonic()
    snapshots, output = [], bytearray()
    next_snap, entered, resized = 0.0, False, False
    resize = None
    if a.resize:
        c, s = a.resize.split("@")
        resize = (int(c), float(s))
    watch = {w: re.sub(r"\s+", " ", w) for w in a.watch}

    def snapshot(t):
        rows = [r.rstrip() for r in screen.display]
        joined = re.sub(r"\s+", " ", "".join(screen.display))
        snapshots.append({
            "t": round(t, 2),
            "cols": screen.columns,
            "counts": {w: joined.count(norm) for w, norm in watch.items()},
            "rows_with": {w: sum(w in r for r in rows) for w in watch},
            "rows": rows,
        })

    status = None
    while True:
        t = time.monotonic() - start
        if t > a.timeout:
            os.kill(pid, signal.SIGKILL)
        if a.enter_at is not None and not entered and t >= a.enter_at:
            os.write(fd, b"\r")
            entered = True
        if resize and not resized and t >= resize[1]:
            set_size(fd, a.rows, resize[0])
            screen.resize(a.rows, resize[0])
            os.kill(pid, signal.SIGWINCH)
            resized = True
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                break
            output += data
            stream.feed(data)
        if t >= next_snap:
            snapshot(t)
            next_snap = t + 0.2
    _, status = os.waitpid(pid, 0)
    snapshot(time.monotonic() - start)
    print(json.dumps({
        "exit": os.waitstatus_to_exitcode(status),
        "snapshots": snapshots,
        "final": [r.rstrip() for r in screen.display],
        "output": output.decode("utf-8", "replace"),
    }))


if __name__ == "__main__":
    main()
