"""Population cells from rasters, vector grids, H3 hexagons, buildings and census totals.

Every function returns a GeoDataFrame with one row per cell (polygon or point) and a float
``population`` column, plus further population bases (age groups, scenarios) as extra
numeric columns. Two promises hold on every path:

* **Totals are preserved.** People are moved between geometries by shares that sum to one
  for each source; whatever does not land in the result (pixels outside a clipping
  boundary, sources outside every target) is counted in ``attrs`` (``population_in``,
  ``population_out``, ``population_outside``...). ``population_in == population_out +
  population_outside`` up to floating-point rounding; :func:`disaggregate` can also return
  whole persons that add up exactly.
* **Nobody is dropped silently.** Bad inputs (no CRS, negative counts, nodata everywhere,
  districts with no weight, sources with no target) raise an error naming the band, rows or
  districts, or are returned in ``attrs`` when the caller asks for that explicitly.

Computation is vectorised: rasters become polygons through array arithmetic on the affine
transform, overlays use the spatial index with array-wise GEOS operations. The H3 functions
call the h3 library once per cell or point (h3-py has no array interface), which is C code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from .crs import require_crs
from .errors import CRSError, GeometryError, PopulationError, SitingError
from .study_area import validate_population

__all__ = [
    "QINGDAO_FLOOR_AREA_PER_PERSON_M2",
    "RESIDENTIAL_BUILDINGS",
    "DEFAULT_LEVELS",
    "AGE_GROUPS",
    "cells_from_raster",
    "cells_from_vector",
    "points_to_grid",
    "square_grid",
    "areal_interpolate",
    "h3_cells",
    "population_to_h3",
    "population_from_buildings",
    "disaggregate",
    "age_group_shares",
    "add_age_bases",
    "new_residents",
]

Boundary = gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry

#: Residential floor area per urban resident, m² — Qingdao plan, rule QD21-06 (37.2 m²).
QINGDAO_FLOOR_AREA_PER_PERSON_M2 = 37.2

#: OSM ``building`` values counted as homes. ``yes`` (untyped) counts only inside residential
#: land use when asked (``yes_in_residential_landuse=True``).
RESIDENTIAL_BUILDINGS: tuple[str, ...] = (
    "residential", "apartments", "house", "detached", "semidetached_house", "terrace",
    "bungalow", "dormitory", "farm", "cabin", "static_caravan", "houseboat", "hut",
)

#: Storeys assumed where ``building:levels`` and ``height`` are both missing. Planning
#: assumptions, not observations: ``apartments`` 6 is the Chinese multi-storey walk-up
#: (多层住宅, 4–6 floors), ``residential`` 4 a mix of walk-ups and low-rise, detached and
#: terraced houses 2, untyped buildings 2. Override them (``default_levels=``) with local
#: knowledge: a new high-rise district (18–33 floors) is badly under-counted by these.
DEFAULT_LEVELS: dict[str, float] = {
    "apartments": 6.0, "residential": 4.0, "dormitory": 4.0, "house": 2.0, "detached": 2.0,
    "semidetached_house": 2.0, "terrace": 2.0, "farm": 2.0, "bungalow": 1.0, "cabin": 1.0,
    "static_caravan": 1.0, "houseboat": 1.0, "hut": 1.0, "yes": 2.0,
}
_FALLBACK_LEVELS = 2.0

#: Age groups as weighted sums of the 2020 census age-band shares (county_ages_2020.csv).
#: Bands are split assuming people are spread evenly over the single years of a band:
#: "0–3" (托育, under 3) = AGES_0 + 2/4 of AGES_1-4 (ages 1, 2); "3–6" (幼儿园, ages 3–5) =
#: 2/4 of AGES_1-4 (ages 3, 4) + 1/5 of AGES_5-9 (age 5); "6–12" (小学, ages 6–11) = 4/5 of
#: AGES_5-9 + 2/5 of AGES_10-14; "12–15" (初中, ages 12–14) = 3/5 of AGES_10-14.
#: Births fell after 2016, so the even split overstates the youngest years of AGES_1-4
#: slightly; use single-year data where available.
AGE_GROUPS: dict[str, dict[str, float]] = {
    "age_0_3": {"AGES_0": 1.0, "AGES_1-4": 0.5},
    "age_3_6": {"AGES_1-4": 0.5, "AGES_5-9": 0.2},
    "age_6_12": {"AGES_5-9": 0.8, "AGES_10-14": 0.4},
    "age_12_15": {"AGES_10-14": 0.6},
    "age_60p": {"AGES_60-64": 1.0, "AGES_65P": 1.0},
    "age_65p": {"AGES_65P": 1.0},
}


# -- helpers ------------------------------------------------------------------------------------

def _boundary_geometry(boundary: Boundary, crs: object,
                       field: str = "boundary") -> shapely.Geometry:
    """One (multi)polygon in ``crs`` from a GeoDataFrame, GeoSeries or shapely geometry."""
    if isinstance(boundary, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if boundary.crs is None:
            raise CRSError(f"{field}.crs", None, "the boundary has no CRS",
                           f"set it with {field}.set_crs(...)")
        geom = boundary.to_crs(crs).geometry.union_all() if isinstance(
            boundary, gpd.GeoDataFrame) else boundary.to_crs(crs).union_all()
    elif isinstance(boundary, shapely.Geometry):
        geom = boundary  # a bare geometry is taken to be in the target CRS
    else:
        raise SitingError(field, type(boundary).__name__, "not a geometry",
                          "pass a GeoDataFrame, GeoSeries or shapely polygon")
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise GeometryError(field, getattr(geom, "geom_type", None),
                            "the boundary must be a non-empty polygon",
                            "pass the study area's polygon(s)")
    return shapely.make_valid(geom) if not geom.is_valid else geom


def _metric_crs_for(gdf: gpd.GeoDataFrame) -> CRS:
    crs = CRS.from_user_input(gdf.crs)
    if crs.is_projected:
        return crs
    return gdf.estimate_utm_crs()


def _area_shares(cells: np.ndarray, boundary: shapely.Geometry, crs: object) -> np.ndarray:
    """Share of each cell's area inside ``boundary`` (both in ``crs``), in a metric CRS.

    Cells wholly inside or outside are decided with a prepared boundary; only the cells
    the boundary edge crosses are intersected.
    """
    shapely.prepare(boundary)
    share = np.zeros(len(cells))
    inside = shapely.contains_properly(boundary, cells)
    share[inside] = 1.0
    edge = ~inside & shapely.intersects(boundary, cells)
    if edge.any():
        edge_cells = gpd.GeoSeries(cells[edge], crs=crs)
        metric = _metric_crs_for(gpd.GeoDataFrame(geometry=edge_cells))
        edge_metric = edge_cells.to_crs(metric).to_numpy()
        boundary_metric = gpd.GeoSeries([boundary], crs=crs).to_crs(metric).iloc[0]
        overlap = shapely.area(shapely.intersection(edge_metric, boundary_metric))
        share[edge] = np.clip(overlap / shapely.area(edge_metric), 0.0, 1.0)
    return share


# -- rasters ------------------------------------------------------------------------------------

def cells_from_raster(
    path: str | Path,
    *,
    band: int = 1,
    boundary: Boundary | None = None,
    all_pixels: bool = False,
    nodata: float | None = None,
    crs: object | None = None,
    to_crs: object | None = None,
) -> gpd.GeoDataFrame:
    """Population cells from a GeoTIFF of people per pixel (WorldPop, GHS-POP, ...).

    Parameters
    ----------
    path
        Raster file readable by rasterio, any CRS (EPSG:4326 for WorldPop, Mollweide for
        GHS-POP). Pixel values must be counts of people, not densities.
    band
        Band to read (1-based).
    boundary
        Keep only what lies inside this polygon (GeoDataFrame/GeoSeries with a CRS, or a
        shapely geometry in the raster's CRS). Only the window around it is read. A pixel
        the boundary cuts keeps ``population × share``, where ``share`` is the part of the
        pixel's area inside (computed in a metric CRS): people are assumed to be spread
        evenly over a pixel. The rest is counted in ``attrs["population_outside"]``.
    all_pixels
        Keep pixels with 0 people too (default: only pixels with people). Nodata pixels are
        never cells.
    nodata
        Nodata value overriding the file's (for rasters that mark nodata with, say, -99999
        without declaring it). NaN pixels are always nodata.
    crs
        CRS to assume when the file has none (otherwise a missing CRS is an error).
    to_crs
        Reproject the resulting cells.

    Returns
    -------
    GeoDataFrame with ``population`` (after clipping), ``pixel_population``, ``share``,
    ``row`` and ``col`` (pixel position in the full raster). ``attrs``: ``population_in``
    (people in the valid pixels read), ``population_out`` (sum of ``population``),
    ``population_outside`` (cut off by the boundary), ``nodata_pixels``, ``source``.

    Raises
    ------
    CRSError
        The raster has no CRS and ``crs`` is not given.
    PopulationError
        The band is entirely nodata, or holds negative counts (named by pixel row/column).
    """
    import rasterio
    from rasterio.windows import Window, from_bounds

    path = Path(path)
    where = f"{path.name} band {band}"
    if not path.exists():
        raise SitingError("path", str(path), "no such raster file", "check the path")
    with rasterio.open(path) as src:
        if not 1 <= band <= src.count:
            raise SitingError("band", band, f"{path.name} has {src.count} band(s)",
                              f"use band=1..{src.count}")
        raster_crs = src.crs if src.crs is not None else None
        if raster_crs is None:
            if crs is None:
                raise CRSError(
                    f"{where}.crs", None, "the raster has no coordinate reference system",
                    "pass crs= with the system it was made in (EPSG:4326 for WorldPop, "
                    "ESRI:54009 for GHS-POP), or fix the file with gdal_edit.py -a_srs",
                )
            raster_crs = CRS.from_user_input(crs)
        raster_crs = CRS.from_user_input(raster_crs)
        # GeoTIFF keys often lose the EPSG code (EPSG:3879 comes back as "GK25FIN"); give it
        # back when pyproj is confident, so that CRS comparisons with other layers succeed.
        code = raster_crs.to_epsg(min_confidence=70)
        if code is not None:
            raster_crs = CRS.from_epsg(code)
        transform = src.transform
        window = Window(0, 0, src.width, src.height)
        clip = None
        if boundary is not None:
            clip = _boundary_geometry(boundary, raster_crs)
            box = from_bounds(*clip.bounds, transform=transform)
            box = box.round_offsets(op="floor").round_lengths(op="ceil")
            try:
                window = box.intersection(window)
            except Exception:  # rasterio raises WindowError when they do not overlap
                raise GeometryError("boundary", [round(v, 3) for v in clip.bounds],
                                    f"the boundary does not overlap {path.name}",
                                    "check that boundary and raster cover the same place "
                                    "(and that their CRSs are right)") from None
            # one extra pixel of margin guards against rounding at the window edges
            window = Window(max(window.col_off - 1, 0), max(window.row_off - 1, 0),
                            min(window.width + 2, src.width - max(window.col_off - 1, 0)),
                            min(window.height + 2, src.height - max(window.row_off - 1, 0)))
        data = src.read(band, window=window).astype(np.float64)
        valid = src.read_masks(band, window=window) > 0
        file_nodata = src.nodatavals[band - 1]

    if nodata is not None:
        valid &= data != nodata
    elif file_nodata is not None and np.isfinite(file_nodata):
        valid &= data != file_nodata
    valid &= np.isfinite(data)
    row0, col0 = int(window.row_off), int(window.col_off)
    if not valid.any():
        raise PopulationError(
            where, file_nodata if nodata is None else nodata,
            "every pixel read is nodata"
            + (" inside the boundary window" if clip is not None else ""),
            "check the band, the nodata value (nodata=) and that the boundary overlaps the data",
        )
    negative = valid & (data < 0)
    if negative.any():
        rr, cc = np.nonzero(negative)
        examples = {(int(r) + row0, int(c) + col0): float(data[r, c])
                    for r, c in zip(rr[:5], cc[:5])}
        raise PopulationError(
            where, examples,
            f"{int(negative.sum())} pixels hold negative counts ((row, col): value shown)",
            "if they mark missing data pass nodata=<that value>; population counts are >= 0",
        )

    population_in = float(data[valid].sum())
    keep = valid if all_pixels else valid & (data > 0)
    rows, cols = np.nonzero(keep)
    values = data[rows, cols]
    rows = rows + row0
    cols = cols + col0
    polygons = _pixel_polygons(transform, rows, cols)
    share = np.ones(len(polygons))
    if clip is not None:
        share = _area_shares(polygons, clip, raster_crs)
        inside = share > 0 if not all_pixels else shapely.intersects(clip, polygons)
        rows, cols, values, polygons, share = (
            rows[inside], cols[inside], values[inside], polygons[inside], share[inside])
    population = values * share
    cells = gpd.GeoDataFrame(
        {"population": population, "pixel_population": values, "share": share,
         "row": rows.astype(np.int64), "col": cols.astype(np.int64)},
        geometry=polygons, crs=raster_crs,
    )
    if to_crs is not None:
        cells = cells.to_crs(to_crs)
    out = float(population.sum())
    cells.attrs.update(
        source=str(path), band=band, population_in=population_in, population_out=out,
        population_outside=population_in - out, nodata_pixels=int((~valid).sum()),
    )
    return cells


def _pixel_polygons(transform: object, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Pixel footprints from an affine transform (rotation allowed), without a Python loop."""
    a, b, c, d, e, f = (transform.a, transform.b, transform.c,  # type: ignore[attr-defined]
                        transform.d, transform.e, transform.f)  # type: ignore[attr-defined]
    corner_cols = np.stack([cols, cols + 1, cols + 1, cols, cols], axis=1).astype(float)
    corner_rows = np.stack([rows, rows, rows + 1, rows + 1, rows], axis=1).astype(float)
    xs = a * corner_cols + b * corner_rows + c
    ys = d * corner_cols + e * corner_rows + f
    coords = np.stack([xs, ys], axis=2)
    if len(coords) == 0:
        return np.array([], dtype=object)
    return shapely.polygons(coords)


