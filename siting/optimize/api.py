"""Public entry points: solve, coverage curve, near-optimal alternatives, closure analysis."""

from __future__ import annotations

import time
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import SitingError
from .exact import HighsSession, _infeasible, _solution_from_run, build_model, solve_exact
from .heuristic import (
    greedy_lscp,
    greedy_mclp,
    heuristic_p_center,
    solve_heuristic,
    swap_mclp,
)
from .problem import CoverageProblem
from .solution import Solution, evaluate

Model = Literal["lscp", "mclp", "p_median", "p_center", "capacitated", "capacitated_p_median"]
Method = Literal["auto", "exact", "heuristic"]

_ALIASES = {
    "lscp": "lscp", "set_cover": "lscp", "mclp": "mclp", "max_cover": "mclp",
    "p_median": "p_median", "pmedian": "p_median", "p-median": "p_median",
    "p_center": "p_center", "pcenter": "p_center", "p-center": "p_center",
    "capacitated": "capacitated", "cmclp": "capacitated", "capacitated_coverage": "capacitated",
    "capacitated_p_median": "capacitated_p_median", "cpmp": "capacitated_p_median",
    "capacitated_pmedian": "capacitated_p_median",
}


def _model_name(model: str) -> str:
    key = str(model).lower()
    if key not in _ALIASES:
        raise SitingError("model", model, "unknown model",
                          "use 'lscp', 'mclp', 'p_median', 'p_center', 'capacitated' or "
                          "'capacitated_p_median'")
    return _ALIASES[key]


def solve(
    problem: CoverageProblem,
    model: Model | str = "mclp",
    p: int | None = None,
    *,
    radius: float | None = None,
    share: float | None = None,
    objective: Literal["max_coverage", "min_facilities"] = "max_coverage",
    method: Method = "auto",
    time_limit: float | None = 60.0,
    seed: int = 0,
    threads: int = 1,
    mip_rel_gap: float = 1e-6,
    p_counts: Literal["new", "total"] = "new",
    single_source: bool = False,
    quotas: object = None,
) -> Solution:
    """Solve a location-allocation model on a :class:`CoverageProblem`.

    Parameters
    ----------
    problem
        The sparse candidate × demand problem.
    model
        ``"lscp"`` (fewest new sites covering all, or ``share`` of, the weight),
        ``"mclp"`` (most weight covered by ``p`` new sites), ``"p_median"`` (least total
        weighted cost), ``"p_center"`` (least maximum cost), ``"capacitated"``
        (capacity-limited coverage, see ``objective``) or ``"capacitated_p_median"``
        (least total cost with every open site serving at most its capacity).
    p
        Number of **new** facilities (existing ones, ``problem.fixed``, are open on top).
        With ``p_counts="total"`` it counts all facilities, as spopt's ``p_facilities``
        does with predefined facilities. Not used by LSCP.
    radius
        Service radius for the coverage models (default: every stored pair counts, i.e. the
        problem's cutoff). Must not exceed the cutoff.
    share
        LSCP partial-cover target, e.g. ``0.85`` of the total weight.
    objective
        Capacitated model only: ``"max_coverage"`` with ``p`` or ``"min_facilities"``.
    method
        ``"exact"``: HiGHS on the sparse MIP. ``"heuristic"``: greedy + swap with an LP
        bound. ``"auto"`` (default): the heuristic, then HiGHS warm-started from it within
        ``time_limit``; small instances finish optimal, large ones report the real gap.
        Large MCLP instances run the LP-guided pipeline of
        :mod:`siting.optimize.matheuristic` first. Capacitated coverage is exact only.
    time_limit
        Seconds for the MIP (``None`` = unlimited). A run stopped by it has
        ``status="time_limit"`` and a real gap -- never "optimal".
    seed, threads, mip_rel_gap
        Passed to HiGHS (and ``seed`` to the heuristics' tie-breaking).
    p_counts
        ``"new"`` (default) or ``"total"`` (see ``p``).
    single_source
        Capacitated models: each demand point is served whole by one site.
    quotas
        :class:`siting.optimize.Quotas`: at least / at most so many new sites in each
        administrative unit (district, township). Solved exactly on the MIP with the quota
        rows (``method`` is then ignored: no heuristic keeps quotas).

    p-median answers always carry a real lower bound: ``"exact"`` and ``"auto"`` prove
    optimality with the Lagrangian bound, site fixing and a Benders master
    (:mod:`siting.optimize.pmedian`); ``"heuristic"`` reports greedy + swap with the
    Lagrangian bound. Should the exact phase stop at ``time_limit``, the bound reported is
    the best of the Lagrangian's and the master's, never 0.

    Returns
    -------
    Solution
    """
    name = _model_name(model)
    if method not in ("auto", "exact", "heuristic"):
        raise SitingError("method", method, "unknown method", "use 'auto', 'exact' or 'heuristic'")
    radius = problem.check_radius(radius)
    if name == "lscp":
        if p is not None:
            raise SitingError("p", p, "LSCP finds the number of facilities itself",
                              "leave p out, or use model='mclp' to cover most with p sites")
        p_new = None
    elif name == "capacitated" and objective == "min_facilities":
        p_new = None
    else:
        if p is None:
            raise SitingError("p", None, f"{name} needs the number of new facilities p",
                              "pass p=...")
        p_new = problem.check_p(p, p_counts)
    if name in ("p_median", "p_center", "capacitated_p_median") and radius is not None:
        raise SitingError("radius", radius, f"{name} uses every stored pair; a radius does "
                          "not apply", "build the problem with the cutoff you want instead")
    if quotas is not None or name == "capacitated_p_median":
        if method == "heuristic" and quotas is None:
            raise SitingError("method", method, "the capacitated p-median is solved exactly "
                              "only", "use method='exact' or 'auto'")
        return solve_exact(problem, name, p_new, radius=radius, share=share,
                           objective=objective, time_limit=time_limit, seed=seed,
                           threads=threads, mip_rel_gap=mip_rel_gap,
                           single_source=single_source, quotas=quotas)
    if method == "heuristic":
        return solve_heuristic(problem, name, p_new, radius=radius, share=share, seed=seed,
                               time_limit=time_limit or 60.0, threads=threads)
    start = None
    start_method = ""
    start_s = 0.0
    if method == "auto" and name == "mclp":
        from .matheuristic import is_large, solve_mclp_large

        t0 = time.perf_counter()
        if is_large(build_model(problem, name, p_new, radius)):
            return solve_mclp_large(problem, p_new, radius, time_limit=time_limit, seed=seed,
                                    threads=threads, mip_rel_gap=mip_rel_gap, t_start=t0)
    if method == "auto" and name != "capacitated":
        t0 = time.perf_counter()
        budget = 30.0 if time_limit is None else max(0.2 * time_limit, 1.0)
        if name == "mclp":
            start, _ = swap_mclp(problem, p_new, radius, seed, time_limit=budget)
            start_method = "greedy+swap"
        elif name == "p_median":
            # No separate start: the Lagrangian phase evaluates its own site sets and runs
            # the swap from the best of them (a greedy+swap start first cost up to 20 % of
            # the limit on p = 200 for nothing).
            pass
        elif name == "lscp":
            start = greedy_lscp(problem, radius, share, seed)
            start_method = "greedy"
        elif name == "p_center":
            try:
                start = heuristic_p_center(problem, p_new, seed)
                start_method = "greedy-bisection"
            except SitingError:
                start = None
        start_s = time.perf_counter() - t0
        if time_limit is not None:
            time_limit = max(time_limit - start_s, 0.1)
    return solve_exact(problem, name, p_new, radius=radius, share=share, objective=objective,
                       time_limit=time_limit, seed=seed, threads=threads,
                       mip_rel_gap=mip_rel_gap, start=start, start_method=start_method,
                       start_seconds=start_s, single_source=single_source)


