"""The ratio-within-catchment rule on a planted case whose verdict the plan text implies.

Seed 000 L91 (Shanghai 2016): 「急救站点平均服务半径≤3.5公里,急救车辆数量配置每3万人1辆」 —
vehicles are allotted per 30,000 residents beside the station's 3.5 km service radius; seed
001 L69: 「以服务半径和服务人口为基本依据」. So the 30,000 residents a vehicle is owed to are
those within its station's service radius, not a district's head count.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import siting.network as sn
from siting import StudyArea
from siting.rules import CapacityPerPopulationRule, RuleInputError, read_catalog
from siting.rules.catchment import CatchmentRatioRule

CRS = "EPSG:32651"  # Shanghai's UTM zone
QUOTE = "急救站点平均服务半径≤3.5公里,急救车辆数量配置每3万人1辆"


def _area(east_station: bool = True):
    """One 30 km road; district 东 holds 0–10 km, district 西 10–30 km.

    东: one station (1 vehicle) at 2 km, 20,000 residents within 3.5 km of it.
    西: station S1 (2 vehicles) at 12 km with 15,000 residents around it, station S2
    (1 vehicle) at 25 km with 45,000 residents around it. 西 has 3 vehicles for 60,000
    residents: one per 20,000 by head count, but S2's catchment has one per 45,000.
    """
    road = gpd.GeoDataFrame({"highway": ["primary"]},
                            geometry=[shapely.LineString([(0, 0), (30_000, 0)])], crs=CRS)
    drive = sn.from_lines(road, mode="drive", highway_col="highway")
    cells = gpd.GeoDataFrame(
        {"population": [20_000.0, 15_000.0, 20_000.0, 25_000.0]},
        geometry=gpd.points_from_xy([1_000, 11_000, 24_000, 26_000], [10, 10, 10, 10]), crs=CRS)
    stations = gpd.GeoDataFrame(
        {"kind": "emergency_station", "vehicles": [1, 2, 1], "name": ["A", "S1", "S2"]},
        geometry=gpd.points_from_xy([2_000, 12_000, 25_000], [0, 0, 0]), crs=CRS)
    if not east_station:
        stations = stations.iloc[1:]
    districts = gpd.GeoDataFrame(
        {"district": ["东", "西"]},
        geometry=[shapely.box(-100, -500, 10_000, 500), shapely.box(10_000, -500, 30_100, 500)],
        crs=CRS)
    return StudyArea(districts, cells, stations, {"drive": drive})


def _rule(**kw):
    return CatchmentRatioRule(
        id="SH16-19c", facility="emergency_station", attribute="vehicles", unit_name="vehicles",
        rate="1 per 30000 people", catchment="3.5 km", mode="drive", domain="emergency",
        provenance={"document": "shanghai-2016", "line": "L91", "quote": QUOTE}, **kw)


def test_overloaded_station_fails_its_catchment_though_the_district_head_count_passes():
    area = _area()
    head_count = CapacityPerPopulationRule(id="SH16-19", facility="emergency_station",
                                           attribute="vehicles", rate="1 per 30000 people")
    plain = head_count.evaluate(area).table.set_index("district")
    assert plain.loc["西", "passed"]  # 3 vehicles for 60,000 residents: 1 per 20,000

    result = _rule().evaluate(area)
    table = result.table.set_index("district")
    # 东: 1 vehicle for the 20,000 residents within 3.5 km: 1.5 per 30,000 → passes
    assert table.loc["东", "passed"]
    assert table.loc["东", "reading"] == pytest.approx(1.5)
    # 西: S2's vehicle serves 45,000 residents: 0.667 per 30,000 → fails, half a vehicle short
    assert table.loc["西", "passed"] == False  # noqa: E712
    assert table.loc["西", "reading"] == pytest.approx(30_000 / 45_000)
    assert table.loc["西", "shortfall"] == pytest.approx(0.5)
    assert table.loc["西", "provided"] == 3
    assert result.passed is False
    stations = result.details["stations"]
    assert stations["catchment_population"].tolist() == [20_000, 15_000, 45_000]
    assert stations["passed"].tolist() == [True, True, False]
    assert len(result.failures) == 1 and result.failures["district"].iloc[0] == "西"
    assert result.rule.provenance.quote == QUOTE
    assert "1 of 2 emergency_station below the rate" in table.loc["西", "note"]


def test_district_without_station_is_not_decided_and_says_why():
    table = _rule().evaluate(_area(east_station=False)).table.set_index("district")
    assert pd.isna(table.loc["东", "passed"])
    assert "no emergency_station here" in table.loc["东", "note"]
    assert table.loc["东", "uncovered_population"] == 20_000


def test_missing_vehicle_counts_are_not_guessed():
    area = _area()
    area.facilities["vehicles"] = area.facilities["vehicles"].astype(float)
    area.facilities.loc[2, "vehicles"] = np.nan
    with pytest.raises(RuleInputError, match="missing or negative vehicles"):
        _rule().evaluate(area)


def test_catalogue_entry_loads_with_provenance(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(f"""
document: {{id: mine, title: 测试, issuer: 测试, year: 2016}}
rules:
  - id: MY-01
    kind: catchment_ratio
    name: Ambulances per residents within each station's radius
    domain: emergency
    facility: emergency_station
    attribute: vehicles
    rate: 1 per 30000 people
    catchment: 3.5 km
    strength: unknown
    line: L91
    quote: {QUOTE}
""", encoding="utf-8")
    (rule,) = read_catalog(path)
    assert isinstance(rule, CatchmentRatioRule)
    assert rule.catchment.value == 3500 and rule.rate.per == 30_000
    assert rule.provenance.line == "L91"
    assert rule.describe().startswith("≥ 1 vehicles per 30,000 population within each")
    assert _rule().evaluate(_area()).table["passed"].tolist() == \
        rule.evaluate(_area()).table["passed"].tolist()
