"""Road centrelines as planning bureaus keep them, noded into a street graph by level.

A bureau's road layer (路网 shp / gpkg / CAD export) is rarely noded: a street runs on through
the junctions it crosses, and an elevated road (高架) is drawn straight across the streets
below it. :func:`node_lines` cuts lines where they cross **on the same level** and never
where one of them is a bridge or tunnel, joins end points that nearly meet, and reports every
change it made, so a planner can see what the graph was built from.

Levels come from ``bridge`` / ``tunnel`` / ``layer`` columns (``is_bridge`` / ``is_tunnel``
as Tilezen and many exports name them): a line is *at grade* when it is neither a bridge nor a
tunnel and its layer is 0 or unset. Lines at grade are cut at every crossing; a bridge or
tunnel is cut only where another grade-separated line ends on it (a ramp joining an elevated
road), and it joins the streets at grade only through its end points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..errors import NetworkError

BRIDGE_COLUMNS = ("is_bridge", "bridge")
TUNNEL_COLUMNS = ("is_tunnel", "tunnel")
LAYER_COLUMNS = ("layer",)
_FALSE = {"", "no", "false", "0", "none", "nan", "<na>"}

# Streets nobody walks on even where OSM has only roads: elevated expressways (延安高架路,
# 南北高架路) are motorway/trunk on bridges, and the road tunnels under the Huangpu are
# closed to pedestrians. Footway bridges and underpasses stay walkable.
CAR_ONLY_ON_BRIDGES = ("motorway", "motorway_link", "trunk", "trunk_link")
CAR_ONLY_IN_TUNNELS = ("motorway", "motorway_link", "trunk", "trunk_link", "primary",
                       "primary_link", "secondary", "secondary_link", "tertiary",
                       "tertiary_link", "unclassified", "residential", "service")
DEFAULT_CAR_ONLY: dict[str, tuple[str, ...]] = {"bridge": CAR_ONLY_ON_BRIDGES,
                                                "tunnel": CAR_ONLY_IN_TUNNELS}
# Classes never walked whatever their level (osmnx's walk filter leaves these out too).
NEVER_WALKED = ("motorway", "motorway_link", "construction", "proposed", "raceway",
                "bus_guideway", "abandoned", "platform")
# Classes never driven (osmnx's drive filter); piers and steps of centreline layers too.
NEVER_DRIVEN = ("footway", "path", "pedestrian", "steps", "cycleway", "bridleway", "corridor",
                "track", "construction", "proposed", "raceway", "bus_guideway", "abandoned",
                "platform", "elevator", "service", "pier")


def flag_values(values: pd.Series | None, n: int) -> np.ndarray:
    """True where a bridge/tunnel tag says yes (``True``, ``"yes"``, ``"viaduct"``, ``1``)."""
    if values is None:
        return np.zeros(n, bool)
    text = values.astype("string").str.strip().str.lower().fillna("")
    return ~text.isin(_FALSE).to_numpy(dtype=bool)


def _find_column(lines: pd.DataFrame, given: str | None, candidates: tuple[str, ...],
                 field: str) -> str | None:
    if given == "auto":
        return next((c for c in candidates if c in lines.columns), None)
    if given is not None and given not in lines.columns:
        raise NetworkError(field, given, "no such column in the road layer",
                           f"use one of {list(lines.columns.drop('geometry'))}, 'auto' or None")
    return given


def line_levels(lines: pd.DataFrame, *, bridge_col: str | None = "auto",
                tunnel_col: str | None = "auto", layer_col: str | None = "auto"
                ) -> pd.DataFrame:
    """``bridge``, ``tunnel`` flags and integer ``layer`` per line (columns found or named)."""
    n = len(lines)
    bridge_col = _find_column(lines, bridge_col, BRIDGE_COLUMNS, "bridge_col")
    tunnel_col = _find_column(lines, tunnel_col, TUNNEL_COLUMNS, "tunnel_col")
    layer_col = _find_column(lines, layer_col, LAYER_COLUMNS, "layer_col")
    bridge = flag_values(lines[bridge_col] if bridge_col else None, n)
    tunnel = flag_values(lines[tunnel_col] if tunnel_col else None, n)
    if layer_col:
        layer = pd.to_numeric(lines[layer_col], errors="coerce").fillna(0).round()
        layer = layer.to_numpy(np.int64)
    else:
        layer = np.zeros(n, np.int64)
    table = pd.DataFrame({"bridge": bridge, "tunnel": tunnel, "layer": layer},
                         index=lines.index)
    table.attrs["columns"] = {"bridge": bridge_col, "tunnel": tunnel_col, "layer": layer_col}
    return table


def car_only(highway: pd.Series, bridge: np.ndarray, tunnel: np.ndarray,
             rule: Mapping[str, tuple[str, ...]] | None = None) -> np.ndarray:
    """True for streets left out of a walk network: ``rule["bridge"]`` classes on bridges,
    ``rule["tunnel"]`` classes in tunnels (default :data:`DEFAULT_CAR_ONLY`), and
    :data:`NEVER_WALKED` classes anywhere. ``rule={}`` keeps every level walkable."""
    rule = DEFAULT_CAR_ONLY if rule is None else rule
    unknown = set(rule) - {"bridge", "tunnel"}
    if unknown:
        raise NetworkError("car_only", sorted(unknown), "unknown level",
                           "give classes under 'bridge' and/or 'tunnel'")
    first = highway.astype("string").str.strip("[]' ").str.split(r"['\",; ]+").str[0]
    first = first.fillna("").to_numpy(dtype=object)
    out = np.isin(first, NEVER_WALKED)
    out |= bridge & np.isin(first, list(rule.get("bridge", ())))
    out |= tunnel & np.isin(first, list(rule.get("tunnel", ())))
    return out


def describe_car_only(rule: Mapping[str, tuple[str, ...]] | None = None) -> str:
    """The walk network's rule in one sentence, for ``build_report`` and reports."""
    rule = DEFAULT_CAR_ONLY if rule is None else rule
    levels = "; ".join(f"{', '.join(v)} {'on bridges' if k == 'bridge' else 'in tunnels'}"
                       for k, v in rule.items() if v)
    return ("walk: every street two-way; left out motorways, and "
            + (levels or "nothing on bridges or tunnels"))


