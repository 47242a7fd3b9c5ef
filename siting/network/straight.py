"""Straight-line reach, the stand-in for street distances where a study area has no network.

Straight lines overstate access (rivers, rail lines and blocks are walked around, not
through); callers state the method on every output they make from it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from ..errors import SitingError


def straight_line_reach(sources: gpd.GeoDataFrame, cells: gpd.GeoDataFrame, cutoff_m: float,
                        *, detour: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(source, cell) index pairs whose straight-line distance × ``detour`` ≤ ``cutoff_m``.

    Distances run from each source point to each cell's representative point (same metric
    CRS), as :func:`siting.rules.base.straight_line_nearest` measures them.

    Parameters
    ----------
    sources, cells
        Points and cells in one metric CRS.
    cutoff_m
        Largest distance along the street, metres.
    detour
        Street distance ÷ straight-line distance (≥ 1).

    Returns
    -------
    (source positions, cell positions), sorted by source.

    Examples
    --------
    >>> s, c = straight_line_reach(candidates, area.cells, 300.0, detour=1.3)
    """
    if not detour >= 1:
        raise SitingError("detour", detour, "must be ≥ 1", "give 1.0 (none) or e.g. 1.3")
    if not cutoff_m >= 0:
        raise SitingError("cutoff", cutoff_m, "must be ≥ 0 metres", "give a distance in metres")
    points = cells.geometry.representative_point().to_numpy()
    target, source = gpd.GeoSeries(points, crs=cells.crs).sindex.query(
        sources.geometry.to_numpy(), predicate="dwithin", distance=cutoff_m / detour)[::-1]
    order = np.lexsort((target, source))
    return source[order].astype(np.int64), target[order].astype(np.int64)
