"""propose(): the fewest new sites that make failing rules pass (real network, HiGHS)."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest

from siting.datasets import load_example
from siting.errors import InfeasibleError
from siting.propose import default_candidates, propose
from siting.rules import AccessRule, CapacityPerPopulationRule, PerUnitRule


@pytest.fixture(scope="module")
def area():
    return load_example()


RULES = [
    AccessRule(id="T-KG", facility="kindergarten", threshold="500 m", mode="walk", share="85 %"),
    AccessRule(id="T-SCH", facility="school", threshold="1000 m", mode="walk", share="90 %"),
    PerUnitRule(id="T-SPORT", facility="sports_ground"),
]


def test_every_failing_site_rule_passes_afterwards(area):
    proposal = propose(area, RULES, time_limit=30)
    before = proposal.before.verdicts().set_index("rule_id")["passed"]
    after = proposal.after.verdicts().set_index("rule_id")["passed"]
    assert not before.any()
    assert after.all()
    assert proposal.solution["status"] == "optimal"
    assert proposal.solution["bound"] == len(proposal.sites)
    # co-location: fewer sites than facilities placed
    assert len(proposal.sites) < proposal.sites["kinds"].map(len).sum()
    # each district got a sports ground (one per unit) among the new or existing ones
    grounds = proposal.area_after.facilities_of("sports_ground")
    assert set(grounds["district"]) == set(area.districts["district"])
    # the curve starts at the assessment's coverage and ends at the after-coverage
    curve = proposal.curve[proposal.curve["district"] == "(all)"]
    kg = curve[curve["rule_id"] == "T-KG"].set_index("sites")["covered_share"]
    assert kg.is_monotonic_increasing
    assert kg.iloc[-1] == pytest.approx(
        proposal.after.overall.set_index("rule_id").at["T-KG", "covered_share"], abs=1e-9)
    # newly covered people are counted once, in order of addition
    assert proposal.sites["newly_covered"].is_monotonic_decreasing or \
        proposal.sites["newly_covered"].iloc[0] == proposal.sites["newly_covered"].max()


def test_minimum_equals_brute_force_on_a_small_instance(area):
    rule = AccessRule(id="T-KG", facility="kindergarten", threshold="800 m", mode="walk",
                      share="60 %", check_at="area")
    candidates = default_candidates(area, ["walk"]).iloc[::14].reset_index(drop=True)
    assert 15 <= len(candidates) <= 25
    proposal = propose(area, [rule], candidates=candidates, time_limit=30)
    best = len(proposal.sites)
    assert proposal.after.verdicts()["passed"].iloc[0]
    # no smaller set of the same candidates reaches 60 % (every subset enumerated)
    people = area.cells["population"].to_numpy()
    existing = (area.nearest("kindergarten", "walk", "800 m")["status"] == "reached").to_numpy()
    reach = area.reach(candidates, "walk", "800 m")
    covers = np.zeros((len(candidates), len(people)), bool)
    covers[reach.source, reach.target] = True
    for subset in itertools.combinations(range(len(candidates)), best - 1):
        covered = existing | covers[list(subset)].any(axis=0)
        assert people[covered].sum() < 0.6 * people.sum()
    chosen = proposal.sites["candidate"].to_numpy()
    assert people[existing | covers[chosen].any(axis=0)].sum() >= 0.6 * people.sum()


def test_alternatives_have_the_same_size_and_differ(area):
    proposal = propose(area, RULES[:1], alternatives=2, time_limit=30)
    assert 1 <= len(proposal.alternatives) <= 2
    chosen = set(proposal.sites["candidate"])
    for alt in proposal.alternatives:
        assert len(alt) == len(proposal.sites)
        assert set(alt["candidate"]) != chosen


def test_infeasible_target_names_the_district_and_the_fix(area):
    far = gpd.GeoDataFrame(geometry=[area.cells.geometry.iloc[0].centroid], crs=area.crs)
    with pytest.raises(InfeasibleError) as err:
        propose(area, RULES[:1], candidates=far)
    message = str(err.value)
    assert "T-KG in" in message and "add candidate sites" in message
    relaxed = propose(area, RULES[:1], candidates=far, infeasible="relax")
    assert len(relaxed.sites) <= 1
    assert set(relaxed.unmet["rule_id"]) == {"T-KG"} and (relaxed.unmet["unmet"] > 0).all()
    assert "Out of reach" in relaxed.summary()


def test_rules_no_site_can_fix_are_listed(area):
    vehicles = CapacityPerPopulationRule(id="T-AMB", facility="kindergarten",
                                         attribute="places", rate="1 per 100 people")
    proposal = propose(area, [RULES[0], vehicles], time_limit=30)
    assert "T-AMB" in set(proposal.other_actions["rule_id"]) or \
        "T-AMB" in set(proposal.before.errors.get("rule_id", []))
    assert "T-KG" not in set(proposal.other_actions["rule_id"])


def test_capacity_from_a_ratio_rule(area):
    """One kindergarten per 2,000-3,000 people: each site serves at most 3,000 (capacitated)."""
    from siting.optimize import solve
    from siting.propose import coverage_problem
    from siting.rules import FacilitiesPerPopulationRule

    rule = FacilitiesPerPopulationRule(id="T-CAP", facility="kindergarten",
                                       per="2000-3000 people")
    candidates = default_candidates(area, ["walk"]).iloc[::4]
    problem = coverage_problem(area, "kindergarten", "walk", "800 m", candidates,
                               capacity_rule=rule)
    assert problem.n_fixed == 1 and (problem.capacity == 3000).all()
    capped = solve(problem, "capacitated", p=3, time_limit=60)
    free = solve(problem, "mclp", p=3, time_limit=60)
    assert capped.status == "optimal" and free.status == "optimal"
    # demand may be split between sites (the model's z_ij), so the open sites' capacity bounds
    # what is served, and here it binds: the uncapacitated MCLP covers more
    assert len(capped.selected) == 4
    assert capped.objective <= 4 * 3000 + 1e-6
    assert capped.objective < free.covered_weight