@dataclass(frozen=True)
class NodingReport:
    """What :func:`node_lines` did to a road layer.

    Attributes
    ----------
    lines_in
        Input rows.
    dropped
        Rows left out: no geometry, not a line, or shorter than the snap tolerance.
    parts
        LineStrings after splitting MultiLineStrings.
    ends_joined
        Line ends moved onto a nearby end (gaps up to ``snap_m``).
    ends_on_lines
        Line ends moved onto a nearby line they stopped short of or overshot (T-junctions).
    crossings_split
        Points where lines at grade crossed and were cut into a junction.
    t_junctions
        Points where a line at grade ends on another one, which was cut there.
    crossings_kept_apart
        Points where a bridge or tunnel crossed another line without a junction.
    pieces
        Streets out.
    columns
        The level columns used (``bridge``, ``tunnel``, ``layer``; ``None`` where absent).
    """

    lines_in: int
    dropped: int
    parts: int
    ends_joined: int
    ends_on_lines: int
    crossings_split: int
    t_junctions: int
    crossings_kept_apart: int
    pieces: int
    columns: Mapping[str, str | None]

    def summary(self) -> str:
        return (f"{self.lines_in:,} lines in ({self.dropped:,} dropped: empty, not lines or "
                f"shorter than the snap tolerance); {self.ends_joined:,} ends joined to "
                f"nearby ends, {self.ends_on_lines:,} ends snapped onto lines; "
                f"{self.crossings_split:,} crossings at grade and {self.t_junctions:,} "
                f"T-junctions made junctions, "
                f"{self.crossings_kept_apart:,} bridge/tunnel crossings kept apart; "
                f"{self.pieces:,} streets out (levels from {dict(self.columns)})")


