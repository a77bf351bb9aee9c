#!/usr/bin/env python3
"""Cross-check the built-in Vietnamese calendar against the `holidays` package (country VN).

    pip install holidays
    python3 crates/motcua-calendar/scripts/holidays_oracle.py [FIRST LAST]   # default 1995 2030

Prints every date that is a day off in one and not the other. Known, intended differences
(announcements the package does not list, see src/data/swaps.tsv): 2014-01-28, 2014-02-05
(Tết Giáp Ngọ 9-day span) and 2026-01-02 (Công văn 12729/VPCP-KGVX). Skips loudly when the
package is missing.
"""
import os
import subprocess
import sys

KNOWN = {"2014-01-28", "2014-02-05", "2026-01-02"}


def main():
    try:
        import holidays
    except ImportError:
        print("SKIPPED: the python package `holidays` is not installed", file=sys.stderr)
        return 0
    first, last = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) == 3 else (1995, 2030)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    out = subprocess.run(
        ["cargo", "run", "-q", "-p", "motcua-calendar", "--example", "days_off", "--", str(first), str(last)],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout
    ours = {l.split("\t")[0] for l in out.splitlines() if "\tmakeup-workday\t" not in l}
    theirs = set()
    for y in range(first, last + 1):
        theirs |= {d.isoformat() for d in holidays.VN(years=y)}
    only_ours = sorted(ours - theirs)
    only_theirs = sorted(theirs - ours)
    print(f"days off {first}-{last}: ours {len(ours)}, holidays {len(theirs)}")
    print("only in motcua-calendar:", only_ours)
    print("only in holidays:", only_theirs)
    unexpected = (set(only_ours) - KNOWN) | set(only_theirs)
    print("unexpected differences:", sorted(unexpected))
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
