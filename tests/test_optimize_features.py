"""Time limits, alternatives, coverage curve, closures, candidates, construction, errors."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from shapely.geometry import Polygon

from siting.errors import CRSError, InfeasibleError, SitingError
from siting.optimize import (
    CoverageProblem,
    alternatives,
    closure_impact,
    combine_candidates,
    coverage_curve,
    grid_candidates,
    kmeans_candidates,
    network_node_candidates,
    solve,
    user_candidates,
)

CRS = "EPSG:32650"


def clustered(n_c: int, n_d: int, size: float = 20_000.0, seed: int = 0):
    """Random candidates and clustered, log-normal population in a size × size square."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, size, (30, 2))
    lab = rng.integers(0, 30, n_d)
    dxy = np.clip(centres[lab] + rng.normal(0, size / 15, (n_d, 2)), 0, size)
    w = rng.lognormal(3, 1, n_d).round()
    cxy = rng.uniform(0, size, (n_c, 2))
    demand = gpd.GeoDataFrame({"pop": w}, geometry=gpd.points_from_xy(*dxy.T), crs=CRS)
    cands = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*cxy.T), crs=CRS)
    return demand, cands


@pytest.fixture(scope="module")
def medium() -> CoverageProblem:
    demand, cands = clustered(120, 1500, seed=3)
    return CoverageProblem.from_geodataframe(demand, cands, "pop", 2500)


# ---------------------------------------------------------------------- time limit honesty
def test_time_limited_run_reports_time_limit_with_real_gap():
    demand, cands = clustered(500, 5000, seed=0)
    problem = CoverageProblem.from_geodataframe(demand, cands, "pop", 2500)
    sol = solve(problem, "mclp", 20, method="exact", time_limit=1.0)
    assert sol.status in ("time_limit", "optimal")
    if np.isnan(sol.objective):                      # stopped before any incumbent
        assert sol.status == "time_limit" and len(sol.new) == 0 and sol.gap == np.inf
        assert sol.bound >= 0
    else:
        assert sol.bound >= sol.objective - 1e-6      # a max problem: bound above
    if sol.gap > 1e-6:
        assert sol.status != "optimal"               # the PuLP trap, never again
    assert "HiGHS" in sol.log or "MIP" in sol.log
    # "auto" is at least as good as the greedy + swap it starts from
    from siting.optimize.heuristic import swap_mclp
    from siting.optimize.solution import evaluate

    start, _ = swap_mclp(problem, 20)
    heur = solve(problem, "mclp", 20, method="heuristic", time_limit=4)
    auto = solve(problem, "mclp", 20, method="auto", time_limit=2.0)
    assert auto.objective >= evaluate(problem, "mclp", start)["objective"] - 1e-6
    assert heur.status == "heuristic"
    assert auto.status in ("time_limit", "optimal")
    assert auto.bound >= auto.objective - 1e-6
    assert heur.bound >= heur.objective - 1e-6
    # both are bounds on the same optimum: neither incumbent may exceed either bound
    assert max(auto.objective, heur.objective) <= min(auto.bound, heur.bound) + 1e-6


# ---------------------------------------------------------------------- solution object
def test_solution_fields(medium):
    sol = solve(medium, "mclp", 5, method="exact")
    assert sol.model == "mclp" and sol.method == "highs" and sol.p == 5
    assert len(sol.selected) == len(sol.new) <= 5
    assert sol.assignment.shape == (medium.n_demand,)
    covered = sol.assignment >= 0
    assert sol.covered_weight == pytest.approx(medium.weights[covered].sum())
    assert sol.covered_share == pytest.approx(sol.covered_weight / medium.total_weight)
    assert set(sol.assignment[covered]) <= set(sol.selected)
    assert sol.seconds > 0 and "mclp" in sol.summary()
    assert sol.new_ids == list(medium.candidate_ids[sol.new])


def test_greedy_new_sites_in_order_of_addition(medium):
    sol = solve(medium, "mclp", 6, method="heuristic")
    curve = coverage_curve(medium, 6)
    # the swap phase may replace sites; with no improving swap the order is the greedy one
    if sol.details["swaps"] == 0:
        assert sol.new_ids == list(curve["site"].iloc[1:])


