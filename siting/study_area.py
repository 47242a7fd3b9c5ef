"""StudyArea: districts, population cells, facilities and street networks in one metric CRS.

Everything downstream (rules, assessment, proposals, reports) reads a StudyArea and never
changes it. Construction validates every layer up front, so errors name the layer, the field
and the fix before any distance is computed.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from .crs import choose_metric_crs, require_crs, require_metric
from .errors import CRSError, GeometryError, NetworkError, PopulationError, SitingError
from .offset_check import check_provider_offsets
from .units import Quantity, parse_cutoff

if TYPE_CHECKING:
    from .network.graph import Network
    from .network.paths import Reach

MODES = ("walk", "drive")
DEFAULT_SNAP_DISTANCE_M = {"walk": 500.0, "drive": 1000.0}
# Layers whose extents lie this far apart almost always carry a wrong CRS label.
_MAX_LAYER_GAP_M = 50_000.0


def _validate_geometry(gdf: gpd.GeoDataFrame, layer: str, kinds: tuple[str, ...]) -> None:
    geoms = gdf.geometry
    empty = geoms.isna() | geoms.is_empty
    if empty.any():
        bad = list(gdf.index[empty][:5])
        raise GeometryError(
            f"{layer}.geometry", bad, f"{int(empty.sum())} rows have empty or missing geometry",
            f"drop or repair those rows of {layer} before building the study area",
        )
    wrong = ~geoms.geom_type.isin(kinds)
    if wrong.any():
        raise GeometryError(
            f"{layer}.geometry", sorted(set(geoms.geom_type[wrong]))[:5],
            f"{layer} must hold {' or '.join(kinds)} geometries",
            "convert them (for example .centroid for points) or pass the right layer",
        )
    invalid = ~geoms.is_valid
    if invalid.any():
        raise GeometryError(
            f"{layer}.geometry", list(gdf.index[invalid][:5]),
            f"{int(invalid.sum())} geometries are invalid (self-intersections or similar)",
            f"repair them with {layer}.geometry = {layer}.geometry.make_valid()",
        )


def validate_population(values: pd.Series, field: str) -> pd.Series:
    """Return ``values`` as float, raising on missing, non-numeric or negative entries."""
    numeric = pd.to_numeric(values, errors="coerce")
    missing = numeric.isna()
    if missing.any():
        grouped = values[missing].astype(str).str.fullmatch(r"\s*\d{1,3}(,\d{3})+(\.\d*)?\s*")
        fix = ("remove the thousands separators (\"1,000\" → 1000), e.g. "
               "pd.to_numeric(col.str.replace(',', ''))" if grouped.any() else
               "fill them with 0 where nobody lives, or drop those rows knowingly")
        raise PopulationError(
            field, list(values[missing].index[:5]),
            f"{int(missing.sum())} rows have missing or non-numeric population", fix,
        )
    negative = numeric < 0
    if negative.any():
        raise PopulationError(
            field, numeric[negative].head(5).to_dict(),
            f"{int(negative.sum())} rows have negative population",
            "population counts must be >= 0; check the source column",
        )
    numeric = numeric.astype(float)
    infinite = ~np.isfinite(numeric.to_numpy())
    if infinite.any():
        raise PopulationError(
            field, numeric[infinite].head(5).to_dict(),
            f"{int(infinite.sum())} rows have infinite population",
            "give finite head counts; check the source column for overflowed values",
        )
    with np.errstate(over="ignore"):
        total = float(numeric.to_numpy().sum())
    if not np.isfinite(total):
        raise PopulationError(
            field, float(numeric.max()), "the population total overflows (is not finite)",
            "check the source column: head counts this large are not residents",
        )
    return numeric


def district_names(values: pd.Series, field: str) -> pd.Series:
    """District names as text; a missing name (None, NaN) becomes ``"(unnamed N)"``.

    Parameters
    ----------
    values
        The district name column.
    field
        Name of the column for the warning.

    Returns
    -------
    pandas.Series
        One name per row (RangeIndex), warning with ``UserWarning`` when any was missing.

    Examples
    --------
    >>> district_names(pd.Series(["West", None]), "districts.name").tolist()  # doctest: +SKIP
    ['West', '(unnamed 2)']
    """
    # pandas keeps None/NaN as NaN through astype(str); a district without a name would then
    # lose its residents to "outside", so it is named after its row and the user is told
    missing = values.isna().to_numpy()
    names = pd.Series([f"(unnamed {i + 1})" if gone else str(v)
                       for i, (v, gone) in enumerate(zip(values, missing))], dtype=object)
    if missing.any():
        warnings.warn(f"{field}: {int(missing.sum())} districts have no name; they are called "
                      f"{list(names[missing][:5])} (their row numbers). Fix: fill in the names",
                      UserWarning, stacklevel=3)
    return names


def warn_overlaps(districts: gpd.GeoDataFrame) -> None:
    """Warn (``UserWarning``) when districts overlap: shared cells count for the first only.

    Parameters
    ----------
    districts
        Polygons with a ``district`` name column, in a metric CRS.

    Examples
    --------
    >>> warn_overlaps(area.districts)  # doctest: +SKIP
    """
    left, right = districts.sindex.query(districts.geometry.to_numpy(), predicate="intersects")
    valid = districts.geometry.is_valid.to_numpy()  # invalid ones fail on their own later
    pairs = (left < right) & valid[left] & valid[right]
    left, right = left[pairs], right[pairs]
    if len(left) == 0:
        return
    geoms = districts.geometry.to_numpy()
    shared = np.array([geoms[a].intersection(geoms[b]).area for a, b in zip(left, right)])
    smaller = np.minimum(districts.area.to_numpy()[left], districts.area.to_numpy()[right])
    overlap = shared > 1e-6 * smaller
    if overlap.any():
        names = districts["district"].to_numpy()
        shown = [(names[a], names[b]) for a, b in zip(left[overlap], right[overlap])][:5]
        warnings.warn(f"districts overlap: {shown}; cells and facilities in an overlap count "
                      "only for the district listed first. Fix: make the districts disjoint",
                      UserWarning, stacklevel=3)


def _as_gdf(data: object, layer: str) -> gpd.GeoDataFrame:
    if isinstance(data, gpd.GeoDataFrame):
        return data.copy()
    from .io import read_layer  # files and tables are read by siting.io

    return read_layer(data, layer=layer)


@dataclass(frozen=True)
class NearestResult:
    """Travel from every population cell to its nearest facility of a kind."""

    table: pd.DataFrame
    mode: str
    by: str
    cutoff: Quantity | None


class StudyArea:
    """Districts, population cells, facilities and street networks in one metric CRS.

    Parameters
    ----------
    districts
        Polygons with a name/code column ``district_col``. A GeoDataFrame or a file path.
    cells
        Population cells (polygons or points) with a ``population_col`` column; further numeric
        columns (``elderly``, ``children``, ``planned``...) are kept as other population bases.
        ``None`` uses the districts themselves as cells, which suits census totals per district.
    facilities
        Points with a ``kind`` column (``"community_health_centre"``, ``"school"``...) and any
        attributes (``capacity``, ``vehicles``, ``beds``, ``area_m2``...).
    networks
        Street networks by mode, ``{"walk": Network, "drive": Network}``
        (see :mod:`siting.network`).
    district_col, population_col
        Column names in the inputs; they become ``district`` and ``population``.
    crs
        The metric CRS to work in. ``None`` picks the local UTM zone.
    clip
        Drop cells whose representative point lies outside every district (their population
        is kept in :attr:`outside_population`, never lost silently). Facilities outside every
        district are kept, with an empty ``district``, when they lie within a network's extent
        (residents near a border use them; counts per unit use only those inside); the others
        are dropped into :attr:`dropped_facilities`. :meth:`clip_summary` says both.
    snap_distance
        Maximum distance in metres from a point to a street, per mode.
    """

    def __init__(
        self,
        districts: gpd.GeoDataFrame | str,
        cells: gpd.GeoDataFrame | str | None = None,
        facilities: gpd.GeoDataFrame | str | None = None,
        networks: Mapping[str, Network] | None = None,
        *,
        district_col: str = "district",
        population_col: str = "population",
        crs: object | None = None,
        clip: bool = True,
        snap_distance: Mapping[str, float] | None = None,
    ) -> None:
        districts = _as_gdf(districts, "districts")
        require_crs(districts, "districts")
        if district_col not in districts.columns:
            raise SitingError(
                "district_col", district_col, "no such column in districts",
                f"pass district_col= one of {list(districts.columns.drop('geometry'))}",
            )
        if len(districts) == 0:
            raise GeometryError("districts", 0, "there are no districts",
                                "give at least one district polygon (check the file and its layer)")
        _validate_geometry(districts, "districts", ("Polygon", "MultiPolygon"))
        names = district_names(districts[district_col], f"districts.{district_col}")
        if names.duplicated().any():
            raise SitingError(
                f"districts.{district_col}", sorted(set(names[names.duplicated()]))[:5],
                "district names must be unique", "dissolve duplicates or use a code column",
            )

        if cells is None:
            if population_col not in districts.columns:
                raise PopulationError(
                    population_col, None,
                    "no cells were given and the districts have no population column",
                    "pass cells= with a population column, or add census totals to districts",
                )
            cells = districts[[population_col, "geometry"]].copy()
        else:
            cells = _as_gdf(cells, "cells")
            require_crs(cells, "cells")
            if population_col not in cells.columns:
                raise PopulationError(
                    f"cells.{population_col}", None, "the cells have no population column",
                    f"pass population_col= one of {list(cells.columns.drop('geometry'))}",
                )
        _validate_geometry(cells, "cells", ("Polygon", "MultiPolygon", "Point"))

        if facilities is None:
            facilities = gpd.GeoDataFrame({"kind": pd.Series(dtype=str)}, geometry=[],
                                          crs=districts.crs)
        else:
            facilities = _as_gdf(facilities, "facilities")
            require_crs(facilities, "facilities")
            if "kind" not in facilities.columns:
                raise SitingError("facilities.kind", None, "facilities need a 'kind' column",
                                  "add one naming each facility's type, e.g. 'kindergarten'")
            if len(facilities):
                _validate_geometry(facilities, "facilities", ("Point",))

        self.crs: CRS = require_metric(crs) if crs is not None else choose_metric_crs(
            districts, cells, facilities)
        districts = districts.to_crs(self.crs)
        cells = cells.to_crs(self.crs)
        facilities_crs = facilities.crs
        facilities = facilities.to_crs(self.crs)
        self._check_extents(districts, cells, facilities)

        population = validate_population(cells[population_col], f"cells.{population_col}")
        self.population_in = float(population.sum())

        self.districts = gpd.GeoDataFrame(
            {"district": names.to_numpy()},
            geometry=districts.geometry.to_numpy(), crs=self.crs,
        ).join(districts.drop(columns=[district_col, "geometry"]).reset_index(drop=True))
        self.district_col = "district"
        warn_overlaps(self.districts)

        cell_table = cells.drop(columns=[population_col]).reset_index(drop=True)
        cell_table.insert(0, "population", population.to_numpy())
        cell_table["district"] = self._district_of(cell_table)
        facility_table = facilities.reset_index(drop=True)
        facility_table["kind"] = facility_table["kind"].astype(str)
        facility_table["district"] = self._district_of(facility_table)

        outside_cells = cell_table["district"].isna()
        self.outside_population = float(cell_table.loc[outside_cells, "population"].sum())
        outside_facilities = facility_table["district"].isna()
        if clip:
            cell_table = cell_table[~outside_cells]
        cell_table.index = pd.RangeIndex(len(cell_table), name="cell")
        self.cells = gpd.GeoDataFrame(cell_table, geometry="geometry", crs=self.crs)

        self.networks: dict[str, Network] = {}
        for mode, network in (networks or {}).items():
            self._check_mode(mode)
            self.networks[mode] = network.to_crs(self.crs)
        self.snap_distance = dict(DEFAULT_SNAP_DISTANCE_M)
        for mode, metres in (snap_distance or {}).items():
            self._check_mode(mode)
            if not metres > 0:
                raise SitingError(f"snap_distance[{mode!r}]", metres, "must be > 0 metres",
                                  "give a positive distance such as 500")
            self.snap_distance[mode] = float(metres)
        # GCJ-02 / BD-09 points labelled WGS-84: the streets are the WGS-84 reference
        check_provider_offsets(facilities, self.networks, label=facilities_crs)
        if clip and outside_facilities.any():
            # residents near a border use facilities across it: those within a network's
            # reach stay (district empty: counts per unit use only the ones inside)
            keep = ~outside_facilities.to_numpy() | self._within_networks(facility_table.geometry)
            dropped = facility_table.loc[~keep]
            facility_table = facility_table[keep]
        else:
            dropped = facility_table.iloc[0:0]
        #: Facilities outside every district dropped by ``clip`` (beyond every network).
        self.dropped_facilities = pd.DataFrame(dropped.drop(columns="geometry")).reset_index(
            drop=True)
        #: Facilities outside every district kept for access rules (their ``district`` is empty).
        self.outside_facilities = int(facility_table["district"].isna().sum())
        facility_table.index = pd.RangeIndex(len(facility_table), name="facility")
        self.facilities = gpd.GeoDataFrame(facility_table, geometry="geometry", crs=self.crs)
        self._snapped: dict[tuple[str, str], object] = {}
        for text in self.residents_warnings():
            warnings.warn(text, UserWarning, stacklevel=2)

    @classmethod
    def from_osm(cls, path: str, **kwargs) -> StudyArea:
        """Build from one OSM extract (``.osm.pbf``, or XML ``.osm``/``.osm.bz2``/``.osm.gz``);
        see :func:`siting.osm.study_area_from_osm`."""
        from .osm import study_area_from_osm

        return study_area_from_osm(path, **kwargs)

    # -- construction helpers -------------------------------------------------------------
    def _within_networks(self, geometry: gpd.GeoSeries) -> np.ndarray:
        """Whether each point lies within a network's extent (plus its snap distance)."""
        inside = np.zeros(len(geometry), dtype=bool)
        x, y = geometry.x.to_numpy(), geometry.y.to_numpy()
        for mode, network in self.networks.items():
            if len(network.x) == 0:
                continue
            pad = self.snap_distance.get(mode, 0.0)
            inside |= ((x >= network.x.min() - pad) & (x <= network.x.max() + pad)
                       & (y >= network.y.min() - pad) & (y <= network.y.max() + pad))
        return inside

    def clip_summary(self, lang: str = "en") -> str:
        """What clipping to the districts did to the facilities, in one line ("" if nothing).

        Parameters
        ----------
        lang
            ``"en"`` or ``"zh"``.

        Returns
        -------
        str
            How many facilities outside the districts were kept and how many dropped.

        Examples
        --------
        >>> area.clip_summary()  # doctest: +SKIP
        '35 facilities outside the districts kept for access rules (not counted in any district)'
        """
        zh = lang == "zh"
        parts = []
        if self.outside_facilities:
            parts.append(f"区域外 {self.outside_facilities} 处设施保留用于可达性规则（不计入任何区域）"
                         if zh else
                         f"{self.outside_facilities} facilities outside the districts kept for "
                         "access rules (not counted in any district)")
        if len(self.dropped_facilities):
            counts = self.dropped_facilities["kind"].value_counts().to_dict()
            if zh:
                from .report.wording import kind_name

                kinds = "、".join(f"{kind_name(str(k), 'zh')} {n} 处" for k, n in counts.items())
                parts.append(f"区域外 {len(self.dropped_facilities)} 处设施超出所有路网范围，"
                             f"已剔除：{kinds}")
            else:
                parts.append(f"{len(self.dropped_facilities)} facilities outside the districts "
                             f"dropped (beyond every network): {counts}")
        return ("；" if zh else "; ").join(parts)

    def _district_of(self, table: gpd.GeoDataFrame) -> pd.Series:
        if len(table) == 0:
            return pd.Series([], dtype=object, index=table.index)
        points = gpd.GeoSeries(table.geometry.representative_point(), crs=self.crs)
        # "intersects", not "within": a point exactly on a border or outer edge is inside
        hits = self.districts.sindex.query(points.to_numpy(), predicate="intersects")
        district = np.full(len(table), None, dtype=object)
        # a point on a shared border belongs to the first district listed
        order = np.lexsort((hits[1], hits[0]))
        first = np.unique(hits[0][order], return_index=True)[1]
        district[hits[0][order][first]] = self.districts["district"].to_numpy()[hits[1][order][first]]
        return pd.Series(district, index=table.index, dtype=object)

    @staticmethod
    def _check_extents(districts: gpd.GeoDataFrame, *others: gpd.GeoDataFrame) -> None:
        box = districts.total_bounds
        for layer, name in zip(others, ("cells", "facilities")):
            if len(layer) == 0:
                continue
            other = layer.total_bounds
            gap_x = max(other[0] - box[2], box[0] - other[2], 0.0)
            gap_y = max(other[1] - box[3], box[1] - other[3], 0.0)
            gap = float(np.hypot(gap_x, gap_y))
            if gap > _MAX_LAYER_GAP_M:
                raise CRSError(
                    f"{name}.crs", str(layer.crs),
                    f"{name} lie {gap / 1000:,.0f} km from the districts: the layers' CRS labels "
                    "probably disagree with their coordinates",
                    f"check which CRS each file was really made in and set_crs() it on {name}",
                )

    @staticmethod
    def _check_mode(mode: str) -> None:
        if mode not in MODES:
            raise SitingError("mode", mode, "unknown travel mode", f"use one of {list(MODES)}")

    # -- plain accessors --------------------------------------------------------------------
    @property
    def population(self) -> float:
        """Residents in the study area (cells inside the districts)."""
        return float(self.cells["population"].sum())

    @property
    def population_bases(self) -> list[str]:
        """Numeric cell columns usable as a population basis (``population`` first)."""
        numeric = self.cells.select_dtypes("number").columns
        return ["population"] + [c for c in numeric if c != "population"]

    def facilities_of(self, kind: str | Iterable[str]) -> gpd.GeoDataFrame:
        """Facilities whose ``kind`` is ``kind`` (or any of several kinds)."""
        kinds = [kind] if isinstance(kind, str) else list(kind)
        return self.facilities[self.facilities["kind"].isin(kinds)]

    def network(self, mode: str) -> Network:
        """The street network for ``mode``, with an error that says how to add one."""
        self._check_mode(mode)
        if mode not in self.networks:
            raise NetworkError(
                "mode", mode, f"this study area has no {mode} network "
                f"(it has {sorted(self.networks) or 'none'})",
                "pass networks={'%s': siting.network.from_pbf(path, mode='%s')} when building "
                "the StudyArea" % (mode, mode),
            )
        return self.networks[mode]

    def residents_warnings(self, lang: str = "en") -> list[str]:
        """Loud notes when the study area, or a district, holds no residents.

        A report on nobody must say so: an OSM extract whose homes are untagged
        (``building=yes``) builds empty cells without any error. ``lang``: ``"en"``/``"zh"``.
        """
        from .population_buildings import residents_warnings

        return residents_warnings(self.cells, self.districts["district"], lang=lang)

    def __repr__(self) -> str:
        kinds = self.facilities["kind"].value_counts().to_dict()
        warn = "".join(f" WARNING: {w}" for w in self.residents_warnings())
        return (
            f"StudyArea({len(self.districts)} districts, {len(self.cells):,} cells, "
            f"{self.population:,.0f} residents, facilities {kinds}, "
            f"networks {sorted(self.networks)}, crs {self.crs.to_string()}){warn}"
        )

    # -- network distances --------------------------------------------------------------------
    def snapped(self, layer: str, mode: str):
        """Cells or facilities attached to the ``mode`` network (cached).

        Returns a :class:`siting.network.snap.Snapped` with the edge, offset and snap
        distance of every point and the list of points that could not snap.
        """
        from .network.snap import snap_points

        key = (layer, mode)
        if key not in self._snapped:
            table = {"cells": self.cells, "facilities": self.facilities}[layer]
            points = table.geometry.representative_point() if layer == "cells" else table.geometry
            self._snapped[key] = snap_points(self.network(mode), points.to_numpy(),
                                             max_distance=self.snap_distance[mode])
        return self._snapped[key]

    def unreachable(self, mode: str) -> gpd.GeoDataFrame:
        """Cells that lie beyond the snap distance of the ``mode`` network, with population."""
        snapped = self.snapped("cells", mode)
        return self.cells.iloc[np.flatnonzero(~snapped.ok)]

    def nearest(self, kind: str | Iterable[str] | gpd.GeoDataFrame, mode: str = "walk",
                cutoff: str | float | Quantity | None = None, *, by: str | None = None,
                direction: str = "from_facility") -> pd.DataFrame:
        """Travel from every cell to its nearest facility of ``kind``.

        Parameters
        ----------
        kind
            Facility kind(s), or a GeoDataFrame of points (for example candidate sites).
        mode
            ``"walk"`` or ``"drive"``.
        cutoff
            Search limit: metres (number or ``"800 m"``) or time (``"15 min"``). ``None``
            searches the whole network.
        by
            ``"length"`` or ``"time"``; defaults to the cutoff's dimension, else length.
        direction
            ``"from_facility"`` (default: emergency response, facility → people) or
            ``"to_facility"`` (people travel to the facility). They differ only where streets
            are one-way, i.e. when driving.

        Returns
        -------
        DataFrame indexed like :attr:`cells` with ``population``, ``district``, ``distance_m``
        and ``time_min`` (the one not optimised is derived where exact, else NaN),
        ``facility`` (index into :attr:`facilities`, or -1) and ``status``: ``"reached"``,
        ``"beyond_cutoff"`` or ``"unsnapped"`` (no street within the snap distance). Population
        in = reached + beyond_cutoff + unsnapped, always.
        """
        from .network.paths import nearest_sources

        if direction not in ("from_facility", "to_facility"):
            raise SitingError("direction", direction, "unknown travel direction",
                              "use 'from_facility' (response) or 'to_facility' (people travel)")
        sources = self._sources(kind)
        limit = parse_cutoff(cutoff) if cutoff is not None else None
        weight = self._weight(by, limit)
        network = self.network(mode)
        targets = self.snapped("cells", mode)
        if len(sources) == 0:  # no facility at all: nobody is reached
            cost, label = np.full(len(self.cells), np.inf), np.full(len(self.cells), -1)
        else:
            source_snap = self._snap_sources(sources, kind, mode)
            cost, label = nearest_sources(network, source_snap, targets, weight=weight,
                                          cutoff=self._cutoff_value(limit, weight),
                                          reverse=direction == "to_facility")
        table = self.cells[["population", "district"]].copy()
        table["facility"] = np.where(label >= 0, sources.index.to_numpy()[np.maximum(label, 0)], -1)
        self._fill_costs(table, cost, weight, network)
        table["status"] = np.where(~targets.ok, "unsnapped",
                                   np.where(label >= 0, "reached", "beyond_cutoff"))
        table.attrs.update(mode=mode, by=weight, cutoff=str(limit) if limit else None,
                           direction=direction)
        return table

    def reach(self, sources: str | Iterable[str] | gpd.GeoDataFrame, mode: str,
              cutoff: str | float | Quantity, *, by: str | None = None) -> Reach:
        """Sparse sources × cells matrix of travel costs within ``cutoff``.

        Memory grows with the (source, cell) pairs reached, never with sources × cells.
        """
        from .network.paths import reach_matrix

        src = self._sources(sources)
        limit = parse_cutoff(cutoff)
        weight = self._weight(by, limit)
        return reach_matrix(self.network(mode), self._snap_sources(src, sources, mode),
                            self.snapped("cells", mode), weight=weight,
                            cutoff=self._cutoff_value(limit, weight),
                            source_index=src.index.to_numpy())

    def isochrones(self, kind: str | Iterable[str] | gpd.GeoDataFrame, mode: str,
                   thresholds: Iterable[str | float | Quantity]) -> gpd.GeoDataFrame:
        """Polygons of the street area reachable from each facility within each threshold."""
        from .network.isochrones import isochrone_polygons

        sources = self._sources(kind)
        limits = [parse_cutoff(t, field="thresholds") for t in thresholds]
        dims = {q.dimension for q in limits}
        if len(dims) != 1:
            raise SitingError("thresholds", [str(q) for q in limits],
                              "mix lengths and times", "give all in metres or all in minutes")
        weight = "time" if dims == {"time"} else "length"
        values = [self._cutoff_value(q, weight) for q in limits]
        polygons = isochrone_polygons(
            self.network(mode), self._snap_sources(sources, kind, mode), weight=weight,
            thresholds=values, labels=[str(q) for q in limits],
            source_index=sources.index.to_numpy(), crs=self.crs,
            points=sources.geometry.to_numpy(),
        )
        # who is inside is decided by network cost, not by the drawn polygon
        reach = self.reach(kind, mode, max(limits, key=lambda q: q.value), by=weight)
        people = self.cells["population"].to_numpy()
        reached = pd.DataFrame({"source": sources.index.to_numpy()[reach.source],
                                "cost": reach.cost, "population": people[reach.target]})
        polygons["population"] = [
            reached.loc[(reached["source"] == src) & (reached["cost"] <= limit), "population"].sum()
            for src, limit in zip(polygons["source"], polygons["cost_limit"])
        ]
        return polygons

    # -- internals --------------------------------------------------------------------------
    def _sources(self, kind: object) -> gpd.GeoDataFrame:
        if isinstance(kind, gpd.GeoDataFrame):
            if len(kind) == 0:
                return kind.set_crs(self.crs, allow_override=True) if kind.crs is None \
                    else kind.to_crs(self.crs)
            require_crs(kind, "sources")
            sources = kind.to_crs(self.crs)
            _validate_geometry(sources, "sources", ("Point",))
            return sources
        sources = self.facilities_of(kind)  # type: ignore[arg-type]
        if len(sources) == 0:
            known = sorted(self.facilities["kind"].unique())
            raise SitingError("kind", kind, "no facility of this kind in the study area",
                              f"use one of {known} or add such facilities")
        return sources

    def _snap_sources(self, sources: gpd.GeoDataFrame, kind: object, mode: str):
        from .network.snap import snap_points

        if not isinstance(kind, gpd.GeoDataFrame):
            # by label: a batch task's facilities keep their numbers in the whole batch
            snapped = self.snapped("facilities", mode).subset(
                self.facilities.index.get_indexer(sources.index))
        else:
            snapped = snap_points(self.network(mode), sources.geometry.to_numpy(),
                                  max_distance=self.snap_distance[mode])
        snapped.require_all(layer="facilities", ids=sources.index.to_numpy(),
                            max_distance=self.snap_distance[mode])
        return snapped

    @staticmethod
    def _weight(by: str | None, limit: Quantity | None) -> str:
        if by is None:
            return "time" if limit is not None and limit.dimension == "time" else "length"
        if by not in ("length", "time"):
            raise SitingError("by", by, "unknown cost", "use 'length' (metres) or 'time' (minutes)")
        if limit is not None and {"length": "length", "time": "time"}[by] != limit.dimension:
            raise SitingError("cutoff", str(limit), f"a {limit.dimension} cutoff cannot limit "
                              f"a search by {by}", "give the cutoff in the same dimension as by=")
        return by

    @staticmethod
    def _cutoff_value(limit: Quantity | None, weight: str) -> float:
        if limit is None:
            return np.inf
        return limit.to("m") if weight == "length" else limit.to("min") * 60.0

    @staticmethod
    def _fill_costs(table: pd.DataFrame, cost: np.ndarray, weight: str, network: Network) -> None:
        if weight == "length":
            table["distance_m"] = cost
            table["time_min"] = (cost / network.speed_mps / 60.0
                                 if network.constant_speed else np.nan)
        else:
            table["time_min"] = cost / 60.0
            table["distance_m"] = np.nan