def _cut(coords: np.ndarray, cum: np.ndarray, cuts: list[tuple[float, np.ndarray]]
         ) -> list[np.ndarray]:
    """Pieces of a polyline cut at (distance, exact point) pairs, ends exactly at the points."""
    length = cum[-1]
    pieces = []
    start_d, start_xy = 0.0, coords[0]
    for d, xy in sorted(cuts, key=lambda c: c[0]):
        if d <= start_d or d >= length:
            continue
        inner = coords[(cum > start_d) & (cum < d)]
        pieces.append(np.vstack([start_xy, inner, xy]))
        start_d, start_xy = d, xy
    inner = coords[cum > start_d]
    inner = inner[:-1] if len(inner) else inner
    pieces.append(np.vstack([start_xy, inner, coords[-1]]))
    return [p for p in pieces if len(p) >= 2 and np.ptp(p, axis=0).any()]


def node_lines(lines: gpd.GeoDataFrame, *, snap_m: float = 1.0,
               bridge_col: str | None = "auto", tunnel_col: str | None = "auto",
               layer_col: str | None = "auto") -> tuple[gpd.GeoDataFrame, NodingReport]:
    """Cut a road-centreline layer into streets that meet only at real junctions.

    Parameters
    ----------
    lines
        (Multi)LineStrings in a metric CRS (see :func:`siting.network.from_lines`, which
        projects and checks the layer first).
    snap_m
        Line ends closer than this to another end, or to another line, are joined to it
        (drawing gaps and overshoots of CAD exports). ``0`` joins only exact matches.
    bridge_col, tunnel_col, layer_col
        Level columns; ``"auto"`` looks for ``is_bridge``/``bridge``, ``is_tunnel``/``tunnel``
        and ``layer``; ``None`` ignores that column.

    Returns
    -------
    (pieces, report)
        ``pieces``: LineStrings with the attributes of the line each came from, plus
        ``bridge``, ``tunnel``, ``layer`` and ``source_row`` (position in ``lines``);
        ``report``: a :class:`NodingReport`.

    Examples
    --------
    >>> pieces, report = node_lines(roads.to_crs(32651), snap_m=1.0)
    >>> print(report.summary())
    """
    if not snap_m >= 0:
        raise NetworkError("snap_m", snap_m, "must be ≥ 0 metres",
                           "give a tolerance in metres such as 1.0")
    lines_in = len(lines)
    levels = line_levels(lines, bridge_col=bridge_col, tunnel_col=tunnel_col,
                         layer_col=layer_col)
    columns = dict(levels.attrs["columns"])
    table = lines.assign(bridge=levels["bridge"].to_numpy(), tunnel=levels["tunnel"].to_numpy(),
                         layer=levels["layer"].to_numpy(), source_row=np.arange(lines_in))
    table = table[table.geometry.notna() & ~table.geometry.is_empty]
    table = table.explode(index_parts=False)
    table = table[table.geom_type == "LineString"]
    table = table[shapely.length(table.geometry.to_numpy()) > max(snap_m, 1e-9)]
    table = table.reset_index(drop=True)
    dropped = lines_in - table["source_row"].nunique()
    parts = len(table)
    geoms = table.geometry.to_numpy()
    grade = ~(table["bridge"].to_numpy() | table["tunnel"].to_numpy())
    grade &= table["layer"].to_numpy() == 0
    key = np.where(table["bridge"], 1, np.where(table["tunnel"], -1, 0)) * 1000 \
        + table["layer"].to_numpy()
    coords = [shapely.get_coordinates(g) for g in geoms]

    # 1. ends within snap_m of each other become one point (the first end of the cluster)
    ends = np.array([c[i] for c in coords for i in (0, -1)])
    joined = 0
    if snap_m > 0 and len(ends):
        end_pts = shapely.points(ends)
        a, b = shapely.STRtree(end_pts).query(end_pts, predicate="dwithin", distance=snap_m)
        n_ends = len(ends)
        _, label = connected_components(coo_matrix((np.ones(len(a)), (a, b)),
                                                   shape=(n_ends, n_ends)), directed=False)
        first = np.full(label.max() + 1, -1)
        for i in range(n_ends - 1, -1, -1):
            first[label[i]] = i
        target = ends[first[label]]
        moved = np.any(target != ends, axis=1)
        joined = int(moved.sum())
        for e in np.flatnonzero(moved):
            coords[e // 2][0 if e % 2 == 0 else -1] = target[e]
        ends = target
    geoms = np.array([shapely.linestrings(c) for c in coords], dtype=object)
    tree = shapely.STRtree(geoms)

    # 2. an end that stops short of (or overshoots) a line on its level lands on that line
    on_lines = 0
    if snap_m > 0:
        end_pts = shapely.points(ends)
        e_idx, l_idx = tree.query(end_pts, predicate="dwithin", distance=snap_m)
        own = e_idx // 2
        ok = (own != l_idx) & ((grade[own] & grade[l_idx]) | (key[own] == key[l_idx]))
        e_idx, l_idx = e_idx[ok], l_idx[ok]
        dist = shapely.distance(end_pts[e_idx], geoms[l_idx])
        touching = dist < 1e-9
        e_idx, l_idx, dist = e_idx[~touching], l_idx[~touching], dist[~touching]
        order = np.lexsort((dist, e_idx))
        e_idx, l_idx = e_idx[order], l_idx[order]
        first = np.unique(e_idx, return_index=True)[1]
        for e, line in zip(e_idx[first], l_idx[first]):
            d = shapely.line_locate_point(geoms[line], end_pts[e])
            xy = shapely.get_coordinates(shapely.line_interpolate_point(geoms[line], d))[0]
            coords[e // 2][0 if e % 2 == 0 else -1] = xy
            ends[e] = xy
            on_lines += 1
        geoms = np.array([shapely.linestrings(c) for c in coords], dtype=object)
        tree = shapely.STRtree(geoms)

    # 3. crossings: cut both lines at grade; a grade-separated line only where another
    #    line of its level (or a line at grade, at a bridge head) ends on it
    a, b = tree.query(geoms, predicate="intersects")
    a, b = a[a < b], b[a < b]
    xy, which = shapely.get_coordinates(shapely.intersection(geoms[a], geoms[b]),
                                        return_index=True)
    i, j = a[which], b[which]
    first_xy = np.array([c[0] for c in coords]).reshape(-1, 2)
    last_xy = np.array([c[-1] for c in coords]).reshape(-1, 2)

    def ends_on(line: np.ndarray) -> np.ndarray:
        return ((np.abs(first_xy[line] - xy).max(axis=1) < 1e-6)
                | (np.abs(last_xy[line] - xy).max(axis=1) < 1e-6))

    at_i, at_j = ends_on(i), ends_on(j)
    both_grade = grade[i] & grade[j]
    same_key = key[i] == key[j]
    cut_i = both_grade | (~both_grade & at_j & ~at_i & (same_key | grade[i]))
    cut_j = both_grade | (~both_grade & at_i & ~at_j & (same_key | grade[j]))
    cut_line = np.concatenate([i[cut_i], j[cut_j]])
    cut_xy = np.vstack([xy[cut_i], xy[cut_j]])
    cut_at = shapely.line_locate_point(geoms[cut_line], shapely.points(cut_xy))
    cuts: list[list[tuple[float, np.ndarray]]] = [[] for _ in geoms]
    for line, d, point in zip(cut_line.tolist(), cut_at.tolist(), cut_xy):
        cuts[line].append((d, point))

    def distinct(mask: np.ndarray) -> int:
        return len(np.unique(np.round(xy[mask], 3), axis=0))

    n_ends = at_i.astype(int) + at_j.astype(int)
    split, tees = distinct(both_grade & (n_ends == 0)), distinct(both_grade & (n_ends == 1))
    kept_apart = distinct(~both_grade & (n_ends == 0))

    rows, pieces = [], []
    for k, c in enumerate(coords):
        cum = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(c, axis=0).T))])
        for piece in _cut(c, cum, cuts[k]):
            rows.append(k)
            pieces.append(shapely.linestrings(piece))
    out = table.iloc[rows].reset_index(drop=True)
    out = gpd.GeoDataFrame(out.drop(columns=out.geometry.name),
                           geometry=np.array(pieces, dtype=object), crs=lines.crs)
    report = NodingReport(lines_in=lines_in, dropped=int(dropped), parts=parts,
                          ends_joined=joined, ends_on_lines=on_lines,
                          crossings_split=split, t_junctions=tees,
                          crossings_kept_apart=kept_apart,
                          pieces=len(out), columns=columns)
    return out, report
