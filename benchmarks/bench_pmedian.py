"""OR-Library p-median (Beasley 1990), all 40 instances: siting vs spopt + CBC, one run.

For each ``pmedN.txt`` in ``../shared/data/orlib_pmed`` the distance matrix is built with the
file's own rule (the last of duplicated edges holds; :func:`siting.optimize.orlib.read_pmed`),
not through the street-network loader, and solved by ``siting.optimize.solve(problem,
"p_median", p, method="auto")`` (greedy + swap, Lagrangian bound and fixing, Benders master
in HiGHS). Each instance runs in its own process so its peak memory (``ru_maxrss``, which
includes the interpreter and imports) is its own.

spopt's ``PMedian`` (PuLP + CBC) runs on the same matrices, each in its own process with a
wall-clock limit (``--spopt-timeout``, 600 s) and CBC ``timeLimit``; PuLP reports a
time-limited CBC incumbent as "Optimal", so a spopt result is called *proven* only when CBC
stopped before its limit. ``--spopt`` selects the instances (default ``1-10``; the classical
formulation has n² assignment columns, and PuLP's model building alone grows with them).

The machine these numbers come from is shared (other jobs run beside the benchmark), so
seconds are an honest wall clock under load, not a clean-machine figure; ratios in one run
are what compare.

    python benchmarks/bench_pmedian.py [--time-limit 60] [--spopt 1-10] [--spopt-timeout 600]
                                       [--only 1-40]

Writes benchmarks/results/pmedian.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing as mp
import os
import platform
import queue as queue_module
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "pmedian.json"
DATA = HERE.parent.parent / "shared" / "data" / "orlib_pmed"
SPOPT_MEMORY_GB = 8  # a runaway dense PuLP model must not take the shared machine down


def _ranges(text: str) -> list[int]:
    """``"1-10,16"`` → [1, ..., 10, 16]."""
    out: list[int] = []
    for part in filter(None, text.split(",")):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


# ---------------------------------------------------------------------- workers
def _siting_worker(k: int, time_limit: float, queue: mp.Queue) -> None:
    from siting.optimize import CoverageProblem, solve
    from siting.optimize.orlib import read_pmed

    t0 = time.perf_counter()
    inst = read_pmed(DATA / f"pmed{k}.txt")
    problem = CoverageProblem.from_cost_matrix(inst.distances, layout="candidate_by_demand")
    build = time.perf_counter() - t0
    t1, c1 = time.perf_counter(), time.process_time()
    sol = solve(problem, "p_median", inst.p, method="auto", time_limit=time_limit)
    seconds, cpu = time.perf_counter() - t1, time.process_time() - c1
    queue.put({"instance": inst.name, "n": inst.n, "p": inst.p, "objective": sol.objective,
               "bound": sol.bound, "status": sol.status, "seconds": round(seconds, 3),
               "cpu_seconds": round(cpu, 3), "load_average_1min": round(os.getloadavg()[0], 2),
               "build_seconds": round(build, 3), "method": sol.method,
               "sites": len(sol.selected),
               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                    / 1024, 1)})


def _spopt_worker(k: int, time_limit: float, queue: mp.Queue) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (SPOPT_MEMORY_GB * 2**30, SPOPT_MEMORY_GB * 2**30))
    import numpy as np
    import pulp
    from spopt.locate import PMedian

    from siting.optimize.orlib import read_pmed

    inst = read_pmed(DATA / f"pmed{k}.txt")
    t0 = time.perf_counter()
    # spopt's layout: demand rows × facility columns; every vertex is both, weight 1.
    obj = PMedian.from_cost_matrix(inst.distances.T.copy(), np.ones(inst.n), inst.p)
    build = time.perf_counter() - t0
    queue.put({"built": round(build, 3)})
    t1 = time.perf_counter()
    obj.problem.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, threads=1))
    solve = time.perf_counter() - t1
    # CBC runs as a child process: its CPU time is the children's
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    status = pulp.LpStatus[obj.problem.status]
    queue.put({"objective": pulp.value(obj.problem.objective), "pulp_status": status,
               "build_seconds": round(build, 3), "solve_seconds": round(solve, 3),
               "seconds": round(build + solve, 3),
               "cbc_cpu_seconds": round(child.ru_utime + child.ru_stime, 3),
               "load_average_1min": round(os.getloadavg()[0], 2),
               # CBC stopping near its time limit means the "Optimal" label is PuLP's.
               "proven_optimal": status == "Optimal" and solve < 0.95 * time_limit,
               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                    / 1024, 1)})


def _run(target, k: int, time_limit: float, timeout: float) -> dict:
    """Run one worker in a fresh process; collect what it put on the queue."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(k, time_limit, queue))
    t0 = time.perf_counter()
    proc.start()
    got: dict = {}
    while True:
        left = timeout - (time.perf_counter() - t0)
        try:
            got.update(queue.get(timeout=max(left, 0.1)))
        except queue_module.Empty:  # timed out, or the process died
            break
        if "objective" in got:
            break
    proc.join(5)
    wall = time.perf_counter() - t0
    if proc.is_alive():
        proc.kill()
        proc.join()
    if "objective" not in got:
        reason = (f"model built in {got['built']:.1f} s, but build + solve did not finish "
                  f"within {timeout:.0f} s" if "built" in got else
                  f"did not finish within {timeout:.0f} s (exit code {proc.exitcode})")
        return {"finished": False, "wall_seconds": round(wall, 1), "reason": reason}
    got.pop("built", None)
    got["finished"] = True
    return got


