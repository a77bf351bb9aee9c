#!/usr/bin/env python3
"""Two or more builds of motcua timed on the same command, alternating run by run.

    python3 benches/interleave.py BUILD[,BUILD…] [--runs 40] -- ARGS…

Each run starts every build once, in turn, with the same ARGS (whole processes, output
discarded), so that a noisy minute on a shared machine falls on all of them alike. Prints,
per build, the median, fastest and 90th-percentile wall time.

Example (the largest unit of a generated store, before and after a change):

    python3 benches/interleave.py old/motcua,target/release/motcua -- \\
        dossiers --store big.db --as-of 2025-01-02T08:00:00+07:00 --unit H19.04.01 --format jsonl
"""

import argparse
import statistics
import subprocess
import sys
import time


def main():
    argv = sys.argv[1:]
    if "--" not in argv:
        raise SystemExit(__doc__)
    split = argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("builds", help="comma-separated paths of motcua binaries")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args(argv[:split])
    builds = args.builds.split(",")
    command = argv[split + 1 :]
    times = {build: [] for build in builds}
    for _ in range(args.runs):
        for build in builds:
            start = time.perf_counter()
            done = subprocess.run([build, *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if done.returncode != 0:
                raise SystemExit(f"{build}: exit {done.returncode}: {done.stderr.decode()}")
            times[build].append(time.perf_counter() - start)
    for build in builds:
        t = sorted(times[build])
        p90 = t[min(len(t) - 1, int(len(t) * 0.9))]
        print(
            f"{build:40s} median {statistics.median(t) * 1000:6.1f} ms"
            f"  fastest {t[0] * 1000:6.1f} ms  p90 {p90 * 1000:6.1f} ms"
        )


if __name__ == "__main__":
    main()
