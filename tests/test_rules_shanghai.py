"""Rules on real Chinese data: Shanghai's 16 districts, 2020 census, health POIs.

Every expected number is computed here from the raw tables with geopandas/pandas, never with
siting code: point-in-polygon counts with ``gpd.sjoin`` on the WGS-84 layers, areas in the
metric CRS the study area is told to use, census populations straight from the CSV.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from conftest import shared_path
from siting import StudyArea
from siting.assess import assess, weighted_gini
from siting.rules import (AccessRule, AllOf, AnyOf, AttributeShareRule, AreaPerCapitaRule,
                          CapacityPerPopulationRule, FacilitiesPerPopulationRule, PerUnitRule,
                          ServiceRadiusRule, load_rules)

ALBERS = "+proj=aea +lat_0=36 +lat_1=24 +lat_2=48 +lon_0=104.5 +datum=WGS84 +units=m"
UTM51 = "EPSG:32651"
pytestmark = pytest.mark.shared


def china_districts(prefix: str) -> gpd.GeoDataFrame:
    """County-level units whose CODE starts with ``prefix``, WGS-84, with census columns."""
    layer = gpd.read_file(shared_path("china", "counties-geo.topojson"), layer="county")
    layer = layer.set_crs(ALBERS, allow_override=True).to_crs(4326)
    layer["CODE"] = layer["CODE"].astype(str)
    layer = layer[layer["CODE"].str.startswith(prefix)]
    census = pd.read_csv(shared_path("china", "county_population_2020.csv"), dtype={"CODE": str})
    ages = pd.read_csv(shared_path("china", "county_ages_2020.csv"), dtype={"CODE": str},
                       na_values=["#DIV/0!"])  # one county (Kinmen) has no census ages
    out = layer[["CODE", "geometry"]].merge(census[["CODE", "NAME", "POPU", "POPU_URB"]],
                                             on="CODE").merge(ages[["CODE", "AGES_65P"]],
                                                              on="CODE")
    out["population"] = out["POPU"].astype(float)
    out["elderly"] = out["POPU"] * out["AGES_65P"]
    out["urban"] = out["POPU_URB"] >= 0.9
    return gpd.GeoDataFrame(out, geometry="geometry", crs=4326)


@pytest.fixture(scope="module")
def raw():
    districts = china_districts("3101")
    health = pd.read_csv(shared_path("china", "shanghai_poi", "shanghai_hospital.csv"))
    points = gpd.GeoDataFrame(health, geometry=gpd.points_from_xy(health["lon"], health["lat"]),
                              crs=4326)
    chc = points[points["name"].str.contains("社区卫生服务中心", na=False)].assign(
        kind="community_health_centre")
    ems = points[points["type"].str.contains("急救中心", na=False)].assign(kind="emergency_station")
    tertiary = points[points["type"].str.contains("三级甲等", na=False)].assign(
        kind="hospital_tertiary")
    facilities = pd.concat([chc, ems, tertiary], ignore_index=True)
    # attributes the POIs do not carry, made up deterministically so the test can recompute
    facilities["vehicles"] = facilities["name"].str.len() % 4 + 1
    facilities["area_m2"] = 1500.0 + 10.0 * (facilities["name"].str.len() % 7)
    facilities["substation"] = facilities["name"].str.contains("分站")
    facilities = gpd.GeoDataFrame(facilities[["kind", "name", "vehicles", "area_m2",
                                              "substation", "geometry"]],
                                  geometry="geometry", crs=4326)
    return districts, facilities


@pytest.fixture(scope="module")
def shanghai(raw):
    districts, facilities = raw
    return StudyArea(districts.drop(columns=["CODE"]), None, facilities, district_col="NAME",
                     crs=UTM51)


def own_counts(raw, kind: str) -> pd.Series:
    """Facilities of ``kind`` per district name, by the test's own point-in-polygon join."""
    districts, facilities = raw
    points = facilities[facilities["kind"] == kind]
    joined = gpd.sjoin(points, districts[["NAME", "geometry"]], predicate="within")
    return joined.groupby("NAME").size().reindex(districts["NAME"]).fillna(0).astype(int)


