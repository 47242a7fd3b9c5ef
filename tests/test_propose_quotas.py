"""propose(): per-unit rules below district level and administrative quotas (real network).

The example town has nine 1 km districts; the township layer here splits each into a west
and an east half. Expected counts come from the rule's wording (every township has a sports
ground) and from enumeration, not from what the code returns.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from siting.datasets import load_example
from siting.errors import InfeasibleError, SitingError
from siting.propose import default_candidates, propose
from siting.rules import AccessRule, PerUnitRule

KG = AccessRule(id="T-KG", facility="kindergarten", threshold="500 m", mode="walk",
                share="85 %")


@pytest.fixture(scope="module")
def area():
    return load_example()


@pytest.fixture(scope="module")
def townships(area):
    polys, names = [], []
    for d, g in zip(area.districts["district"], area.districts.geometry):
        x0, y0, x1, y1 = g.bounds
        xm = (x0 + x1) / 2
        polys += [box(x0, y0, xm, y1), box(xm, y0, x1, y1)]
        names += [f"{d}-W", f"{d}-E"]
    return gpd.GeoDataFrame({"name": names}, geometry=polys, crs=area.crs)


@pytest.fixture(scope="module")
def grid(area):
    """Candidate points every 300 m over the whole town (empty townships included)."""
    x0, y0, x1, y1 = area.districts.total_bounds
    pts = [Point(x, y) for x in np.arange(x0 + 150, x1, 300) for y in np.arange(y0 + 150, y1, 300)]
    return gpd.GeoDataFrame(geometry=pts, crs=area.crs)


def test_township_rule_places_a_facility_inside_each_failing_township(area, townships, grid):
    rule = PerUnitRule(id="T-TWN", facility="sports_ground", level="township")
    proposal = propose(area, [rule], units={"township": townships}, candidates=grid,
                       time_limit=30)
    # 「每个乡镇」: the townships without a sports ground, counted from the data
    grounds = area.facilities_of("sports_ground")
    has = townships.geometry.apply(lambda g: grounds.within(g).any()).to_numpy()
    lacking = set(townships["name"][~has])
    assert len(lacking) >= 10
    assert len(proposal.sites) == len(lacking)          # one site can serve one township only
    inside = {townships["name"][townships.contains(pt)].iloc[0]
              for pt in proposal.sites.geometry}
    assert inside == lacking
    assert proposal.before.verdicts().set_index("rule_id").at["T-TWN", "passed"] == False
    assert proposal.after.verdicts().set_index("rule_id").at["T-TWN", "passed"] == True
    assert all(r == ["T-TWN"] for r in proposal.sites["rules"])
    # without candidates in some lacking township the target is out of reach, by name
    west = grid[grid.geometry.x < townships.total_bounds[2] - 500].reset_index(drop=True)
    with pytest.raises(InfeasibleError, match=r"-E \("):
        propose(area, [rule], units={"township": townships}, candidates=west, time_limit=30)


def test_district_quotas_are_kept_and_cost_sites(area):
    free = propose(area, [KG], time_limit=30)
    quotas = [{"unit": "A1", "at_least": 3}, {"unit": "B2", "at_most": 1}]
    held = propose(area, [KG], quotas=quotas, time_limit=30)
    counts = held.sites["district"].value_counts()
    assert counts.get("A1", 0) >= 3 and counts.get("B2", 0) <= 1
    assert len(held.sites) >= len(free.sites)
    assert held.solution["status"] == "optimal"
    assert held.after.verdicts().set_index("rule_id").at["T-KG", "passed"] == True


def test_township_quota_units(area, townships):
    held = propose(area, [KG], quotas=[{"unit": "A1-W", "at_least": 2}],
                   quota_units=townships, time_limit=30)
    in_a1w = townships.geometry[townships["name"] == "A1-W"].iloc[0]
    assert held.sites.within(in_a1w).sum() >= 2
    with pytest.raises(SitingError, match="no candidate lies in this unit"):
        propose(area, [KG], quotas=[{"unit": "Z9", "at_most": 1}], time_limit=30)


def test_quota_minimum_equals_brute_force(area):
    rule = AccessRule(id="T-KG", facility="kindergarten", threshold="800 m", mode="walk",
                      share="60 %", check_at="area")
    candidates = default_candidates(area, ["walk"]).iloc[::14].reset_index(drop=True)
    hits = area.districts.sindex.query(candidates.geometry.to_numpy(), predicate="within")
    district = np.full(len(candidates), None, dtype=object)
    district[hits[0]] = area.districts["district"].to_numpy()[hits[1]]
    busiest = max(set(district), key=lambda d: (district == d).sum())
    quotas = [{"unit": busiest, "at_most": 0}]
    proposal = propose(area, [rule], candidates=candidates, quotas=quotas, time_limit=30)
    best = len(proposal.sites)
    assert busiest not in set(proposal.sites["district"])
    people = area.cells["population"].to_numpy()
    existing = (area.nearest("kindergarten", "walk", "800 m")["status"] == "reached").to_numpy()
    reach = area.reach(candidates, "walk", "800 m")
    covers = np.zeros((len(candidates), len(people)), bool)
    covers[reach.source, reach.target] = True
    allowed = [j for j in range(len(candidates)) if district[j] != busiest]
    for subset in itertools.combinations(allowed, best - 1):
        covered = existing | covers[list(subset)].any(axis=0)
        assert people[covered].sum() < 0.6 * people.sum()
    chosen = proposal.sites["candidate"].to_numpy()
    assert people[existing | covers[chosen].any(axis=0)].sum() >= 0.6 * people.sum()
