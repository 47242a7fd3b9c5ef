"""Location-allocation: siting (sparse arrays + HiGHS) vs spopt (PuLP + CBC), one run.

Instances
---------
* ``sf_205x16`` -- spopt's San Francisco network-distance instance, read from the installed
  spopt wheel: LSCP and MCLP at 5,000 m, p-median and p-center with p = 4.
* ``synthetic_*`` -- random candidates and clustered, log-normal population in a square
  (20 km for the 2,000 × 20,000 case): LSCP (demand no candidate reaches is dropped for both
  libraries, so LSCP is feasible), MCLP, and p-median / p-center on the small one.
* ``las_palmas`` -- the real walk network (``../shared/data``), population from OSM buildings
  on 100 m cells, 5,000 random network nodes as candidates, 1,000 m walk: MCLP p = 50 and
  p = 10, LSCP. Skipped with a note when the data or ``siting.network`` is missing.

Each spopt run happens in its own process with a wall-clock limit (its model building alone
can take minutes) and CBC gets ``timeLimit``. PuLP reports a time-limited CBC incumbent as
"Optimal"; this script calls a spopt result *proven* only when CBC stopped before its limit.
"Identical optimum" is checked wherever both sides proved optimality.

    python benchmarks/bench_propose.py [--time-limit 60] [--spopt-timeout 600] [--quick]

Writes benchmarks/results/propose.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
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
RESULTS = HERE / "results" / "propose.json"
PBF = HERE.parent.parent / "shared" / "data" / "las_palmas" / "las_palmas_2023-02-21.osm.pbf"
SPOPT_MEMORY_GB = 10  # a runaway dense PuLP model must not take the shared machine down


# ---------------------------------------------------------------------- instances
def clustered(n_c: int, n_d: int, size: float, seed: int):
    """Candidates uniform in a size × size square; demand in 30 Gaussian clusters."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, size, (30, 2))
    lab = rng.integers(0, 30, n_d)
    dxy = np.clip(centres[lab] + rng.normal(0, size / 15, (n_d, 2)), 0, size)
    w = rng.lognormal(3, 1, n_d).round()
    cxy = rng.uniform(0, size, (n_c, 2))
    return dxy, w, cxy


def sf_instance():
    import pandas as pd

    spec = importlib.util.find_spec("spopt")
    data = Path(spec.origin).parent / "tests" / "test_locate" / "data"
    network = pd.read_csv(data / "SF_network_distance_candidateStore_16_censusTract_205_new.csv")
    cost = network.pivot_table(values="distance", index="DestinationName", columns="name")
    demand = (pd.read_csv(data / "SF_demand_205_centroid_uniform_weight.csv")
              .sort_values(by=["NAME"]).reset_index())
    return cost.to_numpy(), demand["POP2000"].to_numpy().astype(float)


def synthetic(spec: dict):
    """Dense demand × candidate matrix for spopt, plus the points for siting."""
    dxy, w, cxy = clustered(spec["n_c"], spec["n_d"], spec["size"], spec["seed"])
    if spec.get("drop_unreachable"):
        from scipy.spatial import cKDTree

        near, _ = cKDTree(cxy).query(dxy, distance_upper_bound=spec["radius"])
        keep = np.isfinite(near)
        dxy, w = dxy[keep], w[keep]
    return dxy, w, cxy


def _keep_las_palmas(spec: dict, cand) -> np.ndarray:
    """All cells, or (LSCP) only cells some candidate reaches: else no cover exists."""
    keep = np.ones(cand.shape[1], dtype=bool)
    if spec.get("drop_unreachable"):
        keep[:] = False
        keep[cand.indices] = True
    return keep


def dense_cost(spec: dict):
    """What spopt consumes: a dense clients × facilities matrix (+ weights)."""
    if spec["kind"] == "sf":
        return sf_instance()
    if spec["kind"] == "las_palmas":
        data = np.load(spec["npz"])
        from scipy.sparse import csr_matrix

        cand = csr_matrix((data["data"], data["indices"], data["indptr"]),
                          shape=tuple(data["shape"]))
        dense = np.full(cand.shape[::-1], np.inf)
        rows = np.repeat(np.arange(cand.shape[0]), np.diff(cand.indptr))
        dense[cand.indices, rows] = cand.data
        keep = _keep_las_palmas(spec, cand)
        return dense[keep], data["weights"][keep]
    from scipy.spatial.distance import cdist

    dxy, w, cxy = synthetic(spec)
    return cdist(dxy, cxy), w