# -- vector grids, points, squares ------------------------------------------------------------

def _read(data: object, layer: str | None) -> gpd.GeoDataFrame:
    if isinstance(data, gpd.GeoDataFrame):
        return data.copy()
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.exists():
            raise SitingError("path", str(path), "no such file", "check the path")
        return gpd.read_file(path, layer=layer)
    raise SitingError("data", type(data).__name__, "not a GeoDataFrame or a file path",
                      "pass a GeoDataFrame or the path of a vector file")


def cells_from_vector(
    data: gpd.GeoDataFrame | str | Path,
    population_col: str = "population",
    *,
    bases: Sequence[str] = (),
    layer: str | None = None,
    to_crs: object | None = None,
) -> gpd.GeoDataFrame:
    """Population cells from a vector grid, polygons or points with a population column.

    ``population_col`` becomes ``population``; ``bases`` (e.g. ``["elderly", "planned"]``)
    are validated the same way (numeric, present, >= 0) and kept under their names; every
    other column is kept as it is. Errors name the rows at fault.
    """
    gdf = _read(data, layer)
    require_crs(gdf, "cells")
    for col in [population_col, *bases]:
        if col not in gdf.columns:
            raise PopulationError(col, None, "no such column in the cells",
                                  f"use one of {list(gdf.columns.drop('geometry'))}")
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        raise GeometryError("cells.geometry", list(gdf.index[empty][:10]),
                            f"{int(empty.sum())} rows have no geometry",
                            "drop or repair them (their population would have no place)")
    population = validate_population(gdf[population_col], f"cells.{population_col}")
    out = gdf.drop(columns=[population_col])
    out.insert(0, "population", population.to_numpy())
    for col in bases:
        out[col] = validate_population(gdf[col], f"cells.{col}").to_numpy()
    out = gpd.GeoDataFrame(out, geometry=gdf.geometry.name, crs=gdf.crs)
    if to_crs is not None:
        out = out.to_crs(to_crs)
    total = float(out["population"].sum())
    out.attrs.update(population_in=total, population_out=total, population_outside=0.0)
    return out


