"""Distance core vs networkx, scipy and pandana on the real Las Palmas walk network.

2,000 random source nodes, 1,000 m cutoff, every node within reach of each source. Each
method runs in its own process so peak memory is its own; all must return identical
distances. pandana is AGPL: it is used here only, never by the library.

    python benchmarks/bench_distances.py [--sources 2000] [--cutoff 1000]

Writes benchmarks/results/distances.json.
"""

from __future__ import annotations

import argparse
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
PBF = HERE.parent.parent / "shared" / "data" / "las_palmas" / "las_palmas_2023-02-21.osm.pbf"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load_network():
    import siting.network as sn

    return sn.from_pbf(PBF, "walk")


def run_siting(network, sources, cutoff):
    import siting.network as sn

    sn.node_distances(network, sources[:2], cutoff=cutoff)  # compile outside the timing
    start = time.perf_counter()
    reach = sn.node_distances(network, sources, cutoff=cutoff)
    seconds = time.perf_counter() - start
    return seconds, (reach.source, reach.target, reach.cost)


def run_networkx(network, sources, cutoff):
    import networkx as nx

    indptr, indices, weights = network.csr("length")
    graph = nx.DiGraph()
    graph.add_nodes_from(range(network.n_nodes))
    tails = np.repeat(np.arange(network.n_nodes), np.diff(indptr))
    graph.add_weighted_edges_from(zip(tails.tolist(), indices.tolist(), weights.tolist()))
    start = time.perf_counter()
    s, t, c = [], [], []
    for i, source in enumerate(sources):
        lengths = nx.single_source_dijkstra_path_length(graph, int(source), cutoff=cutoff)
        s.append(np.full(len(lengths), i))
        t.append(np.fromiter(lengths.keys(), np.int64, len(lengths)))
        c.append(np.fromiter(lengths.values(), float, len(lengths)))
    seconds = time.perf_counter() - start
    return seconds, (np.concatenate(s), np.concatenate(t), np.concatenate(c))


def run_scipy(network, sources, cutoff, chunk=250):
    from scipy.sparse.csgraph import dijkstra

    matrix = network.scipy_matrix("length")
    start = time.perf_counter()
    s, t, c = [], [], []
    for first in range(0, len(sources), chunk):
        block = dijkstra(matrix, directed=True, indices=sources[first:first + chunk],
                         limit=cutoff)
        rows, cols = np.nonzero(np.isfinite(block))
        s.append(rows + first)
        t.append(cols)
        c.append(block[rows, cols])
    seconds = time.perf_counter() - start
    return seconds, (np.concatenate(s), np.concatenate(t), np.concatenate(c))


def run_pandana(network, sources, cutoff):
    import pandana
    import pandas as pd

    indptr, indices, weights = network.csr("length")
    tails = np.repeat(np.arange(network.n_nodes), np.diff(indptr))
    start = time.perf_counter()  # pandana's build (contraction hierarchies) is part of its cost
    net = pandana.Network(pd.Series(network.x), pd.Series(network.y), pd.Series(tails),
                          pd.Series(indices), pd.DataFrame({"length": weights}), twoway=False)
    built = time.perf_counter()
    result = net.nodes_in_range(list(map(int, sources)), cutoff)
    seconds = time.perf_counter() - start
    position = {int(node): i for i, node in enumerate(sources)}
    s = result["source"].map(position).to_numpy()
    return seconds, (s, result["destination"].to_numpy(np.int64), result["length"].to_numpy()), \
        built - start


METHODS = {"siting": run_siting, "networkx": run_networkx, "scipy_chunked": run_scipy,
           "pandana": run_pandana}


REPEATS = 5  # every method runs this often in its process; the best time counts


def _worker(name, sources, cutoff, path):
    network = load_network()
    base = _rss_mb()
    out, runs = None, []
    for _ in range(REPEATS):
        run = METHODS[name](network, sources, cutoff)
        runs.append(run[0])
        if out is None or run[0] < out[0]:
            out = run
        del run  # only the best run's pairs stay in memory
    seconds, (s, t, c) = out[0], out[1]
    order = np.lexsort((t, s))
    # results go through a file: large arrays through a multiprocessing queue can hang
    np.savez(path, s=s[order], t=t[order], c=c[order],
             meta=np.array([seconds, _rss_mb() - base, out[2] if len(out) > 2 else np.nan]),
             runs=np.array(runs))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--cutoff", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not PBF.exists():
        print(f"missing {PBF}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    network = load_network()
    load_seconds = time.perf_counter() - started
    rng = np.random.default_rng(args.seed)
    sources = rng.choice(network.n_nodes, args.sources, replace=False).astype(np.int64)
    ctx = mp.get_context("spawn")
    results = {}
    scratch = Path(tempfile.mkdtemp(prefix="siting-bench-"))
    for name in METHODS:
        path = scratch / f"{name}.npz"
        proc = ctx.Process(target=_worker, args=(name, sources, args.cutoff, path))
        proc.start()
        proc.join(timeout=1800)
        if proc.exitcode != 0 or not path.exists():  # e.g. pandana not installed
            results[name] = {"name": name, "error": f"exit code {proc.exitcode}"}
        else:
            data = np.load(path)
            seconds, peak, build = data["meta"]
            runs = [round(float(x), 4) for x in data["runs"]]
            results[name] = {"name": name, "seconds": float(seconds),
                             "peak_mb_over_loaded": float(peak), "pairs": int(len(data["c"])),
                             "s": data["s"], "t": data["t"], "c": data["c"],
                             "build_seconds": None if np.isnan(build) else float(build),
                             "runs": runs}
        print(name, {k: v for k, v in results[name].items() if k not in ("s", "t", "c")},
              flush=True)
    ref = results["siting"]
    report = {
        "network": {"file": PBF.name, "mode": "walk", "nodes": network.n_nodes,
                    "edges": network.n_edges, "load_seconds": round(load_seconds, 2)},
        "sources": args.sources, "cutoff_m": args.cutoff, "seed": args.seed,
        "timing": f"best of {REPEATS} runs per method, each method in its own process",
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_start": os.getloadavg()[0]},
        "pairs_within_cutoff": ref["pairs"], "methods": {},
    }
    for name, res in results.items():
        if "error" in res:
            report["methods"][name] = {"error": res["error"]}
            continue
        key_ref = ref["s"] * network.n_nodes + ref["t"]
        key = res["s"] * network.n_nodes + res["t"]
        common, in_ref, in_res = np.intersect1d(key_ref, key, return_indices=True)
        same_pairs = len(common) == len(key_ref) == len(key)
        max_diff = float(np.max(np.abs(res["c"][in_res] - ref["c"][in_ref]))) if len(common) else None
        report["methods"][name] = {
            "seconds": round(res["seconds"], 4),
            "build_seconds": None if res["build_seconds"] is None else round(res["build_seconds"], 3),
            "every_run_seconds": res["runs"],
            "peak_mb_over_loaded_network": round(res["peak_mb_over_loaded"], 1),
            "pairs": res["pairs"], "identical_pairs": bool(same_pairs),
            "pairs_siting_lacks": int(len(key) - len(common)),
            "pairs_method_lacks": int(len(key_ref) - len(common)),
            "max_abs_difference_m_on_common_pairs": max_diff,
            "siting_speedup": round(res["seconds"] / ref["seconds"], 1),
        }
    out = HERE / "results" / "distances.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
