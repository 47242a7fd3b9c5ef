"""Accessibility scores: siting vs pysal/access on the same cost matrix, in one run.

The real Las Palmas walk network; 100,000 population cells (points a few metres off random
street nodes, random residents) and 2,000 facilities (random nodes, random capacity); the
cells × facilities cost matrix within a 30-minute walk is computed once by siting. Then each
method scores it: siting (numpy ``bincount`` on the sparse pairs) and pysal/access (pandas
merges and group-bys, its weight function applied per pair). Both get the identical matrix;
the largest relative difference of their scores is recorded.

    python benchmarks/bench_access.py [--cells 100000] [--facilities 2000] [--cutoff "30 min"]

Writes benchmarks/results/access.json. The target: siting under 2 s after the cost matrix.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
PBF = HERE.parent.parent / "shared" / "data" / "las_palmas" / "las_palmas_2023-02-21.osm.pbf"


def build_area(n_cells: int, n_facilities: int, seed: int):
    import geopandas as gpd
    import shapely

    import siting.network as sn
    from siting import StudyArea

    start = time.perf_counter()
    walk = sn.from_pbf(PBF, "walk")
    load = time.perf_counter() - start
    rng = np.random.default_rng(seed)
    xy = np.column_stack([walk.x, walk.y])
    picks = rng.integers(0, len(xy), n_cells)
    cells_xy = xy[picks] + rng.uniform(-15, 15, (n_cells, 2))
    cells = gpd.GeoDataFrame({"population": rng.integers(0, 400, n_cells).astype(float)},
                             geometry=gpd.points_from_xy(cells_xy[:, 0], cells_xy[:, 1]),
                             crs=walk.crs)
    fac_xy = xy[rng.choice(len(xy), n_facilities, replace=False)]
    facilities = gpd.GeoDataFrame({"kind": "clinic",
                                   "beds": rng.integers(5, 60, n_facilities).astype(float)},
                                  geometry=gpd.points_from_xy(fac_xy[:, 0], fac_xy[:, 1]),
                                  crs=walk.crs)
    boundary = gpd.GeoDataFrame({"district": ["las_palmas"]},
                                geometry=[shapely.box(*cells.total_bounds).buffer(100)],
                                crs=walk.crs)
    area = StudyArea(boundary, cells, facilities, {"walk": walk}, crs=walk.crs)
    return area, walk, load


def gaussian_weight(cut: float):
    low = math.exp(-0.5)
    return lambda x: (math.exp(-0.5 * (x / cut) ** 2) - low) / (1 - low)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--facilities", type=int, default=2_000)
    parser.add_argument("--cutoff", default="30 min")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(HERE / "results" / "access.json"))
    args = parser.parse_args()

    from access import Access

    from siting import scores as sc
    from siting.units import parse_cutoff

    load_average = os.getloadavg()[0]
    area, walk, load_seconds = build_area(args.cells, args.facilities, args.seed)
    cutoff = parse_cutoff(args.cutoff)
    cut = cutoff.to("min")
    facilities = area.facilities_of("clinic")
    start = time.perf_counter()
    source, target, cost = sc.cost_pairs(area, facilities, "walk", cutoff, "to_facility",
                                         "clinic")
    matrix_seconds = time.perf_counter() - start
    demand = area.cells["population"].to_numpy()
    supply = facilities["beds"].to_numpy()

    results = {}
    for method, decay, weight_fn in (
            ("2sfca", sc.binary(cutoff), None),
            ("g2sfca", sc.gaussian(cutoff), gaussian_weight(cut))):
        sc.fca_scores(source[:10], target[:10], decay(cost[:10]), supply, demand)  # warm
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            ours = sc.fca_scores(source, target, decay(cost), supply, demand).score
            runs.append(time.perf_counter() - start)
        cells_df = pd.DataFrame({"pop": demand}, index=pd.RangeIndex(len(demand), name="geoid"))
        fac_df = pd.DataFrame({"beds": supply}, index=pd.RangeIndex(len(supply), name="geoid"))
        cost_df = pd.DataFrame({"origin": target, "dest": source, "cost": cost})
        start = time.perf_counter()
        model = Access(demand_df=cells_df, demand_index=True, demand_value="pop",
                       supply_df=fac_df, supply_index=True, supply_value="beds", cost_df=cost_df,
                       cost_origin="origin", cost_dest="dest", cost_name="cost")
        theirs = model.two_stage_fca(name="x", max_cost=cut, weight_fn=weight_fn)["x_beds"]
        pysal_seconds = time.perf_counter() - start
        theirs = theirs.reindex(range(len(demand))).to_numpy()
        both = np.isfinite(theirs)
        rel = np.abs(ours[both] - theirs[both]) / np.maximum(np.abs(theirs[both]), 1e-300)
        results[method] = {
            "siting_seconds": round(min(runs), 4), "siting_every_run": [round(r, 4) for r in runs],
            "pysal_access_seconds": round(pysal_seconds, 2),
            "ratio": round(pysal_seconds / min(runs), 1),
            "max_rel_difference": float(rel.max()),
            "cells_compared": int(both.sum()),
            "cells_pysal_leaves_out": int((~both).sum()),
            "siting_scores_of_those": float(np.abs(ours[~both]).max()) if (~both).any() else 0.0,
        }
        print(method, results[method], flush=True)

    main_method = results["g2sfca"]
    out = {
        "cells": args.cells, "facilities": args.facilities, "cutoff": str(cutoff),
        "pairs_within_cutoff": int(len(cost)),
        "siting_seconds": main_method["siting_seconds"],
        "pysal_access_seconds": main_method["pysal_access_seconds"],
        "max_rel_difference": max(r["max_rel_difference"] for r in results.values()),
        "headline_method": "g2sfca (Gaussian 2SFCA)",
        "methods": results,
        "cost_matrix_seconds": round(matrix_seconds, 2),
        "network": {"file": PBF.name, "mode": "walk", "nodes": int(walk.n_nodes),
                    "load_seconds": round(load_seconds, 2)},
        "seed": args.seed,
        "timing": "siting: best of 3 (decay weights + both steps); pysal/access: one run "
                  "(Access construction + two_stage_fca), same cost matrix, same process",
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_start": load_average},
    }
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    sys.exit(main())
