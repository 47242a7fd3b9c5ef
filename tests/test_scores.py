"""Accessibility scores (2SFCA family, gravity, 3SFCA, potential) against pysal/access.

The oracle is pysal/access run on the very cost matrix siting computed, so the tests check the
floating-catchment arithmetic, the decay functions and the bookkeeping of cells and
facilities, on São Paulo's real hexagons, schools and walking network.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from siting import StudyArea
from siting import scores as sc
from siting.errors import SitingError, UnitError
from siting.units import parse_cutoff

access = pytest.importorskip("access")
from access import Access, weights  # noqa: E402

CUT = 20.0  # minutes


@pytest.fixture(scope="module")
def sao_paulo(spo_hexes, spo_walk):
    hexes = spo_hexes
    x0, y0, x1, y1 = hexes.total_bounds
    mid = float(np.median(hexes.geometry.centroid.x))
    boundary = gpd.GeoDataFrame({"district": ["west", "east"]},
                                geometry=[shapely.box(x0 - 500, y0 - 500, mid, y1 + 500),
                                          shapely.box(mid, y0 - 500, x1 + 500, y1 + 500)],
                                crs=hexes.crs)
    schools = hexes[hexes["schools"] > 0]
    facilities = gpd.GeoDataFrame(
        {"kind": "school", "schools": schools["schools"].to_numpy().astype(float)},
        geometry=schools.geometry.centroid.to_numpy(), crs=hexes.crs)
    return StudyArea(boundary, hexes, facilities, {"walk": spo_walk})


def _pysal(area, cutoff=f"{CUT:g} min"):
    """An Access object on siting's own cells → schools cost matrix (minutes)."""
    src, tgt, cost = sc.cost_pairs(area, area.facilities_of("school"), "walk",
                                   parse_cutoff(cutoff), "to_facility")
    demand = pd.DataFrame({"pop": area.cells["population"].to_numpy()},
                          index=pd.Index([f"c{i}" for i in range(len(area.cells))], name="geoid"))
    schools = area.facilities_of("school")
    supply = pd.DataFrame({"schools": schools["schools"].to_numpy()},
                          index=pd.Index([f"f{j}" for j in range(len(schools))], name="geoid"))
    costs = pd.DataFrame({"origin": [f"c{i}" for i in tgt], "dest": [f"f{j}" for j in src],
                          "cost": cost})
    return Access(demand_df=demand, demand_index=True, demand_value="pop", supply_df=supply,
                  supply_index=True, supply_value="schools", cost_df=costs, cost_origin="origin",
                  cost_dest="dest", cost_name="cost"), demand.index


def _gauss(x):
    low = math.exp(-0.5)
    return (weights.gaussian(CUT)(x) - low) / (1 - low)


THIRDS = {CUT * k / 3: w for k, w in zip((1, 2, 3), (1.0, 0.68, 0.22))}
CASES = {
    "2sfca": (None, lambda a: a.two_stage_fca(name="x", max_cost=CUT)),
    "e2sfca": (None, lambda a: a.enhanced_two_stage_fca(
        name="x", max_cost=CUT, weight_fn=weights.step_fn(THIRDS))),
    "g2sfca": (None, lambda a: a.two_stage_fca(name="x", max_cost=CUT, weight_fn=_gauss)),
    "kd2sfca": (None, lambda a: a.two_stage_fca(
        name="x", max_cost=CUT, weight_fn=lambda x: (1 - (x / CUT) ** 2) ** 2)),
    "gravity": (sc.power(1.5, "1 min"), lambda a: a.two_stage_fca(
        name="x", max_cost=CUT, weight_fn=weights.gravity(scale=1.0, alpha=-1.5, min_dist=1.0))),
    "3sfca": (None, lambda a: a.three_stage_fca(
        name="x", max_cost=CUT, weight_fn=weights.step_fn(THIRDS))),
    "potential": (sc.exponential("8 min"), lambda a: a.weighted_catchment(
        name="x", max_cost=CUT, weight_fn=lambda x: np.exp(-x / 8.0))),
}


@pytest.mark.parametrize("method", list(CASES))
def test_every_score_equals_pysal_access_on_sao_paulo(sao_paulo, method):
    decay, oracle = CASES[method]
    mine = sc.accessibility(sao_paulo, "school", method=method, cutoff=f"{CUT:g} min",
                            decay=decay, supply="schools")
    model, index = _pysal(sao_paulo)
    theirs = oracle(model)["x_schools"].reindex(index).to_numpy()
    ours = mine.cells["score"].to_numpy()
    assert (mine.cells["status"] == "scored").sum() > 250
    # pysal leaves cells with no facility in reach out (NaN); siting scores them 0
    assert np.array_equal(np.isnan(theirs), (mine.cells["status"] == "no_facility").to_numpy())
    both = ~np.isnan(theirs)
    assert np.all(ours[~both] == 0)
    rel = np.abs(ours[both] - theirs[both]) / np.maximum(np.abs(theirs[both]), 1e-300)
    assert rel.max() <= 1e-9, (method, rel.max())
    assert ours[both].max() > 0


