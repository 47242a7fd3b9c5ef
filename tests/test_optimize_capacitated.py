"""Capacitated p-median and capacitated coverage (split or single-source) == brute force.

Small random instances (≤ 5 candidates, ≤ 7 demand points) drawn from a hypothesis seed.
The oracles enumerate: site subsets × a transportation LP (scipy's HiGHS linprog) when demand
may be split, and every assignment of demand points to sites when it may not.
"""

from __future__ import annotations

from itertools import combinations, product

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from siting.errors import InfeasibleError, SitingError
from siting.optimize import CoverageProblem, solve

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
RADIUS = 10.0


def instance(seed: int):
    rng = np.random.default_rng(seed)
    n_c = int(rng.integers(2, 6))
    n_d = int(rng.integers(1, 8))
    cost = rng.integers(0, 20, size=(n_d, n_c)).astype(float)
    cost[rng.random(cost.shape) < 0.25] = np.inf
    w = rng.integers(1, 10, size=n_d).astype(float)
    w[rng.random(n_d) < 0.15] = 0.0
    fixed = np.zeros(n_c, dtype=bool)
    if rng.random() < 0.4:
        fixed[rng.integers(n_c)] = True
    cap = rng.integers(3, 25, size=n_c).astype(float)
    if rng.random() < 0.3:
        cap[rng.integers(n_c)] = np.inf
    p = int(rng.integers(0, int((~fixed).sum()) + 1))
    return cost, w, fixed, cap, p


def brute_split_median(cost, w, fixed, cap, p):
    """Least cost with split demand: every subset of ≤ p new sites × transportation LP."""
    pos = np.flatnonzero(w > 0)
    new = np.flatnonzero(~fixed)
    best = np.inf
    for k in range(min(p, len(new)) + 1):
        for combo in combinations(new, k):
            is_open = fixed.copy()
            is_open[list(combo)] = True
            pairs = [(i, j) for i in pos for j in np.flatnonzero(is_open)
                     if np.isfinite(cost[i, j])]
            if {i for i, _ in pairs} != set(pos):
                continue
            if not pos.size:
                return 0.0
            c = np.array([w[i] * cost[i, j] for i, j in pairs])
            a_eq = np.array([[1.0 if pi == i else 0.0 for pi, _ in pairs] for i in pos])
            a_ub = np.array([[w[pi] if pj == j else 0.0 for pi, pj in pairs]
                             for j in range(cost.shape[1]) if np.isfinite(cap[j])])
            b_ub = cap[np.isfinite(cap)]
            res = linprog(c, A_ub=a_ub if len(b_ub) else None, b_ub=b_ub if len(b_ub) else None,
                          A_eq=a_eq, b_eq=np.ones(len(pos)), bounds=(0, 1), method="highs")
            if res.status == 0:
                best = min(best, res.fun)
    return best


def assignments(cost, w, fixed, options):
    """Every assignment of the positive-weight demand to its options (-1: unserved)."""
    pos = np.flatnonzero(w > 0)
    choices = [options(i) for i in pos]
    if not pos.size:
        return pos, np.zeros((1, 0), dtype=np.int64)
    return pos, np.array(list(product(*choices)), dtype=np.int64).reshape(-1, len(pos))


def feasible(a, pos, w, fixed, cap, p):
    """Assignments whose loads fit the capacities and whose new sites are ≤ p."""
    n_c = len(fixed)
    ok = np.ones(len(a), dtype=bool)
    used_new = np.zeros(len(a), dtype=np.int64)
    for j in range(n_c):
        load = ((a == j) * w[pos]).sum(axis=1)
        ok &= load <= cap[j] + 1e-9
        if not fixed[j]:
            used_new += (a == j).any(axis=1)
    return ok & (used_new <= p)


def brute_single_median(cost, w, fixed, cap, p):
    pos, a = assignments(cost, w, fixed,
                         lambda i: [j for j in range(len(fixed)) if np.isfinite(cost[i, j])])
    if a.shape[0] == 0:
        return np.inf
    ok = feasible(a, pos, w, fixed, cap, p)
    if not ok.any():
        return np.inf
    total = (w[pos] * cost[pos[None, :], a]).sum(axis=1) if pos.size else np.zeros(len(a))
    return float(total[ok].min())


