"""Exact optimum == brute force on small random instances; heuristics never beat bounds.

Instances are generated from a hypothesis-drawn integer seed with numpy, so each example is
small (≤ 7 candidates, ≤ 14 demand points) and reproducible; hypothesis runs derandomized.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from siting.errors import InfeasibleError
from siting.optimize import CoverageProblem, solve

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
RADIUS = 10.0


def instance(seed: int, *, unreachable: float = 0.3, zero_weight: float = 0.15,
             with_fixed: bool = True, capacity: bool = False):
    rng = np.random.default_rng(seed)
    n_c = int(rng.integers(2, 8))
    n_d = int(rng.integers(1, 15))
    cost = rng.integers(0, 20, size=(n_d, n_c)).astype(float)   # zeros are real costs
    cost[rng.random(cost.shape) < unreachable] = np.inf
    w = rng.integers(1, 10, size=n_d).astype(float)
    w[rng.random(n_d) < zero_weight] = 0.0
    fixed = np.zeros(n_c, dtype=bool)
    if with_fixed and rng.random() < 0.5:
        fixed[rng.choice(n_c, size=int(rng.integers(1, max(2, n_c // 2))), replace=False)] = True
    cap = rng.integers(1, 25, size=n_c).astype(float) if capacity else None
    n_new = int((~fixed).sum())
    p = int(rng.integers(0, n_new + 1))
    return cost, w, fixed, cap, p


def subsets(fixed: np.ndarray, p: int):
    new = np.flatnonzero(~fixed)
    for k in range(0, min(p, len(new)) + 1):
        for combo in combinations(new, k):
            mask = fixed.copy()
            mask[list(combo)] = True
            yield k, mask


def nearest(cost: np.ndarray, mask: np.ndarray) -> np.ndarray:
    if not mask.any():
        return np.full(cost.shape[0], np.inf)
    return cost[:, mask].min(axis=1)


def brute_mclp(cost, w, fixed, p, r):
    return max(float(w[nearest(cost, m) <= r].sum()) for _, m in subsets(fixed, p))


def brute_p_median(cost, w, fixed, p):
    best = np.inf
    pos = w > 0
    for _, m in subsets(fixed, p):
        d = nearest(cost, m)[pos]
        if np.isfinite(d).all():
            best = min(best, float((w[pos] * d).sum()))
    return best


def brute_p_center(cost, w, fixed, p):
    best = np.inf
    pos = w > 0
    for _, m in subsets(fixed, p):
        d = nearest(cost, m)[pos]
        best = min(best, float(d.max()) if len(d) else 0.0)
    return best


def brute_lscp(cost, w, fixed, r, share=None):
    total = w.sum()
    for k, m in sorted(subsets(fixed, int((~fixed).sum())), key=lambda t: t[0]):
        cov = nearest(cost, m) <= r
        if share is None and cov[w > 0].all():
            return k
        if share is not None and w[cov].sum() >= share * total - 1e-9:
            return k
    return None


def brute_capacitated(cost, w, fixed, cap, p, r):
    """Max coverage with splittable demand: subsets × transportation LP (scipy linprog)."""
    best = 0.0
    n_d, n_c = cost.shape
    for _, m in subsets(fixed, p):
        pairs = [(i, j) for i in range(n_d) for j in range(n_c)
                 if m[j] and cost[i, j] <= r and w[i] > 0]
        if not pairs:
            continue
        c = -np.array([w[i] for i, _ in pairs])
        rows, bounds = [], []
        for i in range(n_d):
            rows.append([1.0 if pi == i else 0.0 for pi, _ in pairs])
            bounds.append(1.0)
        for j in range(n_c):
            rows.append([w[pi] if pj == j else 0.0 for pi, pj in pairs])
            bounds.append(cap[j])
        res = linprog(c, A_ub=np.array(rows), b_ub=np.array(bounds), bounds=(0, 1),
                      method="highs")
        best = max(best, -res.fun)
    return best


def problem_of(cost, w, fixed, cap=None, cutoff=None):
    return CoverageProblem.from_cost_matrix(cost, w, fixed=fixed, capacity=cap, cutoff=cutoff)


@SETTINGS
@given(st.integers(0, 10**9))
def test_mclp_exact_equals_brute_force_and_heuristic_bounded(seed):
    cost, w, fixed, _, p = instance(seed)
    problem = problem_of(cost, w, fixed, cutoff=15)
    best = brute_mclp(cost, w, fixed, p, RADIUS)
    exact = solve(problem, "mclp", p, radius=RADIUS, method="exact")
    assert exact.status == "optimal"
    assert exact.objective == pytest.approx(best)
    assert len(exact.new) <= p
    heur = solve(problem, "mclp", p, radius=RADIUS, method="heuristic")
    assert heur.objective <= best + 1e-9          # never better than the optimum
    assert heur.bound >= best - 1e-6              # the LP bound is a real bound
    assert heur.objective <= heur.bound + 1e-9
    auto = solve(problem, "mclp", p, radius=RADIUS, method="auto")
    assert auto.objective == pytest.approx(best)


@SETTINGS
@given(st.integers(0, 10**9))
def test_p_median_exact_equals_brute_force(seed):
    cost, w, fixed, _, p = instance(seed, unreachable=0.15)
    problem = problem_of(cost, w, fixed)
    best = brute_p_median(cost, w, fixed, p)
    if not np.isfinite(best):
        with pytest.raises(InfeasibleError):
            solve(problem, "p_median", p, method="exact")
        return
    exact = solve(problem, "p_median", p, method="exact")
    assert exact.status == "optimal"
    assert exact.objective == pytest.approx(best)
    heur = solve(problem, "p_median", p, method="heuristic")
    assert heur.objective >= best - 1e-9
    assert heur.bound <= best + 1e-6
    assert solve(problem, "p_median", p, method="auto").objective == pytest.approx(best)


@SETTINGS
@given(st.integers(0, 10**9))
def test_p_center_exact_equals_brute_force(seed):
    cost, w, fixed, _, p = instance(seed, unreachable=0.15)
    problem = problem_of(cost, w, fixed)
    best = brute_p_center(cost, w, fixed, p)
    if not np.isfinite(best):
        with pytest.raises(InfeasibleError):
            solve(problem, "p_center", p, method="exact")
        return
    exact = solve(problem, "p_center", p, method="exact")
    assert exact.status == "optimal"
    assert exact.objective == pytest.approx(best)
    assert exact.bound <= best + 1e-9
    try:
        heur = solve(problem, "p_center", p, method="heuristic")
    except InfeasibleError:
        return  # greedy cover may need more sites than p; the exact solver does not
    assert heur.objective >= best - 1e-9


@SETTINGS
@given(st.integers(0, 10**9), st.sampled_from([None, 0.5, 0.85]))
def test_lscp_exact_equals_brute_force(seed, share):
    cost, w, fixed, _, _ = instance(seed)
    problem = problem_of(cost, w, fixed, cutoff=15)
    best = brute_lscp(cost, w, fixed, RADIUS, share)
    if best is None:
        with pytest.raises(InfeasibleError):
            solve(problem, "lscp", radius=RADIUS, share=share, method="exact")
        return
    exact = solve(problem, "lscp", radius=RADIUS, share=share, method="exact")
    assert exact.status == "optimal"
    assert exact.objective == best
    if share is None:
        assert exact.details["n_uncovered"] == 0
    else:
        assert exact.covered_share >= share - 1e-9
    heur = solve(problem, "lscp", radius=RADIUS, share=share, method="heuristic")
    assert heur.objective >= best
    assert heur.bound <= best


@SETTINGS
@given(st.integers(0, 10**9))
def test_capacitated_exact_equals_brute_force(seed):
    cost, w, fixed, cap, p = instance(seed, capacity=True)
    cost = cost[:, :5]  # keep the LP oracle quick
    fixed, cap = fixed[:5], cap[:5]
    p = min(p, int((~fixed).sum()))
    problem = problem_of(cost, w, fixed, cap=cap, cutoff=15)
    best = brute_capacitated(cost, w, fixed, cap, p, RADIUS)
    exact = solve(problem, "capacitated", p, radius=RADIUS, method="exact")
    assert exact.status == "optimal"
    assert exact.objective == pytest.approx(best, abs=1e-6)
    # served weight never exceeds any open site's capacity
    assert exact.objective <= problem.weights.sum() + 1e-9


@SETTINGS
@given(st.integers(0, 10**9))
def test_coverage_monotone_in_p_and_in_fixed(seed):
    cost, w, fixed, _, _ = instance(seed)
    problem = problem_of(cost, w, fixed, cutoff=15)
    n_new = int((~fixed).sum())
    values = [solve(problem, "mclp", k, radius=RADIUS, method="exact").objective
              for k in range(n_new + 1)]
    assert all(b >= a - 1e-9 for a, b in zip(values, values[1:], strict=False))
    if n_new >= 2:
        extra = fixed.copy()
        extra[np.flatnonzero(~fixed)[0]] = True
        more = problem.with_fixed(extra)
        for k in range(0, n_new):
            assert (solve(more, "mclp", k, radius=RADIUS, method="exact").objective
                    >= values[k] - 1e-9)


def test_zero_cost_pairs_survive_every_path():
    """A candidate standing on a demand point (cost 0) covers it -- dense and sparse input."""
    dense = np.array([[0.0, np.inf], [np.inf, 5.0]])   # 2 demand × 2 candidates
    w = np.array([7.0, 1.0])
    a = CoverageProblem.from_cost_matrix(dense, w, cutoff=3)
    s = sp.coo_array((np.array([0.0, 5.0]), (np.array([0, 1]), np.array([0, 1]))),
                     shape=(2, 2))
    b = CoverageProblem.from_cost_matrix(s, w, cutoff=3)
    for problem in (a, b):
        assert problem.cost.nnz == 1
        sol = solve(problem, "mclp", 1, method="exact")
        assert sol.objective == 7.0 and sol.new.tolist() == [0]
        assert solve(problem, "mclp", 1, method="heuristic").objective == 7.0
        assert problem.reach().nnz == 1


def test_sparse_duplicates_keep_the_minimum_not_the_sum():
    s = sp.coo_array((np.array([4.0, 3.0]), (np.array([0, 0]), np.array([0, 0]))), shape=(1, 1))
    problem = CoverageProblem.from_cost_matrix(s, [1.0], cutoff=5)
    assert problem.cost.data.tolist() == [3.0]
