"""The OR-Library p-median set (Beasley 1990) with its published optima (pmedopt.txt).

The distance matrix is built with the file's own rule (the last of duplicated edges holds;
see ../shared/data/README.md), not through the street-network loader. Only the fast
instances run here; the whole set belongs in benchmarks/.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import shared_path
from siting.optimize import CoverageProblem
from siting.optimize.orlib import read_optima, read_pmed
from siting.optimize.pmedian import solve_p_median_lagrangian


@pytest.fixture(scope="module")
def optima():
    return read_optima(shared_path("orlib_pmed", "pmedopt.txt"))


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_pmed1_to_5_proved_optimal(k, optima):
    instance = read_pmed(shared_path("orlib_pmed", f"pmed{k}.txt"))
    assert instance.n == 100 and instance.distances.shape == (100, 100)
    problem = CoverageProblem.from_cost_matrix(instance.distances, layout="candidate_by_demand")
    solution = solve_p_median_lagrangian(problem, instance.p, time_limit=60)
    optimum = optima[instance.name]
    assert solution.objective == pytest.approx(optimum)
    assert solution.bound <= optimum + 1e-6          # a bound never claims more than is true
    assert solution.status == "optimal"
    assert len(solution.selected) == instance.p


def test_reader_keeps_the_last_of_duplicated_edges(optima):
    # pmed1 reaches its published optimum 5,819 only when the last duplicate holds
    instance = read_pmed(shared_path("orlib_pmed", "pmed1.txt"))
    d = instance.distances
    assert np.allclose(d, d.T) and (np.diag(d) == 0).all()
    assert optima["pmed1"] == 5819


def test_heuristic_mode_carries_a_real_bound(optima):
    instance = read_pmed(shared_path("orlib_pmed", "pmed6.txt"))
    problem = CoverageProblem.from_cost_matrix(instance.distances, layout="candidate_by_demand")
    solution = solve_p_median_lagrangian(problem, instance.p, exact=False)
    optimum = optima[instance.name]
    assert 0 < solution.bound <= optimum + 1e-6 <= solution.objective + 1e-6
    assert solution.status in ("heuristic", "optimal")


@pytest.mark.parametrize("k", [1, 2, 4])
def test_p_center_on_orlib_is_certified_by_an_independent_set_cover(k):
    """Bisection over the sorted distinct distances, each step a set cover (HiGHS).

    Certificate, checked outside siting: the p sites reach every vertex within the radius,
    and at the next smaller distinct distance no p sites do (scipy's milp on the cover).
    """
    from scipy.optimize import LinearConstraint, milp

    from siting.optimize import solve

    instance = read_pmed(shared_path("orlib_pmed", f"pmed{k}.txt"))
    d = instance.distances
    problem = CoverageProblem.from_cost_matrix(d, layout="candidate_by_demand")
    solution = solve(problem, "p_center", instance.p, time_limit=60)
    assert solution.status == "optimal" and solution.bound == solution.objective
    sites = solution.selected
    assert len(sites) <= instance.p
    radius = d[sites].min(axis=0).max()
    assert radius == solution.objective
    smaller = np.unique(d)[np.unique(d) < radius].max()
    cover = (d <= smaller).T.astype(float)            # vertex × site
    res = milp(np.ones(instance.n), constraints=LinearConstraint(cover, lb=1),
               integrality=np.ones(instance.n), bounds=(0, 1))
    assert res.status == 0 and round(res.fun) > instance.p


@pytest.mark.parametrize("method", ["heuristic", "auto"])
def test_public_p_median_always_carries_a_real_bound(method, optima):
    """solve() on pmed11 (n = 300): even stopped at once, the bound is > 0 and ≤ the optimum."""
    from siting.optimize import solve

    instance = read_pmed(shared_path("orlib_pmed", "pmed11.txt"))
    problem = CoverageProblem.from_cost_matrix(instance.distances, layout="candidate_by_demand")
    optimum = optima[instance.name]
    solution = solve(problem, "p_median", instance.p, method=method, time_limit=0.5)
    assert 0.9 * optimum < solution.bound <= optimum + 1e-6 <= solution.objective + 1e-6
    assert solution.status in ("optimal", "heuristic", "time_limit")
    if solution.status == "optimal":
        assert solution.objective == optimum
    assert solution.gap == pytest.approx((solution.objective - solution.bound)
                                         / solution.objective)


def test_small_p_goes_through_lp_probing_and_is_proved(optima):
    """pmed6 (n = 200, p = 5): the Lagrangian leaves a gap; LP probing + the master close it."""
    instance = read_pmed(shared_path("orlib_pmed", "pmed6.txt"))
    problem = CoverageProblem.from_cost_matrix(instance.distances, layout="candidate_by_demand")
    solution = solve_p_median_lagrangian(problem, instance.p, time_limit=120)
    assert "LP probing" in solution.log
    assert solution.status == "optimal"
    assert solution.objective == optima["pmed6"] == solution.bound
