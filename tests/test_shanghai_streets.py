"""Shanghai on real streets: 黄浦区 around People's Square and the Bund–Lujiazui on both banks.

Expected values come from the plans' own arithmetic and from independent computations here:
census totals from the CSV and area shares with geopandas, network distances against
straight-line distances (a street route is never shorter than the straight line), the river
from the district polygons (浦东新区 is the east bank).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import SHARED_DATA, shared_path

import siting.shanghai_streets as ss
from siting.assess import assess
from siting.population_buildings import census_over_buildings, floor_area
from siting.propose import propose
from siting.rules.base import straight_line_nearest

pytestmark = pytest.mark.shared
UTM51 = "EPSG:32651"


def _census_cut(names, box):
    """Each district's 2020 total × its area share inside ``box``, rounded (own arithmetic)."""
    from siting.china import load_district_boundaries

    census = pd.read_csv(shared_path("china", "county_population_2020.csv"),
                         dtype={"CODE": str}).set_index("CODE")["POPU"]
    districts = load_district_boundaries("shanghai").to_crs(UTM51)
    window = gpd.GeoSeries([shapely.box(*box)], crs=4326).to_crs(UTM51).iloc[0]
    out = {}
    for row in districts.itertuples():
        share = row.geometry.intersection(window).area / row.geometry.area
        if row.name in names and share > 0:
            out[row.name] = round(census[row.code] * share)
    return out


@pytest.fixture(scope="module")
def square():
    shared_path("china", "shanghai_osm", "peoples_square_drive.osm")
    return ss.peoples_square(SHARED_DATA)


@pytest.fixture(scope="module")
def square_lines():
    return ss.peoples_square(SHARED_DATA, networks=False)


@pytest.fixture(scope="module")
def bund():
    shared_path("china", "shanghai_osm", "bund_lujiazui_roads.gpkg")
    return ss.bund_lujiazui(SHARED_DATA)


# -- population from the census ---------------------------------------------------------------

def test_square_residents_are_the_census_cut_to_the_extract(square):
    expected = _census_cut({"黄浦区", "静安区"}, ss.PEOPLES_SQUARE_BOX)
    got = square.cells.groupby("district")["population"].sum()
    assert got.to_dict() == expected  # to the person, per district
    assert 150_000 < expected["黄浦区"] < 200_000  # 662,030 × about 27 %
    assert "area share" in square.population_method and "100 m" in square.population_method


def test_bund_residents_on_floor_area(bund):
    expected = _census_cut(set(ss.BUND_DISTRICTS), ss.BUND_BOX)
    got = bund.cells.groupby("district")["population"].sum()
    assert got.to_dict() == expected
    assert bund.population == bund.population_in == sum(expected.values())
    table = bund.population_table.set_index("district")
    assert (table["population_out"] == table["population_in"]).all()
    assert "floor area" in bund.population_method and "6 where no height" in bund.population_method


def test_floor_area_from_height_and_the_stated_default():
    polygons = gpd.GeoDataFrame(
        {"height": [30.0, None, 10.0, 4.0], "min_height": [None, None, 4.0, None]},
        geometry=[shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 20),
                  shapely.box(40, 0, 50, 10), shapely.box(60, 0, 70, 10)], crs=UTM51)
    homes = floor_area(polygons, default_storeys=6)
    # 30 m → 10 storeys; no height → 6 (default); 10−4 m → 2; 4 m → 1
    assert homes["storeys"].tolist() == [10, 6, 2, 1]
    assert homes["floor_area_m2"].tolist() == [1000, 1200, 200, 100]
    assert homes["storeys_source"].tolist() == ["height", "default", "height", "height"]
    districts = gpd.GeoDataFrame({"district": ["A", "B"], "population": [101, 7]},
                                 geometry=[shapely.box(-1, -1, 35, 25),
                                           shapely.box(35, -1, 80, 25)], crs=UTM51)
    people = census_over_buildings(districts, polygons)
    # A: 101 over 1,000 : 1,200 m² → 45.9 / 55.1 → 46 / 55; B: 7 over 200 : 100 → 4.67 / 2.33
    assert people["population"].tolist() == [46, 55, 5, 2]