def brute_single_cover(cost, w, fixed, cap, p, r):
    pos, a = assignments(cost, w, fixed,
                         lambda i: [-1] + [j for j in range(len(fixed)) if cost[i, j] <= r])
    ok = feasible(a, pos, w, fixed, cap, p)
    served = ((a >= 0) * w[pos]).sum(axis=1) if pos.size else np.zeros(len(a))
    return float(served[ok].max())


def problem_of(cost, w, fixed, cap):
    return CoverageProblem.from_cost_matrix(cost, w, fixed=fixed, capacity=cap)


@SETTINGS
@given(st.integers(0, 10**9))
def test_capacitated_p_median_equals_brute_force(seed):
    cost, w, fixed, cap, p = instance(seed)
    problem = problem_of(cost, w, fixed, cap)
    for single, brute in ((False, brute_split_median), (True, brute_single_median)):
        best = brute(cost, w, fixed, cap, p)
        if not np.isfinite(best):
            with pytest.raises(InfeasibleError):
                solve(problem, "capacitated_p_median", p, single_source=single)
            continue
        sol = solve(problem, "capacitated_p_median", p, single_source=single)
        assert sol.status == "optimal"
        assert sol.objective == pytest.approx(best, abs=1e-6)
        assert sol.bound <= best + 1e-6
        assert len(sol.new) <= p
        # the assignment reported uses open sites only and respects the capacities
        served = sol.assignment[w > 0]
        assert np.isin(served, sol.selected).all()
        if single:
            load = np.bincount(served, weights=w[w > 0], minlength=len(cap))
            assert (load <= cap + 1e-6).all()


@SETTINGS
@given(st.integers(0, 10**9))
def test_single_source_never_beats_split(seed):
    cost, w, fixed, cap, p = instance(seed)
    problem = problem_of(cost, w, fixed, cap)
    try:
        single = solve(problem, "capacitated_p_median", p, single_source=True).objective
    except InfeasibleError:
        return
    split = solve(problem, "capacitated_p_median", p).objective
    assert split <= single + 1e-6


@SETTINGS
@given(st.integers(0, 10**9))
def test_single_source_capacitated_coverage_equals_brute_force(seed):
    cost, w, fixed, cap, p = instance(seed)
    problem = CoverageProblem.from_cost_matrix(cost, w, fixed=fixed, capacity=cap, cutoff=15)
    best = brute_single_cover(cost, w, fixed, cap, p, RADIUS)
    sol = solve(problem, "capacitated", p, radius=RADIUS, single_source=True)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(best)
    assert sol.bound >= best - 1e-6


def test_capacity_binds_and_single_source_costs_more():
    # two demand points of 6 next to site 0 (capacity 10), site 1 far: split serves 10 at
    # cost 1 and 2 at cost 5; single source must send one point whole to site 1.
    cost = np.array([[1.0, 5.0], [1.0, 5.0]])
    problem = CoverageProblem.from_cost_matrix(cost, [6.0, 6.0], capacity=[10.0, 100.0])
    split = solve(problem, "capacitated_p_median", 2)
    single = solve(problem, "capacitated_p_median", 2, single_source=True)
    assert split.objective == pytest.approx(10 * 1 + 2 * 5)
    assert single.objective == pytest.approx(6 * 1 + 6 * 5)
    assert sorted(single.assignment.tolist()) == [0, 1]
    # one site: site 0 cannot hold 12, so both points go to site 1 (cost 5 each)
    one = solve(problem, "capacitated_p_median", 1, single_source=True)
    assert one.objective == pytest.approx(60.0) and one.new.tolist() == [1]
    # with room for 10 and 11, no single site holds 12
    small = CoverageProblem.from_cost_matrix(cost, [6.0, 6.0], capacity=[10.0, 11.0])
    with pytest.raises(InfeasibleError):
        solve(small, "capacitated_p_median", 1)


def test_capacitated_p_median_needs_capacities_and_is_exact_only():
    problem = CoverageProblem.from_cost_matrix(np.ones((2, 2)), [1.0, 1.0])
    with pytest.raises(SitingError, match="capacity"):
        solve(problem, "capacitated_p_median", 1)
    with_cap = CoverageProblem.from_cost_matrix(np.ones((2, 2)), [1.0, 1.0], capacity=[5, 5])
    with pytest.raises(SitingError, match="exactly"):
        solve(with_cap, "capacitated_p_median", 1, method="heuristic")