# ---------------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=60.0,
                        help="siting's time limit per instance, seconds")
    parser.add_argument("--only", default="1-40", help="instances to run, e.g. 1-40 or 16,36")
    parser.add_argument("--spopt", default="1-10",
                        help="instances for spopt + CBC ('' for none)")
    parser.add_argument("--spopt-timeout", type=float, default=600.0,
                        help="wall-clock limit per spopt run (build + solve), seconds")
    args = parser.parse_args()
    if not (DATA / "pmedopt.txt").exists():
        print(f"OR-Library data not found at {DATA}", file=sys.stderr)
        return 1
    from siting.optimize.orlib import read_optima

    optima = read_optima(DATA / "pmedopt.txt")
    t_all = time.perf_counter()
    runs = []
    for k in _ranges(args.only):
        res = _run(_siting_worker, k, args.time_limit, args.time_limit * 3 + 60)
        name = f"pmed{k}"
        res.setdefault("instance", name)
        res["optimum"] = optima[name]
        if res.get("finished"):
            res["bound_valid"] = res["bound"] <= optima[name] + 1e-6
            res["objective_is_optimum"] = abs(res["objective"] - optima[name]) <= 1e-6
            res["gap"] = (res["objective"] - res["bound"]) / res["objective"]
        print(json.dumps(res), flush=True)
        runs.append(res)
    siting_wall = time.perf_counter() - t_all
    done = [r for r in runs if r.get("finished")]
    largest = max(done, key=lambda r: (r["n"], r["peak_rss_mb"])) if done else None
    spopt_runs = []
    spopt_ids = _ranges(args.spopt)
    if spopt_ids and (importlib.util.find_spec("spopt") is None or
                      importlib.util.find_spec("pulp") is None):
        print("spopt and pulp are needed for the comparison: pip install -e '.[bench]'",
              file=sys.stderr)
        spopt_ids = []
    by_name = {r["instance"]: r for r in runs}
    for k in spopt_ids:
        name = f"pmed{k}"
        res = _run(_spopt_worker, k, args.spopt_timeout, args.spopt_timeout + 60)
        res["instance"] = name
        res["optimum"] = optima[name]
        mine = by_name.get(name)
        if res.get("finished") and mine and mine.get("finished"):
            res["objective_matches_optimum"] = abs(res["objective"] - optima[name]) <= 1e-6
            res["seconds_ratio_spopt_over_siting"] = round(res["seconds"] /
                                                           max(mine["seconds"], 1e-3), 1)
        print(json.dumps(res), flush=True)
        spopt_runs.append(res)
    out = {
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "note": "shared machine: other jobs ran beside this benchmark (see "
                            "load_average_1min per run; 2 cores), so 'seconds' are wall clock "
                            "under load; 'cpu_seconds' is the solver process's own CPU time"},
        "time_limit_seconds": args.time_limit,
        "summary": {
            "instances": len(runs),
            "proved_optimal": sum(r.get("status") == "optimal" for r in runs),
            "optimum_found": sum(bool(r.get("objective_is_optimum")) for r in runs),
            "every_bound_valid": all(r.get("bound_valid", False) for r in runs),
            "every_optimal_status_true": all(r.get("objective_is_optimum", False)
                                             for r in runs if r.get("status") == "optimal"),
            "max_seconds": max((r["seconds"] for r in done), default=None),
            "total_seconds": round(sum(r["seconds"] for r in done), 1),
            "max_cpu_seconds": max((r["cpu_seconds"] for r in done), default=None),
            "total_cpu_seconds": round(sum(r["cpu_seconds"] for r in done), 1),
            "over_10_cpu_seconds": [r["instance"] for r in done if r["cpu_seconds"] > 10],
            "over_10_seconds": [r["instance"] for r in done if r["seconds"] > 10],
            "not_optimal": [r["instance"] for r in runs if r.get("status") != "optimal"],
            "largest_instance": None if largest is None else largest["instance"],
            "largest_instance_peak_rss_mb": None if largest is None else
            largest["peak_rss_mb"],
            "max_peak_rss_mb": max((r["peak_rss_mb"] for r in done), default=None),
            "wall_seconds_siting": round(siting_wall, 1),
        },
        "runs": runs,
        "spopt": {"instances": [f"pmed{k}" for k in spopt_ids],
                  "subset_note": "spopt + CBC run on this subset only (the classical "
                                 "formulation with n² assignment columns; larger instances "
                                 "were left out for the run's time)",
                  "timeout_seconds": args.spopt_timeout, "runs": spopt_runs},
        "wall_seconds": round(time.perf_counter() - t_all, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=RESULTS.parent, delete=False,
                                     suffix=".tmp") as fh:
        json.dump(out, fh, indent=1)
    os.replace(fh.name, RESULTS)
    print(json.dumps(out["summary"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
