#!/usr/bin/env python3
"""Speed of `paceback history` and `paceback progress` on a history of 10,000 takes.

Builds a throwaway PACEBACK_HOME: one real take saved by `paceback analyze --transcript` (so the
database has paceback's own schema and a real analysis), then 9,999 more rows cloned from it in
SQL with varied figures and dates spread over a year. Times each command (wall clock, median of
--runs, whole process including start-up) and, in the same run, two peers:

  startup     `paceback --version` (the floor every command pays)
  sqlite3     Python's sqlite3 reading the same columns of every row (the floor of the query)

Targets (issue #5): history and progress under 200 ms each; (issue #12) progress --html, with
the step-mix strip and the charts per question type, under 1 s.

usage: scripts/bench_history.py [--bin target/release/paceback] [--takes 10000] [--runs 7] [--keep DIR]
                               [--before OLD_BIN]
(--keep: build the history in DIR, a new folder, and leave it there with progress.html to look at;
 --before: build the history with an earlier paceback, give a copy to --bin (which upgrades it,
 timed), and run every command with both in turns, so that load on the machine hits both alike)
"""
import argparse
import contextlib
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, env, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t)
        if out.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed: {out.stderr.decode()}")
    return statistics.median(times), len(out.stdout)


COMMANDS = [
    ("paceback history", ["history"]),
    ("paceback progress", ["progress"]),
    ("paceback progress --type strategy", ["progress", "--type", "strategy"]),
    ("paceback progress --html", ["progress", "--html", "{home}/progress.html"]),
]


