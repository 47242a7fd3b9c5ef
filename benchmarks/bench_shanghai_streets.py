"""Shanghai on real streets: what noding by level and the case studies cost.

* Noding the Bund–Lujiazui centrelines by level (``node_lines``) against shapely's own
  all-crossings noder (``shapely.node``, which knows no bridges): the ratio of the two in the
  same run.
* The walk network of People's Square from the drive-only XML (``from_osm_xml``) against
  osmnx reading the same file (``osmnx.graph_from_xml``), the peer it wraps.
* The two case-study study areas, their assessments and proposals (notebook 07).

    python benchmarks/bench_shanghai_streets.py

Writes benchmarks/results/shanghai_streets.json.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data"
OSM = DATA / "china" / "shanghai_osm"


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    import geopandas as gpd
    import osmnx as ox
    import shapely

    import siting.network as sn
    import siting.shanghai_streets as ss
    from siting import assess
    from siting.network.noding import node_lines
    from siting.propose import propose

    roads = gpd.read_file(OSM / "bund_lujiazui_roads.gpkg").to_crs("EPSG:32651")
    out: dict[str, object] = {"machine": platform.platform(), "python": platform.python_version()}
    ours = best_of(lambda: node_lines(roads, snap_m=1.0))
    peer = best_of(lambda: shapely.node(shapely.MultiLineString(
        [g for m in roads.geometry for g in m.geoms])))
    out["noding_s"] = {"node_lines": ours, "shapely.node": peer, "ratio": ours / peer}
    xml = OSM / "peoples_square_drive.osm"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        osmnx_s = best_of(lambda: ox.graph_from_xml(str(xml), bidirectional=True,
                                                    simplify=False, retain_all=True))
    walk_s = best_of(lambda: sn.from_osm_xml(xml, "walk"))
    out["walk_from_drive_s"] = {"from_osm_xml": walk_s, "osmnx.graph_from_xml": osmnx_s,
                                "ratio": walk_s / osmnx_s}
    steps: dict[str, float] = {}
    for name, build, rules in (("peoples_square", ss.peoples_square,
                                ["GB50180-KG", "QD21-25", "SH16-18"]),
                               ("bund_lujiazui", ss.bund_lujiazui, ["GB50180-KG", "QD21-25"])):
        start = time.perf_counter()
        area = build(DATA)
        steps[f"{name}.study_area"] = time.perf_counter() - start
        start = time.perf_counter()
        assess(area, rules)
        steps[f"{name}.assess"] = time.perf_counter() - start
        start = time.perf_counter()
        plan = propose(area, ["GB50180-KG", "QD21-25"], time_limit=60, infeasible="relax")
        steps[f"{name}.propose"] = time.perf_counter() - start
        steps[f"{name}.sites"] = float(len(plan.sites))
        steps[f"{name}.residents"] = area.population
    out["case_studies"] = steps
    out["median_case_step_s"] = statistics.median(
        v for k, v in steps.items() if k.endswith(("study_area", "assess", "propose")))
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "shanghai_streets.json").write_text(json.dumps(out, indent=2,
                                                                      ensure_ascii=False))
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
