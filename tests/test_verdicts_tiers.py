"""GB 50180's nested life-circle tiers (GB50180-TIERS), planted on a straight walk street.

The catalogue entry reads 「十五分钟、十分钟、五分钟生活圈居住区」 with each tier's facility and
radius from the same standard: kindergarten ≤ 300 m (5-minute tier), primary school ≤ 500 m
(10-minute), middle school ≤ 1,000 m (15-minute). Expected verdicts follow from those radii by
hand; the tiers do not stand in for each other.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from siting import StudyArea
from siting.assess import assess
from siting.errors import RuleError
from siting.network import from_lines
from siting.rules import LifeCircleRule, load_rules

UTM = "EPSG:32651"


def tiers_rule():
    (rule,) = [r for r in load_rules("gb50180-2018") if r.id == "GB50180-TIERS"]
    return rule


def town(primary_east: float) -> StudyArea:
    """District A (x < 10 km) with two populated cells on a street along y = 5 km:
    west (x = 500 m, 600 people) and east (x = 3,500 m, 400 people)."""
    d = gpd.GeoDataFrame({"district": ["A"]}, geometry=[shapely.box(0, 0, 10_000, 10_000)],
                         crs=UTM)
    cells = gpd.GeoDataFrame({"population": [600.0, 400.0]},
                             geometry=[shapely.box(x - 500, 4_500, x + 500, 5_500)
                                       for x in (500, 3_500)], crs=UTM)
    kinds = {"kindergarten": [700, 3_700], "primary_school": [900, primary_east],
             "middle_school": [1_400, 3_600]}
    fac = gpd.GeoDataFrame({"kind": [k for k, xs in kinds.items() for _ in xs]},
                           geometry=[shapely.Point(x, 5_000) for xs in kinds.values()
                                     for x in xs], crs=UTM)
    street = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 5_000), (9_900, 5_000)])],
                              crs=UTM)
    return StudyArea(d, cells, fac, networks={"walk": from_lines(street, "walk")}, crs=UTM)


def test_a_primary_school_700_m_away_is_outside_the_10_minute_tier():
    # east cell: kindergarten 200 m (≤ 300 ✓), middle school 100 m (≤ 1,000 ✓), primary school
    # 700 m: beyond 500 m, and the middle school next door does not stand in for it.
    # Served by the whole circle: the west cell only, 600 of 1,000 → 0.6 < 100 % → fails.
    result = assess(town(primary_east=4_200), [tiers_rule()])
    row = result.table.set_index("district").loc["A"]
    assert row["covered_share"] == pytest.approx(0.6)
    assert row["uncovered_population"] == pytest.approx(400)
    assert bool(row["passed"]) is False
    assert "tiers short: 10 min" in row["note"]
    tiers = result.readings.set_index(["district", "reading"])["value"]
    assert tiers[("A", "tier:5 min")] == pytest.approx(1.0)
    assert tiers[("A", "tier:10 min")] == pytest.approx(0.6)
    assert tiers[("A", "tier:15 min")] == pytest.approx(1.0)


def test_every_tier_within_its_radius_passes():
    # primary school moved to 400 m of the east cell (≤ 500 m): both cells served at all tiers
    result = assess(town(primary_east=3_900), [tiers_rule()])
    row = result.table.set_index("district").loc["A"]
    assert row["covered_share"] == pytest.approx(1.0) and bool(row["passed"]) is True


def test_the_tier_reading_is_stricter_than_the_largest_radius():
    # the same facilities read as "any school within 1,000 m" would serve everyone; the tiers
    # serve 60 %: the reading must not collapse to the widest circle
    one = LifeCircleRule(id="one", tiers=[{"name": "15 min", "threshold": "1000 m",
                                           "facilities": ["primary_school"]}])
    result = assess(town(primary_east=4_200), [one, tiers_rule()])
    shares = result.table.set_index("rule_id")["covered_share"]
    assert shares["one"] == pytest.approx(1.0) and shares["GB50180-TIERS"] == pytest.approx(0.6)


def test_tiers_are_validated_with_the_field_named():
    with pytest.raises(RuleError) as info:
        LifeCircleRule(id="T", tiers=[{"name": "5 min", "threshold": "300 m"}])
    assert info.value.field == "T.tiers[0].facilities"
    with pytest.raises(RuleError):
        LifeCircleRule(id="T", tiers=[{"name": "a", "threshold": "300 m", "facilities": ["x"]},
                                      {"name": "b", "threshold": "10 min", "facilities": ["y"]}])
