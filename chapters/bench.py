"""`make bench`: the speed goals of every page, each with the ratio measured in the last build.

    python -m chapters.bench [RESULTS_DIR]   (default: _build/results, the full build)

Prints one row per goal: page, goal, measured value, bound, and whether it was met. Exits 1 when a
goal was missed or its page has no results, so that a script can use it as a check.
"""

import sys
from pathlib import Path

from perfguide.goals import Results
from chapters import PAGES, page_module
from perfguide.records import load_results, results_dir


def bench_rows(folder: Path) -> list[tuple[str, str, str, str, str]]:
    """(page, goal, measured, bound, verdict) for every goal of every page."""
    rows = []
    for page in PAGES:
        goals = page_module(page).GOALS
        path = folder / f"{page}.json"
        results = Results(load_results(path)) if path.exists() else None
        for goal in goals:
            if results is None:
                rows.append((page, goal.text, "no results", goal.bound, "MISSING"))
                continue
            try:
                value = goal.measure(results)
            except KeyError as missing:
                rows.append((page, goal.text, f"not recorded: {missing}", goal.bound, "MISSING"))
                continue
            rows.append((page, goal.text, f"{value:.3g}", goal.bound, "met" if goal.met(value) else "MISSED"))
    return rows


def main(argv: list[str]) -> int:
    """Print the goals table; return 1 if any goal was missed or missing."""
    folder = Path(argv[0]) if argv else results_dir()
    rows = bench_rows(folder)
    header = ("page", "goal", "measured", "bound", "")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]
    print(f"Speed goals against the results in {folder}")
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)))
    return int(any(row[4] != "met" for row in rows))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