def test_walk_scores_do_not_depend_on_direction(sao_paulo):
    to = sc.accessibility(sao_paulo, "school", method="g2sfca", cutoff="15 min")
    back = sc.accessibility(sao_paulo, "school", method="g2sfca", cutoff="15 min",
                            direction="from_facility")
    np.testing.assert_array_equal(to.cells["score"], back.cells["score"])


def test_drive_to_facility_costs_match_nearest(example):
    """On one-way streets people → facility differs; the pairs agree with nearest()."""
    cutoff = parse_cutoff("6 min")
    schools = example.facilities_of("school")
    for direction in ("to_facility", "from_facility"):
        src, tgt, cost = sc.cost_pairs(example, schools, "drive", cutoff, direction, "school")
        best = pd.Series(cost).groupby(tgt).min()
        near = example.nearest("school", "drive", "6 min", direction=direction)
        reached = near["status"] == "reached"
        assert set(best.index) == set(np.flatnonzero(reached.to_numpy()))
        np.testing.assert_allclose(best.to_numpy(), near["time_min"].to_numpy()[best.index],
                                   rtol=1e-12)
    one = sc.cost_pairs(example, schools, "drive", cutoff, "to_facility", "school")
    other = sc.cost_pairs(example, schools, "drive", cutoff, "from_facility", "school")
    assert len(one[0]) != len(other[0]) or not np.array_equal(one[2], other[2])


def _line_area(populations, facility_x, capacity, unsnapped_at=None):
    """Cells and facilities along one straight street (costs are plain distances)."""
    import siting.network as sn

    xs = np.arange(len(populations)) * 100.0
    cells = gpd.GeoDataFrame({"population": populations},
                             geometry=gpd.points_from_xy(xs, np.zeros(len(xs))), crs="EPSG:32651")
    if unsnapped_at is not None:
        cells.loc[unsnapped_at, "geometry"] = shapely.Point(xs[unsnapped_at], 5_000.0)
    facilities = gpd.GeoDataFrame({"kind": "clinic", "beds": capacity},
                                  geometry=gpd.points_from_xy(facility_x,
                                                              np.zeros(len(facility_x))),
                                  crs="EPSG:32651")
    streets = gpd.GeoDataFrame(geometry=[shapely.LineString([(-100, 0), (xs[-1] + 100, 0)])],
                               crs="EPSG:32651")
    walk = sn.from_lines(streets, mode="walk")
    district = gpd.GeoDataFrame({"district": ["d"]},
                                geometry=[shapely.box(-200, -200, xs[-1] + 200, 6_000)],
                                crs="EPSG:32651")
    return StudyArea(district, cells, facilities, {"walk": walk})


def test_planted_two_step_by_hand():
    # cells at 0, 100, 200, 300 m; a 4-bed clinic at 0 m and a 2-bed one at 300 m; 150 m catchment
    area = _line_area([100.0, 300.0, 200.0, 400.0], [0.0, 300.0], [4.0, 2.0])
    s = sc.accessibility(area, "clinic", method="2sfca", cutoff="150 m", supply="beds")
    # clinic A reaches cells 0 and 1 (400 people): 0.01 beds each; B reaches 2, 3 (600): 1/300
    np.testing.assert_allclose(s.facilities["ratio"], [4 / 400, 2 / 600], rtol=1e-12)
    np.testing.assert_allclose(s.cells["score"], [0.01, 0.01, 1 / 300, 1 / 300], rtol=1e-12)
    assert s.unit == "beds per person"
    summary = s.summary(below="1 per 200 people")
    whole = summary.iloc[-1]
    assert whole["population"] == 1000 and whole["unsnapped"] == 0
    # 1 bed per 200 people is 0.005: cells 2 and 3 (600 people) fall below it
    assert whole["below 1 per 200 people"] == 600
    assert whole["share below 1 per 200 people"] == pytest.approx(0.6)
    assert whole["mean"] == pytest.approx((400 * 0.01 + 600 / 300) / 1000)
    # the supply is conserved: Σ population × score = Σ beds (every bed within reach of someone)
    assert (s.cells["population"] * s.cells["score"]).sum() == pytest.approx(6.0)


