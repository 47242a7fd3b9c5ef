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
    # seconds per metre of each street, so time budgets convert into distance along it
    rate = np.ones(len(network.street_u))
    if weight == "time":
        edge = np.where(network.street_fwd >= 0, network.street_fwd, network.street_bwd)
        rate = network.edge_time[edge] / np.maximum(network.edge_length[edge], 1e-9)
    # the streets leaving each node, in street order: forward from u, backward from v
    ends = {}
    for end, allowed in (("u", network.street_fwd >= 0), ("v", network.street_bwd >= 0)):
        ids = np.flatnonzero(allowed)
        nodes = (network.street_u if end == "u" else network.street_v)[ids]
        order = np.argsort(nodes, kind="stable")
        ends[end] = (ids[order], np.searchsorted(nodes[order], np.arange(network.n_nodes + 1)))
    # the source's own street, out to where the budget ends in each allowed direction
    ok = np.flatnonzero(sources.ok)
    s = sources.street[ok]
    off = sources.offset[ok]
    attach = shapely.line_interpolate_point(network.street_geometry[s], off) \
        if points is not None else None
    source_index = np.asarray(source_index)
    rows = []
    for limit, label in zip(thresholds, labels):
        within = np.flatnonzero(cost <= limit)
        w_src, w_node, w_cost = src[within], node[within], cost[within]
        piece_src, piece_geom = [], []
        for end, from_start in (("u", True), ("v", False)):
            # (reached node, street leaving it): the rows a merge on the node would give,
            # in the same order (reached rows in order, a node's streets in street order)
            street_ids, ptr = ends[end]
            count = ptr[w_node + 1] - ptr[w_node]
            row = np.repeat(np.arange(len(w_node)), count)
            first = np.repeat(ptr[w_node] - np.cumsum(count) + count, count)
            street = street_ids[first + np.arange(len(row))]
            length = network.street_length[street]
            metres = np.minimum((limit - w_cost[row]) / rate[street], length)
            start = np.zeros(len(row)) if from_start else length - metres
            stop = metres if from_start else length
            piece_src.append(w_src[row])
            piece_geom.append(_partial_lines(network, street, start, stop))
        budget = (limit - np.where(weight == "time", sources.distance[ok] / network.speed_mps,
                                   sources.distance[ok])) / rate[s]
        lo = np.clip(off - np.where(network.street_bwd[s] >= 0, budget, 0), 0, None)
        hi = np.minimum(off + np.where(network.street_fwd[s] >= 0, budget, 0),
                        network.street_length[s])
        keep = budget > 0
        piece_src.append(ok[keep])
        piece_geom.append(_partial_lines(network, s[keep], lo[keep], hi[keep]))
        if points is not None:
            piece_src.append(ok[keep])
            piece_geom.append(shapely.shortest_line(np.asarray(points)[ok[keep]],
                                                    attach[keep]))
        owner = np.concatenate(piece_src).astype(np.int64)
        shapes = shapely.buffer(np.concatenate(piece_geom), buffer_m, quad_segs=4)
        # one union per source of its buffered pieces, in their order (what dissolve did)
        order = np.argsort(owner, kind="stable")
        keys, cut = np.unique(owner[order], return_index=True)
        groups = np.split(shapes[order], cut[1:]) if len(keys) else []
        rows.append(gpd.GeoDataFrame(
            {"source": source_index[keys], "threshold": label, "cost_limit": limit},
            geometry=np.array([shapely.union_all(g) for g in groups], dtype=object), crs=crs))
    return gpd.GeoDataFrame(pd.concat(rows, ignore_index=True), geometry="geometry", crs=crs)