def square_grid(boundary: Boundary, cell_size: float, *, crs: object | None = None
                ) -> gpd.GeoDataFrame:
    """Square cells of ``cell_size`` metres covering ``boundary`` (cells touching it).

    Built in ``crs`` (default: the boundary's CRS if metric, else its UTM zone), aligned to
    multiples of ``cell_size``.
    """
    if not cell_size > 0:
        raise SitingError("cell_size", cell_size, "must be > 0 metres", "give e.g. 250")
    if isinstance(boundary, shapely.Geometry):
        raise CRSError("boundary", "shapely geometry", "a bare geometry has no CRS",
                       "pass a GeoDataFrame or GeoSeries with a CRS")
    frame = boundary if isinstance(boundary, gpd.GeoDataFrame) else gpd.GeoDataFrame(
        geometry=boundary)
    require_crs(frame, "boundary")
    metric = CRS.from_user_input(crs) if crs is not None else _metric_crs_for(frame)
    geom = _boundary_geometry(frame, metric)
    x0, y0, x1, y1 = geom.bounds
    xs = np.arange(np.floor(x0 / cell_size) * cell_size, x1, cell_size)
    ys = np.arange(np.floor(y0 / cell_size) * cell_size, y1, cell_size)
    gx, gy = np.meshgrid(xs, ys)
    boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell_size, gy.ravel() + cell_size)
    shapely.prepare(geom)
    boxes = boxes[shapely.intersects(geom, boxes)]
    return gpd.GeoDataFrame({"cell_id": np.arange(len(boxes))}, geometry=boxes, crs=metric)