# ---------------------------------------------------------------------- curve, alternatives
def test_coverage_curve_greedy_and_exact(medium):
    greedy = coverage_curve(medium, 8)
    assert list(greedy["p"]) == list(range(9))
    assert (greedy["covered_weight"].diff().dropna() >= -1e-9).all()
    assert (greedy["marginal_weight"].iloc[1:].diff().dropna() <= 1e-9).all()  # submodular
    assert greedy.attrs["method"] == "greedy"
    exact = coverage_curve(medium, 4, method="exact")
    assert (exact["covered_weight"].to_numpy() >= greedy["covered_weight"].iloc[:5].to_numpy()
            - 1e-9).all()
    assert (exact["status"] == "optimal").all()


def test_alternatives_are_distinct_and_ordered(medium):
    alts = alternatives(medium, 4, k=4)
    assert len(alts) == 4
    sets = [frozenset(s.new.tolist()) for s in alts]
    assert len(set(sets)) == 4
    objs = [s.objective for s in alts]
    assert objs == sorted(objs, reverse=True)
    best = solve(medium, "mclp", 4, method="exact")
    assert objs[0] == pytest.approx(best.objective)
    assert alts[0].details["rank"] == 1 and alts[1].details["relative_to_best"] <= 1.0


def test_alternatives_stop_when_nothing_else_is_feasible():
    cost = np.array([[1.0, 2.0]])                   # 1 demand × 2 candidates
    problem = CoverageProblem.from_cost_matrix(cost, [5.0], cutoff=5)
    alts = alternatives(problem, 1, k=5)
    # {0}, {1}, then the empty set; no-good cuts exhaust the options
    assert [s.new.tolist() for s in alts][:2] in ([[0], [1]], [[1], [0]])
    assert len(alts) <= 3


# ---------------------------------------------------------------------- fixed facilities
def test_closure_impact_ranks_redundant_facilities_first():
    # demand 0 reached by candidates 0 and 1; demand 1 only by 2
    cost = np.array([[1.0, 1.0, np.inf], [np.inf, np.inf, 1.0]])
    problem = CoverageProblem.from_cost_matrix(cost, [10.0, 3.0], cutoff=5,
                                               fixed=[True, True, True])
    df = closure_impact(problem)
    assert list(df.columns) == ["candidate", "id", "weight_covered", "weight_lost", "share_lost"]
    assert df["weight_lost"].tolist() == [0.0, 0.0, 3.0]
    assert df["candidate"].iloc[-1] == 2


def test_fixed_facilities_count_toward_coverage_not_p():
    cost = np.array([[1.0, np.inf, np.inf], [np.inf, 1.0, np.inf], [np.inf, np.inf, 1.0]])
    w = np.array([5.0, 4.0, 3.0])
    problem = CoverageProblem.from_cost_matrix(cost, w, cutoff=2, fixed=[True, False, False])
    sol = solve(problem, "mclp", 1, method="exact")
    assert sol.objective == 9.0 and sol.new.tolist() == [1] and sol.selected.tolist() == [0, 1]
    heur = solve(problem, "mclp", 1, method="heuristic")
    assert heur.objective == 9.0


def test_lscp_share_target_with_fixed():
    cost = np.eye(4)
    cost[cost == 0] = np.inf
    problem = CoverageProblem.from_cost_matrix(cost, [50.0, 30.0, 15.0, 5.0], cutoff=2,
                                               fixed=[True, False, False, False])
    sol = solve(problem, "lscp", share=0.85)           # 50 + 30 = 80 % is not enough
    assert sol.objective == 2 and 1 in sol.new.tolist()  # {1, 3} reaches exactly 85 %
    assert sol.covered_share >= 0.85 - 1e-12
    assert solve(problem, "lscp", share=0.8).new.tolist() == [1]
    assert solve(problem, "lscp", share=0.5).objective == 0   # the fixed one already covers 50 %


# ---------------------------------------------------------------------- capacitated
def test_capacitated_respects_capacity_and_min_facilities():
    cost = np.zeros((3, 2))                              # every demand reaches both sites
    problem = CoverageProblem.from_cost_matrix(cost, [10.0, 10.0, 10.0], cutoff=1,
                                               capacity=[15.0, 20.0])
    one = solve(problem, "capacitated", 1)
    assert one.objective == pytest.approx(20.0)
    two = solve(problem, "capacitated", 2)
    assert two.objective == pytest.approx(30.0)
    need = solve(problem, "capacitated", objective="min_facilities")
    assert need.objective == 2
    small = CoverageProblem.from_cost_matrix(cost, [10.0, 10.0, 10.0], cutoff=1,
                                             capacity=[5.0, 5.0])
    with pytest.raises(InfeasibleError):
        solve(small, "capacitated", objective="min_facilities")
    with pytest.raises(SitingError, match="capacity"):
        solve(CoverageProblem.from_cost_matrix(cost, [1.0, 1.0, 1.0]), "capacitated", 1)