def own_sums(raw, kind: str, column: str) -> pd.Series:
    """``column`` summed over the facilities of ``kind`` per district name (own join)."""
    districts, facilities = raw
    points = facilities[facilities["kind"] == kind]
    joined = gpd.sjoin(points, districts[["NAME", "geometry"]], predicate="within")
    return joined.groupby("NAME")[column].sum().reindex(districts["NAME"]).fillna(0)


def by_district(result, column: str) -> pd.Series:
    return result.table.set_index("district")[column]


def test_study_area_holds_the_census(shanghai, raw):
    assert len(shanghai.districts) == 16
    assert shanghai.population == pytest.approx(24_870_895)


def test_chc_per_100k_residents_per_district(shanghai, raw):
    districts, _ = raw
    rule = FacilitiesPerPopulationRule(id="T-CHC", facility="community_health_centre",
                                       per="50000-100000 people")
    result = rule.evaluate(shanghai)
    counts = own_counts(raw, "community_health_centre")
    population = districts.set_index("NAME")["POPU"].astype(float)
    expected_per_100k = counts / population * 100_000
    got_per_100k = by_district(result, "provided") / by_district(result, "population") * 100_000
    pd.testing.assert_series_equal(got_per_100k.sort_index(), expected_per_100k.sort_index(),
                                   check_names=False, rtol=1e-12)
    assert counts.sum() > 500  # most of the ~600 named centres fall inside the 16 districts
    # people per centre, and centres still needed for at most 100,000 per centre
    np.testing.assert_allclose(by_district(result, "reading")[counts.index],
                               population[counts.index] / counts, rtol=1e-12)
    need = np.maximum(0, np.ceil(population / 100_000) - counts)
    np.testing.assert_array_equal(by_district(result, "shortfall")[counts.index], need)
    assert (by_district(result, "passed")[counts.index] ==
            (population / counts <= 100_000)).all()


def test_area_equivalent_radius_per_district(shanghai, raw):
    districts, _ = raw
    rule = ServiceRadiusRule(id="T-EMS", facility="emergency_station", threshold="3.5 km")
    result = rule.evaluate(shanghai)
    counts = own_counts(raw, "emergency_station")
    area_m2 = districts.to_crs(UTM51).set_index("NAME").area
    with np.errstate(divide="ignore"):
        expected = np.sqrt(area_m2 / (math.pi * counts))
    got = by_district(result, "reading")
    np.testing.assert_allclose(got[expected.index], expected, rtol=1e-9)
    # the UTM areas agree with the source's equal-area projection to a fraction of a percent
    equal_area = districts.to_crs(ALBERS).set_index("NAME").area
    assert np.allclose(area_m2 / equal_area, 1.0, atol=5e-3)
    assert (by_district(result, "passed")[expected.index] == (expected <= 3500)).all()
    needed = np.maximum(0, np.ceil(area_m2 / (math.pi * 3500 ** 2)) - counts)
    np.testing.assert_array_equal(by_district(result, "shortfall")[needed.index], needed)
    # every reading is reported; the study-area reading pools area and stations
    readings = result.readings
    assert set(readings["reading"]) >= {"area_equivalent", "straight_line_mean",
                                        "straight_line_max", "shortfall_average",
                                        "shortfall_every_unit", "area_used"}
    whole = readings[(readings["district"] == "(study area)") &
                     (readings["reading"] == "area_equivalent")]["value"].iloc[0]
    assert whole == pytest.approx(math.sqrt(area_m2.sum() / (math.pi * counts.sum())))