def points_to_grid(points: gpd.GeoDataFrame, cell_size: float,
                   population_col: str | None = "population", *, bases: Sequence[str] = (),
                   crs: object | None = None) -> gpd.GeoDataFrame:
    """Sum point populations (address points, census centroids...) onto square cells.

    Each point goes to the cell containing it (cells are half-open, so a point on a
    cell edge is counted once). ``population_col=None`` counts each point as one person.
    Only cells holding points are returned; the total is preserved exactly.
    """
    require_crs(points, "points")
    if not (points.geom_type == "Point").all():
        raise GeometryError("points.geometry", sorted(set(points.geom_type)),
                            "points_to_grid needs Point geometries",
                            "use areal_interpolate for polygons")
    if not cell_size > 0:
        raise SitingError("cell_size", cell_size, "must be > 0 metres", "give e.g. 250")
    metric = CRS.from_user_input(crs) if crs is not None else _metric_crs_for(points)
    pts = points.to_crs(metric)
    columns = {}
    if population_col is None:
        columns["population"] = np.ones(len(pts))
    else:
        if population_col not in pts.columns:
            raise PopulationError(population_col, None, "no such column in the points",
                                  f"use one of {list(pts.columns.drop('geometry'))}")
        columns["population"] = validate_population(pts[population_col],
                                                    f"points.{population_col}").to_numpy()
    for col in bases:
        columns[col] = validate_population(pts[col], f"points.{col}").to_numpy()
    ix = np.floor(pts.geometry.x.to_numpy() / cell_size).astype(np.int64)
    iy = np.floor(pts.geometry.y.to_numpy() / cell_size).astype(np.int64)
    keys, inverse = np.unique(np.stack([ix, iy], axis=1), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    sums = {name: np.bincount(inverse, weights=vals, minlength=len(keys))
            for name, vals in columns.items()}
    boxes = shapely.box(keys[:, 0] * cell_size, keys[:, 1] * cell_size,
                        (keys[:, 0] + 1) * cell_size, (keys[:, 1] + 1) * cell_size)
    out = gpd.GeoDataFrame({**sums, "points": np.bincount(inverse, minlength=len(keys))},
                           geometry=boxes, crs=metric)
    total = float(columns["population"].sum())
    out.attrs.update(population_in=total, population_out=float(out["population"].sum()),
                     population_outside=0.0)
    return out


# -- areal interpolation and H3 -------------------------------------------------------------------

def areal_interpolate(
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    columns: Sequence[str] = ("population",),
    *,
    on_unassigned: Literal["raise", "report"] = "raise",
) -> gpd.GeoDataFrame:
    """Move counts from ``source`` geometries onto ``target`` polygons by area share.

    A source polygon gives each target the share of its area that falls in that target,
    measured in a metric CRS and normalised over the targets it touches, so that all of its
    people land somewhere: a source partly outside every target puts its people into the
    part inside (the covered fraction is reported as ``attrs["min_coverage"]``). A source
    point goes wholly to the target containing it (split evenly if it lies on a shared edge).

    Parameters
    ----------
    on_unassigned
        Sources touching no target: ``"raise"`` (default) names them; ``"report"`` leaves
        their people out and lists them in ``attrs["unassigned"]`` with the total in
        ``attrs["population_outside"]``.

    Returns
    -------
    ``target`` (same CRS, index and columns) with the summed ``columns`` added.
    """
    require_crs(source, "source")
    require_crs(target, "target")
    missing = [c for c in columns if c not in source.columns]
    if missing:
        raise PopulationError(missing[0], None, "no such column in the source",
                              f"use one of {list(source.columns.drop('geometry'))}")
    values = {c: validate_population(source[c], f"source.{c}").to_numpy() for c in columns}
    metric = _metric_crs_for(target)
    src = source.geometry.to_crs(metric).to_numpy()
    tgt = target.geometry.to_crs(metric).to_numpy()
    tree = shapely.STRtree(tgt)
    si, ti = tree.query(src, predicate="intersects")
    is_point = shapely.get_type_id(src) == 0
    weight = np.zeros(len(si))
    poly_pair = ~is_point[si]
    if poly_pair.any():
        weight[poly_pair] = shapely.area(shapely.intersection(src[si[poly_pair]],
                                                              tgt[ti[poly_pair]]))
    weight[~poly_pair] = 1.0  # points: equal split among the targets they touch
    per_source = np.bincount(si, weights=weight, minlength=len(src))
    # polygons that only touch targets along an edge have zero overlap: unassigned
    assigned = per_source > 0
    share = np.where(per_source[si] > 0, weight / np.where(per_source[si] > 0,
                                                          per_source[si], 1.0), 0.0)
    out = target.copy()
    for c, vals in values.items():
        out[c] = np.bincount(ti, weights=vals[si] * share, minlength=len(tgt))
    area = shapely.area(src)
    coverage = np.where(is_point, 1.0, per_source / np.where(area > 0, area, 1.0))
    unassigned = ~assigned
    first = next(iter(values))
    lost = float(values[first][unassigned].sum())
    if unassigned.any() and on_unassigned == "raise":
        raise PopulationError(
            f"source.{first}", list(source.index[unassigned][:10]),
            f"{int(unassigned.sum())} source rows ({lost:,.1f} people) touch no target",
            "extend the targets to cover them, or pass on_unassigned='report'",
        )
    total_in = float(values[first].sum())
    out.attrs.update(
        population_in=total_in, population_out=float(out[first].sum()),
        population_outside=lost,
        min_coverage=float(coverage[assigned].min()) if assigned.any() else float("nan"),
        unassigned=source[unassigned].copy(),
    )
    return out


def _h3():
    import h3

    return h3


def _h3_polygons(cells: Sequence[str]) -> np.ndarray:
    h3 = _h3()
    # cell_to_boundary gives (lat, lng) pairs; one C call per cell, no vectorised API exists
    rings = [[(lng, lat) for lat, lng in h3.cell_to_boundary(c)] for c in cells]
    return np.array([shapely.Polygon(r) for r in rings], dtype=object)


def h3_cells(boundary: Boundary, resolution: int, *,
             contain: Literal["center", "overlap", "full"] = "overlap",
             crs: object | None = None) -> gpd.GeoDataFrame:
    """H3 hexagons (``h3`` index + polygon, EPSG:4326) for ``boundary`` at ``resolution``.

    ``contain="overlap"`` (default) returns every hexagon touching the boundary, so that
    nothing inside it is left uncovered; ``"center"`` the hexagons whose centre is inside;
    ``"full"`` only hexagons wholly inside. A bare shapely boundary is read in ``crs``
    (default EPSG:4326).
    """
    h3 = _h3()
    if not 0 <= int(resolution) <= 15:
        raise SitingError("resolution", resolution, "H3 resolutions run from 0 to 15",
                          "use e.g. 9 (~0.1 km² hexagons) or 8 (~0.7 km²)")
    if isinstance(boundary, shapely.Geometry):
        boundary = gpd.GeoSeries([boundary], crs=crs or "EPSG:4326")
    geom = _boundary_geometry(boundary, "EPSG:4326")
    shape = h3.geo_to_h3shape(shapely.geometry.mapping(geom))
    ids = sorted(h3.h3shape_to_cells_experimental(shape, int(resolution), contain=contain))
    return gpd.GeoDataFrame({"h3": ids}, geometry=_h3_polygons(ids), crs="EPSG:4326")


def population_to_h3(
    source: gpd.GeoDataFrame,
    resolution: int,
    population_col: str = "population",
    *,
    bases: Sequence[str] = (),
    method: Literal["area", "centroid"] = "area",
) -> gpd.GeoDataFrame:
    """Population of points or polygons summed onto H3 hexagons.

    Points go to the hexagon containing them. Polygons are split by area share over the
    hexagons they overlap (``method="area"``, see :func:`areal_interpolate`; the hexagons
    are generated to cover every polygon, so nobody is lost), or moved whole to the hexagon
    of their representative point (``method="centroid"``, right when polygons are much
    smaller than hexagons). Only hexagons that receive people (in any of the columns) are
    returned, in EPSG:4326 with an ``h3`` column; the total is preserved.
    """
    h3 = _h3()
    require_crs(source, "source")
    columns = [population_col, *bases]
    for col in columns:
        if col not in source.columns:
            raise PopulationError(col, None, "no such column in the source",
                                  f"use one of {list(source.columns.drop('geometry'))}")
    values = {c: validate_population(source[c], f"source.{c}").to_numpy() for c in columns}
    geo = source.to_crs("EPSG:4326")
    points_only = bool((geo.geom_type == "Point").all())
    if points_only or method == "centroid":
        pts = geo.geometry if points_only else geo.geometry.representative_point()
        ids = np.array([h3.latlng_to_cell(y, x, int(resolution))
                        for x, y in zip(pts.x.to_numpy(), pts.y.to_numpy())], dtype=object)
        uniq, inverse = np.unique(ids, return_inverse=True)
        out = gpd.GeoDataFrame(
            {"h3": uniq, **{c: np.bincount(inverse.ravel(), weights=v, minlength=len(uniq))
                            for c, v in values.items()}},
            geometry=_h3_polygons(list(uniq)), crs="EPSG:4326",
        )
        total = float(values[population_col].sum())
        out = out.rename(columns={population_col: "population"})
        out.attrs.update(population_in=total, population_out=float(out["population"].sum()),
                         population_outside=0.0)
        return out
    if method != "area":
        raise SitingError("method", method, "unknown method", "use 'area' or 'centroid'")
    polys = geo[~geo.geom_type.isin(["Point"])]
    if len(polys) != len(geo):
        raise GeometryError("source.geometry", "mixed points and polygons",
                            "area shares need polygons only", "split points and polygons")
    # A hair of buffer makes the hexagon cover robust to the straight-vs-great-circle edges
    # of H3 cells; shares are renormalised, so it adds nobody.
    cover = h3_cells(gpd.GeoSeries([polys.geometry.union_all().buffer(1e-7)], crs="EPSG:4326"),
                     resolution, contain="overlap")
    src = gpd.GeoDataFrame(values, geometry=geo.geometry.to_numpy(), crs="EPSG:4326",
                           index=source.index)
    out = areal_interpolate(src, cover, columns)
    keep = np.zeros(len(out), dtype=bool)
    for c in columns:
        keep |= out[c].to_numpy() > 0
    attrs = dict(out.attrs)
    out = out[keep].reset_index(drop=True).rename(columns={population_col: "population"})
    out.attrs.update(attrs)
    out.attrs["population_out"] = float(out["population"].sum())
    return out


# -- buildings ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"(-?\d+(?:[.,]\d+)?)")


def _first_number(values: pd.Series) -> pd.Series:
    """First number in each tag value ("3", "3.5", "3;4", "2-3", "12 m") or NaN."""
    text = values.astype("string")
    found = text.str.extract(_NUMBER.pattern, expand=False).str.replace(",", ".", regex=False)
    return pd.to_numeric(found, errors="coerce").astype(float)


def population_from_buildings(
    buildings: gpd.GeoDataFrame,
    *,
    floor_area_per_person: float = QINGDAO_FLOOR_AREA_PER_PERSON_M2,
    building_col: str = "building",
    levels_col: str = "building:levels",
    height_col: str | None = "height",
    residential: Iterable[str] = RESIDENTIAL_BUILDINGS,
    default_levels: float | Mapping[str, float] | None = None,
    storey_height_m: float = 3.0,
    residential_share: float | str | Mapping[str, float] = 1.0,
    residential_landuse: gpd.GeoDataFrame | None = None,
    yes_in_residential_landuse: bool = False,
    crs: object | None = None,
) -> gpd.GeoDataFrame:
    """Residents per building: footprint × storeys × residential share ÷ floor area per person.

    Parameters
    ----------
    buildings
        Building footprints (OSM via pyrosm/osmnx or any polygons), with a CRS.
    floor_area_per_person
        Residential floor area per resident in m². Default 37.2 m², the figure per urban
        resident the Qingdao plan cites (rule QD21-06); use the local figure elsewhere.
    building_col, levels_col, height_col
        OSM ``building``, ``building:levels`` and ``height`` columns (``height`` is used
        when levels are missing: storeys = round(height / ``storey_height_m``), at least 1).
    residential
        ``building`` values counted as homes (default :data:`RESIDENTIAL_BUILDINGS`).
    default_levels
        Storeys when neither levels nor height are tagged: a number for all, or a mapping
        by ``building`` value merged over :data:`DEFAULT_LEVELS` (which see for the
        assumptions; values not listed get 2).
    residential_share
        Share of floor area that is homes: a number, a column name, or a mapping by
        ``building`` value (values not listed get 1.0). Use it for mixed-use buildings.
    residential_landuse, yes_in_residential_landuse
        With ``yes_in_residential_landuse=True``, untyped ``building=yes`` footprints whose
        representative point lies in ``residential_landuse`` polygons (OSM
        ``landuse=residential``) count as homes too.
    crs
        Metric CRS for footprint areas (default: the local UTM zone).

    Returns
    -------
    GeoDataFrame of the residential buildings (in the metric CRS) with ``footprint_m2``,
    ``levels``, ``levels_source`` (``"tag"``, ``"height"`` or ``"default"``),
    ``residential_share``, ``floor_area_m2`` and ``population`` (fractional persons).
    ``attrs``: ``buildings_in``, ``non_residential`` (rows not counted as homes),
    ``levels_defaulted``, ``floor_area_per_person``.
    """
    require_crs(buildings, "buildings")
    if not floor_area_per_person > 0:
        raise SitingError("floor_area_per_person", floor_area_per_person, "must be > 0 m²",
                          "give the residential floor area per person, e.g. 37.2")
    if building_col not in buildings.columns:
        raise SitingError("building_col", building_col, "no such column in the buildings",
                          f"use one of {list(buildings.columns.drop('geometry'))}")
    polygons = buildings.geom_type.isin(["Polygon", "MultiPolygon"])
    metric = CRS.from_user_input(crs) if crs is not None else _metric_crs_for(buildings)
    gdf = buildings[polygons].to_crs(metric)
    kind = gdf[building_col].astype("string").str.strip().str.lower()
    residential = {str(v).lower() for v in residential}
    is_home = np.array(kind.isin(residential).fillna(False).to_numpy(dtype=bool))
    if yes_in_residential_landuse:
        if residential_landuse is None:
            raise SitingError("residential_landuse", None,
                              "yes_in_residential_landuse=True needs the land-use polygons",
                              "pass residential_landuse= (OSM landuse=residential polygons)")
        require_crs(residential_landuse, "residential_landuse")
        zone = residential_landuse.to_crs(metric).geometry.union_all()
        shapely.prepare(zone)
        yes = (kind == "yes").fillna(False).to_numpy(dtype=bool)
        in_zone = shapely.intersects(zone, gdf.geometry.representative_point().to_numpy())
        is_home |= yes & in_zone
    homes = gdf[is_home].copy()
    home_kind = kind[is_home]

    levels = (_first_number(homes[levels_col]) if levels_col in homes.columns
              else pd.Series(np.nan, index=homes.index))
    levels = levels.where(levels > 0)
    source = pd.Series(np.where(levels.notna(), "tag", None), index=homes.index, dtype=object)
    if height_col is not None and height_col in homes.columns:
        from_height = (_first_number(homes[height_col]) / storey_height_m).round().clip(lower=1)
        use = levels.isna() & from_height.notna()
        levels[use] = from_height[use]
        source[use] = "height"
    table = dict(DEFAULT_LEVELS)
    if isinstance(default_levels, Mapping):
        table.update({str(k).lower(): float(v) for k, v in default_levels.items()})
        fallback = home_kind.map(table).astype(float).fillna(_FALLBACK_LEVELS)
    elif default_levels is not None:
        if not float(default_levels) > 0:
            raise SitingError("default_levels", default_levels, "must be > 0",
                              "give a number of storeys such as 6")
        fallback = pd.Series(float(default_levels), index=homes.index)
    else:
        fallback = home_kind.map(table).astype(float).fillna(_FALLBACK_LEVELS)
    missing = levels.isna()
    levels[missing] = fallback[missing]
    source[missing] = "default"

    if isinstance(residential_share, str):
        if residential_share not in homes.columns:
            raise SitingError("residential_share", residential_share, "no such column",
                              "pass a number, a column name or a mapping by building value")
        share = pd.to_numeric(homes[residential_share], errors="coerce")
    elif isinstance(residential_share, Mapping):
        share = home_kind.map({str(k).lower(): float(v)
                               for k, v in residential_share.items()}).astype(float).fillna(1.0)
    else:
        share = pd.Series(float(residential_share), index=homes.index)
    bad = share.isna() | (share < 0) | (share > 1)
    if bad.any():
        raise PopulationError("residential_share", share[bad].head(5).to_dict(),
                              f"{int(bad.sum())} buildings have a share outside 0..1",
                              "give shares between 0 and 1")

    footprint = homes.geometry.area.to_numpy()
    floor_area = footprint * levels.to_numpy() * share.to_numpy()
    homes["footprint_m2"] = footprint
    homes["levels"] = levels.to_numpy()
    homes["levels_source"] = source.to_numpy()
    homes["residential_share"] = share.to_numpy()
    homes["floor_area_m2"] = floor_area
    homes["population"] = floor_area / floor_area_per_person
    homes.attrs.update(
        buildings_in=int(len(buildings)), non_residential=int((~is_home).sum()),
        non_polygon=int((~polygons).sum()), levels_defaulted=int(missing.sum()),
        floor_area_per_person=float(floor_area_per_person),
        population_out=float(homes["population"].sum()),
    )
    return homes


# -- census totals onto cells or buildings ------------------------------------------------------

def _largest_remainder(values: np.ndarray, groups: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Round ``values`` to integers whose sum per group equals the integer group total."""
    floor = np.floor(values)
    remainder = values - floor
    short = totals - np.bincount(groups, weights=floor, minlength=len(totals))
    # rank rows by remainder within each group (largest first) and give one more person to
    # the first `short` of them
    order = np.lexsort((-remainder, groups))
    group_sorted = groups[order]
    starts = np.searchsorted(group_sorted, np.arange(len(totals)))
    rank = np.arange(len(order)) - starts[group_sorted]
    extra = np.zeros(len(values))
    extra[order] = (rank < np.round(short[group_sorted])).astype(float)
    return floor + extra


def disaggregate(
    districts: gpd.GeoDataFrame | pd.DataFrame,
    targets: gpd.GeoDataFrame,
    columns: str | Sequence[str] = "population",
    *,
    district_col: str = "district",
    weight: str = "area",
    on_no_weight: Literal["raise", "area"] = "raise",
    integer: bool = False,
) -> gpd.GeoDataFrame:
    """Spread district totals (census, plans) over cells or buildings, exactly per district.

    Each target gets ``total × weight / (sum of weights in its district)``, so every
    district's total is reproduced (to floating-point rounding, or exactly in whole persons
    with ``integer=True``).

    Parameters
    ----------
    districts
        Totals per district: a GeoDataFrame of district polygons, or a plain DataFrame when
        ``targets`` already carry ``district_col``.
    targets
        Cells or buildings (polygons or points). Targets are put into the district that
        contains their representative point unless they already have ``district_col``.
    columns
        Total column(s) to spread (``"population"``, ``["population", "planned"]``...).
    weight
        ``"area"`` (target area in a metric CRS), ``"count"`` (equal shares), or a column of
        ``targets`` such as ``"floor_area_m2"`` from :func:`population_from_buildings`.
    on_no_weight
        Districts whose targets weigh nothing, or that hold no target: ``"raise"`` names
        them; ``"area"`` falls back to target areas (equal shares for points) and, for a
        district without any target, adds the district polygon itself as one target. The
        rows concerned have ``weight_basis`` ``"area"``/``"count"``/``"district"``.
    integer
        Whole persons: largest-remainder rounding within each district (totals must then
        be whole numbers).

    Returns
    -------
    The targets inside the districts, in their CRS, with ``district_col``, the spread
    ``columns`` and ``weight_basis``. ``attrs``: ``population_in`` (sum of the first
    column's district totals), ``population_out``, ``targets_outside`` (targets in no
    district, left out), ``fallback_districts``.
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    if district_col not in districts.columns:
        raise SitingError("district_col", district_col, "no such column in the districts",
                          f"use one of {list(districts.columns)}")
    for col in columns:
        if col not in districts.columns:
            raise PopulationError(col, None, "no such total column in the districts",
                                  f"use one of {list(districts.columns)}")
    totals = {c: validate_population(districts[c], f"districts.{c}").to_numpy()
              for c in columns}
    keys = districts[district_col].to_numpy()
    if pd.Series(keys).duplicated().any():
        dup = sorted(set(pd.Series(keys)[pd.Series(keys).duplicated()].astype(str)))
        raise SitingError(f"districts.{district_col}", dup[:5], "district keys must be unique",
                          "dissolve the duplicates or use a code column")
    require_crs(targets, "targets")
    tg = targets.copy()
    if district_col in tg.columns:
        position = pd.Series(np.arange(len(keys)), index=keys)
        idx = position.reindex(tg[district_col].to_numpy()).to_numpy()
        idx = np.where(pd.isna(idx), -1, idx).astype(np.int64)
    else:
        if not isinstance(districts, gpd.GeoDataFrame):
            raise SitingError("districts", "DataFrame", "the targets have no district column "
                              "and the districts no polygons", f"add a '{district_col}' column "
                              "to the targets or pass district polygons")
        require_crs(districts, "districts")
        polys = districts.to_crs(tg.crs).geometry.to_numpy()
        points = tg.geometry.representative_point().to_numpy()
        hit_t, hit_d = shapely.STRtree(polys).query(points, predicate="within")
        idx = np.full(len(tg), -1, dtype=np.int64)
        # a point on a shared border goes to the first district listed
        order = np.lexsort((hit_d, hit_t))
        first = np.unique(hit_t[order], return_index=True)[1]
        idx[hit_t[order][first]] = hit_d[order][first]
    outside = idx < 0
    tg = tg[~outside].copy()
    idx = idx[~outside]

    metric = _metric_crs_for(tg) if len(tg) else None
    area = (tg.geometry.to_crs(metric).area.to_numpy() if len(tg) else np.zeros(0))
    if weight == "area":
        w = area.copy()
        basis = np.full(len(tg), "area", dtype=object)
    elif weight == "count":
        w = np.ones(len(tg))
        basis = np.full(len(tg), "count", dtype=object)
    else:
        if weight not in tg.columns:
            raise SitingError("weight", weight, "no such column in the targets",
                              "use 'area', 'count' or a numeric column such as 'floor_area_m2'")
        w = validate_population(tg[weight], f"targets.{weight}").to_numpy()
        basis = np.full(len(tg), weight, dtype=object)
    n_d = len(keys)
    w_sum = np.bincount(idx, weights=w, minlength=n_d)
    counts = np.bincount(idx, minlength=n_d)
    first_total = totals[columns[0]]
    any_total = np.zeros(n_d, dtype=bool)
    for vals in totals.values():
        any_total |= vals > 0
    no_weight = (w_sum <= 0) & any_total
    fallback: list[object] = []
    if no_weight.any():
        names = [keys[i] for i in np.flatnonzero(no_weight)]
        if on_no_weight == "raise":
            raise PopulationError(
                f"districts.{district_col}", names[:10],
                f"{len(names)} districts with people have no {weight} weight to spread them "
                f"over ({int((counts[no_weight] == 0).sum())} of them contain no target)",
                "add targets there, or pass on_no_weight='area' to fall back to target area "
                "(and to the district polygon where there is no target)",
            )
        if on_no_weight != "area":
            raise SitingError("on_no_weight", on_no_weight, "unknown option",
                              "use 'raise' or 'area'")
        fallback = names
        redo = no_weight[idx]
        point_like = area <= 0
        w = w.copy()
        w[redo] = np.where(point_like[redo], 1.0, area[redo])
        basis[redo] = np.where(point_like[redo], "count", "area")
        # districts where the area of the targets is zero too: equal shares
        w_sum = np.bincount(idx, weights=w, minlength=n_d)
        zero = (w_sum <= 0)[idx] & redo
        w[zero] = 1.0
        basis[zero] = "count"
        empty = no_weight & (counts == 0)
        if empty.any():
            if not isinstance(districts, gpd.GeoDataFrame):
                raise PopulationError(f"districts.{district_col}",
                                      [keys[i] for i in np.flatnonzero(empty)][:10],
                                      "districts without any target and without a polygon",
                                      "pass district polygons so they can stand as targets")
            extra = gpd.GeoDataFrame(
                geometry=districts.iloc[np.flatnonzero(empty)].geometry.to_crs(tg.crs).to_numpy(),
                crs=tg.crs)
            if tg.geometry.name != "geometry":
                extra = extra.rename_geometry(tg.geometry.name)
            tg = pd.concat([tg, extra], ignore_index=True)
            idx = np.concatenate([idx, np.flatnonzero(empty)])
            w = np.concatenate([w, np.ones(int(empty.sum()))])
            basis = np.concatenate([basis, np.full(int(empty.sum()), "district", dtype=object)])
        w_sum = np.bincount(idx, weights=w, minlength=n_d)

    share = np.where(w_sum[idx] > 0, w / np.where(w_sum[idx] > 0, w_sum[idx], 1.0), 0.0)
    tg[district_col] = keys[idx]
    for col, vals in totals.items():
        spread = vals[idx] * share
        if integer:
            if not np.allclose(vals, np.round(vals)):
                raise PopulationError(f"districts.{col}", vals[vals != np.round(vals)][:5].tolist(),
                                      "integer=True needs whole-number totals",
                                      "round the totals first or use integer=False")
            spread = _largest_remainder(spread, idx, np.round(vals))
        tg[col] = spread
    tg["weight_basis"] = basis
    tg = gpd.GeoDataFrame(tg, geometry=targets.geometry.name, crs=targets.crs)
    tg.attrs.update(
        population_in=float(first_total.sum()), population_out=float(tg[columns[0]].sum()),
        population_outside=float(first_total.sum() - tg[columns[0]].sum()),
        targets_outside=int(outside.sum()), fallback_districts=fallback,
    )
    return tg


# -- population bases: ages and scenarios -------------------------------------------------------

def age_group_shares(ages: pd.DataFrame, groups: Mapping[str, Mapping[str, float]] | None = None,
                     *, key: str = "CODE") -> pd.DataFrame:
    """Shares of each age group per district from census age-band shares.

    ``ages`` has one row per district with band shares such as the 2020 census table
    (``AGES_0``, ``AGES_1-4``, ..., ``AGES_65P``) as fractions, or as percentages (detected
    when a row's bands sum to ~100). ``groups`` maps a group name to band weights
    (default :data:`AGE_GROUPS`, whose docstring states the approximations).

    Returns a DataFrame indexed by ``key`` with one share column per group (NaN for rows
    with a missing band).
    """
    groups = AGE_GROUPS if groups is None else groups
    if key not in ages.columns:
        raise SitingError("key", key, "no such column in the age table",
                          f"use one of {list(ages.columns)}")
    bands = sorted({band for weights in groups.values() for band in weights})
    missing = [b for b in bands if b not in ages.columns]
    if missing:
        raise SitingError("ages", missing, "age bands missing from the table",
                          f"the table has {list(ages.columns)}; adapt groups= to them")
    table = ages.set_index(key)[bands].apply(pd.to_numeric, errors="coerce")
    bad = (table < 0).any(axis=1)
    if bad.any():
        raise PopulationError("ages", list(table.index[bad][:10]),
                              f"{int(bad.sum())} rows have negative age shares",
                              "fix those rows of the age table")
    # Rows with a missing band (e.g. a county the census did not cover) keep NaN shares:
    # add_age_bases refuses them only if a cell actually lies in such a district.
    # Percentages (0–100) instead of fractions (0–1)?
    if (table.max(axis=1) > 1.0).any():
        table = table / 100.0
    out = pd.DataFrame(index=table.index)
    for name, weights in groups.items():
        out[name] = sum(table[band] * w for band, w in weights.items())
    return out


def add_age_bases(cells: gpd.GeoDataFrame, ages: pd.DataFrame, *, district_col: str = "district",
                  key: str = "CODE", groups: Mapping[str, Mapping[str, float]] | None = None,
                  population_col: str = "population") -> gpd.GeoDataFrame:
    """Add one column per age group: cell population × its district's group share.

    ``cells[district_col]`` must hold the ``key`` values of ``ages`` (e.g. census codes).
    Districts missing from the age table raise an error naming them.
    """
    shares = age_group_shares(ages, groups, key=key)
    if district_col not in cells.columns:
        raise SitingError("district_col", district_col, "no such column in the cells",
                          "assign districts first (disaggregate or StudyArea)")
    try:
        lookup = shares.reindex(cells[district_col].to_numpy())
    except ValueError as exc:  # duplicated keys in the age table
        raise SitingError(f"ages.{key}", None, f"the age table has duplicate keys ({exc})",
                          "keep one row per district") from exc
    missing = lookup.isna().any(axis=1).to_numpy()
    if missing.any():
        absent = sorted({str(v) for v in cells[district_col].to_numpy()[missing]})
        raise PopulationError(f"cells.{district_col}", absent[:10],
                              "these districts are missing from the age table or have "
                              "incomplete age shares",
                              f"add them or check that {district_col} holds the table's {key}")
    out = cells.copy()
    population = out[population_col].to_numpy(dtype=float)
    for name in shares.columns:
        out[name] = population * lookup[name].to_numpy()
    return out


def new_residents(
    table: pd.DataFrame,
    planned: pd.DataFrame | pd.Series | None = None,
    *,
    current_col: str = "population",
    planned_col: str = "planned",
    on: str | None = None,
) -> pd.DataFrame:
    """New residents = planned − current, never negative; losses are reported, not netted.

    Provision rules written for new residents (Shanghai 2016, rule SH16-16) count growth
    only: where the plan expects fewer people than today, ``new_residents`` is 0 and the
    drop goes to ``population_decline``, so a shrinking district cannot offset a growing one.

    Parameters
    ----------
    table
        Cells or districts with ``current_col`` (and ``planned_col`` unless ``planned`` is
        given).
    planned
        Planned totals to join: a DataFrame with ``on`` and ``planned_col`` columns, or a
        Series indexed by ``on`` values.
    on
        Key column of ``table`` to join ``planned`` on.

    Returns
    -------
    A copy of ``table`` with ``planned_col``, ``new_residents`` and ``population_decline``.
    ``attrs``: ``new_residents`` (sum), ``population_decline`` (sum), ``declining`` (rows
    whose population falls).
    """
    out = table.copy()
    if planned is not None:
        if on is None or on not in out.columns:
            raise SitingError("on", on, "joining planned totals needs a key column of the table",
                              f"pass on= one of {list(out.columns)}")
        series = (planned.set_index(on)[planned_col] if isinstance(planned, pd.DataFrame)
                  else planned)
        if series.index.duplicated().any():
            raise SitingError(f"planned.{on}", list(series.index[series.index.duplicated()][:5]),
                              "planned totals have duplicate keys", "keep one row per key")
        joined = series.reindex(out[on].to_numpy())
        missing = joined.isna().to_numpy()
        if missing.any():
            raise PopulationError(f"planned.{planned_col}",
                                  sorted({str(v) for v in out[on].to_numpy()[missing]})[:10],
                                  "no planned total for these keys",
                                  "give a planned value for every row "
                                  "(equal to today's where unchanged)")
        out[planned_col] = joined.to_numpy()
    for col in (current_col, planned_col):
        if col not in out.columns:
            raise PopulationError(col, None, "no such column",
                                  f"use one of {list(out.columns)}")
    current = validate_population(out[current_col], current_col).to_numpy()
    plan = validate_population(out[planned_col], planned_col).to_numpy()
    growth = plan - current
    out["new_residents"] = np.clip(growth, 0.0, None)
    out["population_decline"] = np.clip(-growth, 0.0, None)
    out.attrs.update(
        new_residents=float(out["new_residents"].sum()),
        population_decline=float(out["population_decline"].sum()),
        declining=int((growth < 0).sum()),
    )
    return out
