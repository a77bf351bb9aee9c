#!/usr/bin/env python3
"""Side-by-side: motcua-calendar vs numpy.busday_offset on the same 1,000,000 (date, n) pairs.

Run from the workspace root:

    python3 benches/numpy_busday.py

It builds and runs the Rust example `busday_compare` (release), takes its list of days off
(the Vietnamese public-sector calendar 2009-2028, statutory days, compensatory days and
announced swap days off, WITHOUT the make-up Saturdays, which numpy cannot express), pushes
the same pairs through numpy.busday_offset(roll="forward", weekmask="1111100") and compares
every result date and the time per element. Skips loudly (exit 0) when numpy is missing.
"""
import os
import subprocess
import sys
import time

N = 1_000_000
MASK = (1 << 64) - 1


def pairs():
    x = 0x853C49E6748FEA9B
    days = [0] * N
    ns = [0] * N
    for i in range(N):
        x = (x * 6364136223846793005 + 1442695040888963407) & MASK
        days[i] = (x >> 33) % 6000
        ns[i] = (x >> 20) % 61
    return days, ns


def main():
    try:
        import numpy as np
    except ImportError:
        print("SKIPPED: numpy is not installed (pip install numpy); no comparison run", file=sys.stderr)
        return 0
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "motcua-calendar", "--example", "busday_compare"],
        cwd=root,
        check=True,
    )
    exe = os.path.join(root, "target", "release", "examples", "busday_compare")
    hol = subprocess.run([exe, "holidays"], capture_output=True, text=True, check=True).stdout.split()
    dump = os.path.join(root, "target", "busday_compare_rust.txt")
    rust = subprocess.run([exe, "run", "--dump", dump], capture_output=True, text=True, check=True).stdout
    info = dict(line.split("=", 1) for line in rust.split())
    rust_ns = float(info["ns_per_element"])

    days, ns = pairs()
    base = np.datetime64("2010-01-01")
    dates = base + np.array(days, dtype="timedelta64[D]")
    offsets = np.array(ns, dtype=np.int64)
    cal = np.busdaycalendar(weekmask="1111100", holidays=np.array(hol, dtype="datetime64[D]"))
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        res = np.busday_offset(dates, offsets, roll="forward", busdaycal=cal)
        best = min(best, time.perf_counter() - t)
    np_ns = best * 1e9 / N

    with open(dump) as f:
        rust_dates = np.array(f.read().split(), dtype="datetime64[D]")
    mismatches = int(np.count_nonzero(rust_dates != res))
    print(f"days off given to numpy : {len(hol)}")
    print(f"numpy.busday_offset     : {np_ns:8.2f} ns/element (best of 5, vectorised)")
    print(f"motcua-calendar         : {rust_ns:8.2f} ns/element (best of 5, add_working_days_date)")
    print(f"speed-up                : {np_ns / rust_ns:8.1f}x")
    print(f"mismatching dates       : {mismatches} of {N}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