def coverage_curve(
    problem: CoverageProblem,
    p_max: int,
    *,
    radius: float | None = None,
    method: Literal["greedy", "exact"] = "greedy",
    time_limit: float | None = 10.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Covered weight as a function of the number of new sites ``p = 0..p_max``.

    Parameters
    ----------
    method
        ``"greedy"`` (default): one greedy run; row ``p`` opens the first ``p`` greedy
        sites, so the sites are *nested* (what a phased build-out can follow) and each
        value is a lower bound on the best coverage with ``p`` sites. ``"exact"``: one MCLP
        per ``p`` (values optimal, sites not nested; also reports bound and status).

    Returns
    -------
    pandas.DataFrame
        Columns ``p``, ``covered_weight``, ``covered_share``, ``marginal_weight``,
        ``site`` (greedy: the site added at this step) and, for exact, ``bound``, ``status``.
    """
    radius = problem.check_radius(radius)
    p_max = problem.check_p(p_max)
    total = problem.total_weight
    rows = []
    if method == "greedy":
        order = greedy_mclp(problem, p_max, radius, seed)
        base = evaluate(problem, "mclp", np.zeros(0, np.int64), radius)["covered_weight"]
        covered = problem.covered_by(problem.fixed, radius) if problem.fixed.any() else \
            np.zeros(problem.n_demand, bool)
        rows.append({"p": 0, "covered_weight": base, "site": None})
        reach = problem.reach(radius)
        weight = base
        for k in range(1, p_max + 1):
            if k <= len(order):
                j = int(order[k - 1])
                idx = reach.indices[reach.indptr[j]:reach.indptr[j + 1]]
                weight += float(problem.weights[idx[~covered[idx]]].sum())
                covered[idx] = True
                site = problem.candidate_ids[j]
            else:
                site = None  # nothing left to cover: more sites add nothing
            rows.append({"p": k, "covered_weight": weight, "site": site})
    elif method == "exact":
        for k in range(0, p_max + 1):
            sol = solve(problem, "mclp", k, radius=radius, time_limit=time_limit, seed=seed)
            rows.append({"p": k, "covered_weight": sol.objective, "bound": sol.bound,
                         "status": sol.status, "site": None})
    else:
        raise SitingError("method", method, "unknown curve method", "use 'greedy' or 'exact'")
    df = pd.DataFrame(rows)
    df["covered_share"] = df["covered_weight"] / total if total > 0 else 1.0
    df["marginal_weight"] = df["covered_weight"].diff().fillna(df["covered_weight"].iloc[0])
    df.attrs["method"] = method
    return df


def alternatives(
    problem: CoverageProblem,
    p: int | None,
    k: int = 3,
    *,
    model: Model | str = "mclp",
    radius: float | None = None,
    share: float | None = None,
    time_limit: float | None = 30.0,
    seed: int = 0,
    threads: int = 1,
    mip_rel_gap: float = 1e-6,
) -> list[Solution]:
    """Up to ``k`` distinct near-optimal site sets, best first.

    Each next solution is the optimum of the same MIP with a *no-good cut* per earlier
    set :math:`S`: :math:`\\sum_{j \\in S} x_j \\le |S| - 1`, which forbids that exact set of
    new sites (and its supersets). The list stops early if no further feasible set exists.
    Solutions whose coverage is identical but whose sites differ are genuinely different
    options for planners (e.g. two equivalent parcels).

    Returns
    -------
    list of Solution
        ``details["rank"]`` is 1 for the optimum; ``details["relative_to_best"]`` compares
        the objective with the first solution.
    """
    name = _model_name(model)
    if name in ("p_center", "capacitated"):
        raise SitingError("model", model, "alternatives are available for lscp, mclp and "
                          "p_median", "use one of those models")
    radius = problem.check_radius(radius)
    p_new = None if name == "lscp" else problem.check_p(p)  # type: ignore[arg-type]
    mip = build_model(problem, name, p_new, radius, share)
    out: list[Solution] = []
    with HighsSession(mip, time_limit=time_limit, mip_rel_gap=mip_rel_gap, seed=seed,
                      threads=threads) as session:
        for rank in range(1, k + 1):
            t0 = time.perf_counter()
            run = session.run()
            if run.status == "infeasible" or run.col_value is None:
                if rank == 1 and run.status == "infeasible":
                    raise _infeasible(problem, name, run)
                break
            sol = _solution_from_run(problem, name, mip, run, p=p_new, radius=radius,
                                     seconds=time.perf_counter() - t0, method="highs+no-good")
            sol.details["rank"] = rank
            sol.details["relative_to_best"] = (sol.objective / out[0].objective
                                               if out and out[0].objective else 1.0)
            out.append(sol)
            cols = np.flatnonzero(np.isin(mip.cand, sol.new))
            if len(cols) == 0:
                break  # the empty set is optimal; nothing distinct can beat or equal it
            session.add_no_good(cols)
    return out


def closure_impact(problem: CoverageProblem, radius: float | None = None) -> pd.DataFrame:
    """What each existing facility alone contributes: the coverage lost if it closed.

    Returns
    -------
    pandas.DataFrame
        One row per fixed facility, sorted by ``weight_lost`` (least harmful closure
        first): ``candidate`` (position), ``id``, ``weight_covered`` (all weight it
        reaches), ``weight_lost`` (weight no other existing facility reaches),
        ``share_lost`` (of the total weight).
    """
    radius = problem.check_radius(radius)
    reach = problem.reach(radius)
    fixed = np.flatnonzero(problem.fixed)
    cols_index = ["candidate", "id", "weight_covered", "weight_lost", "share_lost"]
    if len(fixed) == 0:
        return pd.DataFrame(columns=cols_index)
    sub = reach[fixed]
    count = np.asarray(sub.sum(axis=0)).ravel()     # existing facilities reaching each demand
    w = problem.weights
    covered = sub @ w
    lost = sub @ (w * (count == 1))
    total = problem.total_weight
    df = pd.DataFrame({"candidate": fixed, "id": list(problem.candidate_ids[fixed]),
                       "weight_covered": covered, "weight_lost": lost,
                       "share_lost": lost / total if total > 0 else 0.0})
    return df.sort_values(["weight_lost", "candidate"], kind="stable").reset_index(drop=True)
