"""Command line: `python -m perfguide compare RUN_A RUN_B [--figure FILE]`."""

import argparse
import sys

from perfguide.comparison import compare_runs, figure, load_run, table


def main(argv: list[str] | None = None) -> int:
    """Print the comparison of two runs (results folders or files); optionally save a figure."""
    parser = argparse.ArgumentParser(prog="python -m perfguide")
    commands = parser.add_subparsers(dest="command", required=True)
    compare = commands.add_parser("compare", help="match two runs' records and print the ratios")
    compare.add_argument("run_a", help="results folder (e.g. _build/results) or one results file")
    compare.add_argument("run_b", help="the run to put next to it")
    compare.add_argument("--page", help="only this page (notebook name)")
    compare.add_argument("--figure", help="also save B against A as a figure (.png, .svg)")
    args = parser.parse_args(argv)

    try:
        a, b = load_run(args.run_a), load_run(args.run_b)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.page:
        if args.page not in a or args.page not in b:
            print(f"error: page {args.page!r} is not in both runs", file=sys.stderr)
            return 2
        a, b = {args.page: a[args.page]}, {args.page: b[args.page]}
    rows = compare_runs(a, b)
    if not rows:
        print("error: no point was measured in both runs (other pages, or other sizes?)",
              file=sys.stderr)
        return 1
    print(table(rows, a, b))
    if args.figure:
        fig = figure(rows, args.run_a, args.run_b)
        fig.savefig(args.figure, bbox_inches="tight")
        print(f"figure: {args.figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
