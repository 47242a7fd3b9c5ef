"""Population where only census totals exist: district totals spread over building floor area.

Chinese districts publish one census figure each (2020: 第七次全国人口普查); homes are
mostly untagged OSM footprints. A district's residents are spread over its buildings in
proportion to floor area (footprint × storeys, storeys from height ÷ 3 m, a stated default
where height is missing), whole persons per district by largest remainders. When the
buildings (or the street extract) cover only part of a district, the district's total is first
cut to that part by its share of the district's area, and that assumption is reported.

Every result carries ``attrs["method"]`` (one sentence for reports) and
``attrs["districts"]`` (per district: census total, share inside the extent, persons spread,
buildings, storeys defaulted), so a planner can see what the numbers rest on.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from .crs import require_crs
from .errors import PopulationError, SitingError
from .population import disaggregate, square_grid

STOREY_HEIGHT_M = 3.0
# Storeys assumed where a footprint has no height: six, the 多层住宅 (multi-storey walk-up)
# that is the commonest Shanghai housing type outside the towers. State it; change it.
DEFAULT_STOREYS = 6.0


def _metric(frame: gpd.GeoDataFrame, crs: object | None):
    require_crs(frame, "layer")
    if crs is not None:
        return crs
    return frame.estimate_utm_crs() if frame.crs.is_geographic else frame.crs


def floor_area(buildings: gpd.GeoDataFrame, *, height_col: str | None = "height",
               min_height_col: str | None = "min_height", levels_col: str | None = None,
               storey_height_m: float = STOREY_HEIGHT_M,
               default_storeys: float = DEFAULT_STOREYS, crs: object | None = None
               ) -> gpd.GeoDataFrame:
    """Floor area of each footprint: footprint × storeys.

    Storeys come from ``levels_col`` when given and tagged, else from
    (``height`` − ``min_height``) ÷ ``storey_height_m`` rounded (at least 1), else
    ``default_storeys``.

    Parameters
    ----------
    buildings
        Footprint polygons with a CRS (points and lines are left out and counted).
    height_col, min_height_col, levels_col
        Columns in metres / storeys (``None`` or missing: not used).
    storey_height_m
        Metres per storey (default 3 m).
    default_storeys
        Storeys where nothing is tagged (default :data:`DEFAULT_STOREYS`).
    crs
        Metric CRS for areas (default: local UTM zone).

    Returns
    -------
    The polygon footprints in the metric CRS with ``footprint_m2``, ``storeys``,
    ``storeys_source`` (``"levels"``, ``"height"``, ``"default"``) and ``floor_area_m2``;
    ``attrs``: ``not_polygons``, ``storeys_defaulted``, ``storey_height_m``,
    ``default_storeys``.

    Raises
    ------
    SitingError
        Non-positive storey height or default, unknown column.

    Examples
    --------
    >>> homes = floor_area(gpd.read_file("bund_lujiazui_buildings.gpkg"))
    >>> homes["floor_area_m2"].sum()
    """
    if not storey_height_m > 0:
        raise SitingError("storey_height_m", storey_height_m, "must be > 0 metres",
                          "give the height of one storey, e.g. 3.0")
    if not default_storeys > 0:
        raise SitingError("default_storeys", default_storeys, "must be > 0",
                          "give the storeys assumed where no height is tagged, e.g. 6")
    for field, col in (("height_col", height_col), ("min_height_col", min_height_col),
                       ("levels_col", levels_col)):
        if col is not None and field == "levels_col" and col not in buildings.columns:
            raise SitingError(field, col, "no such column in the buildings",
                              f"use one of {list(buildings.columns.drop('geometry'))}")
    metric = _metric(buildings, crs)
    polygons = buildings.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    out = buildings[polygons].to_crs(metric).copy()

    def number(col: str | None) -> pd.Series:
        if col is None or col not in out.columns:
            return pd.Series(np.nan, index=out.index)
        return pd.to_numeric(out[col], errors="coerce").astype(float)

    levels = number(levels_col).where(lambda v: v > 0)
    height = number(height_col) - number(min_height_col).fillna(0.0)
    from_height = (height / storey_height_m).round().clip(lower=1).where(height > 0)
    storeys = levels.fillna(from_height).fillna(default_storeys)
    source = np.where(levels.notna(), "levels", np.where(from_height.notna(), "height",
                                                          "default"))
    out["footprint_m2"] = out.geometry.area.to_numpy()
    out["storeys"] = storeys.to_numpy()
    out["storeys_source"] = source
    out["floor_area_m2"] = out["footprint_m2"] * out["storeys"]
    out.attrs.update(not_polygons=int((~polygons).sum()),
                     storeys_defaulted=int((source == "default").sum()),
                     storey_height_m=float(storey_height_m),
                     default_storeys=float(default_storeys))
    return out


def census_in_extent(districts: gpd.GeoDataFrame, extent: gpd.GeoDataFrame | gpd.GeoSeries,
                     *, district_col: str = "district",
                     columns: str | Sequence[str] = "population", crs: object | None = None
                     ) -> gpd.GeoDataFrame:
    """The parts of districts inside ``extent``, each with its area share of the totals.

    Census totals are per whole district; a street or building extract covers part of it.
    The part's residents are assumed to be the district's total × (area of the part ÷ area
    of the district), rounded to whole persons — an area assumption, reported in
    ``share``, which a planner should replace with sub-district (街道) totals when known.

    Parameters
    ----------
    districts
        District polygons with ``district_col`` and the total ``columns``.
    extent
        Polygon(s) the data covers (e.g. the extract's bounding box).
    columns
        Total columns to cut.
    crs
        Metric CRS for areas (default: local UTM zone of the districts).

    Returns
    -------
    The clipped districts (metric CRS) with the cut totals, ``share`` and, per column,
    ``<column>_district`` (the whole-district total). Districts not touching the extent are
    left out.
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    for col in [district_col, *columns]:
        if col not in districts.columns:
            raise PopulationError(col, None, "no such column in the districts",
                                  f"use one of {list(districts.columns.drop('geometry'))}")
    metric = _metric(districts, crs)
    require_crs(gpd.GeoDataFrame(geometry=gpd.GeoSeries(extent)) if not isinstance(
        extent, gpd.GeoDataFrame) else extent, "extent")
    whole = districts.to_crs(metric)
    box = gpd.GeoSeries(extent.geometry if isinstance(extent, gpd.GeoDataFrame) else extent
                        ).to_crs(metric).union_all()
    parts = whole.geometry.intersection(box)
    share = (parts.area / whole.geometry.area).to_numpy()
    keep = share > 0
    out = whole[keep].copy()
    out["share"] = share[keep]
    for col in columns:
        total = pd.to_numeric(out[col], errors="coerce").to_numpy(float)
        out[f"{col}_district"] = total
        out[col] = np.round(total * out["share"].to_numpy())
    out = out.set_geometry(gpd.GeoSeries(parts[keep].to_numpy(), index=out.index, crs=metric))
    return out.reset_index(drop=True)


def _district_report(cells: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, district_col: str,
                     population_col: str, extra: dict[str, pd.Series]) -> pd.DataFrame:
    spread = cells.groupby(district_col)[population_col].sum()
    table = pd.DataFrame({
        "district": districts[district_col].to_numpy(),
        "census_total": districts.get(f"{population_col}_district",
                                      districts[population_col]).to_numpy(float),
        "share_in_extent": districts.get("share", pd.Series(1.0, index=districts.index)
                                         ).to_numpy(float),
        "population_in": districts[population_col].to_numpy(float),
    })
    table["population_out"] = spread.reindex(table["district"]).fillna(0).to_numpy()
    for name, series in extra.items():
        table[name] = series.reindex(table["district"]).fillna(0).to_numpy()
    return table


def census_over_buildings(
    districts: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    district_col: str = "district",
    population_col: str = "population",
    extent: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    height_col: str | None = "height",
    min_height_col: str | None = "min_height",
    levels_col: str | None = None,
    storey_height_m: float = STOREY_HEIGHT_M,
    default_storeys: float = DEFAULT_STOREYS,
    crs: object | None = None,
) -> gpd.GeoDataFrame:
    """District census totals spread over residential floor area, whole persons per district.

    Parameters
    ----------
    districts
        District polygons with ``district_col`` and census ``population_col``.
    buildings
        Residential footprints (choose them first: the layer's use tags, land use, or a
        stated exclusion of offices) with heights where known.
    extent
        What the buildings cover when it is only part of the districts (then each district's
        total is cut by its area share inside it, see :func:`census_in_extent`); ``None``:
        the buildings cover the districts whole.
    height_col, min_height_col, levels_col, storey_height_m, default_storeys
        Storeys per footprint (see :func:`floor_area`).
    crs
        Metric CRS (default: local UTM zone).

    Returns
    -------
    One point per building (its representative point, so it lies in the district it was
    counted in) with ``district_col``, ``population`` (whole persons), ``floor_area_m2``,
    ``storeys``, ``storeys_source``, ``footprint_m2``. ``attrs``: ``method`` (a sentence),
    ``districts`` (per-district table), ``population_in`` / ``population_out`` (equal).

    Raises
    ------
    PopulationError
        A district with residents has no building to put them in (it is named).

    Examples
    --------
    >>> cells = census_over_buildings(districts, homes, district_col="name",
    ...                               extent=homes.envelope.union_all())
    >>> cells.attrs["districts"]
    """
    metric = _metric(districts, crs)
    if extent is not None:
        totals = census_in_extent(districts, extent, district_col=district_col,
                                  columns=population_col, crs=metric)
    else:
        totals = districts.to_crs(metric).copy()
        totals[population_col] = pd.to_numeric(totals[population_col], errors="coerce")
    homes = floor_area(buildings, height_col=height_col, min_height_col=min_height_col,
                       levels_col=levels_col, storey_height_m=storey_height_m,
                       default_storeys=default_storeys, crs=metric)
    points = homes.set_geometry(homes.geometry.representative_point())
    if district_col in points.columns:  # a building's own name is not its district
        points = points.rename(columns={district_col: f"building_{district_col}"})
    spread = disaggregate(totals[[district_col, population_col, "geometry"]], points,
                          population_col, district_col=district_col, weight="floor_area_m2",
                          integer=True)
    spread = spread.rename(columns={population_col: "population"}) \
        if population_col != "population" else spread
    extra = {"buildings": spread.groupby(district_col).size(),
             "floor_area_m2": spread.groupby(district_col)["floor_area_m2"].sum(),
             "storeys_defaulted": spread.assign(d=spread["storeys_source"] == "default")
             .groupby(district_col)["d"].sum()}
    table = _district_report(spread.rename(columns={"population": population_col}),
                             totals, district_col, population_col, extra)
    cut = "" if extent is None else (
        " Each district's total was first cut to the part inside the data's extent by its "
        "area share (" + ", ".join(f"{d} {s:.1%}" for d, s in
                                   zip(table["district"], table["share_in_extent"])) + ").")
    method = (f"Census totals spread over residential floor area (footprint × storeys; "
              f"storeys = height ÷ {storey_height_m:g} m, {default_storeys:g} where no height: "
              f"{homes.attrs['storeys_defaulted']:,} of {len(homes):,} buildings), whole "
              f"persons per district by largest remainders.{cut}")
    spread.attrs.update(method=method, districts=table,
                        population_in=float(table["population_in"].sum()),
                        population_out=float(spread["population"].sum()))
    return spread


def census_over_area(districts: gpd.GeoDataFrame, extent: gpd.GeoDataFrame | gpd.GeoSeries,
                     cell_size: float, *, district_col: str = "district",
                     population_col: str = "population", crs: object | None = None
                     ) -> gpd.GeoDataFrame:
    """District census totals spread evenly over square cells of the part inside ``extent``.

    For street extracts without buildings (People's Square's drive network). Cells are cut
    at district lines, so each piece lies in one district; whole persons per district.
    Area weighting counts water and parks as homes: prefer :func:`census_over_buildings`
    where footprints exist.

    Returns
    -------
    Cell pieces (polygons, metric CRS) with ``district_col`` and ``population``; ``attrs``
    as :func:`census_over_buildings`.
    """
    metric = _metric(districts, crs)
    totals = census_in_extent(districts, extent, district_col=district_col,
                              columns=population_col, crs=metric)
    grid = square_grid(totals, cell_size, crs=metric)
    pieces = gpd.overlay(grid, totals[[district_col, "geometry"]], how="intersection",
                         keep_geom_type=True)
    pieces = pieces[pieces.area > 1.0].reset_index(drop=True)
    spread = disaggregate(totals[[district_col, population_col, "geometry"]], pieces,
                          population_col, district_col=district_col, weight="area",
                          integer=True)
    if population_col != "population":
        spread = spread.rename(columns={population_col: "population"})
    table = _district_report(spread.rename(columns={"population": population_col}), totals,
                             district_col, population_col,
                             {"cells": spread.groupby(district_col).size()})
    method = (f"Census totals spread evenly over {cell_size:g} m cells by area (no buildings "
              "in the data), whole persons per district; each district's total first cut to "
              "the part inside the extent by its area share (" + ", ".join(
                  f"{d} {s:.1%}" for d, s in zip(table["district"],
                                                 table["share_in_extent"])) + ").")
    spread.attrs.update(method=method, districts=table,
                        population_in=float(table["population_in"].sum()),
                        population_out=float(spread["population"].sum()))
    return spread


def residents_warnings(cells: pd.DataFrame, districts: Sequence[str] | pd.Series, *,
                       lang: str = "en") -> list[str]:
    """Warnings when the cells hold no residents at all, or some districts hold none.

    Parameters
    ----------
    cells
        Population cells with ``population`` and ``district`` columns.
    districts
        Every district name of the study area.
    lang
        ``"en"`` or ``"zh"``.

    Returns
    -------
    Zero, one or two sentences (empty when everyone is somewhere).

    Examples
    --------
    >>> residents_warnings(area.cells, area.districts["district"], lang="zh")
    []
    """
    if lang not in ("en", "zh"):
        raise SitingError("lang", lang, "unknown language", "use 'en' or 'zh'")
    total = float(pd.to_numeric(cells["population"], errors="coerce").fillna(0).sum()) \
        if len(cells) else 0.0
    if total <= 0:
        return ["研究区没有常住人口（0 个有人口的网格）：报告中的每项达标结论都没有居民基础；"
                "请检查人口来源（如 OSM 建筑多为 building=yes，需按居住用地计入）"
                if lang == "zh" else
                "the study area holds no residents (0 populated cells): every verdict would be "
                "about nobody; check the population source (OSM homes are often untagged "
                "building=yes: count them inside residential land use)"]
    people = pd.to_numeric(cells["population"], errors="coerce").fillna(0) \
        .groupby(cells["district"]).sum()
    names = [str(d) for d in districts]
    empty = [d for d in names if not people.get(d, 0.0) > 0]
    if not empty:
        return []
    listed = "、".join(empty[:10]) if lang == "zh" else ", ".join(empty[:10])
    more = (f" 等 {len(empty)} 个" if lang == "zh" else f" and {len(empty) - 10} more") \
        if len(empty) > 10 else ""
    return [f"{len(empty)} 个区域没有常住人口：{listed}{more}" if lang == "zh" else
            f"{len(empty)} districts hold no residents: {listed}{more}"]
