"""Verdicts read against the plans' own words (issue 11).

Every expected verdict below is derived from the quoted seed line, by hand, not from what the
code returns. Districts are planted boxes in UTM 51N with census totals per district
(``cells=None``, the set-up of the Chinese runs) unless a test needs cells.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from siting import StudyArea
from siting.assess import LEVEL_AREA, LEVEL_DIAGNOSTIC, assess
from siting.rules import CapacityPerPopulationRule, FacilitiesPerPopulationRule, load_rules
from siting.rules.base import Context, RuleInputError

UTM = "EPSG:32651"


def boxes(n: int) -> list[shapely.Polygon]:
    return [shapely.box(i * 10_000, 0, (i + 1) * 10_000, 10_000) for i in range(n)]


def districts(**columns) -> gpd.GeoDataFrame:
    n = len(next(iter(columns.values())))
    names = columns.pop("district", [chr(ord("A") + i) for i in range(n)])
    return gpd.GeoDataFrame({"district": names, **columns}, geometry=boxes(n), crs=UTM)


def points(kind: str, where: list[int], **columns) -> gpd.GeoDataFrame:
    """One facility of ``kind`` in the middle of each district index in ``where``."""
    return gpd.GeoDataFrame({"kind": [kind] * len(where), **columns},
                            geometry=[shapely.Point(i * 10_000 + 5_000, 5_000) for i in where],
                            crs=UTM)


def row(result, district: str) -> pd.Series:
    return result.table.set_index("district").loc[district]


# ---- SH16-16, seed 000 L91: 「人口导入区每新增5-10万人,增设1所社区卫生服务中心或分中心」 ------
def sh16_16_area(new_residents: list[float], new_centres: list[int]) -> StudyArea:
    current = [100_000.0] * len(new_residents)
    d = districts(population=current, planned=[c + n for c, n in zip(current, new_residents)],
                  population_inflow_area=[True] * len(new_residents))
    where = [i for i, k in enumerate(new_centres) for _ in range(k)]
    return StudyArea(d, facilities=points("community_health_centre", where,
                                          status=["planned"] * len(where)))


def test_sh16_16_new_residents_from_district_census_totals():
    # item 1: planned per district, population from the census, no 'current' column.
    # 每新增…: new = planned − current residents = 260,000 − 100,000 = 160,000 in A, which
    # needs 2 new centres (one per 10万 or part of it, once 5万 is reached); none planned → fails
    area = sh16_16_area([160_000, 120_000], [0, 2])
    result = load_rules("SH16-16").get("SH16-16").evaluate(area)
    a, b = row(result, "A"), row(result, "B")
    assert a["population"] == 160_000 and a["shortfall"] == 2 and a["passed"] == False  # noqa: E712
    assert b["population"] == 120_000 and b["reading"] == 60_000 and bool(b["passed"])


def test_sh16_16_band_lower_end_is_the_trigger():
    # item 4: 每新增5-10万人增设1所 — under 5万 new residents no centre is due yet;
    # from 5万 one is due; 120,000 new residents need ceil(1.2) = 2 (60,000 each, in the band)
    area = sh16_16_area([5_000, 40_000, 50_000, 120_000, 120_000], [0, 0, 0, 1, 2])
    result = load_rules("SH16-16").get("SH16-16").evaluate(area)
    t = result.table.set_index("district")
    assert t["passed"].tolist() == [True, True, False, False, True]
    assert t["shortfall"].tolist() == [0, 0, 1, 1, 0]
    assert "no facility due yet" in t.loc["A", "note"]


def test_sh16_16_zero_or_missing_new_residents_is_undecided():
    # item 2: no population basis decides nothing (docs/rules.md: such rows are empty)
    d = districts(population=[100_000.0, 100_000.0], planned=[100_000.0, np.nan],
                  population_inflow_area=[True, True])
    area = StudyArea(d, facilities=points("community_health_centre", [0], status=["planned"]))
    t = load_rules("SH16-16").get("SH16-16").evaluate(area).table.set_index("district")
    assert t["passed"].isna().all()
    assert "undecided" in t.loc["A", "note"] and "missing" in t.loc["B", "note"]


def test_sh16_16_without_inflow_marking_is_not_evaluated():
    # item 7: 「人口导入区」 limits the rule to inflow areas; without the marking the exempt
    # districts would get verdicts, so the rule stops with a fix
    d = districts(population=[100_000.0], planned=[200_000.0])
    area = StudyArea(d, facilities=points("community_health_centre", [0]))
    with pytest.raises(RuleInputError, match="population_inflow_area"):
        load_rules("SH16-16").get("SH16-16").evaluate(area)
    report = assess(area, "SH16-16")
    assert report.table["passed"].isna().all() and len(report.errors) == 1


def test_sh16_28_29_reads_planned_residents_of_a_new_estate():
    # item 2, seed 000 L128: 「对规划新建的居民区,按照人均用地不低于0.3平方米配建室外体育设施」:
    # the basis is the estate's planned residents. 30,000 planned, 0 current, no sports
    # space: 0 m² < 0.3 × 30,000 = 9,000 m² → fails (it passed on current residents before)
    d = districts(population=[0.0], planned=[30_000.0], newly_planned_residential_area=[True])
    fac = pd.concat([points("sports_ground", [0], land_area_m2=[0.0]),
                     points("indoor_sports_facility", [0], floor_area_m2=[0.0])])
    area = StudyArea(d, facilities=gpd.GeoDataFrame(fac, crs=UTM))
    result = load_rules("SH16-28-29").get("SH16-28-29").evaluate(area)
    assert result.passed is False
    outdoor = next(p for p in result.parts if p.rule.id == "SH16-28")
    assert row(outdoor, "A")["shortfall"] == pytest.approx(9_000)


# ---- SH16-19, seed 000 L91: 「急救车辆数量配置每3万人1辆」 (全市) -------------------------------
def test_sh16_19_unknown_vehicles_are_not_a_shortage():
    # item 3: a station whose vehicles are unknown has at least 0: the known vehicles are a
    # lower bound. A: 60,000 people, known 2 → 2 per 3万, passes whatever the unknown one
    # holds. B: 90,000 people, known 1 + one unknown → might reach 3: undecided, not failed
    d = districts(population=[60_000.0, 90_000.0])
    area = StudyArea(d, facilities=points("emergency_station", [0, 0, 1, 1],
                                          vehicles=[2, np.nan, 1, np.nan]))
    result = load_rules("SH16-19").get("SH16-19").evaluate(area)
    assert bool(row(result, "A")["passed"]) and pd.isna(row(result, "B")["passed"])
    assert "lower bound" in row(result, "B")["note"]
    # the city: 150,000 people need 5, known 3 + 2 unknown → undecided
    assert result.passed is None


def test_vehicle_shortfall_is_rounded_up():
    # item 10: 每3万人1辆 for 11,520,000 residents = 384 vehicles; one more resident makes
    # 384.00003 and a 385th vehicle is needed (vehicles come whole)
    d = districts(population=[11_520_001.0])
    area = StudyArea(d, facilities=points("emergency_station", [0], vehicles=[0]))
    result = load_rules("SH16-19").get("SH16-19").evaluate(area)
    assert row(result, "A")["shortfall"] == 385
    assert result.overall["shortfall"].iloc[0] == 385


# ---- area-level rules: the study-area row decides, district rows are diagnostics -----------
def test_gs17_14_province_at_7_5_beds_passes():
    # item 5, seed 003 L208 indicator table: 每千人医疗卫生机构床位数 6 (a provincial figure).
    # A: 100,000 people with 1,200 beds (12 ‰), B: 100,000 with 300 (3 ‰): the province has
    # 1,500 beds per 200,000 = 7.5 per 1,000 ≥ 6 → passes; B is a diagnostic, not a failure
    d = districts(population=[100_000.0, 100_000.0])
    area = StudyArea(d, facilities=points("hospital", [0, 1], beds=[1200, 300]))
    report = assess(area, "GS17-14")
    assert report.results["GS17-14"].passed is True
    t = report.table
    area_row = t[t["level"] == LEVEL_AREA].iloc[0]
    assert area_row["district"] == "(study area)" and area_row["reading"] == pytest.approx(7.5)
    assert bool(area_row["passed"])
    diag = t[t["level"] == LEVEL_DIAGNOSTIC].set_index("district")
    assert diag["passed"].isna().all() and "alone this district would fail" in diag.loc["B", "note"]
    v = report.verdicts().set_index("rule_id").loc["GS17-14"]
    assert v["districts_failed"] == 0
    assert "passes for the study area" in report.summary()


@pytest.mark.parametrize("rule_id", ["SH16-18", "SH16-20", "SH21-02", "QD21-36", "GS17-01",
                                     "GS17-04", "GS17-14", "GS17-15", "GS17-16", "GS17-19",
                                     "GS17-26"])
def test_city_and_province_targets_are_area_level(rule_id):
    # item 5: SH16-18/-20 share seed 000 L91's 全市 sentence with SH16-19; SH21-02 is stated
    # for 主城区 as a whole; QD21-36 is a city figure; the GS17 rows are the provincial table
    assert load_rules(rule_id).get(rule_id).check_at == "area"


def test_capacity_rule_counts_facilities_without_attribute():
    # 1 per 30,000 with each facility one unit: 45,000 people need 2 (1.5 rounded up)
    d = districts(population=[45_000.0])
    area = StudyArea(d, facilities=points("emergency_station", [0]))
    rule = CapacityPerPopulationRule(id="X", facility="emergency_station",
                                     rate="1 per 30000 people")
    r = row(rule.evaluate(area), "A")
    assert r["shortfall"] == 1 and r["passed"] == False  # noqa: E712
    assert math.isclose(r["reading"], 30_000 / 45_000)


def test_facilities_per_population_single_value_still_ceil():
    # a single value (band of one): 1 per 8,000; 20,000 people need 3
    d = districts(population=[20_000.0])
    area = StudyArea(d, facilities=points("community_health_centre", [0]))
    rule = FacilitiesPerPopulationRule(id="Y", facility="community_health_centre",
                                       per="8000 people")
    assert row(rule.evaluate(area), "A")["shortfall"] == 2


# ---- item 11: facilities outside the districts ------------------------------------------------
def test_facilities_across_the_border_serve_access_but_count_nowhere():
    # a walk network from x = 0 to 14 km; the district is x < 10 km; a clinic at x = 10.5 km
    # serves the district's eastern residents but is not counted in the district, and a
    # clinic 30 km away, beyond every network, is dropped and said to be
    from siting.network import from_lines
    from siting.rules import AccessRule

    d = districts(population=[1_000.0])
    cells = gpd.GeoDataFrame({"population": [500.0, 500.0]},
                             geometry=[shapely.box(0, 4_000, 1_000, 5_000),
                                       shapely.box(9_000, 4_000, 10_000, 5_000)], crs=UTM)
    street = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 4_500), (14_000, 4_500)])],
                              crs=UTM)
    clinics = gpd.GeoDataFrame({"kind": ["community_health_centre"] * 2},
                               geometry=[shapely.Point(10_500, 4_500),
                                         shapely.Point(40_000, 4_500)], crs=UTM)
    area = StudyArea(d, cells, clinics, networks={"walk": from_lines(street, "walk")}, crs=UTM)
    assert area.outside_facilities == 1 and len(area.dropped_facilities) == 1
    assert "1 facilities outside the districts dropped" in area.clip_summary()
    # within 1,000 m walk: the eastern cell (centre x = 9.5 km) reaches the clinic at 10.5 km
    share = AccessRule(id="A", facility="community_health_centre", threshold="1000 m",
                       mode="walk", share="50 %").evaluate(area)
    assert row(share, "A")["covered_share"] == pytest.approx(0.5)
    count = FacilitiesPerPopulationRule(id="F", facility="community_health_centre",
                                        per="1000 people").evaluate(area)
    assert row(count, "A")["provided"] == 0  # the clinic across the border counts nowhere
    assert "kept for access rules" in assess(area, [count.rule]).summary()
    # said in Chinese too (siting check, Assessment.summary("zh"))
    zh = assess(area, [count.rule]).summary("zh")
    assert "区域外 1 处设施保留用于可达性规则" in zh and "超出所有路网范围，已剔除：社区卫生服务中心 1 处" in zh


# ---- item 8: unit types (街道/乡镇, 行政村/社区) ---------------------------------------------------
def township_layer(types: list[str]) -> gpd.GeoDataFrame:
    """Four 5 km × 10 km units across two districts (A: x < 10 km, B: 10–20 km)."""
    return gpd.GeoDataFrame({"name": [f"t{i}" for i in range(len(types))], "unit_type": types},
                            geometry=[shapely.box(i * 5_000, 0, (i + 1) * 5_000, 10_000)
                                      for i in range(len(types))], crs=UTM)


def unit_points(kinds: list[str], xs: list[float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"kind": kinds}, geometry=[shapely.Point(x, 5_000) for x in xs],
                            crs=UTM)


def one_facility_in_t0(rule_id: str, kind: str, level: str, types: list[str]):
    """``rule_id`` assessed with one ``kind`` facility in unit t0 of a ``level`` layer."""
    area = StudyArea(districts(population=[50_000.0, 50_000.0]),
                     facilities=unit_points([kind], [2_500]))
    layer = township_layer(types)
    return area, layer, assess(area, rule_id, units={level: layer})


def test_qd21_14_checks_sub_districts_only():
    # QD21-14 (seed 002 L57) 「每个街道至少建成1个社区多功能运动场」: only 街道 are named, so the
    # two 镇 without a court are not failures; one of the two 街道 lacks one → 1 of 2 lacking
    area, towns, report = one_facility_in_t0("QD21-14", "community_sports_court", "township",
                                             ["街道", "镇", "街道", "镇"])
    o = report.results["QD21-14"].overall.iloc[0]
    assert o["provided"] == 1 and o["shortfall"] == 1 and not o["passed"]
    units = report.results["QD21-14"].details["units"]
    assert sorted(units["unit"]) == ["t0", "t2"]
    # a layer without unit_type cannot tell 街道 from 镇: not evaluated
    plain = assess(area, "QD21-14", units={"township": towns.drop(columns="unit_type")})
    assert "unit_type" in plain.errors.set_index("rule_id").loc["QD21-14", "message"]
    assert plain.table["passed"].isna().all()


def test_gs17_42_facility_kind_follows_the_unit_type():
    # GS17-42 (seed 003 L492) 「每个乡镇(街道)办好一所标准化建设的乡镇卫生院」: a 卫生院 in each
    # 乡镇, a community health centre in each 街道. t0 乡镇 has a CHC only (does not count),
    # t1 街道 a CHC (counts), t2 乡镇 a 卫生院 (counts), t3 街道 a 卫生院 only (does not count)
    d = districts(population=[50_000.0, 50_000.0])
    kinds = ["community_health_centre", "community_health_centre", "township_health_centre",
             "township_health_centre"]
    area = StudyArea(d, facilities=unit_points(kinds, [2_500, 7_500, 12_500, 17_500]))
    towns = township_layer(["乡镇", "街道", "乡镇", "街道"])
    result = load_rules("GS17-42").get("GS17-42").evaluate(area, Context(units={"township": towns}))
    units = result.details["units"].set_index("unit")
    assert units["ok"].tolist() == [False, True, True, False]
    assert result.overall["shortfall"].iloc[0] == 2


def test_gs17_43_checks_administrative_villages_only():
    # GS17-43 (seed 003 L492) 「每个行政村办好一个村卫生室」: urban communities (社区) are not
    # administrative villages; the one 行政村 without a clinic is the only gap
    _, _, report = one_facility_in_t0("GS17-43", "village_clinic", "village",
                                      ["行政村", "社区", "行政村", "社区"])
    o = report.results["GS17-43"].overall.iloc[0]
    assert o["provided"] == 1 and o["shortfall"] == 1


def test_sh16_19_with_the_city_total_given_directly():
    # 「急救车辆数量配置每3万人1辆」 for the whole city: with 150,000 residents and the city's
    # statistics giving 4 ambulances, 4 < 150,000 / 30,000 = 5 → fails, short by 1; the
    # stations carry no vehicle counts, so no district can be read (undecided)
    d = districts(population=[60_000.0, 90_000.0])
    area = StudyArea(d, facilities=points("emergency_station", [0, 1]))
    rule = CapacityPerPopulationRule(id="SH16-19t", facility="emergency_station",
                                     attribute="vehicles", rate="1 per 30000 people",
                                     check_at="area", total=4)
    result = rule.evaluate(area)
    city = result.overall.iloc[0]
    assert city["provided"] == 4 and city["shortfall"] == 1 and result.passed is False
    assert result.table["passed"].isna().all()
    assert "city-wide total given" in city["note"]
    enough = CapacityPerPopulationRule(id="T2", facility="emergency_station",
                                       rate="1 per 30000 people", check_at="area", total=5)
    assert enough.evaluate(area).passed is True


def test_sh21_02_joint_reading_beside_the_per_service_one():
    # SH21-02 (seed 001 L15) 「15分钟步行可达覆盖率达到85%」 for health, elderly care, …: read
    # per service, each of the two services below reaches 90 % of residents (pass); read
    # jointly, only the 80 % who reach both count (fails 85 %). Straight lines of 1,000 m.
    from siting.rules import AccessRule, AllOf, JointAccessRule

    d = districts(population=[1_000.0])
    xs = [500, 3_500, 6_500, 9_500]
    cells = gpd.GeoDataFrame({"population": [800.0, 100.0, 100.0, 0.0]},
                             geometry=[shapely.box(x - 500, 4_500, x + 500, 5_500) for x in xs],
                             crs=UTM)
    # health near cells 0 and 1, elderly care near cells 0 and 2
    fac = gpd.GeoDataFrame({"kind": ["community_health_centre", "community_health_centre",
                                     "elderly_daycare", "elderly_daycare"]},
                           geometry=[shapely.Point(500, 5_000), shapely.Point(3_500, 5_000),
                                     shapely.Point(500, 5_000), shapely.Point(6_500, 5_000)],
                           crs=UTM)
    area = StudyArea(d, cells, fac, crs=UTM)
    each = AllOf(id="each", parts=[
        AccessRule(id="h", facility="community_health_centre", threshold="1000 m",
                   share="85 %"),
        AccessRule(id="e", facility="elderly_daycare", threshold="1000 m", share="85 %")])
    joint = JointAccessRule(id="joint", services=["community_health_centre", "elderly_daycare"],
                            threshold="1000 m", share="85 %")
    report = assess(area, [each, joint], straight_line=True)
    assert report.results["each"].passed is True
    j = report.results["joint"]
    assert row(j, "A")["covered_share"] == pytest.approx(0.8) and j.passed is False
    assert row(j, "A")["shortfall"] == pytest.approx(50)  # 85 % of 1,000 − 800