def compare_binaries(args, home, before_home):
    """Each command with the earlier binary and with --bin, in turns, on copies of one history."""
    print(f"{'command':<42} {'before':>9} {'after':>9}")
    for label, cmd in COMMANDS:
        times = {"before": [], "after": []}
        for _ in range(args.runs):
            for which, binary, h in (("before", args.before, before_home), ("after", args.bin, home)):
                env = dict(os.environ, PACEBACK_HOME=h, NO_COLOR="1")
                secs, _ = timed([binary, *[c.format(home=h) for c in cmd]], env, 1)
                times[which].append(secs)
        b, a = (statistics.median(times[k]) * 1000 for k in ("before", "after"))
        print(f"{label:<42} {b:>6.0f} ms {a:>6.0f} ms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(REPO, "target/release/paceback"))
    ap.add_argument("--takes", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--keep", metavar="DIR", help="build the history in DIR (new) and keep it")
    ap.add_argument("--before", metavar="OLD_BIN", help="an earlier paceback to compare with")
    args = ap.parse_args()

    if args.keep:
        os.makedirs(args.keep)
    with (contextlib.nullcontext(os.path.abspath(args.keep)) if args.keep
          else tempfile.TemporaryDirectory()) as home:
        env = dict(os.environ, PACEBACK_HOME=home, NO_COLOR="1")
        subprocess.run(
            [args.before or args.bin, "analyze", "--question", "Design a better alarm clock", "--transcript",
             os.path.join(REPO, "tests/fixtures/product_sense.transcript.json")],
            env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        db = os.path.join(home, "history.db")
        con = sqlite3.connect(db)
        cols = [r[1] for r in con.execute("PRAGMA table_info(takes)")]
        varied = {
            # Take ids of the documented form (the time, then `_n`), so progress links reports.
            "id": "strftime('%Y-%m-%d_%H-%M-%S', recorded_unix - (?1 - n) * 3153, 'unixepoch') || printf('_%d', n)",
            "recorded_unix": "recorded_unix - (?1 - n) * 3153",
            "recorded_at": "strftime('%Y-%m-%dT%H:%M:%S+00:00', recorded_unix - (?1 - n) * 3153, 'unixepoch')",
            "qtype": "CASE n % 5 WHEN 0 THEN 'product_sense' WHEN 1 THEN 'strategy' "
                     "WHEN 2 THEN 'prioritization' WHEN 3 THEN 'estimation' ELSE 'behavioral' END",
            "problem_share": "0.15 + 0.3 * n / ?1 + 0.05 * ((n * 7919) % 13) / 13.0",
            "solution_share": "0.6 - 0.25 * n / ?1 + 0.05 * ((n * 104729) % 11) / 11.0",
            "answer_s": "200 + 200.0 * n / ?1 + (n * 31) % 60",
            "think_pause_s": "1 + ((n * 17) % 90) / 10.0",
            "wpm": "130 + (n * 13) % 50",
            "checks_passed": "(n * 3) % (checks_total + 1)",
        }
        # Seconds per step (progress draws each take's step mix from them), matching the
        # varied shares: STAR steps for the behavioral takes, Working Backwards for the rest.
        a, p, s = (f"({varied[k]})" for k in ("answer_s", "problem_share", "solution_share"))
        varied["step_totals"] = (
            f"CASE n % 5 WHEN 4 THEN json_object('situation', {a} * 0.25, 'task', {a} * 0.15, "
            f"'action', {a} * 0.4, 'result', {a} * 0.2) "
            f"ELSE json_object('classify', {a} * 0.03, 'customer', {a} * {p} / 2, "
            f"'pain', {a} * {p} / 3, 'vision', {a} * {p} / 6, 'capabilities', {a} * {s} * 0.6, "
            f"'metrics', {a} * {s} * 0.4, 'risks', {a} * 0.08, "
            f"'thesis', {a} * max(0.02, 1 - 0.11 - {p} - {s})) END")
        select = ", ".join(varied.get(c, c) for c in cols)
        t = time.perf_counter()
        con.execute(
            f"WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1 - 1) "
            f"INSERT INTO takes ({', '.join(cols)}) SELECT {select} FROM seq, "
            f"(SELECT * FROM takes LIMIT 1) AS t", (args.takes,))
        con.execute(
            "INSERT INTO documents (take_id, transcript, analysis) "
            "SELECT takes.id, d.transcript, d.analysis FROM takes, (SELECT * FROM documents LIMIT 1) AS d "
            "WHERE takes.id NOT IN (SELECT take_id FROM documents)")
        con.commit()
        count = con.execute("SELECT count(*) FROM takes").fetchone()[0]
        con.close()
        size = os.path.getsize(db) / 1e6
        print(f"history of {count} takes ({size:.0f} MB) built in {time.perf_counter() - t:.1f} s\n")
        if args.before:
            before_home = home.rstrip("/") + "-before"
            shutil.rmtree(before_home, ignore_errors=True)
            shutil.copytree(home, before_home)
            t = time.perf_counter()
            subprocess.run([args.bin, "history", "--limit", "1"], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            print(f"{args.bin} opening (upgrading) the history: {time.perf_counter() - t:.1f} s\n")
            try:
                return compare_binaries(args, home, before_home)
            finally:
                shutil.rmtree(before_home, ignore_errors=True)

        def peer():
            c = sqlite3.connect(db)
            rows = c.execute(
                "SELECT id, recorded_at, recorded_unix, source, question_id, question, qtype, audio, "
                "duration_s, answer_s, think_pause_s, problem_share, solution_share, wpm, "
                "fillers_per_100, checks_passed, checks_warned, checks_total, budgets FROM takes "
                "ORDER BY recorded_unix DESC, id DESC").fetchall()
            c.close()
            return len(rows)

        results = []
        peer_times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            peer()
            peer_times.append(time.perf_counter() - t)
        results.append(("sqlite3 (Python) reads every row", statistics.median(peer_times), 0, None))
        html = os.path.join(home, "progress.html")
        for label, cmd, target in [
            ("startup: paceback --version", ["--version"], None),
            ("paceback history", ["history"], 0.2),
            ("paceback history --json --limit 10000", ["history", "--json", "--limit", "100000"], None),
            ("paceback progress", ["progress"], 0.2),
            ("paceback progress --type strategy", ["progress", "--type", "strategy"], 0.2),
            ("paceback progress --json", ["progress", "--json"], None),
            ("paceback progress --html", ["progress", "--html", html], 1.0),
        ]:
            secs, out = timed([args.bin, *cmd], env, args.runs)
            results.append((label, secs, out, target))
        # The first progress page after the takes changed writes the report of every take it
        # draws alone (types with up to 480 takes); later ones reuse them.
        made = []
        for _ in range(args.runs):
            shutil.rmtree(os.path.join(home, "reports"), ignore_errors=True)
            made.append(timed([args.bin, "progress", "--html", html], env, 1)[0])
        reports = len(os.listdir(os.path.join(home, "reports"))) if os.path.isdir(os.path.join(home, "reports")) else 0
        results.append((f"paceback progress --html, {reports} reports made", statistics.median(made), 0, None))
        if os.path.exists(html):
            page = open(html, encoding="utf-8").read()
            strips, charts = page.count('class="mix"'), page.count("<figure")
            print(f"progress.html: {len(page) / 1e6:.1f} MB, {strips} step-mix strip(s), {charts} charts")
            print()
        print(f"{'command':<42} {'median':>9} {'output':>10}  target")
        ok = True
        for label, secs, out, target in results:
            verdict = ""
            if target is not None:
                met = secs < target
                ok &= met
                verdict = f"< {target * 1000:.0f} ms {'met' if met else 'MISSED'}"
            print(f"{label:<42} {secs * 1000:>7.1f} ms {out:>10}  {verdict}")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
