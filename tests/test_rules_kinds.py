"""Each rule kind on small hand-made inputs where every expected number is written out.

Access-type rules run against a study area whose ``nearest`` is replaced by a fixed table
that follows the StudyArea contract (population, district, distance_m, time_min, facility,
status), so the rule arithmetic is tested without any street network.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from siting import StudyArea
from siting.assess import assess
from siting.errors import RuleError
from siting.rules import (AccessRule, AllOf, AnyOf, AreaPerCapitaRule, AttributeShareRule,
                          CapacityPerPopulationRule, Context, FacilitiesPerPopulationRule,
                          MeanTravelRule, PerUnitRule, Principle, RuleInputError, Scope,
                          ServiceCircleRule, ServiceRadiusRule, SiteBudget, TABLE_COLUMNS)

CRS = "EPSG:32651"


def square(x0: float, y0: float, size: float) -> shapely.Polygon:
    return shapely.box(x0, y0, x0 + size, y0 + size)


@pytest.fixture()
def tiny():
    """Two 2 km × 2 km districts, four 1 km cells each, and a few facilities."""
    districts = gpd.GeoDataFrame({"district": ["west", "east"], "name": ["西区", "东区"],
                                  "urban": [True, False], "main_urban_area": [True, False]},
                                 geometry=[square(0, 0, 2000), square(2000, 0, 2000)], crs=CRS)
    cells = gpd.GeoDataFrame(
        {"population": [100.0, 200.0, 300.0, 400.0, 1000.0, 0.0, 500.0, 500.0],
         "elderly": [10.0, 20.0, 30.0, 40.0, 100.0, 0.0, 50.0, 50.0],
         "current": [100.0, 200.0, 300.0, 400.0, 1000.0, 0.0, 500.0, 500.0],
         "planned": [100.0, 200.0, 300.0, 400.0, 61000.0, 0.0, 40500.0, 400.0]},
        geometry=[square(x, y, 1000) for x in (0, 1000, 2000, 3000) for y in (0, 1000)],
        crs=CRS)
    facilities = gpd.GeoDataFrame(
        {"kind": ["emergency_station", "emergency_station", "emergency_station",
                  "nursing_home", "nursing_home", "community_health_centre",
                  "community_health_centre"],
         "vehicles": [2, 1, 3, np.nan, np.nan, np.nan, np.nan],
         "negative_pressure": [True, False, True, None, None, None, None],
         "beds": [np.nan, np.nan, np.nan, 100, 50, np.nan, np.nan],
         "nursing_beds": [np.nan, np.nan, np.nan, 70, 20, np.nan, np.nan],
         "land_area_m2": [np.nan, np.nan, np.nan, 300.0, 100.0, np.nan, np.nan],
         "status": [None, None, None, None, None, "existing", "planned"]},
        geometry=[shapely.Point(500, 500), shapely.Point(1500, 1500), shapely.Point(3500, 500),
                  shapely.Point(500, 1500), shapely.Point(2500, 500), shapely.Point(1500, 500),
                  shapely.Point(2500, 1500)], crs=CRS)
    return StudyArea(districts, cells, facilities, crs=CRS)


class Stubbed(StudyArea):
    """A StudyArea whose ``nearest`` returns a fixed table (the network is not under test)."""

    def __init__(self, base: StudyArea, table: pd.DataFrame, modes=("walk", "drive")) -> None:
        self.__dict__.update(base.__dict__)
        self.networks = {m: object() for m in modes}
        self._table = table
        self.calls: list[tuple] = []

    def nearest(self, kind, mode="walk", cutoff=None, *, by=None):  # noqa: D401
        self.calls.append((mode, None if cutoff is None else str(cutoff), by))
        table = self._table.copy()
        limit = None if cutoff is None else cutoff.value
        cost = table["time_min" if by == "time" else "distance_m"]
        if limit is not None:
            beyond = (table["status"] == "reached") & (cost > limit)
            table.loc[beyond, "status"] = "beyond_cutoff"
            table.loc[beyond, "facility"] = -1
        return table


def stub_table(area: StudyArea, minutes: list[float], facility: list[int],
               status: list[str] | None = None) -> pd.DataFrame:
    table = area.cells[["population", "district"]].copy()
    table["time_min"] = minutes
    table["distance_m"] = np.asarray(minutes, float) * 80.0  # 4.8 km/h
    table["facility"] = facility
    table["status"] = status or ["reached"] * len(minutes)
    return table


# -- shared shape -------------------------------------------------------------------------------
def test_every_result_has_the_same_columns(tiny):
    area = Stubbed(tiny, stub_table(tiny, [5] * 8, [0] * 8))
    rules = [
        AccessRule(id="A", facility="emergency_station", threshold="10 min"),
        ServiceRadiusRule(id="R", facility="emergency_station", threshold="1 km"),
        MeanTravelRule(id="M", facility="emergency_station", threshold="12 min"),
        ServiceCircleRule(id="S", facility="emergency_station", time="5-10 min",
                          population="100-5000 people"),
        FacilitiesPerPopulationRule(id="F", facility="community_health_centre", per="1000 people"),
        CapacityPerPopulationRule(id="C", facility="emergency_station", attribute="vehicles"),
        AreaPerCapitaRule(id="P", facility="nursing_home", attribute="land_area_m2",
                          threshold="0.1 m2/person"),
        PerUnitRule(id="U", facility="nursing_home"),
        AttributeShareRule(id="H", facility="nursing_home", attribute="nursing_beds",
                           weight="beds", share="60 %"),
    ]
    for rule in rules:
        result = rule.evaluate(area)
        assert list(result.table.columns) == TABLE_COLUMNS, rule.id
        assert list(result.table["district"]) == ["west", "east"]
        assert list(result.overall["district"]) == ["(study area)"]
        assert result.table["rule_id"].eq(rule.id).all() and result.table["kind"].eq(rule.kind).all()


# -- access ------------------------------------------------------------------------------------
def test_access_share_and_uncovered_cells(tiny):
    # west: 100+200+300+400 people; east: 1000, 0, 500, 500
    minutes = [3, 14, 16, 9, 20, 1, 15, 2]
    status = ["reached"] * 7 + ["unsnapped"]
    area = Stubbed(tiny, stub_table(tiny, minutes, [0] * 8, status))
    rule = AccessRule(id="SH21-02-x", facility="emergency_station", threshold="15 min",
                      share="85 %")
    result = rule.evaluate(area)
    t = result.table.set_index("district")
    assert t.loc["west", "covered_share"] == pytest.approx(700 / 1000)  # 16 min is beyond
    assert t.loc["east", "covered_share"] == pytest.approx(500 / 2000)  # 15 ≤ 15; unsnapped out
    assert t.loc["west", "shortfall"] == pytest.approx(0.85 * 1000 - 700)
    assert t.loc["east", "uncovered_population"] == pytest.approx(1500)
    assert "off the network" in t.loc["east", "note"]
    assert not t["passed"].any()
    assert result.overall["covered_share"].iloc[0] == pytest.approx(1200 / 3000)
    failed = result.failures
    assert sorted(failed["population"]) == [300.0, 500.0, 1000.0]  # empty cell not listed
    assert set(failed["status"]) == {"beyond_cutoff", "unsnapped"}
    assert area.calls == [("walk", "15 min", "time")]


def test_access_distance_threshold_and_drive_direction_note(tiny):
    area = Stubbed(tiny, stub_table(tiny, [5] * 8, [0] * 8))
    rule = AccessRule(id="D", facility="emergency_station", threshold="500 m", mode="drive")
    result = rule.evaluate(area)
    assert area.calls[-1] == ("drive", "500 m", "length")
    assert result.table["covered_share"].tolist() == [1.0, 1.0]
    assert "facility → people" in result.table["note"].iloc[0]
    response = AccessRule(id="E", facility="emergency_station", threshold="500 m", mode="drive",
                          direction="from_facility").evaluate(area)
    assert "facility → people" not in response.table["note"].iloc[0]


def test_access_without_network_is_an_input_error(tiny):
    rule = AccessRule(id="A", facility="emergency_station", threshold="15 min")
    with pytest.raises(RuleInputError, match="walk network"):
        rule.evaluate(tiny)
    with pytest.raises(RuleInputError, match="walk network"):  # no straight line for minutes
        rule.evaluate(tiny, Context(straight_line=True))


def test_access_straight_line_fallback(tiny):
    rule = AccessRule(id="A", facility="nursing_home", threshold="800 m", share="50 %")
    result = rule.evaluate(tiny, Context(straight_line=True, detour=1.2))
    # cell centres (500|1500, 500|1500 ...) to nursing homes at (500,1500) and (2500,500)
    centres = [shapely.Point(x + 500, y + 500) for x in (0, 1000, 2000, 3000) for y in (0, 1000)]
    homes = [shapely.Point(500, 1500), shapely.Point(2500, 500)]
    d = np.array([min(c.distance(h) for h in homes) for c in centres]) * 1.2
    pop = np.array([100, 200, 300, 400, 1000, 0, 500, 500], float)
    covered = pop * (d <= 800)
    t = result.table.set_index("district")
    assert t.loc["west", "covered_share"] == pytest.approx(covered[:4].sum() / 1000)
    assert t.loc["east", "covered_share"] == pytest.approx(covered[4:].sum() / 2000)
    assert t["note"].str.contains("straight-line").all()


# -- service radius ------------------------------------------------------------------------------
def test_service_radius_readings_and_decisive_choice(tiny):
    minutes = [1, 2, 3, 4, 5, 6, 7, 8]
    table = stub_table(tiny, minutes, [0] * 8)
    area = Stubbed(tiny, table)
    rule = ServiceRadiusRule(id="R", facility="emergency_station", threshold="1 km")
    result = rule.evaluate(area)
    t = result.table.set_index("district")
    # west has 2 stations on 4 km² inhabited, east 1 on 3 km² (one of its four 1 km² cells is
    # empty): the default shares out the inhabited area; the polygons are a reported reading
    assert t.loc["west", "reading"] == pytest.approx(np.sqrt(4e6 / (np.pi * 2)))
    assert t.loc["east", "reading"] == pytest.approx(np.sqrt(3e6 / np.pi))
    assert t.loc["east", "shortfall"] == np.ceil(3e6 / (np.pi * 1e6)) - 1
    assert "inhabited cells" in t.loc["east", "note"]
    readings = result.readings.set_index(["district", "reading"])["value"]
    assert readings[("east", "area_equivalent_polygon")] == pytest.approx(np.sqrt(4e6 / np.pi))
    d = np.array(minutes) * 80.0
    pop = np.array([100, 200, 300, 400, 1000, 0, 500, 500], float)
    assert readings[("west", "network_mean")] == pytest.approx(np.average(d[:4], weights=pop[:4]))
    assert readings[("east", "network_max")] == pytest.approx(640.0)  # the empty cell is skipped
    network = ServiceRadiusRule(id="R2", facility="emergency_station", threshold="1 km",
                                decisive="network_mean").evaluate(area)
    assert network.table["reading"].iloc[0] == pytest.approx(readings[("west", "network_mean")])
    assert network.table["shortfall_unit"].iloc[0] == "m above threshold"
    fallback = ServiceRadiusRule(id="R3", facility="emergency_station", threshold="1 km",
                                 decisive="network_mean").evaluate(tiny)
    assert "area-equivalent radius decides" in fallback.table["note"].iloc[0]
    assert fallback.table["reading"].iloc[0] == pytest.approx(t.loc["west", "reading"])


# -- mean travel ------------------------------------------------------------------------------
def test_mean_travel_with_dispatch_time(tiny):
    minutes = [4, 8, 12, 16, 10, 99, 6, np.inf]
    status = ["reached"] * 7 + ["unsnapped"]
    area = Stubbed(tiny, stub_table(tiny, minutes, [0] * 7 + [-1], status))
    rule = MeanTravelRule(id="SH16-20x", facility="emergency_station", threshold="12 min",
                          extra="2 min")
    t = rule.evaluate(area).table.set_index("district")
    west = (4 * 100 + 8 * 200 + 12 * 300 + 16 * 400) / 1000 + 2
    east = (10 * 1000 + 6 * 500) / 1500 + 2
    assert t.loc["west", "reading"] == pytest.approx(west)
    assert t.loc["east", "reading"] == pytest.approx(east)
    assert bool(t.loc["west", "passed"]) is (west <= 12)
    # 平均反应时间 is over everyone: 500 unreachable residents can only raise east's mean of
    # the reachable (≤ 12), so east is undecided rather than passing
    assert pd.isna(t.loc["east", "passed"]) and t.loc["east", "uncovered_population"] == 500
    assert "500 people unreachable" in t.loc["east", "note"]


# -- service circles -----------------------------------------------------------------------------
def test_service_circles_population_band(tiny):
    # facilities 0 and 2 are stations; cells join the nearest within 45 minutes
    minutes = [10, 20, 40, 50, 30, 5, 44, 46]
    facility = [0, 0, 0, 0, 2, 2, 2, 2]
    area = Stubbed(tiny, stub_table(tiny, minutes, facility))
    rule = ServiceCircleRule(id="C", facility="emergency_station", time="30-45 min",
                             population="500-1200 people")
    result = rule.evaluate(area)
    circles = result.details["circles"].set_index("facility")
    assert circles.loc[0, "population"] == 600  # 100+200+300 (50 min is out)
    assert circles.loc[2, "population"] == 1500  # 1000+0+500 (46 min is out)
    assert circles.loc[1, "population"] == 0
    assert circles.loc[0, "population_within_low"] == 300  # ≤ 30 min: 100+200
    assert list(circles["in_band"]) == [True, False, False]
    t = result.table.set_index("district")
    assert t.loc["west", "covered_share"] == pytest.approx(600 / 1000)
    assert t.loc["east", "covered_share"] == pytest.approx(1500 / 2000)
    assert "out of band" in t.loc["west", "note"]  # station 1 (west) serves nobody
    assert not t["passed"].any()


# -- per population ---------------------------------------------------------------------------
def test_facilities_per_population_band(tiny):
    rule = FacilitiesPerPopulationRule(id="F", facility="community_health_centre",
                                       per="500-1500 people")
    t = rule.evaluate(tiny).table.set_index("district")
    assert t.loc["west", "reading"] == 1000 and bool(t.loc["west", "passed"])
    assert t.loc["east", "reading"] == 2000 and t.loc["east", "shortfall"] == 1
    tight = FacilitiesPerPopulationRule(id="G", facility="community_health_centre",
                                        per="2500-5000 people").evaluate(tiny)
    assert "denser than the band" in tight.table["note"].iloc[0]
    assert tight.table["passed"].all()


def test_facilities_per_new_residents(tiny):
    rule = FacilitiesPerPopulationRule(id="SH16-16x", facility="community_health_centre",
                                       per="50000-100000 people", basis="new_residents")
    t = rule.evaluate(tiny).table.set_index("district")
    # new = planned − current, losses count 0: west 0; east 60,000 + 40,000 + 0 (−100)
    # no new residents: the row is undecided (docs/rules.md "no residents"), not a pass
    assert t.loc["west", "population"] == 0 and pd.isna(t.loc["west", "passed"])
    assert t.loc["east", "population"] == 100_000
    assert t.loc["east", "provided"] == 1  # only the 'planned' centre counts as new
    assert t.loc["east", "reading"] == 100_000 and bool(t.loc["east", "passed"])
    assert "status in new/planned" in t.loc["east", "note"]
    with pytest.raises(RuleInputError, match="planned"):
        FacilitiesPerPopulationRule(id="X", facility="community_health_centre",
                                    basis="new_residents").evaluate(
            StudyArea(tiny.districts, tiny.cells[["population", "geometry"]], tiny.facilities))


def test_capacity_per_population_counts_and_missing_values(tiny):
    rule = CapacityPerPopulationRule(id="C", facility="emergency_station", attribute="vehicles",
                                     rate="1 per 500 people")
    t = rule.evaluate(tiny).table.set_index("district")
    assert t.loc["west", "provided"] == 3 and t.loc["east", "provided"] == 3
    assert t.loc["west", "reading"] == pytest.approx(3 / 1000 * 500)
    assert t.loc["east", "shortfall"] == pytest.approx(2000 / 500 - 3)
    counted = CapacityPerPopulationRule(id="N", facility="nursing_home",
                                        rate="1 per 1000 people").evaluate(tiny)
    assert counted.table["provided"].tolist() == [1, 1]  # no attribute: facilities counted
    elderly = CapacityPerPopulationRule(id="E", facility="nursing_home", attribute="beds",
                                        rate="35 per 1000 people", basis="elderly")
    te = elderly.evaluate(tiny).table.set_index("district")
    assert te.loc["west", "reading"] == pytest.approx(100 / 100 * 1000)
    with pytest.raises(RuleInputError, match="no such column"):
        CapacityPerPopulationRule(id="X", facility="emergency_station",
                                  attribute="ambulances").evaluate(tiny)
    with pytest.raises(RuleInputError, match="no such population column"):
        CapacityPerPopulationRule(id="Y", facility="emergency_station", attribute="vehicles",
                                  basis="children_0_3").evaluate(tiny)


def test_area_per_capita_any_of(tiny):
    land = AreaPerCapitaRule(id="L", facility="nursing_home", attribute="land_area_m2",
                             threshold="0.3 m2/person")
    floor = CapacityPerPopulationRule(id="B", facility="nursing_home", attribute="beds",
                                      rate="40 per 1000 people")
    either = AnyOf(id="L|B", parts=[land, floor])
    result = either.evaluate(tiny)
    lt = land.evaluate(tiny).table.set_index("district")
    assert lt.loc["west", "reading"] == pytest.approx(0.3) and bool(lt.loc["west", "passed"])
    assert lt.loc["east", "reading"] == pytest.approx(0.05)
    t = result.table.set_index("district")
    assert bool(t.loc["west", "passed"])
    # east: land 0.05 < 0.3, beds 50/2000*1000 = 25 < 40 → fails; best part is the beds
    assert not bool(t.loc["east", "passed"])
    assert t.loc["east", "reading"] == pytest.approx(25 / 40)
    assert "best part: B" in t.loc["east", "note"]
    assert [p.rule.id for p in result.parts] == ["L", "B"]
    both = AllOf(id="L&B", parts=[land, floor]).evaluate(tiny).table.set_index("district")
    assert bool(both.loc["west", "passed"])  # west beds: 100/1000*1000 = 100 ≥ 40, land 0.3
    assert both.loc["east", "reading"] == pytest.approx(0.05 / 0.3)


def test_all_of_passes_only_when_every_part_passes(tiny):
    a = PerUnitRule(id="U1", facility="nursing_home")
    b = PerUnitRule(id="U2", facility="community_health_centre")
    t = AllOf(id="U", parts=[a, b]).evaluate(tiny).table.set_index("district")
    assert t["passed"].tolist() == [True, True]
    c = PerUnitRule(id="U3", facility="emergency_station", min_count=2)
    t2 = AllOf(id="V", parts=[a, c]).evaluate(tiny).table.set_index("district")
    assert t2["passed"].tolist() == [True, False] and t2.loc["east", "shortfall"] == 1


def test_per_unit_with_a_township_layer(tiny):
    towns = gpd.GeoDataFrame(
        {"name": ["t1", "t2", "t3", "t4"], "poor": [True, False, True, True]},
        geometry=[square(0, 0, 1000), square(0, 1000, 1000).union(square(1000, 0, 1000)).union(
            square(1000, 1000, 1000)), square(2000, 0, 2000).difference(square(3000, 1000, 1000)),
                  square(3000, 1000, 1000)], crs=CRS)
    rule = PerUnitRule(id="T", facility=["nursing_home", "community_health_centre"],
                       level="township")
    with pytest.raises(RuleInputError, match="township unit layer"):
        rule.evaluate(tiny)
    result = rule.evaluate(tiny, Context(units={"township": towns}))
    t = result.table.set_index("district")
    # t1 has none; t2 has the home at (500,1500) and the centre at (1500,500); t3 has the
    # home at (2500,500) and the centre at (2500,1500); t4 none
    assert t.loc["west", "covered_share"] == 0.5 and t.loc["east", "covered_share"] == 0.5
    assert t.loc["west", "uncovered_population"] == 100  # t1 = cell (0,0)
    assert t.loc["east", "uncovered_population"] == 500  # t4 = cell (3000,1000)
    assert sorted(result.failures["unit"]) == ["t1", "t4"]
    poor = PerUnitRule(id="P", facility="nursing_home", level="township",
                       unit_filter={"poor": True}).evaluate(tiny, Context(units={"township": towns}))
    assert poor.overall["provided"].iloc[0] == 1 and poor.overall["shortfall"].iloc[0] == 2
    # GS17-53 「…的地市建设一所」: a study area may span several prefectures, so without a
    # prefecture layer the rule is not evaluated (it was read as one prefecture and passed)
    with pytest.raises(RuleInputError, match="prefecture unit layer"):
        PerUnitRule(id="Q", facility="nursing_home", level="prefecture").evaluate(tiny)
    county = PerUnitRule(id="K", facility="nursing_home", level="county").evaluate(tiny)
    assert county.table["passed"].all() and "county-level" in county.table["note"].iloc[0]


def test_attribute_share_of_facilities_and_of_beds(tiny):
    vehicles = AttributeShareRule(id="Q", facility="emergency_station",
                                  attribute="negative_pressure", share="40 %")
    t = vehicles.evaluate(tiny).table.set_index("district")
    assert t.loc["west", "reading"] == 0.5 and t.loc["east", "reading"] == 1.0
    weighted = AttributeShareRule(id="W", facility="emergency_station",
                                  attribute="negative_pressure", weight="vehicles", share="80 %")
    tw = weighted.evaluate(tiny)
    assert tw.table.set_index("district").loc["west", "reading"] == pytest.approx(2 / 3)
    assert tw.overall["reading"].iloc[0] == pytest.approx(5 / 6)
    beds = AttributeShareRule(id="B", facility="nursing_home", attribute="nursing_beds",
                              weight="beds", share="60 %", check_at="area")
    rb = beds.evaluate(tiny)
    assert rb.overall["reading"].iloc[0] == pytest.approx(90 / 150)
    assert rb.passed is True
    tb = rb.table.set_index("district")
    assert tb.loc["east", "reading"] == pytest.approx(0.4)
    assert tb.loc["east", "shortfall"] == pytest.approx(0.6 * 50 - 20)


# -- scope ------------------------------------------------------------------------------------
def test_scope_by_names_aliases_exclusion_and_area_type(tiny):
    assert Scope.parse(["西区"]).resolve(tiny) == (["west"], [])
    assert Scope.parse({"districts": ["north/east"]}).resolve(tiny)[0] == ["east"]
    assert Scope.parse({"exclude": ["西区"]}).resolve(tiny)[0] == ["east"]
    assert Scope.parse({"area_type": "main_urban_area"}).resolve(tiny)[0] == ["west"]
    # without the zone marking the plan's exempt districts would get verdicts: the rule stops
    with pytest.raises(RuleInputError, match="no such marking"):
        Scope.parse({"area_type": "new_town"}).resolve(tiny)
    names, notes = Scope.parse(["west", "nowhere"]).resolve(tiny)
    assert names == ["west"] and "nowhere" in notes[0]
    rule = PerUnitRule(id="S", facility="nursing_home", scope=["nowhere"])
    with pytest.raises(RuleInputError, match="no district"):
        rule.evaluate(tiny)
    with pytest.raises(RuleError, match="unknown scope key"):
        Scope.parse({"district": ["west"]})


def test_not_checkable_entries(tiny):
    principle = Principle(id="CQ", text="Keep facilities in depopulating areas.")
    budget = SiteBudget(id="B", facility="emergency_station", sites=44)
    assert not principle.checkable and not budget.checkable
    assert budget.describe().startswith("build 44 emergency_station")
    report = assess(tiny, [principle, budget, PerUnitRule(id="U", facility="nursing_home")])
    assert [r.id for r in report.skipped] == ["CQ", "B"]
    assert set(report.table["rule_id"]) == {"U"}
    with pytest.raises(RuleError, match="≥ 1"):
        SiteBudget(id="B", sites=0)
