#!/usr/bin/env python3
"""The live desk's read commands, timed as a clerk runs them: whole `motcua` processes.

    python3 benches/desk_lists.py STORE [--motcua target/release/motcua] [--runs 20]

STORE is what `--store` takes: a SQLite file or a PostgreSQL URL, written by
`motcua gen --dossiers 1000000 --store STORE` (events in time order, as a host writes them,
with the open-dossier projection `gen` keeps). For each command: the median, fastest and
slowest wall time of RUNS runs, and the CPU time (user + system) of the median run.

Beside them, in the same run, the floors:
  * start-up: `dossiers --unit NOPE` (a unit the catalogue does not hold, refused with exit
    2 once the store is open and its catalogue read): process start, store open, catalogue;
  * for a SQLite file, the raw read of what the list reads (`SELECT dossier_id, standing
    FROM open_standings WHERE unit = ?`, every byte of every row fetched; schema 4 and later)
    and of the rows with their events (`SELECT dossier_id, unit, status, events FROM
    open_dossiers WHERE unit = ?`, what a list read before standings), in Python's own
    sqlite3 module, in one warm connection (no process start).

The units measured are the largest (most open dossiers), the median and a middle-sized one,
found in the store itself; the alarms window is one working day (2 January 2025).
"""

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import time

AS_OF = "2025-01-02T08:00:00+07:00"
DAY = ("2025-01-02T00:00:00+07:00", "2025-01-03T00:00:00+07:00")
HOUR = ("2025-01-02T10:00:00+07:00", "2025-01-02T11:00:00+07:00")


def run(cmd, runs, exit_code=0):
    """Runs `cmd` `runs` times (each must exit with `exit_code`); returns (median, min, max)
    wall and the median run's CPU."""
    samples = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != exit_code:
            raise SystemExit(f"{' '.join(cmd)}: exit {done.returncode}: {done.stderr.decode()}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        samples.append((wall, cpu, done.stdout))
    samples.sort(key=lambda s: s[0])
    median = samples[len(samples) // 2]
    return median[0], samples[0][0], samples[-1][0], median[1], median[2]


def units_by_size(path):
    """(unit, open dossiers) from the store's projection, largest first."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute(
            "SELECT unit, count(*) FROM open_dossiers GROUP BY unit ORDER BY 2 DESC, 1"
        ).fetchall()


STANDINGS = "SELECT dossier_id, standing FROM open_standings WHERE unit = ? ORDER BY unit, dossier_id"
EVENTS = ("SELECT dossier_id, unit, status, events FROM open_dossiers WHERE unit = ?"
          " ORDER BY dossier_id")


def raw_rows(path, sql, unit, runs):
    """A floor: the unit's rows read whole, warm, in one connection; median seconds (None when
    the store has no such table)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    times = []
    try:
        for _ in range(runs):
            start = time.perf_counter()
            rows = db.execute(sql, (unit,)).fetchall()
            sum(len(r[-1] or b"") for r in rows)
            times.append(time.perf_counter() - start)
    except sqlite3.OperationalError:
        return None, 0
    finally:
        db.close()
    return statistics.median(times), len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--motcua", default="target/release/motcua")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--units", nargs="*", help="units to list (default: found in a SQLite store)")
    args = parser.parse_args()
    postgres = args.store.startswith(("postgres://", "postgresql://"))
    if args.units:
        units = [(u, None) for u in args.units]
    elif postgres:
        raise SystemExit("for a PostgreSQL store, name the units with --units")
    else:
        by_size = units_by_size(args.store)
        units = [by_size[0], by_size[len(by_size) // 8], by_size[len(by_size) // 2]]
    m = [args.motcua]
    store = ["--store", args.store]
    print(f"store: {args.store if not postgres else 'PostgreSQL'}; {args.runs} runs each; "
          f"load average {os.getloadavg()[0]:.2f} at start")
    print(f"{'command':64} {'rows':>6} {'median':>9} {'fastest':>9} {'slowest':>9} {'cpu':>9}")

    def line(label, cmd, count_rows, exit_code=0):
        median, fastest, slowest, cpu, out = run(cmd, args.runs, exit_code)
        rows = count_rows(out)
        print(f"{label:64} {rows:>6} {median*1e3:8.1f}ms {fastest*1e3:8.1f}ms "
              f"{slowest*1e3:8.1f}ms {cpu*1e3:8.1f}ms")

    jsonl = lambda out: len(out.splitlines())
    line("dossiers --unit NOPE (start-up floor)",
         m + ["dossiers"] + store + ["--as-of", AS_OF, "--unit", "NOPE", "--format", "jsonl"], jsonl,
         exit_code=2)
    for unit, _ in units:
        line(f"dossiers --unit {unit}",
             m + ["dossiers"] + store + ["--as-of", AS_OF, "--unit", unit, "--format", "jsonl"],
             jsonl)
        line(f"  the same as a table",
             m + ["dossiers"] + store + ["--as-of", AS_OF, "--unit", unit],
             lambda out: len(out.splitlines()))
        if not postgres:
            for label, sql in (("its standings", STANDINGS), ("its rows with their events", EVENTS)):
                floor, n = raw_rows(args.store, sql, unit, args.runs)
                if floor is not None:
                    print(f"{'  floor: ' + label + ' read raw (sqlite3, warm)':64} {n:>6} "
                          f"{floor*1e3:8.1f}ms")
    line("alarms for one day (2 January 2025)",
         m + ["alarms"] + store + ["--from", DAY[0], "--until", DAY[1], "--format", "jsonl"], jsonl)
    line("alarms for one hour",
         m + ["alarms"] + store + ["--from", HOUR[0], "--until", HOUR[1], "--format", "jsonl"],
         jsonl)
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