# ---------------------------------------------------------------------- spopt side
def _spopt_worker(spec: dict, model: str, params: dict, time_limit: float, out: str) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (SPOPT_MEMORY_GB * 2**30, SPOPT_MEMORY_GB * 2**30))
    import pulp
    from spopt.locate import LSCP, MCLP, PCenter, PMedian

    cost, w = dense_cost(spec)
    t0 = time.perf_counter()
    if model == "lscp":
        obj = LSCP.from_cost_matrix(cost, params["radius"])
    elif model == "mclp":
        obj = MCLP.from_cost_matrix(cost, w, params["radius"], params["p"])
    elif model == "p_median":
        obj = PMedian.from_cost_matrix(cost, w, params["p"])
    else:
        obj = PCenter.from_cost_matrix(cost, params["p"])
    build = time.perf_counter() - t0
    with open(out + ".build", "w") as fh:
        fh.write(str(build))
    t1 = time.perf_counter()
    obj.problem.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, threads=1))
    solve = time.perf_counter() - t1
    value = pulp.value(obj.problem.objective)
    status = pulp.LpStatus[obj.problem.status]
    with open(out, "w") as fh:
        json.dump({"build_seconds": round(build, 3), "solve_seconds": round(solve, 3),
                   "total_seconds": round(build + solve, 3), "objective": value,
                   "pulp_status": status,
                   # CBC stopping near its time limit means the "Optimal" label is PuLP's.
                   "proven_optimal": status == "Optimal" and solve < 0.95 * time_limit,
                   "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                        / 1024, 1)}, fh)


def run_spopt(spec: dict, model: str, params: dict, time_limit: float, timeout: float) -> dict:
    scratch = tempfile.mkdtemp(prefix="siting-bench-spopt-")
    out = os.path.join(scratch, "result.json")
    proc = mp.get_context("spawn").Process(target=_spopt_worker,
                                           args=(spec, model, params, time_limit, out))
    t0 = time.perf_counter()
    proc.start()
    proc.join(timeout)
    wall = time.perf_counter() - t0
    if proc.is_alive():
        proc.kill()
        proc.join()
        built = os.path.exists(out + ".build")
        return {"finished": False, "wall_seconds": round(wall, 1),
                "reason": (f"model built in {float(open(out + '.build').read()):.1f} s, but "
                           f"build + solve did not finish within {timeout:.0f} s" if built else
                           f"PuLP model building did not finish within {timeout:.0f} s")}
    if not os.path.exists(out):
        return {"finished": False, "wall_seconds": round(wall, 1),
                "reason": f"spopt process failed (exit code {proc.exitcode}; memory cap "
                          f"{SPOPT_MEMORY_GB} GB)"}
    with open(out) as fh:
        result = json.load(fh)
    result["finished"] = True
    return result


# ---------------------------------------------------------------------- siting side
def siting_problem(spec: dict):
    from siting.optimize import CoverageProblem

    t0 = time.perf_counter()
    if spec["kind"] == "sf":
        cost, w = sf_instance()
        cutoff = spec.get("cutoff")
        problem = CoverageProblem.from_cost_matrix(cost, w, cutoff=cutoff)
    elif spec["kind"] == "las_palmas":
        from scipy.sparse import csr_matrix

        data = np.load(spec["npz"])
        cand = csr_matrix((data["data"], data["indices"], data["indptr"]),
                          shape=tuple(data["shape"]))
        keep = _keep_las_palmas(spec, cand)
        problem = CoverageProblem(cand[:, np.flatnonzero(keep)], data["weights"][keep],
                                  cutoff=float(data["cutoff"]))
    else:
        import geopandas as gpd

        dxy, w, cxy = synthetic(spec)
        demand = gpd.GeoDataFrame({"pop": w}, geometry=gpd.points_from_xy(*dxy.T),
                                  crs="EPSG:32650")
        cands = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*cxy.T), crs="EPSG:32650")
        problem = CoverageProblem.from_geodataframe(demand, cands, "pop", spec.get("cutoff"))
    return problem, time.perf_counter() - t0


def run_siting(problem, build_seconds: float, model: str, params: dict,
               time_limit: float) -> dict:
    from siting.optimize import solve

    prob = problem
    if model in ("lscp", "p_center"):
        # spopt's LSCP and p-center ignore weights: every demand point counts once
        from siting.optimize import CoverageProblem

        prob = CoverageProblem(problem.cost, np.ones(problem.n_demand), cutoff=problem.cutoff)
    t0 = time.perf_counter()
    kwargs = {"time_limit": time_limit}
    if model in ("lscp", "mclp"):
        kwargs["radius"] = params["radius"]
    if model != "lscp":
        kwargs["p"] = params["p"]
    sol = solve(prob, model, **kwargs)
    solve_s = time.perf_counter() - t0
    return {"build_seconds": round(build_seconds, 3), "solve_seconds": round(solve_s, 3),
            "total_seconds": round(build_seconds + solve_s, 3), "objective": sol.objective,
            "bound": sol.bound, "gap": sol.gap, "status": sol.status, "method": sol.method,
            "new_sites": int(len(sol.new)), "covered_share": round(sol.covered_share, 6),
            "uncovered_demand_points": sol.details["n_uncovered_all"]}