# ---------------------------------------------------------------------- errors
def test_infeasible_lscp_lists_demand_ids_count_and_population():
    cost = np.full((15, 2), np.inf)
    cost[:3, 0] = 1.0
    problem = CoverageProblem.from_cost_matrix(
        cost, np.arange(1.0, 16.0), cutoff=5, demand_ids=[f"cell{i}" for i in range(15)])
    with pytest.raises(InfeasibleError) as info:
        solve(problem, "lscp")
    err = info.value
    assert err.value == [f"cell{i}" for i in range(3, 13)]            # first 10
    assert len(err.demand_ids) == 12
    assert "12 demand points (first 10 of 12)" in str(err)
    assert err.population == pytest.approx(sum(range(4, 16)))
    assert "share" in err.fix and "cutoff" in err.fix
    # the share variant works around them
    assert solve(problem, "lscp", share=6.0 / 120.0).objective == 1


def test_empty_candidates():
    with pytest.raises(SitingError, match="no candidate"):
        CoverageProblem.from_cost_matrix(np.zeros((3, 0)), [1.0, 1.0, 1.0])
    demand, _ = clustered(1, 5)
    with pytest.raises(SitingError, match="no candidate"):
        CoverageProblem.from_geodataframe(demand, demand.iloc[:0], "pop", 100)


def test_p_larger_than_candidates_and_negative():
    problem = CoverageProblem.from_cost_matrix(np.ones((2, 3)), [1.0, 1.0], fixed=[True, False,
                                                                                  False])
    with pytest.raises(SitingError, match="only 2 candidate sites can be opened"):
        solve(problem, "mclp", 3)
    with pytest.raises(SitingError, match=">= 0"):
        solve(problem, "mclp", -1)
    with pytest.raises(SitingError, match="needs the number"):
        solve(problem, "p_median")


def test_negative_weights_nan_costs_and_shape_mismatch():
    with pytest.raises(SitingError, match="negative"):
        CoverageProblem.from_cost_matrix(np.ones((2, 2)), [1.0, -2.0])
    with pytest.raises(SitingError, match="NaN"):
        CoverageProblem.from_cost_matrix(np.array([[1.0, np.nan]]), [1.0])
    with pytest.raises(SitingError, match="NaN"):
        CoverageProblem(sp.csr_array(np.array([[np.nan]])), [1.0])
    with pytest.raises(SitingError, match="transposed"):
        CoverageProblem.from_cost_matrix(np.ones((2, 3)), [1.0, 1.0, 1.0])
    ok = CoverageProblem.from_cost_matrix(np.ones((2, 3)), [1.0, 1.0, 1.0],
                                          layout="candidate_by_demand")
    assert (ok.n_candidates, ok.n_demand) == (2, 3)
    with pytest.raises(SitingError, match="one flag per candidate"):
        CoverageProblem.from_cost_matrix(np.ones((2, 3)), [1.0, 1.0], fixed=[True, False])
    with pytest.raises(SitingError, match=">= 0"):
        CoverageProblem.from_cost_matrix(np.array([[-1.0]]), [1.0])
    with pytest.raises(SitingError, match="unknown model"):
        solve(ok, "p_dispersion", 1)


def test_p_median_unreachable_demand_is_infeasible():
    cost = np.array([[1.0, np.inf], [np.inf, np.inf]])
    problem = CoverageProblem.from_cost_matrix(cost, [1.0, 2.0], demand_ids=["a", "b"])
    with pytest.raises(InfeasibleError) as info:
        solve(problem, "p_median", 1)
    assert info.value.demand_ids == ["b"]
    # weight 0 leaves it out, as the fix says
    assert solve(problem.__class__.from_cost_matrix(cost, [1.0, 0.0]), "p_median", 1
                 ).objective == 1.0


# ---------------------------------------------------------------------- geodataframes
def test_from_geodataframe_matches_dense_distances_and_keeps_zero():
    demand, cands = clustered(20, 200, size=3000, seed=5)
    cands = pd.concat([cands, demand.iloc[[0]][["geometry"]]], ignore_index=True)  # coincident
    cands = gpd.GeoDataFrame(cands, crs=CRS)
    problem = CoverageProblem.from_geodataframe(demand, cands, "pop", 800)
    dx = np.hypot(*(np.array([[g.x, g.y] for g in cands.geometry])[:, None, :]
                    - np.array([[g.x, g.y] for g in demand.geometry])[None, :, :]).T).T
    dense = CoverageProblem.from_cost_matrix(dx, demand["pop"].to_numpy(), cutoff=800,
                                             layout="candidate_by_demand")
    assert problem.cost.nnz == dense.cost.nnz
    assert np.allclose(problem.cost.toarray(), dense.cost.toarray())
    assert problem.reach()[20, 0] == 1.0                 # the zero-distance pair is stored
    a = solve(problem, "mclp", 3, method="exact")
    b = solve(dense, "mclp", 3, method="exact")
    assert a.objective == pytest.approx(b.objective)


