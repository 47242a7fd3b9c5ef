"""Administrative quotas (at least / at most k new sites per unit) == brute force.

Every model with quotas is checked against enumeration of all site subsets that keep the
quotas, on small random instances drawn from a hypothesis seed.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_optimize_capacitated import brute_single_median

from siting.errors import InfeasibleError, SitingError
from siting.optimize import CoverageProblem, Quotas, solve

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
RADIUS = 10.0


def instance(seed: int):
    rng = np.random.default_rng(seed)
    n_c = int(rng.integers(2, 8))
    n_d = int(rng.integers(1, 12))
    cost = rng.integers(0, 20, size=(n_d, n_c)).astype(float)
    cost[rng.random(cost.shape) < 0.2] = np.inf
    w = rng.integers(1, 10, size=n_d).astype(float)
    w[rng.random(n_d) < 0.1] = 0.0
    fixed = np.zeros(n_c, dtype=bool)
    if rng.random() < 0.4:
        fixed[rng.integers(n_c)] = True
    units = rng.choice(np.array(["A", "B", "C"], dtype=object), size=n_c)
    present = sorted(set(units))
    lo = {u: int(rng.integers(0, 2)) for u in present if rng.random() < 0.6}
    hi = {u: int(rng.integers(0, 3)) for u in present if rng.random() < 0.5}
    n_new = int((~fixed).sum())
    p = int(rng.integers(0, n_new + 1))
    cap = rng.integers(3, 25, size=n_c).astype(float)
    return cost, w, fixed, units, lo, hi, p, cap


def allowed_sets(fixed, units, lo, hi, max_new=None):
    """(number of new sites, open mask) of every subset keeping the quotas."""
    new = np.flatnonzero(~fixed)
    top = len(new) if max_new is None else min(max_new, len(new))
    for k in range(top + 1):
        for combo in combinations(new, k):
            chosen = units[list(combo)]
            if all((chosen == u).sum() >= n for u, n in lo.items()) and \
                    all((chosen == u).sum() <= n for u, n in hi.items()):
                mask = fixed.copy()
                mask[list(combo)] = True
                yield k, mask


def nearest(cost, mask):
    return cost[:, mask].min(axis=1) if mask.any() else np.full(cost.shape[0], np.inf)


def brute(model, cost, w, fixed, units, lo, hi, p):
    pos = w > 0
    values = []
    for k, mask in allowed_sets(fixed, units, lo, hi, None if model == "lscp" else p):
        d = nearest(cost, mask)
        if model == "mclp":
            values.append(float(w[d <= RADIUS].sum()))
        elif model == "lscp":
            if (d[pos] <= RADIUS).all():
                values.append(float(k))
        elif model == "p_median":
            if np.isfinite(d[pos]).all():
                values.append(float((w[pos] * d[pos]).sum()))
        elif model == "p_center" and np.isfinite(d[pos]).all():
            values.append(float(d[pos].max()) if pos.any() else 0.0)
    if not values:
        return None
    return max(values) if model == "mclp" else min(values)


def kept(sol, units, lo, hi, fixed):
    new = np.asarray(sol.new)
    assert not fixed[new].any()
    chosen = units[new]
    return all((chosen == u).sum() >= n for u, n in lo.items()) and \
        all((chosen == u).sum() <= n for u, n in hi.items())


@pytest.mark.parametrize("model", ["mclp", "lscp", "p_median", "p_center"])
@SETTINGS
@given(seed=st.integers(0, 10**9))
def test_quotas_equal_brute_force(model, seed):
    cost, w, fixed, units, lo, hi, p, _ = instance(seed)
    cutoff = 15 if model in ("mclp", "lscp") else None
    problem = CoverageProblem.from_cost_matrix(cost, w, fixed=fixed, cutoff=cutoff)
    quotas = Quotas(units=units, at_least=lo, at_most=hi)
    best = brute(model, cost, w, fixed, units, lo, hi, p)
    kw = {"radius": RADIUS} if model in ("mclp", "lscp") else {}
    args = () if model == "lscp" else (p,)
    if best is None:
        with pytest.raises(InfeasibleError):
            solve(problem, model, *args, quotas=quotas, **kw)
        return
    sol = solve(problem, model, *args, quotas=quotas, **kw)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(best)
    assert kept(sol, units, lo, hi, fixed)
    if model != "lscp":
        assert len(sol.new) <= p


@SETTINGS
@given(seed=st.integers(0, 10**9))
def test_quotas_on_capacitated_p_median_equal_brute_force(seed):
    cost, w, fixed, units, lo, hi, p, cap = instance(seed)
    cost, w = cost[:7], w[:7]                    # keep the assignment enumeration small
    problem = CoverageProblem.from_cost_matrix(cost, w, fixed=fixed, capacity=cap)
    best = np.inf
    for _, mask in allowed_sets(fixed, units, lo, hi, p):
        # the sites outside the subset are closed: infinite cost, then brute force inside
        sub = np.where(mask[None, :], cost, np.inf)
        best = min(best, brute_single_median(sub, w, fixed, cap, p))
    quotas = Quotas(units=units, at_least=lo, at_most=hi)
    if not np.isfinite(best):
        with pytest.raises(InfeasibleError):
            solve(problem, "capacitated_p_median", p, single_source=True, quotas=quotas)
        return
    sol = solve(problem, "capacitated_p_median", p, single_source=True, quotas=quotas)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(best)
    assert kept(sol, units, lo, hi, fixed)


def test_at_least_opens_a_site_that_covers_nothing():
    # site 2 reaches no demand: the model leaves it out, yet unit "far" must get one
    cost = np.array([[1.0, 4.0, np.inf], [3.0, 1.0, np.inf]])
    problem = CoverageProblem.from_cost_matrix(cost, [5.0, 1.0], cutoff=10)
    quotas = Quotas(units=["near", "near", "far"], at_least={"far": 1})
    sol = solve(problem, "mclp", 2, radius=2.0, quotas=quotas)
    assert sorted(sol.new.tolist()) == [0, 2] and sol.objective == 5.0
    lscp = solve(problem, "lscp", radius=5.0, quotas=quotas)
    assert sorted(lscp.new.tolist()) == [0, 2] and lscp.objective == 2.0


def test_quota_errors_name_the_unit_and_the_fix():
    problem = CoverageProblem.from_cost_matrix(np.ones((2, 3)), [1.0, 1.0])
    with pytest.raises(InfeasibleError, match="more than p = 1"):
        solve(problem, "p_median", 1, quotas=Quotas(["A", "B", "B"], at_least={"A": 1, "B": 1}))
    with pytest.raises(InfeasibleError, match="A: at least 2, 1 candidate"):
        solve(problem, "p_median", 2, quotas=Quotas(["A", "B", "B"], at_least={"A": 2}))
    with pytest.raises(SitingError, match="no candidate lies in this unit"):
        solve(problem, "p_median", 1, quotas=Quotas(["A", "B", "B"], at_most={"Z": 1}))
    with pytest.raises(SitingError, match="one unit per candidate"):
        solve(problem, "p_median", 1, quotas=Quotas(["A", "B"], at_most={"A": 1}))
    with pytest.raises(SitingError, match="whole number"):
        solve(problem, "p_median", 1, quotas=Quotas(["A", "B", "B"], at_most={"A": 1.5}))
    table = Quotas.from_table(["A", "B", "B"], [{"unit": "B", "at_most": 1},
                                                {"unit": "A", "at_least": 1}])
    sol = solve(problem, "mclp", 2, radius=1.0, quotas=table)
    assert sol.new.tolist().count(0) == 1 and len(sol.new) <= 2