def compare(spopt: dict, siting: dict, model: str) -> dict:
    out: dict = {}
    if spopt.get("finished"):
        out["speedup_total"] = round(spopt["total_seconds"] / max(siting["total_seconds"], 1e-9), 1)
        out["speedup_build"] = round(spopt["build_seconds"] / max(siting["build_seconds"], 1e-9), 1)
        if spopt["proven_optimal"] and siting["status"] == "optimal":
            a, b = spopt["objective"], siting["objective"]
            out["identical_optimum"] = bool(abs(a - b) <= 1e-6 * max(1.0, abs(a)))
        else:
            out["identical_optimum"] = None
            if spopt["objective"] is not None and spopt["pulp_status"] == "Optimal":
                sense = 1 if model == "mclp" else -1
                # > 0: siting's sites are better than spopt's time-limited incumbent
                out["siting_better_by"] = round(
                    sense * (siting["objective"] - spopt["objective"]), 6)
    else:
        out["speedup_total"] = f">= {spopt['wall_seconds'] / siting['total_seconds']:.0f}" \
            " (spopt did not finish)"
        out["identical_optimum"] = None
    return out


# ---------------------------------------------------------------------- Las Palmas
def las_palmas(scratch: str) -> tuple[dict | None, str | None]:
    """Build the Las Palmas instance and save it for both sides (npz); None + reason if not."""
    if not PBF.exists():
        return None, f"missing {PBF}"
    try:
        import siting.network as sn
        from siting.population import points_to_grid, population_from_buildings
    except ImportError as exc:
        return None, f"siting.network is not ready ({exc})"
    import pyrosm

    from siting.optimize import network_node_candidates

    timings = {}
    t0 = time.perf_counter()
    net = sn.from_pbf(PBF, "walk")
    timings["network_seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    buildings = pyrosm.OSM(str(PBF)).get_buildings()
    people = population_from_buildings(buildings, crs=net.crs)
    cells = points_to_grid(people.set_geometry(people.geometry.centroid), 100.0, crs=net.crs)
    cells = cells[cells["population"] > 0].reset_index(drop=True)
    timings["population_seconds"] = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    nodes = rng.choice(net.n_nodes, 5000, replace=False)
    cand = network_node_candidates(np.column_stack([net.x[nodes], net.y[nodes]]), crs=net.crs,
                                   node_ids=nodes)
    t0 = time.perf_counter()
    cs = sn.snap_points(net, cand.geometry.to_numpy(), 50.0)
    ds = sn.snap_points(net, cells.geometry.representative_point().to_numpy(), 500.0)
    reach = sn.reach_matrix(net, cs, ds, cutoff=1000.0)
    matrix = reach.matrix().tocsr()
    timings["snap_and_reach_seconds"] = time.perf_counter() - t0
    path = os.path.join(scratch, "las_palmas.npz")
    np.savez(path, data=matrix.data, indices=matrix.indices, indptr=matrix.indptr,
             shape=np.array(matrix.shape), weights=cells["population"].to_numpy(float),
             cutoff=np.array(1000.0))
    info = {"kind": "las_palmas", "npz": path, "walk_nodes": int(net.n_nodes),
            "candidates": 5000, "population_cells": int(len(cells)),
            "population": round(float(cells["population"].sum())),
            "cells_not_snapped": int((~ds.ok).sum()), "reachable_pairs": int(matrix.nnz),
            **{k: round(v, 2) for k, v in timings.items()}}
    return info, None


# ---------------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=60.0,
                        help="solver time limit (CBC and HiGHS), seconds")
    parser.add_argument("--spopt-timeout", type=float, default=600.0,
                        help="wall-clock limit per spopt run (build + solve), seconds")
    parser.add_argument("--short-time-limit", type=float, default=15.0,
                        help="siting's budget for the time-to-spopt-quality rerun, seconds")
    parser.add_argument("--quick", action="store_true",
                        help="skip spopt on the 2,000 × 20,000 instance")
    args = parser.parse_args()
    if importlib.util.find_spec("spopt") is None or importlib.util.find_spec("pulp") is None:
        print("spopt and pulp are needed: pip install spopt pulp", file=sys.stderr)
        return 1
    tl = args.time_limit
    cases = [
        ({"kind": "sf", "name": "sf_205x16", "cutoff": 5000.0}, "lscp", {"radius": 5000.0}),
        ({"kind": "sf", "name": "sf_205x16", "cutoff": 5000.0}, "mclp",
         {"radius": 5000.0, "p": 4}),
        ({"kind": "sf", "name": "sf_205x16", "cutoff": None}, "p_median", {"p": 4}),
        ({"kind": "sf", "name": "sf_205x16", "cutoff": None}, "p_center", {"p": 4}),
    ]
    small = {"kind": "synthetic", "n_c": 100, "n_d": 1000, "size": 5000.0, "seed": 2}
    cases += [
        ({**small, "name": "synthetic_100x1000", "cutoff": None}, "p_median", {"p": 8}),
        ({**small, "name": "synthetic_100x1000", "cutoff": None}, "p_center", {"p": 8}),
    ]
    medium = {"kind": "synthetic", "n_c": 500, "n_d": 5000, "size": 10000.0, "seed": 1}
    cases += [
        ({**medium, "name": "synthetic_500x5000", "cutoff": 500.0, "radius": 500.0,
          "drop_unreachable": True}, "lscp", {"radius": 500.0}),
        ({**medium, "name": "synthetic_500x5000", "cutoff": 1000.0}, "mclp",
         {"radius": 1000.0, "p": 20}),
    ]
    large = {"kind": "synthetic", "n_c": 2000, "n_d": 20000, "size": 20000.0, "seed": 1}
    large_cases = [
        ({**large, "name": "synthetic_2000x20000", "cutoff": 500.0, "radius": 500.0,
          "drop_unreachable": True}, "lscp", {"radius": 500.0}),
        ({**large, "name": "synthetic_2000x20000", "cutoff": 1000.0}, "mclp",
         {"radius": 1000.0, "p": 50}),
    ]
    cases += large_cases
    scratch = tempfile.mkdtemp(prefix="siting-bench-propose-")
    lp_info, lp_reason = las_palmas(scratch)
    if lp_info is not None:
        las = dict(lp_info, name="las_palmas_walk_1000m")
        cases += [(las, "mclp", {"radius": 1000.0, "p": 50}),
                  (las, "mclp", {"radius": 1000.0, "p": 10}),
                  (dict(las, drop_unreachable=True), "lscp", {"radius": 1000.0})]
    runs = []
    started = time.perf_counter()
    problems: dict[str, tuple] = {}
    for spec, model, params in cases:
        key = f"{spec['name']}|{spec.get('cutoff')}|{spec.get('drop_unreachable')}"
        if key not in problems:
            problems[key] = siting_problem(spec)
        problem, build_s = problems[key]
        print(f"{spec['name']} {model} {params} ...", flush=True)
        mine = run_siting(problem, build_s, model, params, tl)
        print(f"  siting: {mine['status']} {mine['objective']:.6g} (bound {mine['bound']:.6g}) "
              f"in {mine['total_seconds']:.2f} s", flush=True)
        if args.quick and (spec, model, params) in large_cases:
            theirs = {"finished": False, "wall_seconds": 0.0, "reason": "skipped (--quick)"}
        else:
            theirs = run_spopt(spec, model, params, tl, args.spopt_timeout)
        print(f"  spopt:  {theirs}", flush=True)
        entry = {"instance": spec["name"], "model": model, **params,
                 "candidates": problem.n_candidates, "demand_points": problem.n_demand,
                 "reachable_pairs": int(problem.cost.nnz), "siting": mine, "spopt": theirs}
        if theirs.get("reason") != "skipped (--quick)":
            entry.update(compare(theirs, mine, model))
        if mine["status"] != "optimal" and theirs.get("finished") and \
                theirs.get("pulp_status") == "Optimal":
            # Time to the same quality: siting again with a short budget. Its incumbent
            # must be at least as good as spopt's time-limited one to count.
            short = run_siting(problem, build_s, model, params, args.short_time_limit)
            entry["siting_short_budget"] = short
            better = (short["objective"] >= theirs["objective"] if model == "mclp"
                      else short["objective"] <= theirs["objective"])
            entry["speedup_to_spopt_quality"] = (
                round(theirs["total_seconds"] / short["total_seconds"], 1) if better else None)
            print(f"  siting ({args.short_time_limit:.0f} s budget): {short['objective']:.6g} "
                  f"(bound {short['bound']:.6g}) in {short['total_seconds']:.2f} s", flush=True)
        runs.append(entry)
    import highspy
    import pulp
    import spopt

    proven = [r for r in runs if r.get("identical_optimum") is not None]
    result = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "highspy": getattr(highspy, "__version__", "1.16"),
                    "spopt": spopt.__version__, "pulp": pulp.__version__},
        "time_limit_seconds": tl, "spopt_timeout_seconds": args.spopt_timeout,
        "runs": runs,
        "identical_optimum_everywhere_spopt_proved_one": all(r["identical_optimum"]
                                                              for r in proven),
        "instances_compared_at_proven_optimum": len(proven),
        "las_palmas": lp_info if lp_info is not None else {"todo": lp_reason},
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    if lp_info is not None:
        result["las_palmas"].pop("npz", None)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=float) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
