"""Metro scale: a city of 1.9 million walk nodes, 600,000 populated cells, 200 districts.

No open extract of a Chinese metropolis ships with the project, so the city is MADE BY TILING
THE REAL LAS PALMAS NETWORK (../shared/data/las_palmas, OSM 2023-02-21): its walk and drive
networks are copied onto a 4 × 6 grid of tiles (24 copies, 1.9 M walk nodes, 0.9 M drive
nodes), each copy shifted by the extract's width or height plus 50 m, and neighbouring tiles
are joined by short connector streets between their facing border nodes (the 40 nearest pairs
per side), so a trip can cross from one copy into the next. The streets are real; the city is
not. On it:

- 600,000 populated cells (points 0–40 m off a random walk node, 1–60 residents each),
- 10,000 facilities of three kinds: 5,000 kindergartens, 4,000 sports grounds, 1,000
  emergency stations (points 0–20 m off a random walk node),
- 200 rectangular districts on a grid over the city (25 at 1/8),

and three rules: GB50180-KG (kindergarten within 300 m walk), a 15-minute walk to a sports
ground (85 %), SH16-18 (average service radius of emergency stations ≤ 3.5 km, drive).

Stages recorded: ``load`` (tiling and the StudyArea), ``snap`` (cells and facilities onto both
networks), ``assess`` (the three rules over every cell), ``propose`` (one district),
``report`` (write_reports over all districts, no maps: maps are per district work measured by
bench_end_to_end), peak memory, and the same report on a Dask LocalCluster of 2 workers. Each
size runs in a fresh process (its peak memory is its own); sizes 1/8, 1/4, 1/2, 1/1 of the city
(3, 6, 12, 24 tiles, cells/facilities/districts in proportion) give each stage's growth
exponent (slope of log time on log cells; n log n from 1/8 to 1/1 is about 1.07).

The machine is shared with other sessions (2 cores): the load average at the start of each
size is recorded beside its figures.

    python benchmarks/bench_metro.py                         # all sizes
    python benchmarks/bench_metro.py --sizes 8 4 --no-report # quick: assess-side stages only

Writes benchmarks/results/metro.json.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "las_palmas"
PBF = DATA / "las_palmas_2023-02-21.osm.pbf"
GRID = (4, 6)              # tiles across, down: 24 copies of Las Palmas
CELLS, FACILITIES, DISTRICTS = 600_000, 10_000, 200
KINDS = {"kindergarten": 0.5, "sports_ground": 0.4, "emergency_station": 0.1}
CONNECTORS_PER_SIDE = 40
GAP_M = 50.0


def _rules():
    from siting.rules import AccessRule, load_rules

    return list(load_rules(["GB50180-KG", "SH16-18"])) + [
        AccessRule(id="METRO-SPORT", facility="sports_ground", threshold="15 min", mode="walk",
                   share="85 %", name="85 % within a 15-minute walk of a sports ground")]


def tile(network, columns: int, rows: int, tiles: int):
    """``tiles`` copies of ``network`` on a ``columns``-wide grid, neighbours joined.

    Copies are shifted by the network's extent plus :data:`GAP_M`; each pair of neighbouring
    copies gets :data:`CONNECTORS_PER_SIDE` two-way streets between the facing border nodes
    (nearest pairs), at the network's speed.
    """
    import dataclasses

    import shapely
    from scipy.spatial import cKDTree

    x0, x1, y0, y1 = network.x.min(), network.x.max(), network.y.min(), network.y.max()
    dx, dy = x1 - x0 + GAP_M, y1 - y0 + GAP_M
    n, e, s = network.n_nodes, network.n_edges, len(network.street_u)
    where = [(t % columns, t // columns) for t in range(tiles)]
    shift = [(c * dx, r * dy) for c, r in where]
    xs = np.concatenate([network.x + sx for sx, _ in shift])
    ys = np.concatenate([network.y + sy for _, sy in shift])
    geoms = np.concatenate([shapely.transform(network.street_geometry, lambda p, sx=sx, sy=sy:
                                              p + np.array([sx, sy])) for sx, sy in shift])

    def rep(a, step):
        return np.concatenate([a + t * step for t in range(tiles)])

    fwd = np.concatenate([np.where(network.street_fwd >= 0, network.street_fwd + t * e, -1)
                          for t in range(tiles)])
    bwd = np.concatenate([np.where(network.street_bwd >= 0, network.street_bwd + t * e, -1)
                          for t in range(tiles)])
    edge_u, edge_v = rep(network.edge_u, n), rep(network.edge_v, n)
    edge_length, edge_time = np.tile(network.edge_length, tiles), np.tile(network.edge_time, tiles)
    street_u, street_v = rep(network.street_u, n), rep(network.street_v, n)
    street_length = np.tile(network.street_length, tiles)

    # connectors: border nodes of one copy to the nearest border nodes of its neighbour
    tree = cKDTree(np.column_stack([network.x, network.y]))
    right = np.argsort(-network.x)[:CONNECTORS_PER_SIDE]     # east border of a copy
    top = np.argsort(-network.y)[:CONNECTORS_PER_SIDE]       # north border
    cu, cv = [], []
    index = {w: t for t, w in enumerate(where)}
    for t, (c, r) in enumerate(where):
        for border, (nc, nr), (ox, oy) in ((right, (c + 1, r), (dx, 0.0)),
                                           (top, (c, r + 1), (0.0, dy))):
            if (nc, nr) not in index:
                continue
            # the neighbour's nodes, seen from this copy: the nearest to each border node
            _, near = tree.query(np.column_stack([network.x[border] - ox,
                                                  network.y[border] - oy]))
            cu.append(border + t * n)
            cv.append(near + index[(nc, nr)] * n)
    cu, cv = np.concatenate(cu), np.concatenate(cv)
    keep = cu != cv
    cu, cv = cu[keep], cv[keep]
    lines = shapely.linestrings(np.stack([np.column_stack([xs[cu], ys[cu]]),
                                          np.column_stack([xs[cv], ys[cv]])], axis=1))
    clen = shapely.length(lines)
    k = len(cu)
    e_all = len(edge_u)
    seconds = clen / network.speed_mps if network.mode == "walk" else clen / (30 / 3.6)
    return dataclasses.replace(
        network, node_id=np.arange(tiles * n, dtype=np.int64), x=xs, y=ys,
        edge_u=np.concatenate([edge_u, cu, cv]), edge_v=np.concatenate([edge_v, cv, cu]),
        edge_length=np.concatenate([edge_length, clen, clen]),
        edge_time=np.concatenate([edge_time, seconds, seconds]),
        street_geometry=np.concatenate([geoms, lines]),
        street_u=np.concatenate([street_u, cu]), street_v=np.concatenate([street_v, cv]),
        street_length=np.concatenate([street_length, clen]),
        street_fwd=np.concatenate([fwd, e_all + np.arange(k)]),
        street_bwd=np.concatenate([bwd, e_all + k + np.arange(k)]),
        dropped_nodes=0, build_report={"tiled": f"{tiles} copies of Las Palmas, {k} connectors"},
        _csr={}, _tree=None), (s, dx, dy)


def city(fraction: int, seed: int = 18):
    """The tiled city at 1/``fraction`` of full size, as a StudyArea."""
    import geopandas as gpd
    import shapely

    import siting
    from siting.network.build import from_pbf

    tiles = GRID[0] * GRID[1] // fraction
    columns = min(GRID[0], tiles)
    walk0 = from_pbf(PBF, "walk")
    drive0 = from_pbf(PBF, "drive", crs=walk0.crs)
    walk, _ = tile(walk0, columns, math.ceil(tiles / columns), tiles)
    drive, _ = tile(drive0, columns, math.ceil(tiles / columns), tiles)
    rng = np.random.default_rng(seed)

    def points(count, spread, network=walk):
        at = rng.integers(0, network.n_nodes, count)
        angle, radius = rng.uniform(0, 2 * np.pi, count), rng.uniform(0, spread, count)
        return shapely.points(network.x[at] + radius * np.cos(angle),
                              network.y[at] + radius * np.sin(angle))

    n_cells, n_fac = CELLS // fraction, FACILITIES // fraction
    cells = gpd.GeoDataFrame({"population": rng.integers(1, 61, n_cells).astype(float)},
                             geometry=points(n_cells, 40.0), crs=walk.crs)
    counts = [round(n_fac * share) for share in KINDS.values()]
    kinds = np.repeat(list(KINDS), counts)
    # emergency stations stand on the drive network (they are reached by road)
    where = np.concatenate([points(counts[0] + counts[1], 20.0),
                            points(counts[2], 20.0, drive)])
    facilities = gpd.GeoDataFrame({"kind": kinds, "name": [f"f{i}" for i in range(len(kinds))]},
                                  geometry=where, crs=walk.crs)
    # districts: a grid over the whole city, its shape closest to the city's
    n_dist = DISTRICTS // fraction
    aspect = np.ptp(walk.x) / np.ptp(walk.y)
    across = min((a for a in range(1, n_dist + 1) if n_dist % a == 0),
                 key=lambda a: abs(math.log(a * a / n_dist / aspect)))
    down = n_dist // across
    x0, y0 = walk.x.min() - 100, walk.y.min() - 100
    w, h = (np.ptp(walk.x) + 200) / across, (np.ptp(walk.y) + 200) / down
    boxes = [shapely.box(x0 + i * w, y0 + j * h, x0 + (i + 1) * w, y0 + (j + 1) * h)
             for j in range(down) for i in range(across)]
    districts = gpd.GeoDataFrame({"district": [f"D{i:03d}" for i in range(len(boxes))]},
                                 geometry=boxes, crs=walk.crs)
    area = siting.StudyArea(districts, cells, facilities, {"walk": walk, "drive": drive},
                            crs=walk.crs)
    sizes = {"tiles": tiles, "walk_nodes": walk.n_nodes, "drive_nodes": drive.n_nodes,
             "cells": len(area.cells), "residents": round(area.population),
             "facilities": {k: int(v) for k, v in area.facilities["kind"].value_counts().items()},
             "districts": len(area.districts)}
    return area, sizes


def run_size(fraction: int, report: bool, dask: bool, queue) -> None:
    import siting
    from siting.batch import executor_for
    from siting.report import ReportOptions, write_reports
    from siting.report.batch import BatchInputs

    marks: dict[str, float] = {}
    t = time.perf_counter()
    area, sizes = city(fraction)
    marks["load"] = time.perf_counter() - t
    t = time.perf_counter()
    for layer in ("cells", "facilities"):
        for mode in ("walk", "drive"):
            area.snapped(layer, mode)
    marks["snap"] = time.perf_counter() - t
    rules = _rules()
    t = time.perf_counter()
    assessment = siting.assess(area, rules)
    marks["assess"] = time.perf_counter() - t
    verdicts = {r: (None if v is None or v != v else bool(v)) for r, v in
                assessment.verdicts().set_index("rule_id")["passed"].items()}
    inputs = BatchInputs.from_area(area)
    # propose in one district (the most populous): its own study area, as a batch task sees it
    name = area.cells.groupby("district")["population"].sum().idxmax()
    t = time.perf_counter()
    district = inputs.slice_for(name, rules, ReportOptions(maps=None, isochrones=None,
                                                           tiles=None)).area_for(name)
    district_assessment = siting.assess(district, rules)
    proposal = siting.propose(district, rules, assessment=district_assessment, time_limit=20,
                              infeasible="relax")
    marks["propose"] = time.perf_counter() - t
    out = {"sizes": sizes, "verdicts": verdicts,
           "propose_district": name, "proposed_sites": len(proposal.sites)}
    peak_before_report = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # what ran so far, in case the reports do not finish in the time there is
    queue.put(out | {"seconds": {k: round(v, 2) for k, v in marks.items()},
                     "peak_rss_mb_before_report": round(peak_before_report),
                     "partial": "reports still running" if report else None})
    if report:
        options = ReportOptions(title="metro", lang="en", tiles=None, maps=None,
                                isochrones=None)
        runs = [("serial", {"workers": 1})] + ([("dask_2_workers", {"scheduler": "local",
                                                                    "workers": 2})] if dask else [])
        tables = {}
        for label, kwargs in runs:
            executor, close = executor_for(**kwargs)
            with tempfile.TemporaryDirectory() as folder:
                t = time.perf_counter()
                result = write_reports(inputs, rules, folder, options=options, progress=False,
                                       executor=executor)
                marks[f"report_{label}"] = time.perf_counter() - t
            close()
            out[f"report_{label}_ok"] = sum(o.status == "ok" for o in result.outcomes)
            tables[label] = result.summary.sort_values(["district", "rule_id"]).reset_index(
                drop=True)
        if "dask_2_workers" in tables:
            out["dask_speedup"] = round(marks["report_serial"] / marks["report_dask_2_workers"], 2)
            out["dask_identical"] = bool(tables["serial"].equals(tables["dask_2_workers"]))
    out["seconds"] = {k: round(v, 2) for k, v in marks.items()}
    out["peak_rss_mb_before_report"] = round(peak_before_report)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    queue.put(out)


def _run(fraction: int, report: bool, dask: bool, save) -> dict:
    """Run one size in a fresh process; ``save(result)`` after each result it sends (the
    assess-side stages first, then everything), so a run cut short keeps what it measured."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=run_size, args=(fraction, report, dask, queue))
    proc.start()
    latest: dict = {}
    try:
        while True:
            try:
                latest = queue.get(timeout=5)
                latest = {k: v for k, v in latest.items() if v is not None}
                save(latest)
                if "partial" not in latest:
                    return latest
            except Exception:  # queue.Empty; a worker that dies must not hang the benchmark
                if not proc.is_alive():
                    return latest | {"error": f"worker exited with code {proc.exitcode}"}
    finally:
        proc.join()