def test_from_geodataframe_crs_checks():
    demand, cands = clustered(3, 5)
    with pytest.raises(CRSError):
        CoverageProblem.from_geodataframe(demand, cands.to_crs(3857), "pop", 100)
    with pytest.raises(CRSError):
        CoverageProblem.from_geodataframe(demand.to_crs(4326), cands.to_crs(4326), "pop", 100)
    with pytest.raises(SitingError, match="no such column"):
        CoverageProblem.from_geodataframe(demand, cands, "people", 100)


# ---------------------------------------------------------------------- candidates
def test_candidate_generators():
    square = Polygon([(0, 0), (1000, 0), (1000, 1000), (0, 1000)])
    grid = grid_candidates(gpd.GeoDataFrame(geometry=[square], crs=CRS), 100)
    assert len(grid) == 100 and (grid["source"] == "grid").all() and grid.crs == CRS
    demand, _ = clustered(1, 400, seed=2)
    km1 = kmeans_candidates(demand, 5, weights_col="pop", random_state=0)
    km2 = kmeans_candidates(demand, 5, weights_col="pop", random_state=0)
    assert len(km1) == 5 and (km1["source"] == "kmeans").all()
    assert km1.geometry.equals(km2.geometry)                      # fixed random_state
    assert km1["weight"].sum() == pytest.approx(demand["pop"].sum())
    nodes = network_node_candidates(np.array([[1.0, 2.0], [3.0, 4.0]]), crs=CRS)
    assert nodes["node"].tolist() == [0, 1] and (nodes["source"] == "network").all()
    user = user_candidates(np.array([[5.0, 5.0]]), crs=CRS)
    assert (user["source"] == "user").all()
    parcels = gpd.GeoDataFrame(geometry=[square], crs=CRS)
    assert user_candidates(parcels).geometry.iloc[0].within(square)
    both = combine_candidates(grid, km1, existing=user)
    assert both["fixed"].sum() == 1 and len(both) == 106
    problem = CoverageProblem.from_geodataframe(demand, both, "pop", 1500, fixed_col="fixed")
    assert problem.n_fixed == 1
    with pytest.raises(SitingError):
        grid_candidates(square, 0)


def test_warm_started_set_cover_is_not_falsely_optimal():
    """HiGHS 1.16 can accept a set-cover MIP start "in the reduced space" with a wrong
    objective and return the start as optimal; siting detects the mismatch and re-solves.
    Warm-started and cold runs must agree, and an optimal answer must meet its bound."""
    demand, cands = clustered(200, 2000, size=6000, seed=0)
    wide = CoverageProblem.from_geodataframe(demand, cands, "pop", 400)
    keep = wide.coverable()
    problem = CoverageProblem.from_geodataframe(demand[keep], cands, "pop", 400)
    cold = solve(problem, "lscp", method="exact", time_limit=30)
    warm = solve(problem, "lscp", method="auto", time_limit=30)
    assert cold.status == warm.status == "optimal"
    assert warm.objective == cold.objective == warm.bound
    assert warm.details["n_uncovered"] == 0


def test_alternatives_for_lscp_and_p_median(medium):
    with pytest.raises(InfeasibleError, match="cannot be reached"):
        alternatives(medium, None, k=3, model="lscp")          # some cells are out of reach
    cover = alternatives(medium, None, k=3, model="lscp", share=0.9)
    assert len(cover) == 3 and len({frozenset(s.new.tolist()) for s in cover}) == 3
    assert cover[0].objective <= cover[1].objective <= cover[2].objective
    assert all(s.covered_share >= 0.9 - 1e-9 for s in cover)
    small = CoverageProblem.from_cost_matrix(
        np.array([[1.0, 2.0, 9.0], [2.0, 1.0, 9.0], [9.0, 9.0, 1.0]]), [1.0, 1.0, 5.0])
    med = alternatives(small, 1, k=3, model="p_median")
    assert med[0].new.tolist() == [2] and {med[1].new[0], med[2].new[0]} == {0, 1}
    assert [s.objective for s in med] == [23.0, 48.0, 48.0]