def test_straight_line_readings_of_the_radius_rule(shanghai, raw):
    """With cells=None each district is one cell: its straight-line reading is the distance from
    the district's representative point to the nearest station, anywhere."""
    districts, facilities = raw
    result = ServiceRadiusRule(id="T-EMS", facility="emergency_station",
                               threshold="3.5 km").evaluate(shanghai)
    metric = districts.to_crs(UTM51).set_index("NAME")
    stations = facilities[facilities["kind"] == "emergency_station"].to_crs(UTM51)
    inside = gpd.sjoin(stations, districts[["NAME", "geometry"]].to_crs(UTM51),
                       predicate="within")
    origins = metric.geometry.representative_point()
    expected = origins.apply(lambda p: inside.distance(p).min())
    readings = result.readings.set_index(["district", "reading"])["value"]
    for name, value in expected.items():
        assert readings[(name, "straight_line_mean")] == pytest.approx(value, rel=1e-9)


def test_capacity_per_population_vehicles(shanghai, raw):
    districts, _ = raw
    rule = CapacityPerPopulationRule(id="T-AMB", facility="emergency_station", attribute="vehicles",
                                     rate="1 per 30000 people", check_at="area")
    result = rule.evaluate(shanghai)
    vehicles = own_sums(raw, "emergency_station", "vehicles")
    population = districts.set_index("NAME")["POPU"].astype(float)
    np.testing.assert_allclose(by_district(result, "reading")[population.index],
                               vehicles / population * 30_000, rtol=1e-12)
    np.testing.assert_allclose(by_district(result, "shortfall")[population.index],
                               np.maximum(0, np.ceil(population / 30_000 - vehicles - 1e-9)),
                               rtol=1e-12)  # vehicles come whole: a shortfall is rounded up
    overall = result.overall.iloc[0]
    assert overall["provided"] == vehicles.sum()
    assert overall["reading"] == pytest.approx(vehicles.sum() / population.sum() * 30_000)
    assert result.passed == bool(vehicles.sum() >= population.sum() / 30_000)


def test_capacity_on_the_elderly_basis(shanghai, raw):
    districts, _ = raw
    rule = CapacityPerPopulationRule(id="T-OLD", facility="community_health_centre",
                                     attribute="vehicles", rate="2 per 1000 people",
                                     basis="elderly")
    result = rule.evaluate(shanghai)
    supply = own_sums(raw, "community_health_centre", "vehicles")
    elderly = districts.set_index("NAME")["POPU"] * districts.set_index("NAME")["AGES_65P"]
    np.testing.assert_allclose(by_district(result, "population")[elderly.index], elderly)
    np.testing.assert_allclose(by_district(result, "reading")[elderly.index],
                               supply / elderly * 1000, rtol=1e-12)


def test_area_per_capita(shanghai, raw):
    districts, _ = raw
    rule = AreaPerCapitaRule(id="T-AREA", facility="community_health_centre",
                             attribute="area_m2", threshold="0.05 m2/person")
    result = rule.evaluate(shanghai)
    area = own_sums(raw, "community_health_centre", "area_m2")
    population = districts.set_index("NAME")["POPU"].astype(float)
    np.testing.assert_allclose(by_district(result, "reading")[area.index], area / population)
    np.testing.assert_allclose(by_district(result, "shortfall")[area.index],
                               np.maximum(0, 0.05 * population - area))
    assert (by_district(result, "passed")[area.index] == (area / population >= 0.05)).all()


def test_one_tertiary_hospital_per_district(shanghai, raw):
    counts = own_counts(raw, "hospital_tertiary")
    result = PerUnitRule(id="T-H3", facility="hospital_tertiary").evaluate(shanghai)
    assert (by_district(result, "passed")[counts.index] == (counts >= 1)).all()
    np.testing.assert_array_equal(by_district(result, "provided")[counts.index], counts)
    assert result.overall["reading"].iloc[0] == pytest.approx((counts >= 1).mean())
    assert set(result.failures["district"]) == set(counts[counts == 0].index)


