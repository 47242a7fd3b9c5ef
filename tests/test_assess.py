"""assess(): one tidy table, failures with geometry, equity, plain-words summary, errors that
do not stop the whole assessment."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from siting import StudyArea
from siting.assess import ASSESSMENT_COLUMNS, Assessment, assess, weighted_gini
from siting.errors import SitingError
from siting.rules import (AccessRule, AllOf, AreaPerCapitaRule, CapacityPerPopulationRule,
                          FacilitiesPerPopulationRule, PerUnitRule, RuleInputError,
                          ServiceRadiusRule, load_rules)

CRS = "EPSG:32650"


@pytest.fixture()
def area():
    """Three 3 km districts side by side; population cells of 1 km; health centres and stations."""
    districts = gpd.GeoDataFrame(
        {"district": ["甲区", "乙区", "丙县"], "urban": [True, True, False]},
        geometry=[shapely.box(i * 3000, 0, (i + 1) * 3000, 3000) for i in range(3)], crs=CRS)
    cells = gpd.GeoDataFrame(
        {"population": np.tile([3000.0, 1000.0, 500.0], 9)},
        geometry=[shapely.box(x, y, x + 1000, y + 1000)
                  for x in range(0, 9000, 1000) for y in range(0, 3000, 1000)], crs=CRS)
    facilities = gpd.GeoDataFrame(
        {"kind": ["community_health_centre"] * 3 + ["emergency_station"] * 2,
         "vehicles": [np.nan, np.nan, np.nan, 1, 2]},
        geometry=[shapely.Point(500, 500), shapely.Point(2500, 2500), shapely.Point(4500, 1500),
                  shapely.Point(1500, 1500), shapely.Point(7500, 1500)], crs=CRS)
    return StudyArea(districts, cells, facilities, crs=CRS)


RULES = [
    FacilitiesPerPopulationRule(id="F", facility="community_health_centre", per="8000 people"),
    ServiceRadiusRule(id="R", facility="emergency_station", threshold="1.5 km"),
    CapacityPerPopulationRule(id="C", facility="emergency_station", attribute="vehicles",
                              rate="1 per 13500 people", check_at="area"),
    AccessRule(id="A", facility="community_health_centre", threshold="15 min"),
    AreaPerCapitaRule(id="P", facility="sports_ground", threshold="0.3 m2/person"),
]


def test_table_shape_and_one_row_per_district_and_rule(area):
    report = assess(area, RULES)
    assert list(report.table.columns) == ASSESSMENT_COLUMNS
    # C is stated for the whole area: its study-area row joins its three diagnostic rows
    assert len(report.table) == 3 * len(RULES) + 1
    sizes = report.table.groupby("rule_id").size()
    assert sizes.drop("C").eq(3).all() and sizes["C"] == 4
    c = report.table[report.table["rule_id"] == "C"]
    assert c["level"].tolist() == ["diagnostic"] * 3 + ["area"]
    assert c["district"].iloc[-1] == "(study area)" and c["passed"].iloc[:3].isna().all()
    assert set(report.overall["rule_id"]) == {"F", "R", "C"}  # evaluated rules only
    assert report.table["passed"].dtype == "boolean"


def test_missing_inputs_are_reported_per_rule_not_raised(area):
    report = assess(area, RULES)
    errors = report.errors.set_index("rule_id")
    assert set(errors.index) == {"A", "P"}
    assert errors.loc["A", "error"] == "RuleInputError" and "walk network" in \
        errors.loc["A", "message"]
    assert "no facility of this kind" in errors.loc["P", "message"]
    rows = report.table[report.table["rule_id"] == "A"]
    assert rows["passed"].isna().all() and rows["note"].str.startswith("not evaluated").all()
    with pytest.raises(RuleInputError, match="walk network"):
        assess(area, RULES, errors="raise")
    with pytest.raises(SitingError, match="unknown error mode"):
        assess(area, RULES, errors="ignore")


def test_numbers_in_the_table(area):
    report = assess(area, RULES)
    t = report.table.set_index(["rule_id", "district"])
    # each district: 9 cells × (3000+1000+500)/3 = 13,500 people
    assert t.loc[("F", "甲区"), "population"] == 13_500
    assert t.loc[("F", "甲区"), "reading"] == 13_500 / 2
    assert t.loc[("F", "丙县"), "reading"] == np.inf and t.loc[("F", "丙县"), "shortfall"] == 2
    assert t.loc[("R", "甲区"), "reading"] == pytest.approx(np.sqrt(9e6 / np.pi))
    overall = report.overall.set_index("rule_id")
    assert overall.loc["C", "reading"] == pytest.approx(3 / 40_500 * 13_500)
    assert bool(overall.loc["C", "passed"]) is True  # 3 vehicles for 40,500 people at 1/13,500
    verdicts = report.verdicts().set_index("rule_id")
    assert verdicts.loc["C", "passed"] is True  # decided by the study-area row
    assert verdicts.loc["F", "passed"] is False and verdicts.loc["F", "districts_failed"] == 2
    assert not verdicts.loc["A", "evaluated"]


def test_failures_carry_geometry_and_rule(area):
    report = assess(area, RULES)
    failures = report.failures
    assert isinstance(failures, gpd.GeoDataFrame) and failures.crs == area.crs
    assert set(failures["rule_id"]) == {"F", "R"}
    f = failures[failures["rule_id"] == "F"]
    assert list(f["district"]) == ["乙区", "丙县"]  # 13,500 and ∞ people per centre > 8,000
    assert f.geometry.iloc[1].equals(area.districts.geometry.iloc[2])


def test_composite_parts_are_rows_with_part_of(area):
    both = AllOf(id="B", parts=[PerUnitRule(id="B1", facility="community_health_centre"),
                                PerUnitRule(id="B2", facility="emergency_station")])
    report = assess(area, [both])
    assert set(report.table["rule_id"]) == {"B", "B1", "B2"}
    assert report.table.loc[report.table["rule_id"] == "B1", "part_of"].eq("B").all()
    assert set(report.top["rule_id"]) == {"B"}
    passed = report.top.set_index("district")["passed"]
    assert passed.tolist() == [True, False, False]  # 乙区 lacks a station, 丙县 a centre
    assert set(report.failures["part_of"]) == {"B"}


def test_equity_gini_and_urban_rural_gap(area):
    report = assess(area, [ServiceRadiusRule(id="R", facility="emergency_station",
                                             threshold="1.5 km"),
                           PerUnitRule(id="U", facility="community_health_centre")])
    eq = report.equity.set_index("rule_id")
    assert eq.loc["U", "metric"] == "covered_share"
    x = np.array([1.0, 1.0, 0.0])
    w = np.array([13_500.0] * 3)
    assert eq.loc["U", "gini"] == pytest.approx(weighted_gini(x, w))
    assert eq.loc["U", "gini"] == pytest.approx(2 / 9 * 1 / (2 * (2 / 3)) * 2)  # = 1/3
    assert eq.loc["U", "urban"] == 1.0 and eq.loc["U", "rural"] == 0.0  # 丙县 has no centre
    assert eq.loc["U", "urban_rural_gap"] == 1.0
    assert eq.loc["R", "metric"] == "attainment"
    assert eq.loc["R", "worst_district"] == "乙区" and eq.loc["R", "worst"] == 0
    assert eq.loc["R", "urban_rural_gap"] == pytest.approx(
        (1500 / np.sqrt(9e6 / np.pi)) / 2 - 1500 / np.sqrt(9e6 / np.pi))


def test_weighted_gini_textbook_cases():
    assert weighted_gini([1, 1, 1], [1, 2, 3]) == 0
    assert weighted_gini([0, 0, 1], [1, 1, 1]) == pytest.approx(2 / 3)
    # weights act like repeated observations
    assert weighted_gini([1, 3], [2, 1]) == pytest.approx(weighted_gini([1, 1, 3], [1, 1, 1]))


def test_summary_and_html(area):
    report = assess(area, RULES)
    text = report.summary()
    assert text.startswith("Assessment of 5 checkable rules over 3 districts (40,500 residents)")
    assert "- F " in text and "FAILS in 2 of 3 districts; worst 丙县" in text
    assert "- C " in text and "passes for the study area" in text
    assert "NOT EVALUATED" in text and "walk network" in text
    html = report._repr_html_()
    assert html.count("<table>") == 2 and "丙县" in html and "✗" in html
    assert "<Assessment 5 rules × 3 districts" in repr(report)
    pivot = report.pivot()
    assert pivot.shape == (3, 5) and bool(pivot.loc["丙县", "F"]) is False


def test_units_layer_is_passed_to_per_unit_rules(area):
    towns = gpd.GeoDataFrame({"name": [f"镇{i}" for i in range(9)]},
                             geometry=[shapely.box(i * 1000, 0, (i + 1) * 1000, 3000)
                                       for i in range(9)], crs=CRS)
    rule = PerUnitRule(id="T", facility="community_health_centre", level="township")
    report = assess(area, [rule], units={"township": towns})
    t = report.top.set_index("district")
    assert t.loc["甲区", "covered_share"] == pytest.approx(2 / 3)
    assert t.loc["丙县", "shortfall"] == 3
    assert len(report.failures) == 9 - 3


def test_rules_given_as_catalogue_ids_and_paths(area, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("""\
document: {id: mine, title: 我的规划, issuer: 某区政府, year: 2024}
rules:
  - {id: MY-1, kind: per_unit, facility: emergency_station, line: L1, quote: 每个区一个急救站,
     strength: target}
""", encoding="utf-8")
    report = assess(area, [str(path), "QD21-40"])
    assert set(report.top["rule_id"]) == {"MY-1", "QD21-40"}
    assert report.table.loc[report.table["rule_id"] == "MY-1", "document"].eq("mine").all()
    with pytest.raises(SitingError, match="unique"):
        assess(area, [RULES[0], RULES[0]])


def test_all_catalogues_run_without_crashing(area):
    report = assess(area)
    assert isinstance(report, Assessment)
    evaluated = set(report.results)
    assert {"SH16-18", "QD21-21"} <= evaluated  # QD21-21 is "every district but six"
    errors = report.errors.set_index("rule_id")
    assert "no district of the study area is in this rule's scope" in errors.loc["QD21-20",
                                                                               "message"]
    assert len(report.skipped) == sum(not r.checkable for r in load_rules())
    assert report.summary()