def test_unsnapped_cells_and_idle_facilities_are_reported():
    area = _line_area([0.0, 0.0, 500.0, 500.0], [0.0, 300.0], [3.0, 5.0], unsnapped_at=3)
    s = sc.accessibility(area, "clinic", method="2sfca", cutoff="150 m", supply="beds")
    assert s.cells["status"].tolist() == ["scored", "scored", "scored", "unsnapped"]
    assert np.isnan(s.cells["score"].iloc[3])
    assert np.isnan(s.facilities["ratio"].iloc[0])  # nobody lives within 150 m of clinic A
    text = " ".join(s.notes)
    assert "500 population in 1 cells beyond the snap distance" in text
    assert "1 facilities (3 beds)" in text
    whole = s.summary().iloc[-1]
    assert whole["population"] == whole["scored_population"] + whole["unsnapped"] == 1000


def test_decays_match_pysal_weights():
    costs = np.array([0.0, 0.5, 5.0, 10.0, 10.000001, 20.0, 29.0, 30.0, 31.0])
    fn = weights.step_fn({10: 1, 20: 0.68, 30: 0.22})
    mine = sc.steps({"10 min": 1, "20 min": 0.68, "30 min": 0.22})(costs)
    assert mine.tolist() == [fn(c) for c in costs]
    grav = weights.gravity(scale=2.0, alpha=-2.0, min_dist=2.0)
    np.testing.assert_allclose(sc.power(2.0, "2 min")(costs), [grav(c) for c in costs],
                               rtol=1e-15)
    gauss = sc.gaussian("30 min")(costs)
    assert gauss[0] == 1.0 and gauss[-2] == 0.0 and gauss[-1] == 0.0
    assert np.all(np.diff(gauss) <= 0)
    assert sc.kernel("30 min")(np.array([15.0]))[0] == pytest.approx(0.5625)
    assert sc.default_decay("e2sfca", parse_cutoff("30 min"))(costs).tolist() == mine.tolist()


def test_errors_name_the_field():
    with pytest.raises(UnitError, match="cutoff"):
        sc.gaussian("15 people")
    with pytest.raises(SitingError, match="mix lengths and times"):
        sc.steps({"10 min": 1, "800 m": 0.5})
    with pytest.raises(SitingError, match="beta"):
        sc.power(-1, "1 min")
    area = _line_area([1.0, 2.0], [0.0], [1.0])
    with pytest.raises(SitingError, match="needs a distance decay"):
        sc.accessibility(area, "clinic", method="gravity", cutoff="500 m")
    with pytest.raises(UnitError, match="decay"):
        sc.accessibility(area, "clinic", method="g2sfca", cutoff="500 m",
                         decay=sc.gaussian("5 min"))
    with pytest.raises(SitingError, match="facilities have no such column"):
        sc.accessibility(area, "clinic", cutoff="500 m", supply="doctors")
    with pytest.raises(SitingError, match="unknown accessibility method"):
        sc.accessibility(area, "clinic", method="4sfca", cutoff="500 m")
    area.facilities.loc[0, "beds"] = np.nan
    with pytest.raises(SitingError, match="missing, negative") as err:
        sc.accessibility(area, "clinic", cutoff="500 m", supply="beds")
    assert err.value.field == "facilities.beds"


def test_weighted_percentile_by_brute_force():
    rng = np.random.default_rng(3)
    values = rng.random(50)
    people = rng.integers(1, 5, 50)
    expanded = np.sort(np.repeat(values, people))
    for q in (10, 25, 50, 90, 100):
        k = max(int(math.ceil(q / 100 * len(expanded))) - 1, 0)
        assert sc.weighted_percentile(values, people.astype(float), q) == expanded[k]


def test_scores_equity_per_district(sao_paulo):
    s = sc.accessibility(sao_paulo, "school", method="g2sfca", cutoff="20 min",
                         supply="schools")
    e = s.equity()
    assert e.table["group"].tolist() == ["east", "west", "(study area)"]
    assert e.table["population"].iloc[-1] == pytest.approx(sao_paulo.population)
    assert 0 < e.table["gini"].iloc[-1] < 1
    assert e.theil.between + e.theil.within == pytest.approx(e.theil.total)
    table = s.summary(below="1 per 20000 people")
    assert table["district"].tolist() == ["east", "west", "(study area)"]
    assert (table["population"] == table["scored_population"] + table["unsnapped"]).all()
    assert table["p10"].iloc[-1] <= table["p50"].iloc[-1] <= table["p90"].iloc[-1]


def test_points_of_ones_own_score_like_the_same_facilities_by_kind(example):
    by_kind = sc.accessibility(example, "school", method="gravity", mode="drive",
                               cutoff="6 min", decay=sc.power(1.0, "1 min"))
    points = example.facilities_of("school")[["kind", "geometry"]].copy()
    points.index = pd.RangeIndex(100, 100 + len(points))
    by_points = sc.accessibility(example, points, method="gravity", mode="drive",
                                 cutoff="6 min", decay=sc.power(1.0, "1 min"))
    np.testing.assert_allclose(by_points.cells["score"], by_kind.cells["score"], rtol=1e-12)
    assert (by_kind.cells["status"] == "scored").sum() > 50