def test_composites_on_real_counts(shanghai, raw):
    tertiary = own_counts(raw, "hospital_tertiary")
    ems = own_counts(raw, "emergency_station")
    a = PerUnitRule(id="T-A", facility="hospital_tertiary")
    b = PerUnitRule(id="T-B", facility="emergency_station", min_count=8)
    both = by_district(AllOf(id="T-AB", parts=[a, b]).evaluate(shanghai), "passed")
    either = by_district(AnyOf(id="T-AoB", parts=[a, b]).evaluate(shanghai), "passed")
    expected_both = (tertiary >= 1) & (ems >= 8)
    expected_either = (tertiary >= 1) | (ems >= 8)
    assert (both[expected_both.index] == expected_both).all()
    assert (either[expected_either.index] == expected_either).all()
    assert expected_both.any() and not expected_both.all()  # the data make both cases occur


def test_attribute_share_of_substations(shanghai, raw):
    districts, facilities = raw
    rule = AttributeShareRule(id="T-SUB", facility="emergency_station", attribute="substation",
                              share="50 %")
    result = rule.evaluate(shanghai)
    stations = facilities[facilities["kind"] == "emergency_station"]
    joined = gpd.sjoin(stations, districts[["NAME", "geometry"]], predicate="within")
    share = joined.groupby("NAME")["substation"].mean()
    np.testing.assert_allclose(by_district(result, "reading")[share.index], share)
    empty = set(districts["NAME"]) - set(share.index)
    assert by_district(result, "passed")[list(empty)].isna().all()
    overall = result.overall.iloc[0]
    assert overall["reading"] == pytest.approx(joined["substation"].mean())
    needed = np.ceil(0.5 * joined.groupby("NAME").size()) - joined.groupby("NAME")[
        "substation"].sum()
    np.testing.assert_allclose(by_district(result, "shortfall")[needed.index],
                               np.maximum(0, needed))


def test_straight_line_access_with_districts_as_cells(shanghai, raw):
    districts, facilities = raw
    rule = AccessRule(id="T-ACC", facility="community_health_centre", threshold="1 km",
                      share="100 %")
    report = assess(shanghai, [rule])
    assert report.table["passed"].isna().all() and "walk network" in report.errors["message"][0]
    result = assess(shanghai, [rule], straight_line=True)
    metric = districts.to_crs(UTM51).set_index("NAME")
    chc = facilities[facilities["kind"] == "community_health_centre"].to_crs(UTM51)
    inside = gpd.sjoin(chc, districts[["NAME", "geometry"]].to_crs(UTM51), predicate="within")
    nearest = metric.geometry.representative_point().apply(lambda p: inside.distance(p).min())
    covered = (nearest <= 1000).astype(float)
    got = result.table.set_index("district")["covered_share"]
    np.testing.assert_array_equal(got[covered.index], covered)
    assert result.table["note"].str.contains("straight-line").all()


def test_equity_across_districts(shanghai, raw):
    districts, _ = raw
    result = assess(shanghai, [ServiceRadiusRule(id="T-EMS", facility="emergency_station",
                                                 threshold="3.5 km")])
    equity = result.equity.set_index("rule_id").loc["T-EMS"]
    counts = own_counts(raw, "emergency_station")
    area_m2 = districts.to_crs(UTM51).set_index("NAME").area
    with np.errstate(divide="ignore"):
        attainment = (3500 / np.sqrt(area_m2 / (math.pi * counts))).fillna(0)
    population = districts.set_index("NAME")["POPU"].astype(float)[attainment.index]
    urban = districts.set_index("NAME")["urban"][attainment.index]
    assert equity["metric"] == "attainment"
    assert equity["worst"] == pytest.approx(attainment.min())
    assert equity["worst_district"] == attainment.idxmin()
    assert equity["mean"] == pytest.approx(np.average(attainment, weights=population))
    # Gini by the textbook double sum, written out here
    x, w = attainment.to_numpy(), population.to_numpy()
    gini = (np.abs(x[:, None] - x[None, :]) * w[:, None] * w[None, :]).sum() / (
        2 * w.sum() ** 2 * np.average(x, weights=w))
    assert equity["gini"] == pytest.approx(gini)
    assert weighted_gini(x, w) == pytest.approx(gini)
    assert equity["urban"] == pytest.approx(np.average(x[urban], weights=w[urban]))
    assert equity["rural"] == pytest.approx(np.average(x[~urban], weights=w[~urban]))
    assert equity["urban_rural_gap"] == pytest.approx(equity["urban"] - equity["rural"])