# -- case 1: People's Square -------------------------------------------------------------------

@pytest.mark.parametrize("kind,mode,metres", [("kindergarten", "walk", 300),
                                              ("community_health_centre", "walk", 1000),
                                              ("emergency_station", "drive", 3500)])
def test_square_network_against_straight_lines(square, kind, mode, metres):
    table = ss.network_vs_straight(square, kind, mode, metres).set_index("district")
    everyone = table.loc["(all)"]
    assert everyone["residents"] == square.population
    # a street route is never shorter than the straight line: fewer people within reach
    assert (table["reached_network"] <= table["reached_straight"]).all()
    assert everyone["overstated_pp"] > 5
    # cell by cell
    net = square.nearest(kind, mode, None, by="length")["distance_m"].to_numpy()
    line = straight_line_nearest(square, square.facilities_of(kind), None)["distance_m"]
    assert (net >= line.to_numpy() - 1e-6).all()


def test_square_population_in_equals_reached_beyond_unsnapped(square):
    for kind, mode, cutoff in [("kindergarten", "walk", "300 m"),
                               ("community_health_centre", "walk", "15 min"),
                               ("emergency_station", "drive", "10 min")]:
        balance = ss.population_balance(square, kind, mode, cutoff)
        assert balance[["reached", "beyond_cutoff", "unsnapped"]].sum() == balance["residents"]
        assert balance["residents"] == square.population_in - square.outside_population


def test_square_rules_verdicts(square, square_lines):
    result = assess(square, ["GB50180-KG", "QD21-25"]).table.set_index(["rule_id", "district"])
    kg = result.loc[("GB50180-KG", "黄浦区")]
    # 幼儿园服务半径不宜大于300m, read as every resident within 300 m: far from it
    assert not kg["passed"] and 0.10 < kg["covered_share"] < 0.25
    chc = result.loc[("QD21-25", "黄浦区")]
    # 15 minutes' walk = 1,000 m at 4 km/h: the same share as the 1,000 m comparison
    share = ss.network_vs_straight(square, "community_health_centre", "walk", 1000) \
        .set_index("district").loc["黄浦区", "share_network"]
    assert chc["covered_share"] == pytest.approx(share)
    assert not chc["passed"]
    lines = assess(square_lines, ["GB50180-KG"], straight_line=True).table.set_index("district")
    assert lines.loc["黄浦区", "covered_share"] > kg["covered_share"] + 0.15
    assert "straight" in lines.loc["黄浦区", "note"]


def test_square_ems_drive_times(square):
    times = square.nearest("emergency_station", "drive", None, by="time")
    reached = times["status"] == "reached"
    assert reached.sum() > 0.95 * len(times)
    # never faster than a straight line at the network's top speed
    line = straight_line_nearest(square, square.facilities_of("emergency_station"), None)
    top = square.network("drive").top_speed_mps()
    assert (times.loc[reached, "time_min"] * 60 >= line.loc[reached, "distance_m"] / top
            - 1e-6).all()
    mean = np.average(times.loc[reached, "time_min"], weights=times.loc[reached, "population"])
    assert 1 < mean < 15


# -- case 2: the Bund and Lujiazui -------------------------------------------------------------

def test_bund_walk_network_keeps_both_banks(bund):
    walk = bund.network("walk")
    from siting.china import load_district_boundaries

    pudong = load_district_boundaries("shanghai").to_crs(UTM51).set_index("name") \
        .geometry["浦东新区"]
    east = shapely.contains_xy(pudong, walk.x, walk.y)
    assert east.sum() > 500 and (~east).sum() > 500


@pytest.mark.parametrize("kind,metres", [("kindergarten", 300),
                                         ("community_health_centre", 1000)])
