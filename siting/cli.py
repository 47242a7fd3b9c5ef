"""The ``siting`` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd


def _demo(args: argparse.Namespace) -> int:
    from .access import access_table
    from .datasets import ATTRIBUTION, load_example
    from .report.maps import coverage_map

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    area = load_example(args.example)
    print(area)
    table = access_table(area, mode="walk", thresholds=(300, 500, 1000))
    shares = table[["kind", "district", "population"] +
                   [c for c in table.columns if c.startswith("share")]]
    with pd.option_context("display.max_rows", 200, "display.width", 160,
                           "display.float_format", "{:,.2f}".format):
        print("\nShare of residents within 300 / 500 / 1,000 m walk of the nearest facility")
        print(shares.to_string(index=False))
    table.to_csv(out / "walk_access.csv", index=False)
    written = [out / "walk_access.csv"]
    for kind in sorted(area.facilities["kind"].unique()):
        nearest = area.nearest(kind, "walk")
        fmap = coverage_map(area, nearest, threshold=500.0,
                            title=f"Walk to nearest {kind} (uncovered beyond 500 m)")
        path = out / f"map_{kind}.html"
        fmap.save(str(path))
        written.append(path)
    print(f"\nWrote {len(written)} files to {out}/ ({', '.join(p.name for p in written)}). "
          f"Map data {ATTRIBUTION}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="siting", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the main job on the embedded example (offline)")
    demo.add_argument("--out", default="siting-demo", help="output folder (default: siting-demo)")
    demo.add_argument("--example", default="town", choices=["town", "helsinki"])
    demo.set_defaults(func=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:  # SitingError and friends: the message already teaches
        print(f"siting: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