def test_shanghai_catalogue_end_to_end(shanghai):
    report = assess(shanghai, "shanghai-2016")
    radius = report.table[report.table["rule_id"] == "SH16-18"]
    # 全市 (L91): 16 diagnostic district rows and the deciding study-area row
    assert len(radius) == 17 and radius["passed"].iloc[:16].isna().all()
    assert radius["district"].iloc[16] == "(study area)" and radius["passed"].iloc[16] in (
        True, False)
    errors = report.errors.set_index("rule_id")
    # what the data lack is reported per rule, not raised
    assert "township" in errors.loc["SH16-01", "message"] or "township" in \
        report.table[report.table["rule_id"] == "SH16-01"]["note"].iloc[0]
    # 人口导入区: the districts carry no inflow marking, so SH16-16 is not evaluated
    assert "population_inflow_area" in errors.loc["SH16-16", "message"]
    assert {r.id for r in report.skipped} >= {"SH16-02", "SH16-17"}
    text = report.summary()
    assert "SH16-18" in text and "NOT EVALUATED" in text
    html = report._repr_html_()
    assert "SH16-18" in html and "<table>" in html


def test_qingdao_scopes_resolve_on_real_names():
    districts = china_districts("3702")
    area = StudyArea(districts.drop(columns=["CODE"]), None, None, district_col="NAME",
                     crs="EPSG:32651")
    core, other = load_rules("QD21-20")[0], load_rules("QD21-21")[0]
    names_core, _ = core.scope.resolve(area)
    names_other, _ = other.scope.resolve(area)
    assert set(names_core) == {"市南区", "市北区", "李沧区", "崂山区", "黄岛区", "城阳区"}
    assert set(names_other) == set(area.districts["district"]) - set(names_core)
    assert {"即墨区", "胶州市", "平度市", "莱西市"} <= set(names_other)
    report = assess(area, "qingdao-2021")
    assert set(report.table.loc[report.table["rule_id"] == "QD21-20", "district"]) == \
        set(names_core)
    assert report.table["passed"].isna().all()  # no facilities loaded: nothing decided
    assert "no facility of this kind" in report.errors.set_index("rule_id").loc[
        "QD21-20", "message"]