def growth(results: dict) -> dict:
    """Slope of log(seconds) on log(cells) per stage, over the sizes where it ran."""
    rows = [r for r in results.values() if "seconds" in r]
    if len(rows) < 2:
        return {}
    out = {}
    for stage in dict.fromkeys(k for r in rows for k in r["seconds"]):
        pts = [(r["sizes"]["cells"], r["seconds"][stage]) for r in rows
               if stage in r["seconds"] and r["seconds"][stage] > 0]
        if len(pts) >= 2:
            x, y = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
            out[stage] = round(float(np.polyfit(x, y, 1)[0]), 2)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 4, 2, 1],
                        help="fractions of the full city to run (8 = 1/8)")
    parser.add_argument("--no-report", action="store_true", help="skip write_reports")
    parser.add_argument("--report-up-to", type=int, default=1,
                        help="run the reports only at sizes 1/N and smaller (N ≥ this)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask report")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "metro.json",
                        help="results file (sizes already in it are kept)")
    args = parser.parse_args(argv)
    if not PBF.exists():
        print(f"missing {PBF}", file=sys.stderr)
        return 1
    path = args.out
    report = json.loads(path.read_text()) if path.exists() else {}
    report.update({
        "note": ("The city is made by tiling the real Las Palmas walk and drive networks "
                 "(OSM 2023-02-21) on a 4 x 6 grid of copies joined by connector streets; "
                 "cells, facilities and districts are synthetic (seeded). The machine is "
                 "shared with other sessions on 2 cores: timings carry their load average."),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "shared": True},
        "targets": {"assess_seconds": 60, "peak_gb": 8, "growth_exponent_max": "n log n (~1.07)",
                    "report_serial_seconds": 600, "dask_speedup": 1.6}})
    sizes = report.setdefault("sizes", {})
    for fraction in sorted(args.sizes, reverse=True):
        load = os.getloadavg()[0]
        do_report = not args.no_report and fraction >= args.report_up_to
        dask = do_report and not args.no_dask

        def save(result: dict, fraction: int = fraction, load: float = load,
                 dask: bool = dask) -> None:
            sizes[f"1/{fraction}"] = result | {"load_average_at_start": round(load, 2),
                                               "dask_run": dask}
            report["growth_exponent"] = growth({k: sizes[k] for k in sorted(
                sizes, key=lambda s: -int(s.split("/")[1]))})
            path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

        _run(fraction, do_report, dask, save)
        print(json.dumps({f"1/{fraction}": sizes[f"1/{fraction}"]}, indent=1), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
