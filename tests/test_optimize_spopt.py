"""siting's exact solver reproduces spopt's published San Francisco answers.

The instance (205 census tracts × 16 candidate stores, network distances) ships inside the
installed spopt wheel; it is read from there, never copied into this repository. The
instance is built exactly as spopt's own ``TestRealWorldLocate`` builds it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from siting.errors import SitingError
from siting.optimize import CoverageProblem, solve


def _spopt_data() -> Path:
    spec = importlib.util.find_spec("spopt")
    if spec is None or spec.origin is None:
        pytest.skip("spopt is not installed: its San Francisco test data ships in the spopt wheel "
                    "(pip install spopt) -- the published answers come from there")
    path = Path(spec.origin).parent / "tests" / "test_locate" / "data"
    if not (path / "SF_network_distance_candidateStore_16_censusTract_205_new.csv").exists():
        pytest.skip(f"spopt is installed but its test data is missing at {path}")
    return path


@pytest.fixture(scope="module")
def sf() -> tuple[pd.DataFrame, np.ndarray]:
    data = _spopt_data()
    network = pd.read_csv(data / "SF_network_distance_candidateStore_16_censusTract_205_new.csv")
    cost = network.pivot_table(values="distance", index="DestinationName", columns="name")
    demand = (pd.read_csv(data / "SF_demand_205_centroid_uniform_weight.csv")
              .sort_values(by=["NAME"]).reset_index())
    assert (cost.index.to_numpy() == demand["NAME"].to_numpy()).all()
    return cost, demand["POP2000"].to_numpy()


SERVICE_DIST = 5000.0
P = 4


def test_mclp_5000m_p4_matches_spopt(sf):
    cost, ai = sf
    problem = CoverageProblem.from_cost_matrix(cost, ai, cutoff=SERVICE_DIST)
    sol = solve(problem, "mclp", P, method="exact")
    assert sol.status == "optimal" and sol.gap == 0.0
    # spopt: n_cli_uncov == 21, perc_cov == 89.75609756097561 (share of tracts, not people)
    assert sol.details["n_uncovered_all"] == 21
    assert (1 - sol.details["n_uncovered_all"] / 205) * 100 == pytest.approx(89.75609756097561)
    assert len(sol.new) == P
    # spopt's cost matrix is 205 × 16 with columns Store_1, Store_10, ...: ids survive
    assert all(str(s).startswith("Store_") for s in sol.new_ids)


def test_mclp_all_methods_agree(sf):
    cost, ai = sf
    problem = CoverageProblem.from_cost_matrix(cost, ai, cutoff=SERVICE_DIST)
    exact = solve(problem, "mclp", P, method="exact")
    auto = solve(problem, "mclp", P, method="auto")
    heur = solve(problem, "mclp", P, method="heuristic")
    assert auto.objective == pytest.approx(exact.objective)
    assert heur.objective <= exact.objective + 1e-6
    assert heur.bound >= exact.objective - 1e-6


def test_mclp_radius_below_cutoff_equals_rebuilt_problem(sf):
    cost, ai = sf
    wide = CoverageProblem.from_cost_matrix(cost, ai, cutoff=8000)
    narrow = CoverageProblem.from_cost_matrix(cost, ai, cutoff=SERVICE_DIST)
    a = solve(wide, "mclp", P, radius=SERVICE_DIST, method="exact")
    b = solve(narrow, "mclp", P, method="exact")
    assert a.objective == pytest.approx(b.objective)
    with pytest.raises(SitingError, match="cutoff"):
        solve(narrow, "mclp", P, radius=9000)


def test_p_median_p4_mean_distance_matches_spopt(sf):
    cost, ai = sf
    problem = CoverageProblem.from_cost_matrix(cost, ai)
    sol = solve(problem, "p_median", P, method="exact")
    assert sol.status == "optimal"
    # spopt: mean_dist == 2982.1268579890657 (objective / total weight)
    assert sol.objective / ai.sum() == pytest.approx(2982.1268579890657, rel=1e-9)
    assert sol.details["mean_cost"] == pytest.approx(2982.1268579890657, rel=1e-9)
    assert (sol.assignment >= 0).all()


def test_p_median_p0_is_infeasible_like_spopt(sf):
    from siting.errors import InfeasibleError

    cost, ai = sf
    problem = CoverageProblem.from_cost_matrix(cost, ai)
    with pytest.raises(InfeasibleError):
        solve(problem, "p_median", 0, method="exact")


def _brute(cost: np.ndarray, ai: np.ndarray, k: int):
    """All C(16, k) store sets -- 1,820 for k = 4: an independent oracle."""
    from itertools import combinations

    best_sum, best_max = np.inf, np.inf
    for combo in combinations(range(cost.shape[1]), k):
        d = cost[:, combo].min(axis=1)
        best_sum = min(best_sum, float((ai * d).sum()))
        best_max = min(best_max, float(d.max()))
    return best_sum, best_max


def test_p_center_p4_matches_spopt_and_brute_force(sf):
    cost, ai = sf
    problem = CoverageProblem.from_cost_matrix(cost, None)  # spopt's p-center is unweighted
    sol = solve(problem, "p_center", P, method="exact")
    _, brute_max = _brute(cost.to_numpy(), ai, P)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(brute_max)
    # spopt's CBC objective on this instance (rounded by CBC's output to 4 decimals)
    assert sol.objective == pytest.approx(7403.0638, abs=1e-3)


def test_lscp_5000m_matches_spopt(sf):
    cost, ai = sf
    problem = CoverageProblem.from_cost_matrix(cost, None, cutoff=SERVICE_DIST)
    sol = solve(problem, "lscp", method="exact")
    assert sol.status == "optimal"
    assert sol.objective == 8  # spopt's LSCP optimum on this instance
    assert sol.covered_share == 1.0
    # no 7 stores cover every tract within 5 km (exhaustive check: C(16,7) = 11,440 sets)
    from itertools import combinations

    covers = cost.to_numpy() <= SERVICE_DIST
    assert not any(covers[:, list(c)].any(axis=1).all() for c in combinations(range(16), 7))


def test_lscp_20m_is_infeasible_and_names_tracts(sf):
    from siting.errors import InfeasibleError

    cost, ai = sf
    problem = CoverageProblem.from_cost_matrix(cost, ai, cutoff=20)
    with pytest.raises(InfeasibleError) as info:
        solve(problem, "lscp")
    err = info.value
    assert len(err.demand_ids) == 205
    assert "205 demand points" in str(err) and "first 10" in str(err)
    assert "larger cutoff" in err.fix


def test_exact_p_median_optimum_equals_brute_force(sf):
    cost, ai = sf
    brute_sum, _ = _brute(cost.to_numpy(), ai, P)
    problem = CoverageProblem.from_cost_matrix(cost, ai)
    assert solve(problem, "p_median", P, method="auto").objective == pytest.approx(brute_sum)


def test_spopt_predefined_facilities_p_counts_total(sf):
    """spopt counts predefined facilities inside p_facilities: p_counts='total'."""
    cost, ai = sf
    fixed = np.zeros(16, dtype=bool)
    fixed[[0, 5]] = True
    problem = CoverageProblem.from_cost_matrix(cost, ai, cutoff=SERVICE_DIST, fixed=fixed)
    total = solve(problem, "mclp", P, p_counts="total", method="exact")
    new = solve(problem, "mclp", P - 2, method="exact")
    assert total.objective == pytest.approx(new.objective)
    assert set(np.flatnonzero(fixed)) <= set(total.selected)
    assert len(total.new) <= 2
    with pytest.raises(SitingError, match="existing facilities"):
        solve(problem, "mclp", 1, p_counts="total")