def test_shanghai_sh16_16_18_19_table_by_hand(raw):
    """The catalogue's SH16-16/18/19 on the 16 districts, every number recomputed here.

    Seed 000 L91: 「人口导入区每新增5-10万人,增设1所社区卫生服务中心或分中心」,
    「急救站点平均服务半径≤3.5公里」, 「急救车辆数量配置每3万人1辆」 — the last two stated
    for the whole city (全市): the study-area row decides, district rows are diagnostics.
    """
    districts, facilities = raw
    d = districts.drop(columns=["CODE"]).copy()
    # planted plan: every district an inflow area, planned = census + 0 … 150,000 new residents
    d["planned"] = d["POPU"].astype(float) + (np.arange(len(d)) % 4) * 50_000.0
    d["population_inflow_area"] = True
    area = StudyArea(d, None, facilities, district_col="NAME", crs=UTM51)
    report = assess(area, ["SH16-16", "SH16-18", "SH16-19"])
    t = report.table.set_index(["rule_id", "district"])
    population = districts.set_index("NAME")["POPU"].astype(float)
    names = population.index

    new = pd.Series((np.arange(len(d)) % 4) * 50_000.0, index=d["NAME"].to_numpy())
    # no centre is marked as new: every due centre is still to build; none due below 5万
    due = np.where(new >= 50_000, np.ceil(new / 100_000), 0)
    got16 = t.loc["SH16-16"]
    np.testing.assert_array_equal(got16["population"][names], new[names])
    np.testing.assert_array_equal(got16["shortfall"][names], due[[list(new.index).index(n)
                                                                   for n in names]])
    expect16 = [pd.NA if x == 0 else (x < 50_000) for x in new[names]]
    assert [pd.NA if pd.isna(v) else bool(v) for v in got16["passed"][names]] == expect16

    stations = own_counts(raw, "emergency_station")
    area_m2 = districts.to_crs(UTM51).set_index("NAME").area
    got18 = t.loc["SH16-18"]
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(got18["reading"][names],
                                   np.sqrt(area_m2[names] / (math.pi * stations[names])),
                                   rtol=1e-9)
    assert got18["passed"][names].isna().all()  # diagnostics
    city = got18.loc["(study area)"]
    disc = math.pi * 3500.0 ** 2
    assert city["reading"] == pytest.approx(math.sqrt(area_m2.sum() / (math.pi * stations.sum())))
    to_average = max(0, math.ceil(area_m2.sum() / disc) - stations.sum())
    to_every = np.maximum(0, np.ceil(area_m2 / disc) - stations).sum()
    assert city["shortfall"] == to_average and city["provided"] == stations.sum()
    assert bool(city["passed"]) == (area_m2.sum() / (math.pi * stations.sum()) <= 3500 ** 2)
    readings = report.readings
    city_readings = readings[(readings["rule_id"] == "SH16-18")
                             & (readings["district"] == "(study area)")].set_index("reading")
    assert city_readings.loc["shortfall_every_unit", "value"] == to_every
    assert city_readings.loc["area_used", "value"] == pytest.approx(area_m2.sum() / 1e6)
    assert "whole district polygons" in city["note"]
    assert f"{to_every:,.0f} to make every district pass" in city["note"]

    vehicles = own_sums(raw, "emergency_station", "vehicles")
    got19 = t.loc["SH16-19"]
    np.testing.assert_allclose(got19["reading"][names], vehicles[names] / population[names]
                               * 30_000, rtol=1e-12)
    city19 = got19.loc["(study area)"]
    assert city19["reading"] == pytest.approx(vehicles.sum() / population.sum() * 30_000)
    assert city19["shortfall"] == max(0, math.ceil(population.sum() / 30_000 - vehicles.sum()))
    assert bool(city19["passed"]) == (vehicles.sum() * 30_000 >= population.sum())


def test_shanghai_sh16_18_on_a_given_land_area(raw):
    """A district ``area_km2`` column (land area) is what the area-equivalent radius shares."""
    districts, facilities = raw
    d = districts.drop(columns=["CODE"]).copy()
    # planted land areas: 80 % of each polygon (the real land area is not in the shared data)
    d["area_km2"] = d.to_crs(UTM51).area.to_numpy() * 0.8 / 1e6
    area = StudyArea(d, None, facilities, district_col="NAME", crs=UTM51)
    result = load_rules("SH16-18").get("SH16-18").evaluate(area)
    stations = own_counts(raw, "emergency_station")
    land = d.set_index("NAME")["area_km2"] * 1e6
    city = result.overall.iloc[0]
    assert city["reading"] == pytest.approx(math.sqrt(land.sum() / (math.pi * stations.sum())))
    assert city["shortfall"] == max(0, math.ceil(land.sum() / (math.pi * 3500 ** 2))
                                    - stations.sum())
    assert "area_km2 column" in city["note"]
    polygon = result.readings.set_index(["district", "reading"])["value"]
    assert polygon[("(study area)", "area_polygon")] == pytest.approx(land.sum() / 0.8 / 1e6)