def test_bund_walks_do_not_cross_the_river(bund, kind, metres):
    nearest = bund.nearest(kind, "walk", f"{metres} m")
    reached = nearest[nearest["status"] == "reached"]
    facility_district = bund.facilities.loc[reached["facility"], "district"].to_numpy()
    east = reached["district"].to_numpy() == "浦东新区"
    # on foot a Pudong resident is served from Pudong only (no walkable crossing in the data)
    assert (facility_district[east] == "浦东新区").all()
    assert (facility_district[~east] != "浦东新区").all()
    balance = ss.population_balance(bund, kind, "walk", f"{metres} m")
    assert balance[["reached", "beyond_cutoff", "unsnapped"]].sum() == bund.population


def test_bund_straight_lines_reach_across_the_river(bund):
    wrong = ss.across_the_river(bund, "community_health_centre", 1000)
    crossing = wrong[(wrong["district"] == "浦东新区") & (wrong["facility_district"] != "浦东新区")]
    assert crossing["population"].sum() > 1000  # Pudong residents "within reach" of Puxi CHCs
    assert (crossing["network_m"] > 1000).all()
    table = ss.network_vs_straight(bund, "community_health_centre", "walk", 1000) \
        .set_index("district")
    assert table.loc["浦东新区", "share_network"] == 0
    assert table.loc["浦东新区", "share_straight"] > 0.05


# -- case 3: proposals -----------------------------------------------------------------------

def test_square_proposals_on_streets_and_straight_lines(square, square_lines):
    on_streets = propose(square, ["GB50180-KG"], time_limit=30, infeasible="relax")
    assert on_streets.solution["distances"] == "network"
    after = on_streets.after.table.set_index(["rule_id", "district"])
    unmet = on_streets.unmet.set_index("district")["unmet"]
    # every resident a candidate can reach is now within 300 m; the rest are listed
    for district, row in after.loc["GB50180-KG"].iterrows():
        assert row["uncovered_population"] == pytest.approx(unmet.get(district, 0.0))
    curve = on_streets.curve[on_streets.curve["district"] == "(all)"]["covered_share"]
    assert (np.diff(curve.to_numpy()) >= -1e-12).all() and curve.iloc[0] < curve.iloc[-1]
    on_lines = propose(square_lines, ["GB50180-KG"], time_limit=30, straight_line=True,
                       infeasible="relax")
    assert "straight line" in on_lines.solution["distances"]
    assert "straight line" in on_lines.summary()
    assert (on_lines.curve["distances"].str.contains("straight line")).all()
    # straight lines promise the target with far fewer kindergartens than the streets need
    assert 0 < len(on_lines.sites) < len(on_streets.sites)


def test_one_rule_that_cannot_be_proposed_does_not_stop_the_others(square, square_lines):
    before = assess(square_lines, ["GB50180-KG", "GB50180-PS"], straight_line=True)
    # assessed along straight lines, proposed without them: both rules lack a network; each
    # is reported, neither aborts the run
    result = propose(square_lines, ["GB50180-KG"], assessment=before, time_limit=10,
                     infeasible="relax")
    notes = result.other_actions.set_index("rule_id")["note"]
    assert "no proposal" in notes["GB50180-KG"] and "walk network" in notes["GB50180-KG"]
    mixed = propose(square, ["GB50180-KG", "SH16-18"], time_limit=10, infeasible="relax")
    assert len(mixed.sites) > 0


def test_bund_proposals_per_bank(bund):
    result = propose(bund, ["GB50180-KG"], time_limit=30, infeasible="relax")
    assert len(result.sites) > 0
    sites = result.sites.set_index("site")
    assert {"浦东新区", "黄浦区"} <= set(sites["district"])
    before = result.before.table.set_index(["rule_id", "district"])["covered_share"]
    after = result.after.table.set_index(["rule_id", "district"])["covered_share"]
    assert (after >= before - 1e-12).all()
