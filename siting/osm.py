"""A whole StudyArea from one OpenStreetMap extract: streets, buildings, facilities, districts.

Offline, through pyrosm (``.osm.pbf``) or osmnx (OSM XML). Population comes from residential buildings (footprint × storeys ÷
floor area per person), summed onto a square grid; facilities from POIs classified with the
facility-kind catalogue; districts from OSM administrative boundaries, a file of your own,
or a square planning grid when the extract has neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import SitingError
from .study_area import StudyArea

ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"
XML_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz", ".xml")


def is_osm_xml(path: str | Path) -> bool:
    """True for OSM XML files (``.osm``, ``.osm.bz2``, ``.osm.gz``), False for ``.pbf``."""
    return str(path).lower().endswith(XML_SUFFIXES)


def read_osm_features(path: str | Path, what: str,
                      tags: dict | None = None) -> gpd.GeoDataFrame | None:
    """Buildings, land use, POIs (``tags``) or administrative boundaries of an extract.

    ``.osm.pbf`` through pyrosm; OSM XML (plain, bz2, gzip) through osmnx, with the same
    columns (one per tag, ``id``), so every StudyArea step reads either format.
    """
    if what not in ("buildings", "landuse", "pois", "boundaries"):
        raise SitingError("what", what, "unknown feature set",
                          "use 'buildings', 'landuse', 'pois' or 'boundaries'")
    if not is_osm_xml(path):
        import pyrosm

        osm = pyrosm.OSM(str(path))
        if what == "buildings":
            return osm.get_buildings()
        if what == "landuse":
            return osm.get_landuse()
        if what == "pois":
            return osm.get_pois(custom_filter=tags)
        return osm.get_boundaries(boundary_type="administrative")
    import osmnx as ox

    from .network.build import readable_osm_xml

    query = {"buildings": {"building": True}, "landuse": {"landuse": True},
             "pois": tags or {}, "boundaries": {"boundary": "administrative"}}[what]
    try:
        with readable_osm_xml(path) as readable:
            features = ox.features_from_xml(readable, tags=query)
    except Exception as exc:
        if type(exc).__name__ == "InsufficientResponseError":  # osmnx: nothing matched
            return None
        raise
    features = features.reset_index()
    if "id" not in features.columns and "osmid" in features.columns:
        features = features.rename(columns={"osmid": "id"})
    return features


def osm_facilities(path: str | Path, kinds: list[str] | None = None) -> gpd.GeoDataFrame:
    """Facility points (``kind``, ``name``, ``osm_id``) from an OSM extract's POIs.

    Kinds come from the facility catalogue (``data/facilities/kinds.yaml``) through
    :func:`siting.facility_kinds.classify_osm`. Polygon POIs (a school's grounds) become their
    representative point.
    """
    from .facility_kinds import classify_osm, osm_filter_for

    pois = read_osm_features(path, "pois", osm_filter_for(kinds))
    if pois is None or len(pois) == 0:
        return gpd.GeoDataFrame({"kind": [], "name": [], "osm_id": []}, geometry=[],
                                crs="EPSG:4326")
    kind = classify_osm(pois)
    if kinds is not None:
        kind = kind.where(kind.isin(kinds))
    pois = pois[kind.notna()]
    points = pois.geometry.to_crs(pois.estimate_utm_crs()).representative_point().to_crs(4326)
    return gpd.GeoDataFrame(
        {"kind": kind[kind.notna()].to_numpy(),
         "name": pois.get("name", pd.Series(index=pois.index, dtype=object)).to_numpy(),
         "osm_id": pois["id"].to_numpy()},
        geometry=points.to_numpy(), crs="EPSG:4326",
    )


def osm_districts(path: str | Path, admin_level: int, *, within: str | None = None
                  ) -> gpd.GeoDataFrame:
    """Administrative boundaries of one ``admin_level`` from an extract, as districts.

    Parameters
    ----------
    path
        The ``.osm.pbf`` extract.
    admin_level
        OSM admin level (China: 6 = 区/县, 8 = 街道/乡镇; many European countries: 8 =
        municipality).
    within
        Name of an enclosing boundary (any level) to keep only units inside it, for extracts
        that reach over a border.
    """
    boundaries = read_osm_features(path, "boundaries")
    if boundaries is None or len(boundaries) == 0:
        raise SitingError("path", str(path), "the extract has no administrative boundaries",
                          "pass districts= from a file, or use a planning grid "
                          "(districts=None)")
    level = pd.to_numeric(boundaries["admin_level"], errors="coerce")
    units = boundaries[(level == admin_level) & boundaries.geom_type.isin(
        ["Polygon", "MultiPolygon"])]
    if within is not None:
        outer = boundaries[boundaries["name"] == within]
        if len(outer) == 0:
            raise SitingError("within", within, "no boundary of that name in the extract",
                              f"use one of {sorted(boundaries['name'].dropna().unique())[:20]}")
        metric = units.estimate_utm_crs()
        inside = units.to_crs(metric).representative_point().within(
            outer.to_crs(metric).union_all())
        units = units[inside.to_numpy()]
    if len(units) == 0:
        raise SitingError("admin_level", admin_level, "no boundary of this level in the extract",
                          f"use one of {sorted(level.dropna().astype(int).unique())}")
    units = units.assign(geometry=units.geometry.make_valid())
    return gpd.GeoDataFrame({"district": units["name"].to_numpy()},
                            geometry=units.geometry.to_numpy(), crs=units.crs)


def planning_grid(cells: gpd.GeoDataFrame, size_m: float) -> gpd.GeoDataFrame:
    """Square planning districts (A1, A2 … by column letter and row number) covering ``cells``.

    Squares without residents are left out: they are not planning units.
    """
    minx, miny, maxx, maxy = cells.total_bounds
    x0, y0 = np.floor(minx / size_m) * size_m, np.floor(miny / size_m) * size_m
    ncol = int(np.ceil((maxx - x0) / size_m))
    nrow = int(np.ceil((maxy - y0) / size_m))
    if ncol > 26 * 26:
        raise SitingError("district_size_m", size_m, "too many grid columns to name",
                          "use larger planning squares or pass districts=")
    cols, rows = np.meshgrid(np.arange(ncol), np.arange(nrow))
    cols, rows = cols.ravel(), rows.ravel()
    boxes = shapely.box(x0 + cols * size_m, y0 + rows * size_m,
                        x0 + (cols + 1) * size_m, y0 + (rows + 1) * size_m)
    letters = [chr(ord("A") + c) if ncol <= 26 else chr(ord("A") + c // 26) + chr(ord("A") + c % 26)
               for c in range(ncol)]
    names = [f"{letters[c]}{r + 1}" for c, r in zip(cols, rows)]
    grid = gpd.GeoDataFrame({"district": names}, geometry=boxes, crs=cells.crs)
    has_people = grid.sindex.query(cells.geometry.representative_point().to_numpy(),
                                   predicate="within")[1]
    return grid.iloc[np.unique(has_people)].reset_index(drop=True)


def _homes_with_untagged(path: Path, buildings: gpd.GeoDataFrame,
                         homes_tags: Iterable[str] | None, yes_in_landuse: Iterable[str],
                         not_in_landuse: Iterable[str], crs: object
                         ) -> tuple[gpd.GeoDataFrame, tuple[str, ...]]:
    """Buildings to count and the ``building`` values that are homes: tagged homes, plus
    ``building=yes`` inside home land use and outside other land use (the rest of the
    untagged footprints are left out)."""
    from .population import RESIDENTIAL_BUILDINGS

    homes = tuple(RESIDENTIAL_BUILDINGS if homes_tags is None else homes_tags)
    yes_in, not_in = [str(v) for v in yes_in_landuse], [str(v) for v in not_in_landuse]
    if not yes_in or "building" not in buildings.columns:
        return buildings, homes
    landuse = read_osm_features(path, "landuse")
    if landuse is None or len(landuse) == 0 or "landuse" not in landuse.columns:
        return buildings, homes
    landuse = landuse[landuse.geom_type.isin(["Polygon", "MultiPolygon"])].to_crs(crs)
    points = buildings.to_crs(crs).geometry.representative_point().to_numpy()

    def inside(values: list[str]) -> np.ndarray:
        zone = landuse[landuse["landuse"].isin(values)]
        if len(zone) == 0:
            return np.zeros(len(points), bool)
        return np.isin(np.arange(len(points)), zone.sindex.query(points, predicate="within")[0])

    yes = (buildings["building"].astype("string").str.lower() == "yes").fillna(False).to_numpy()
    counted = yes & inside(yes_in) & ~inside(not_in)
    keep = ~yes | counted
    return buildings[keep], tuple(dict.fromkeys(homes + ("yes",)))


def study_area_from_osm(
    path: str | Path,
    *,
    districts: gpd.GeoDataFrame | str | Path | None = None,
    district_col: str = "district",
    admin_level: int | None = None,
    admin_within: str | None = None,
    cells: gpd.GeoDataFrame | str | Path | None = None,
    population_col: str = "population",
    facilities: gpd.GeoDataFrame | str | Path | None = None,
    kinds: Iterable[str] | None = None,
    modes: Iterable[str] = ("walk", "drive"),
    cell_size_m: float = 100.0,
    district_size_m: float = 1000.0,
    floor_area_per_person: float = 37.2,
    crs: object | None = None,
    snap_distance: dict[str, float] | None = None,
    homes_tags: Iterable[str] | None = None,
    yes_in_landuse: Iterable[str] = ("residential",),
    not_in_landuse: Iterable[str] = ("commercial", "industrial", "retail", "education"),
) -> StudyArea:
    """Build a StudyArea from one OSM extract, filling what you do not pass.

    The extract is an ``.osm.pbf`` (read with pyrosm) or OSM XML — ``.osm``, ``.osm.bz2``,
    ``.osm.gz`` (read with osmnx): streets, buildings, land use, POIs and boundaries alike.

    Parameters
    ----------
    path
        The extract.
    districts, district_col
        Your district polygons; else OSM boundaries of ``admin_level`` (optionally only those
        inside the boundary named ``admin_within``); else a square planning grid of
        ``district_size_m`` over the populated cells.
    cells, population_col
        Your population cells; else residential buildings (footprint × storeys ÷
        ``floor_area_per_person``, default 37.2 m², QD21-06) summed onto ``cell_size_m`` squares.
    facilities, kinds
        Your facility points (with ``kind``); else OSM POIs of ``kinds`` (default every kind in
        the catalogue).
    modes
        Street networks to build (``"walk"``, ``"drive"``).
    crs
        Metric CRS (default: local UTM zone).
    homes_tags
        ``building`` values counted as homes (default
        :data:`siting.population.RESIDENTIAL_BUILDINGS`).
    yes_in_landuse, not_in_landuse
        Untagged ``building=yes`` footprints count as homes where they lie inside OSM
        ``landuse`` of ``yes_in_landuse`` and outside ``not_in_landuse`` — most homes outside
        Europe are mapped so. ``yes_in_landuse=()`` counts tagged homes only. A study area
        left without residents warns (repr, summary, report).
    """
    from .network import from_osm_xml, from_pbf
    from .population import points_to_grid, population_from_buildings

    path = Path(path)
    if not path.is_file():
        raise SitingError("path", str(path), "no such file", "check the path of the extract")
    if cells is None:
        buildings = read_osm_features(path, "buildings")
        if buildings is None or len(buildings) == 0:
            raise SitingError("cells", None, "the extract has no buildings to estimate "
                              "population from", "pass cells= with a population column")
        crs = crs or buildings.estimate_utm_crs()
        buildings, homes = _homes_with_untagged(path, buildings, homes_tags, yes_in_landuse,
                                                not_in_landuse, crs)
        people = population_from_buildings(buildings, floor_area_per_person=floor_area_per_person,
                                           residential=homes, crs=crs)
        cells = points_to_grid(people.set_geometry(people.geometry.centroid), cell_size_m, crs=crs)
        population_col = "population"
    if districts is None:
        if admin_level is not None:
            districts = osm_districts(path, admin_level, within=admin_within)
            district_col = "district"
        else:
            from .io import read_layer

            grid_cells = read_layer(cells, layer="cells")
            metric = crs or grid_cells.estimate_utm_crs()
            districts = planning_grid(grid_cells.to_crs(metric), district_size_m)
            district_col = "district"
    if facilities is None:
        facilities = osm_facilities(path, None if kinds is None else list(kinds))
    load = from_osm_xml if is_osm_xml(path) else from_pbf
    networks = {mode: load(path, mode, crs=crs) for mode in modes}
    return StudyArea(districts, cells, facilities, networks, district_col=district_col,
                     population_col=population_col, crs=crs, snap_distance=snap_distance)


#: The former name, for ``.osm.pbf`` extracts (it reads OSM XML too).
study_area_from_pbf = study_area_from_osm
