"""Candidate sites: grid over a polygon, population-weighted KMeans centres, network nodes,
user points. Every generator returns a GeoDataFrame of points with a ``source`` column, so
candidates from several generators can be concatenated and still traced.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from ..errors import GeometryError, SitingError


def _crs_of(obj: object, crs: object | None) -> object | None:
    return getattr(obj, "crs", None) if crs is None else crs


def _points(x: np.ndarray, y: np.ndarray, source: str, crs: object | None,
            extra: dict[str, object] | None = None) -> gpd.GeoDataFrame:
    data = {"source": np.full(len(x), source, dtype=object)}
    data.update(extra or {})
    return gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(x, y), crs=crs)


def grid_candidates(area: BaseGeometry | gpd.GeoDataFrame | gpd.GeoSeries, spacing: float,
                    *, crs: object | None = None, offset: float | None = None) -> gpd.GeoDataFrame:
    """Regular square grid of points inside a polygon.

    Parameters
    ----------
    area
        Polygon (or a layer whose union is used), in a metric CRS.
    spacing
        Grid step in CRS units (metres).
    offset
        Shift of the first row/column from the bounds' corner (default ``spacing / 2``, so
        points sit at cell centres).

    Returns
    -------
    geopandas.GeoDataFrame
        Points with ``source="grid"``.
    """
    if not spacing or spacing <= 0 or not np.isfinite(spacing):
        raise SitingError("spacing", spacing, "the grid spacing must be > 0",
                          "give the step in metres, e.g. 250")
    crs = _crs_of(area, crs)
    if isinstance(area, (gpd.GeoDataFrame, gpd.GeoSeries)):
        geom = area.geometry.union_all() if isinstance(area, gpd.GeoDataFrame) else area.union_all()
    else:
        geom = area
    if geom is None or geom.is_empty or geom.area <= 0:
        raise GeometryError("area", getattr(geom, "geom_type", None), "the area is empty or "
                            "has no surface", "pass a polygon or polygons")
    minx, miny, maxx, maxy = geom.bounds
    start = spacing / 2 if offset is None else offset
    xs = np.arange(minx + start, maxx + 1e-9, spacing)
    ys = np.arange(miny + start, maxy + 1e-9, spacing)
    if len(xs) * len(ys) > 20_000_000:
        raise SitingError("spacing", spacing, f"would make {len(xs) * len(ys)} points",
                          "use a larger spacing")
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    inside = shapely.contains_xy(geom, gx, gy)
    return _points(gx[inside], gy[inside], "grid", crs)


def kmeans_candidates(demand: gpd.GeoDataFrame, k: int, *, weights_col: str | None = None,
                      random_state: int = 0, mask: np.ndarray | None = None,
                      n_init: int = 4) -> gpd.GeoDataFrame:
    """Population-weighted KMeans centres of demand points (e.g. of *uncovered* cells).

    Parameters
    ----------
    demand
        Demand points (polygons → centroids), metric CRS.
    k
        Number of centres; capped at the number of weighted points.
    weights_col
        Population column used as sample weight (``None`` = equal weights).
    random_state
        Fixed seed: the same input gives the same centres.
    mask
        Optional bool mask selecting the points to cluster (such as uncovered cells).

    Returns
    -------
    geopandas.GeoDataFrame
        Points with ``source="kmeans"`` and ``weight`` (population of each cluster).
    """
    from sklearn.cluster import KMeans

    if k <= 0:
        raise SitingError("k", k, "k must be >= 1", "ask for at least one centre")
    gdf = demand if mask is None else demand[np.asarray(mask, dtype=bool)]
    geom = gdf.geometry
    if len(gdf) and not (geom.geom_type == "Point").all():
        geom = geom.centroid
    xy = np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()]) if len(gdf) else np.zeros((0, 2))
    w = np.ones(len(gdf)) if weights_col is None else \
        pd.to_numeric(gdf[weights_col], errors="coerce").fillna(0).to_numpy(float)
    if (w < 0).any():
        raise SitingError(weights_col or "weights", float(w.min()), "negative weights",
                          "population must be >= 0")
    keep = w > 0
    xy, w = xy[keep], w[keep]
    if len(xy) == 0:
        return _points(np.zeros(0), np.zeros(0), "kmeans", demand.crs, {"weight": np.zeros(0)})
    k = min(int(k), len(xy))
    km = KMeans(n_clusters=k, random_state=random_state, n_init=n_init)
    labels = km.fit_predict(xy, sample_weight=w)
    centres = km.cluster_centers_
    return _points(centres[:, 0], centres[:, 1], "kmeans", demand.crs,
                   {"weight": np.bincount(labels, weights=w, minlength=k)})


def network_node_candidates(xy: np.ndarray | Sequence[Sequence[float]], *, crs: object,
                            node_ids: Sequence[object] | None = None) -> gpd.GeoDataFrame:
    """Street-network nodes (an ``n × 2`` array of x, y) as candidate sites.

    Returns
    -------
    geopandas.GeoDataFrame
        Points with ``source="network"`` and ``node`` (the node id, default position).
    """
    arr = np.asarray(xy, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise SitingError("xy", arr.shape, "expected an n × 2 array of coordinates",
                          "pass np.column_stack([x, y])")
    if not np.isfinite(arr).all():
        raise GeometryError("xy", int((~np.isfinite(arr)).any(axis=1).sum()),
                            "coordinates must be finite", "drop nodes without coordinates")
    nodes = np.arange(len(arr)) if node_ids is None else np.asarray(node_ids, dtype=object)
    if len(nodes) != len(arr):
        raise SitingError("node_ids", len(nodes), f"expected {len(arr)} ids", "align ids with xy")
    return _points(arr[:, 0], arr[:, 1], "network", crs, {"node": nodes})


def user_candidates(points: gpd.GeoDataFrame | np.ndarray | Sequence[Sequence[float]], *,
                    crs: object | None = None, source: str = "user") -> gpd.GeoDataFrame:
    """User-supplied sites (parcels, planned plots): a point layer or an ``n × 2`` array.

    Polygons are reduced to a point guaranteed inside them (``representative_point``).
    Existing columns are kept; ``source`` is set unless already present.
    """
    if isinstance(points, gpd.GeoDataFrame):
        gdf = points.copy()
        if crs is not None and gdf.crs is None:
            gdf = gdf.set_crs(crs)
        geom = gdf.geometry
        if (geom.isna() | geom.is_empty).any():
            raise GeometryError("points.geometry", int((geom.isna() | geom.is_empty).sum()),
                                "rows with empty geometry", "drop or repair them")
        if not (geom.geom_type == "Point").all():
            gdf = gdf.set_geometry(geom.representative_point())
        if "source" not in gdf.columns:
            gdf["source"] = source
        return gdf
    arr = np.asarray(points, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise SitingError("points", arr.shape, "expected a GeoDataFrame or an n × 2 array",
                          "pass np.column_stack([x, y])")
    return _points(arr[:, 0], arr[:, 1], source, crs)


def combine_candidates(*layers: gpd.GeoDataFrame, existing: gpd.GeoDataFrame | None = None
                       ) -> gpd.GeoDataFrame:
    """Concatenate candidate layers (and existing facilities, flagged ``fixed=True``).

    The result has a fresh 0..n-1 index, ``source`` and a bool ``fixed`` column, ready for
    :meth:`CoverageProblem.from_geodataframe(..., fixed_col="fixed")`.
    """
    parts = []
    if existing is not None:
        ex = user_candidates(existing, source="existing")
        ex["fixed"] = True
        parts.append(ex)
    for layer in layers:
        part = layer.copy()
        part["fixed"] = False
        parts.append(part)
    if not parts:
        raise SitingError("layers", 0, "no candidate layers given", "pass at least one layer")
    crs = parts[0].crs
    for part in parts[1:]:
        if part.crs != crs:
            from ..errors import CRSError
            raise CRSError("layers.crs", str(part.crs), f"differs from {crs}",
                           "reproject the layers to one CRS first")
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=crs)
    out["fixed"] = out["fixed"].astype(bool)
    return out
