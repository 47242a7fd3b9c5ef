"""Access-type rules on real street networks: the embedded example (a Finnish town, OSM) and
São Paulo (OSM walk network, IPEA census hexagons).

Expected numbers are recomputed here from ``StudyArea.nearest`` tables with pandas — the
network distances themselves are checked against networkx in tests/test_network*.py; these
tests check that the rules turn distances into shares, means, circles and verdicts correctly.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from siting import StudyArea
from siting.assess import assess
from siting.rules import AccessRule, MeanTravelRule, ServiceCircleRule, ServiceRadiusRule


@pytest.fixture(scope="module")
def sao_paulo(spo_hexes, spo_walk):
    hexes, walk = spo_hexes, spo_walk
    # two real-sized districts: the hexagons west and east of the median centroid x
    x = hexes.geometry.centroid.x
    west = hexes[x <= x.median()].union_all().buffer(1)
    east = hexes.union_all().buffer(10).difference(west)
    districts = gpd.GeoDataFrame({"district": ["oeste", "leste"]}, geometry=[west, east],
                                 crs=hexes.crs)
    schools = hexes[hexes["schools"] > 0]
    facilities = gpd.GeoDataFrame({"kind": "primary_school",
                                   "places": 300 * schools["schools"].to_numpy()},
                                  geometry=schools.geometry.centroid.to_numpy(), crs=hexes.crs)
    return StudyArea(districts, hexes, facilities, {"walk": walk})


def grouped_share(area: StudyArea, table: pd.DataFrame, ok: np.ndarray) -> pd.Series:
    pop = area.cells["population"]
    names = area.districts["district"]
    covered = pop[ok].groupby(area.cells["district"][ok]).sum().reindex(names).fillna(0)
    return covered / pop.groupby(area.cells["district"]).sum().reindex(names)


def test_walk_access_share_sao_paulo(sao_paulo):
    area = sao_paulo
    rule = AccessRule(id="T-PS", facility="primary_school", threshold="500 m", share="60 %")
    result = rule.evaluate(area)
    table = area.nearest("primary_school", "walk", "500 m")
    ok = ((table["status"] == "reached") & (table["distance_m"] <= 500)).to_numpy()
    expected = grouped_share(area, table, ok)
    got = result.table.set_index("district")["covered_share"]
    np.testing.assert_allclose(got[expected.index], expected, rtol=1e-12)
    assert 0 < expected.min() and expected.max() < 1
    assert (result.table.set_index("district")["passed"] == (expected >= 0.6)).all()
    uncovered = result.failures
    assert uncovered["population"].sum() == pytest.approx(
        area.cells["population"][~ok & (area.cells["population"] > 0).to_numpy()].sum())


def test_gb50180_primary_school_rule_on_sao_paulo(sao_paulo):
    report = assess(sao_paulo, "GB50180-PS")
    table = sao_paulo.nearest("primary_school", "walk", "500 m")
    ok = ((table["status"] == "reached") & (table["distance_m"] <= 500)).to_numpy()
    assert report.overall["covered_share"].iloc[0] == pytest.approx(
        sao_paulo.cells["population"][ok].sum() / sao_paulo.population)
    assert report.top["passed"].eq(False).all()  # 100 % within 500 m is not met
    assert "GB50180-PS" in report.summary()


def test_radius_network_readings_sao_paulo(sao_paulo):
    area = sao_paulo
    rule = ServiceRadiusRule(id="T-R", facility="primary_school", threshold="600 m",
                             mode="walk", decisive="network_mean")
    result = rule.evaluate(area)
    table = area.nearest("primary_school", "walk", by="length")
    ok = (table["status"] == "reached") & (area.cells["population"] > 0)
    data = pd.DataFrame({"d": table["distance_m"], "w": area.cells["population"],
                         "district": area.cells["district"]})[ok]
    mean = data.groupby("district").apply(lambda g: np.average(g["d"], weights=g["w"]),
                                          include_groups=False)
    got = result.table.set_index("district")["reading"]
    np.testing.assert_allclose(got[mean.index], mean, rtol=1e-9)
    readings = result.readings.set_index(["district", "reading"])["value"]
    for name, value in data.groupby("district")["d"].max().items():
        assert readings[(name, "network_max")] == pytest.approx(value)
    assert set(result.readings["reading"]) >= {"area_equivalent", "network_mean", "network_max",
                                               "network_p85", "straight_line_mean",
                                               "straight_line_max"}
    # network distance is never shorter than the straight line from the same cell point
    for name in mean.index:
        assert readings[(name, "network_mean")] >= readings[(name, "straight_line_mean")] - 1


def test_mean_travel_and_circles_on_the_example(example):
    area = example
    mean = MeanTravelRule(id="T-M", facility="school", threshold="8 min", mode="drive")
    table = area.nearest("school", "drive", by="time", direction=mean.direction)
    ok = (table["status"] == "reached").to_numpy()
    w = area.cells["population"].to_numpy()
    got = mean.evaluate(area).overall["reading"].iloc[0]
    assert got == pytest.approx(np.average(table["time_min"][ok], weights=w[ok]))
    circle = ServiceCircleRule(id="T-C", facility="school", time="3-6 min",
                               population="2000-20000 people", mode="drive")
    table = area.nearest("school", "drive", by="time", direction=circle.direction)
    ok = (table["status"] == "reached").to_numpy()
    result = circle.evaluate(area)
    within = ok & (table["time_min"].to_numpy() <= 6)
    circles = result.details["circles"]
    assert circles["population"].sum() == pytest.approx(w[within].sum())
    assert circles["population_within_low"].sum() == pytest.approx(
        w[ok & (table["time_min"].to_numpy() <= 3)].sum())
    assert bool(circles["in_band"].iloc[0]) == (2000 <= w[within].sum() <= 20000)
    assert result.overall["covered_share"].iloc[0] == pytest.approx(w[within].sum() / w.sum())


def test_walk_time_access_on_the_example(example):
    rule = AccessRule(id="T-KG", facility="kindergarten", threshold="15 min", share="50 %")
    result = rule.evaluate(example)
    table = example.nearest("kindergarten", "walk", "15 min")
    ok = ((table["status"] == "reached") & (table["time_min"] <= 15)).to_numpy()
    expected = grouped_share(example, table, ok)
    got = result.table.set_index("district")["covered_share"]
    np.testing.assert_allclose(got[expected.index], expected, rtol=1e-12)


def test_catalogue_access_rules_report_missing_kinds_on_the_example(example):
    report = assess(example, ["SH21-02", "GB50180-KG"])
    errors = report.errors.set_index("rule_id")
    assert "SH21-02" in errors.index  # no community health centre etc. in the town
    kg = report.top[report.top["rule_id"] == "GB50180-KG"]
    assert len(kg) == 9 and kg["covered_share"].notna().all()
    # 主城区 only: the town carries no main_urban_area marking, so even with absent kinds
    # read as none the rule is not evaluated (it would otherwise judge exempt districts)
    zero = assess(example, ["SH21-02"], absent_is_zero=True)
    sh = zero.top[zero.top["rule_id"] == "SH21-02"]
    assert sh["passed"].isna().all()
    assert "main_urban_area" in zero.errors.set_index("rule_id").loc["SH21-02", "message"]
