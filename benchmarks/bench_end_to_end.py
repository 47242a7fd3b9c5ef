"""End-to-end: the demo, Las Palmas as one study area, and Liechtenstein serial vs Dask.

The demo: ``siting demo`` run twice in one process, the second (warm) recorded as
``demo_seconds``, split into assess (the town's and each district's), propose (each
district's, its "after" assessment included) and the rest of the report (maps, pages,
files); ``report_share`` is the report's part of the Las Palmas total.

Las Palmas (../shared/data/las_palmas): walk and drive networks from the .osm.pbf, population
from OSM buildings on a 100 m grid, the official secondary-school catchments as districts,
facilities from OSM POIs, six rules, proposals, the full report. Targets: < 60 s, < 4 GB.

Liechtenstein (../shared/data/liechtenstein): its 11 municipalities (OSM admin level 8), the
same report serially and on a Dask LocalCluster of 2 workers; the ratio is recorded, and what
each district's task is sent (``task_inputs``): the pickled size of its slice of the inputs
(BatchInputs.slice_for) against the whole inputs, and the nodes of its walk network.

Each part runs in a fresh process so its peak memory is its own.

    python benchmarks/bench_end_to_end.py                       # both parts
    python benchmarks/bench_end_to_end.py --only liechtenstein  # one part; the others' results
                                                                # in the JSON file are kept

Writes benchmarks/results/end_to_end.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import pickle
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data"


def _rules():
    from siting.rules import AccessRule, FacilitiesPerPopulationRule, PerUnitRule, load_rules

    catalogue = list(load_rules(["GB50180-KG", "SH16-18"]))  # kindergarten 300 m; EMS 3.5 km
    return catalogue + [
        AccessRule(id="E2E-SCHOOL", facility="school", threshold="15 min", mode="walk",
                   share="85 %", name="85 % within a 15-minute walk of a school"),
        AccessRule(id="E2E-CLINIC", facility="clinic", threshold="15 min", mode="walk",
                   share="85 %", name="85 % within a 15-minute walk of a clinic"),
        FacilitiesPerPopulationRule(id="E2E-PHARMACY", facility="pharmacy",
                                    per="5000-10000 people"),
        PerUnitRule(id="E2E-SPORT", facility="sports_ground"),
    ]


def las_palmas(queue) -> None:
    import geopandas as gpd

    import siting
    from siting.report import ReportOptions, write_reports

    marks = {}
    t0 = time.perf_counter()
    catchments = gpd.read_file(DATA / "las_palmas" / "secondary_school_catchments.geojson")
    area = siting.StudyArea.from_osm(DATA / "las_palmas" / "las_palmas_2023-02-21.osm.pbf",
                                     districts=catchments, district_col="Denominaci",
                                     cell_size_m=100)
    marks["load_study_area"] = time.perf_counter() - t0
    rules = _rules()
    t = time.perf_counter()
    assessment = siting.assess(area, rules)
    marks["assess"] = time.perf_counter() - t
    t = time.perf_counter()
    proposal = siting.propose(area, rules, assessment=assessment, time_limit=20,
                              infeasible="relax")
    marks["propose"] = time.perf_counter() - t
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        sites = proposal.sites

        def district_sites(district_area, _assessment):
            # the whole-city proposal, shown district by district (sites serve across borders)
            return sites[sites["district"].isin(district_area.districts["district"])]

        result = write_reports(area, rules, out, progress=False, options=ReportOptions(
            title="Las Palmas", lang="en", tiles=None, maps=["GB50180-KG"],
            proposals=district_sites))
        report_files = sum(1 for _ in Path(out).rglob("*") if _.is_file())
    marks["report"] = time.perf_counter() - t
    total = time.perf_counter() - t0
    verdicts = proposal.after.verdicts().set_index("rule_id")["passed"]
    queue.put({
        "districts": len(area.districts), "cells": len(area.cells),
        "residents": round(area.population), "facilities": len(area.facilities),
        "walk_nodes": area.networks["walk"].n_nodes, "drive_nodes": area.networks["drive"].n_nodes,
        "rules": [r.id for r in rules],
        "rules_failing_before": int((assessment.verdicts()["passed"] == False).sum()),  # noqa: E712
        "new_sites": len(proposal.sites), "proposal_status": proposal.solution["status"],
        "unmet_targets": len(proposal.unmet),
        "proposal_gap": proposal.solution["gap"],
        "rules_passing_after": [r for r in verdicts.index if verdicts[r] is True or verdicts[r] == True],  # noqa: E712
        "report_districts_ok": sum(o.status == "ok" for o in result.outcomes),
        "report_files": report_files,
        "seconds": {k: round(v, 2) for k, v in marks.items()} | {"total": round(total, 2)},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    })


def liechtenstein(queue) -> None:
    import siting
    from siting.batch import executor_for
    from siting.report import ReportOptions, write_reports
    from siting.report.batch import BatchInputs

    area = siting.StudyArea.from_osm(DATA / "liechtenstein" / "liechtenstein.osm.pbf",
                                     admin_level=8, admin_within="Liechtenstein",
                                     cell_size_m=200, modes=("walk",))
    rules = [r for r in _rules() if r.id in ("GB50180-KG", "E2E-SCHOOL", "E2E-SPORT")]
    inputs = BatchInputs.from_area(area)
    options = ReportOptions(title="Liechtenstein", lang="en", tiles=None)

    # what each district's task is sent: its slice, against the whole inputs sent before
    whole_mb = len(pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL)) / 1e6
    per_district = {}
    for name in inputs.names:
        t = time.perf_counter()
        part = inputs.slice_for(name, rules, options)
        seconds = time.perf_counter() - t
        per_district[name] = {
            "slice_mb": round(len(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)) / 1e6, 2),
            "walk_nodes": part.networks["walk"].n_nodes, "facilities": len(part.facilities),
            "slicing_seconds": round(seconds, 3)}
    sizes = [d["slice_mb"] for d in per_district.values()]
    nodes = [d["walk_nodes"] for d in per_district.values()]
    task_inputs = {
        "whole_inputs_mb": round(whole_mb, 2), "whole_walk_nodes": inputs.networks["walk"].n_nodes,
        "whole_facilities": len(inputs.facilities),
        "slice_mb_largest": max(sizes), "slice_mb_median": round(statistics.median(sizes), 2),
        "slice_walk_nodes_largest": max(nodes),
        "slice_walk_nodes_median": round(statistics.median(nodes)),
        "per_district": per_district}
    times, summaries = {}, {}
    for label, kwargs in (("serial", {"workers": 1}), ("dask_2_workers",
                                                      {"scheduler": "local", "workers": 2})):
        executor, close = executor_for(**kwargs)
        with tempfile.TemporaryDirectory() as out:
            t = time.perf_counter()
            result = write_reports(inputs, rules, out, options=options, progress=False,
                                   executor=executor)
            times[label] = time.perf_counter() - t
        close()
        summaries[label] = result.summary.sort_values(["district", "rule_id"]).reset_index(drop=True)
    identical = summaries["serial"].equals(summaries["dask_2_workers"])
    queue.put({"municipalities": len(area.districts), "seconds": {k: round(v, 2) for k, v in times.items()},
               "dask_speedup": round(times["serial"] / times["dask_2_workers"], 2),
               "identical_results": bool(identical), "task_inputs": task_inputs})


def demo(queue) -> None:
    """``siting demo`` (the town, 9 districts, 3 rules, proposals, maps), run twice in this
    process; the second (warm: imports, numba and file caches done) is recorded, with the
    time inside assess, propose and the rest of the report (maps, pages, files)."""
    import contextlib
    import io

    from siting import cli

    spent = {"assess": 0.0, "propose": 0.0, "write_reports": 0.0, "assess_in_report": 0.0}
    active = {"assess": False, "propose": False, "write_reports": False}

    def timed(module_name: str, attr: str, label: str) -> None:
        module = sys.modules[module_name]
        inner = getattr(module, attr)

        def wrapper(*args, **kwargs):
            # an assess inside propose (the "after" assessment) is propose's time
            counted = not (label == "assess" and active["propose"])
            active[label] = True
            t = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                active[label] = False
                if counted:
                    spent[label] += time.perf_counter() - t
                    if label == "assess" and active["write_reports"]:
                        spent["assess_in_report"] += time.perf_counter() - t

        setattr(module, attr, wrapper)

    import siting.assess  # noqa: F401  (the modules whose functions are timed)
    import siting.propose  # noqa: F401
    import siting.report  # noqa: F401

    timed("siting.assess", "assess", "assess")
    timed("siting.propose", "propose", "propose")
    timed("siting.report", "write_reports", "write_reports")
    runs = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(2):
            for key in spent:
                spent[key] = 0.0
            t, cpu = time.perf_counter(), time.process_time()
            with contextlib.redirect_stdout(io.StringIO()):
                code = cli.main(["demo", "--out", out, "--quiet", "--force"])
            runs.append({"seconds": time.perf_counter() - t, "exit": code,
                         "cpu_seconds": time.process_time() - cpu, **dict(spent)})
    warm = runs[-1]
    # assess runs once for the whole town, then in every district (and after each proposal)
    report = warm["write_reports"] - warm["propose"] - warm["assess_in_report"]
    inner_assess = warm["assess"]
    queue.put({
        "demo_seconds": round(warm["seconds"], 2), "cold_seconds": round(runs[0]["seconds"], 2),
        # on a shared machine the CPU time of this process says more than the wall clock
        "demo_cpu_seconds": round(warm["cpu_seconds"], 2),
        "exit": warm["exit"],
        "seconds": {"assess_all_calls": round(inner_assess, 2),
                    "propose": round(warm["propose"], 2),
                    "write_reports": round(warm["write_reports"], 2),
                    "report_without_assess_propose": round(report, 2)},
        "report_share": round(warm["write_reports"] / warm["seconds"], 3),
        "report_over_assess_propose": round(
            report / max(inner_assess + warm["propose"], 1e-9), 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)})


def _run(target) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(queue,))
    proc.start()
    try:
        while True:  # a worker that dies must not leave the benchmark waiting
            try:
                return queue.get(timeout=5)
            except Exception:  # queue.Empty
                if not proc.is_alive():
                    return {"error": f"worker exited with code {proc.exitcode}"}
    finally:
        proc.join()


PARTS = {"demo": demo, "las_palmas": las_palmas, "liechtenstein": liechtenstein}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(PARTS), action="append",
                        help="run only this part (repeatable); other parts' results are kept")
    args = parser.parse_args(argv)
    if not DATA.exists():
        print(f"missing {DATA}", file=sys.stderr)
        return 1
    out = HERE / "results" / "end_to_end.json"
    report = json.loads(out.read_text()) if args.only and out.exists() else {}
    for name in PARTS:  # results kept from an earlier run keep that run's load
        if isinstance(report.get(name), dict) and "machine" in report:
            report[name].setdefault("load_average_at_start",
                                    report["machine"].get("load_average_at_start"))
    report.update({"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                               "load_average_at_start": os.getloadavg()[0]},
                   "targets": {"las_palmas_seconds": 60, "las_palmas_peak_gb": 4, "demo_seconds": 8,
                               "report_over_assess_propose": 2, "dask_speedup": 1.6},
                   "shared_machine": "2 cores shared with other sessions: see the load "
                                     "averages"})
    for name in args.only or list(PARTS):
        load = os.getloadavg()[0]
        report[name] = _run(PARTS[name]) | {"load_average_at_start": load}
    if isinstance(report.get("demo"), dict) and "demo_seconds" in report["demo"]:
        report["demo_seconds"] = report["demo"]["demo_seconds"]
    lp = report.get("las_palmas", {}).get("seconds", {})
    if lp.get("total"):
        report["report_share"] = round(lp["report"] / lp["total"], 3)
        report["las_palmas"]["report_over_assess_propose"] = round(
            lp["report"] / (lp["assess"] + lp["propose"]), 2)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
