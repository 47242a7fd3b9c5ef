"""Isochrone polygons: the streets reachable from a source within a threshold, buffered.

Streets reached only part-way are cut where the threshold runs out, so a 500 m isochrone does
not stretch to the far end of a long street. The polygons are for maps; who is covered is
always decided from network costs (:func:`siting.network.reach_matrix`), never from polygons.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .graph import Network
from .paths import _group, seeded_node_reach
from .snap import Snapped, attachments

SAMPLES_PER_PARTIAL_STREET = 8


def _partial_lines(network: Network, street: np.ndarray, start: np.ndarray, stop: np.ndarray
                   ) -> np.ndarray:
    """Pieces of ``street`` from ``start`` to ``stop`` metres (vectorised substring)."""
    k = SAMPLES_PER_PARTIAL_STREET
    fractions = np.linspace(0.0, 1.0, k)
    positions = start[:, None] + (stop - start)[:, None] * fractions[None, :]
    points = shapely.line_interpolate_point(np.repeat(network.street_geometry[street], k),
                                            positions.ravel())
    coords = shapely.get_coordinates(points)
    return shapely.linestrings(coords, indices=np.repeat(np.arange(len(street)), k))


def isochrone_polygons(network: Network, sources: Snapped, *, weight: str,
                       thresholds: Sequence[float], labels: Sequence[str],
                       source_index: np.ndarray, crs: object, buffer_m: float = 30.0,
                       points: np.ndarray | None = None) -> gpd.GeoDataFrame:
    """One polygon per (source, threshold): reachable streets buffered by ``buffer_m``.

    Returns a GeoDataFrame with ``source`` (id from ``source_index``), ``threshold`` (label),
    ``cost_limit`` (metres or seconds) and ``geometry``. With ``points`` (the sources'
    geometries) the connector from each source to its street is drawn too.
    """
    cutoff = float(max(thresholds))
    sp, sn, sc = attachments(network, sources, weight, "source")
    seed_ptr, seed_node, seed_cost = _group(sp, len(sources), sn, sc)
    src, node, cost = seeded_node_reach(network, weight, seed_ptr, seed_node, seed_cost,
                                        np.flatnonzero(sources.ok).astype(np.int64), cutoff)
    reached = pd.DataFrame({"src": src, "node": node, "cost": cost})
    # seconds per metre of each street, so time budgets convert into distance along it
    rate = np.ones(len(network.street_u))
    if weight == "time":
        edge = np.where(network.street_fwd >= 0, network.street_fwd, network.street_bwd)
        rate = network.edge_time[edge] / np.maximum(network.edge_length[edge], 1e-9)
    streets = pd.DataFrame({"street": np.arange(len(network.street_u)),
                            "u": network.street_u, "v": network.street_v,
                            "length": network.street_length, "rate": rate,
                            "fwd": network.street_fwd >= 0, "bwd": network.street_bwd >= 0})
    rows = []
    for limit, label in zip(thresholds, labels):
        within = reached[reached["cost"] <= limit]
        pieces = []
        for end, allowed, from_start in (("u", "fwd", True), ("v", "bwd", False)):
            joined = within.merge(streets[streets[allowed]], left_on="node", right_on=end)
            metres = np.minimum((limit - joined["cost"].to_numpy()) / joined["rate"].to_numpy(),
                                joined["length"].to_numpy())
            length = joined["length"].to_numpy()
            start = np.zeros(len(joined)) if from_start else length - metres
            stop = metres if from_start else length
            pieces.append(pd.DataFrame({"src": joined["src"].to_numpy(),
                                        "geometry": _partial_lines(network,
                                                                   joined["street"].to_numpy(),
                                                                   start, stop)}))
        # the source's own street, out to where the budget ends in each allowed direction
        ok = np.flatnonzero(sources.ok)
        s = sources.street[ok]
        budget = (limit - np.where(weight == "time", sources.distance[ok] / network.speed_mps,
                                   sources.distance[ok])) / rate[s]
        off = sources.offset[ok]
        lo = np.clip(off - np.where(network.street_bwd[s] >= 0, budget, 0), 0, None)
        hi = np.minimum(off + np.where(network.street_fwd[s] >= 0, budget, 0),
                        network.street_length[s])
        keep = budget > 0
        pieces.append(pd.DataFrame({"src": ok[keep],
                                    "geometry": _partial_lines(network, s[keep], lo[keep],
                                                               hi[keep])}))
        if points is not None:
            attach = shapely.line_interpolate_point(network.street_geometry[s[keep]], off[keep])
            pieces.append(pd.DataFrame({"src": ok[keep], "geometry": shapely.shortest_line(
                np.asarray(points)[ok[keep]], attach)}))
        lines = gpd.GeoDataFrame(pd.concat(pieces, ignore_index=True), geometry="geometry",
                                 crs=crs)
        lines["geometry"] = lines.buffer(buffer_m, quad_segs=4)
        polygons = lines.dissolve("src").reset_index()
        polygons["source"] = np.asarray(source_index)[polygons["src"].to_numpy()]
        polygons["threshold"] = label
        polygons["cost_limit"] = limit
        rows.append(polygons[["source", "threshold", "cost_limit", "geometry"]])
    return gpd.GeoDataFrame(pd.concat(rows, ignore_index=True), geometry="geometry", crs=crs)
