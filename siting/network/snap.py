"""Attach points to the nearest street with their offset along it.

Snapping to the street (not to its nearest node) matters on long blocks: a cell half-way along
a 400 m street is 200 m from either end, not 0 m from one of them. Points with no street
within the maximum snap distance are kept and reported, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from ..errors import SnapError
from .graph import Network


@dataclass(frozen=True)
class Snapped:
    """Points attached to a network.

    Attributes
    ----------
    ok
        True where a street lies within the snap distance.
    street
        Street index (-1 where not ok).
    offset
        Metres along the street from its ``u`` end to the attachment point.
    distance
        Metres from the point to the street (the connector walked or driven first/last).
    """

    ok: np.ndarray
    street: np.ndarray
    offset: np.ndarray
    distance: np.ndarray

    def __len__(self) -> int:
        return len(self.ok)

    def subset(self, index: np.ndarray) -> Snapped:
        return Snapped(self.ok[index], self.street[index], self.offset[index],
                       self.distance[index])

    def require_all(self, layer: str, ids: np.ndarray, max_distance: float) -> None:
        """Raise :class:`SnapError` naming the points that found no street."""
        bad = np.flatnonzero(~self.ok)
        if len(bad):
            raise SnapError(
                f"{layer}", [ids[i].item() if hasattr(ids[i], "item") else ids[i] for i in bad[:10]],
                f"{len(bad)} points lie farther than {max_distance:,.0f} m from every street",
                "move them onto the street network, check their CRS, or raise snap_distance "
                "for this mode",
            )


def snap_points(network: Network, points: np.ndarray, max_distance: float) -> Snapped:
    """Snap point geometries (same CRS as ``network``) to their nearest streets.

    Of equally near streets the lowest-numbered wins, so the same points snap the same way on
    any copy of the network that keeps those streets in order.

    Parameters
    ----------
    network
        The street network.
    points
        Array of shapely Points.
    max_distance
        Metres; points farther from every street are marked not ok.
    """
    points = np.asarray(points, dtype=object)
    n = len(points)
    street = np.full(n, -1, np.int64)
    distance = np.full(n, np.inf)
    offset = np.zeros(n)
    if n:
        tree = network.street_tree()
        (point_idx, street_idx), dist = tree.query_nearest(
            points, max_distance=max_distance, return_distance=True, all_matches=True)
        # a point facing a junction is equally near every street meeting there: take the
        # lowest-numbered, not whichever the tree meets first, so the answer is the same on
        # any network that keeps these streets in order (a batch task's cut network)
        order = np.lexsort((street_idx, point_idx))
        point_idx, street_idx, dist = point_idx[order], street_idx[order], dist[order]
        first = np.unique(point_idx, return_index=True)[1]
        point_idx, street_idx, dist = point_idx[first], street_idx[first], dist[first]
        street[point_idx] = street_idx
        distance[point_idx] = dist
        offset[point_idx] = shapely.line_locate_point(
            network.street_geometry[street_idx], points[point_idx])
    ok = street >= 0
    offset = np.clip(offset, 0.0, np.where(ok, network.street_length[np.maximum(street, 0)], 0.0))
    return Snapped(ok=ok, street=street, offset=offset, distance=distance)


def attachments(network: Network, snapped: Snapped, weight: str, role: str
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each snapped point enters (``role="source"``) or leaves (``"target"``) the graph.

    Returns ``(point, node, cost)`` arrays: a source reaches ``node`` at ``cost``; a target is
    reached from ``node`` with ``cost`` added. Cost includes the connector to the street and
    the part of the street travelled, in metres or seconds.
    """
    idx = np.flatnonzero(snapped.ok)
    s = snapped.street[idx]
    off = snapped.offset[idx]
    length = network.street_length[s]
    connector = snapped.distance[idx]
    if weight == "time":
        connector = connector / network.speed_mps
    fwd, bwd = network.street_fwd[s], network.street_bwd[s]
    # travelling u → v (forward edge) passes the point after ``off`` metres
    if role == "source":
        legs = [(fwd, network.street_v[s], length - off), (bwd, network.street_u[s], off)]
    elif role == "target":
        legs = [(fwd, network.street_u[s], off), (bwd, network.street_v[s], length - off)]
    else:
        raise ValueError(role)
    # a point lying on a node is at that node whatever the street's direction: without this
    # leg a point on a junction attached to a one-way street leading away from it could only
    # leave (or be reached) by going round the block
    at_u, at_v = off <= 1e-9, off >= length - 1e-9
    all_ok = np.ones(len(idx), np.int64)
    legs += [(np.where(at_u, all_ok, -1), network.street_u[s], np.zeros(len(idx))),
             (np.where(at_v, all_ok, -1), network.street_v[s], np.zeros(len(idx)))]
    points, nodes, costs = [], [], []
    for edge, node, metres in legs:
        has = edge >= 0
        along = metres[has]
        if weight == "time" and along.any():
            edge_len = network.edge_length[edge[has]]
            seconds_per_m = np.divide(network.edge_time[edge[has]], edge_len,
                                      out=np.zeros_like(edge_len), where=edge_len > 0)
            along = along * seconds_per_m
        points.append(idx[has])
        nodes.append(node[has])
        costs.append(connector[has] + along)
    return np.concatenate(points), np.concatenate(nodes), np.concatenate(costs)


def same_street_costs(network: Network, sources: Snapped, targets: Snapped, weight: str
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Direct source → target costs for pairs on the same street (no node in between)."""
    s_ids, t_ids = np.flatnonzero(sources.ok), np.flatnonzero(targets.ok)
    s_street, t_street = sources.street[s_ids], targets.street[t_ids]
    # the pairs an inner join on the street gives, in its order: sources in order, and for
    # each the targets on its street in their order (arrays: this runs once per search)
    by_street = np.argsort(t_street, kind="stable")
    sorted_street = t_street[by_street]
    lo = np.searchsorted(sorted_street, s_street, side="left")
    count = np.searchsorted(sorted_street, s_street, side="right") - lo
    if not count.any():
        empty = np.zeros(0, np.int64)
        return empty, empty, np.zeros(0)
    left = np.repeat(np.arange(len(s_ids)), count)
    right = by_street[np.repeat(lo - np.cumsum(count) + count, count) + np.arange(len(left))]
    pairs = {"s": s_ids[left], "street": s_street[left],
             "so": sources.offset[s_ids][left], "sd": sources.distance[s_ids][left],
             "t": t_ids[right], "to": targets.offset[t_ids][right],
             "td": targets.distance[t_ids][right]}
    street = pairs["street"]
    delta = pairs["to"] - pairs["so"]
    edge = np.where(delta >= 0, network.street_fwd[street], network.street_bwd[street])
    allowed = edge >= 0
    along = np.abs(delta)
    connector = pairs["sd"] + pairs["td"]
    if weight == "time":
        e = np.maximum(edge, 0)
        edge_len = network.edge_length[e]
        rate = np.divide(network.edge_time[e], edge_len, out=np.zeros_like(edge_len),
                         where=edge_len > 0)
        along = along * rate
        connector = connector / network.speed_mps
    cost = connector + along
    return pairs["s"][allowed], pairs["t"][allowed], cost[allowed]
