"""The issue's "done when": ``siting.assess`` on the shipped Shanghai district boundaries with
the 2020 census and the shared POIs gives a city-wide SH16-18 row a planner can quote, with
both shortfalls, the area used and the stations counted — every number recomputed here with
geopandas (point-in-polygon join, UTM areas), not with siting's own code.

Seed 000 L91 「急救站点平均服务半径≤3.5公里」, stated for the whole city: the study-area row
decides; the area-equivalent radius is √(A / (π N)).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from conftest import shared_path
from siting import StudyArea
from siting.assess import LEVEL_AREA, LEVEL_DIAGNOSTIC, assess
from siting.china import load_district_boundaries, read_poi_table

UTM51 = "EPSG:32651"
pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def inputs():
    polygons = load_district_boundaries("shanghai")
    census = pd.read_csv(shared_path("china", "county_population_2020.csv"),
                         encoding="utf-8-sig", dtype={"CODE": str})
    districts = polygons.merge(census[["CODE", "POPU"]], left_on="code", right_on="CODE")
    districts["population"] = districts["POPU"].astype(float)
    pois = read_poi_table(shared_path("china", "shanghai_poi", "shanghai_hospital.csv"), "wgs84")
    stations = pois[pois["type"].astype(str).str.contains("急救中心")].assign(
        kind="emergency_station")
    return districts[["code", "name", "population", "geometry"]], stations


def test_sh16_18_city_wide_row_on_shipped_boundaries_census_and_pois(inputs):
    districts, stations = inputs
    assert len(districts) == 16
    area = StudyArea(districts, None, stations[["kind", "name", "geometry"]],
                     district_col="name", crs=UTM51)
    report = assess(area, ["SH16-18"])

    # by hand: stations per district by point-in-polygon, polygon areas in UTM 51N
    joined = gpd.sjoin(stations, districts[["name", "geometry"]].rename(
        columns={"name": "district"}), predicate="within")
    n = joined.groupby("district").size().reindex(districts["name"]).fillna(0)
    a = districts.to_crs(UTM51).set_index("name").area
    disc = math.pi * 3500.0 ** 2
    to_average = max(0, math.ceil(a.sum() / disc) - int(n.sum()))
    to_every = int(np.maximum(0, np.ceil(a / disc) - n).sum())

    table = report.table[report.table["rule_id"] == "SH16-18"]
    city = table[table["level"] == LEVEL_AREA].iloc[0]
    assert city["district"] == "(study area)"
    assert city["reading"] == pytest.approx(math.sqrt(a.sum() / (math.pi * n.sum())), rel=1e-9)
    assert city["provided"] == n.sum()
    assert city["shortfall"] == to_average
    assert bool(city["passed"]) is (to_average == 0)
    readings = report.readings
    mine = readings[(readings["rule_id"] == "SH16-18")
                    & (readings["district"] == "(study area)")].set_index("reading")["value"]
    assert mine["shortfall_average"] == to_average
    assert mine["shortfall_every_unit"] == to_every
    assert mine["area_used"] == pytest.approx(a.sum() / 1e6, rel=1e-9)
    assert mine["facilities_counted"] == n.sum()
    # the planner reads both shortfalls, the area and the stations in the row's note
    assert f"{to_every:,.0f} to make every district pass" in city["note"]
    assert "whole district polygons" in city["note"]
    # district rows are diagnostics, not failures
    diag = table[table["level"] == LEVEL_DIAGNOSTIC]
    assert len(diag) == 16 and diag["passed"].isna().all()
    # the figures docs/rules.md quotes for this run
    assert (int(n.sum()), round(a.sum() / 1e6), round(city["reading"]), to_average,
            to_every) == (109, 8001, 4834, 99, 145)
