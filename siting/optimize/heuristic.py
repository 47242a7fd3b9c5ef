"""Greedy + vertex substitution (Teitz–Bart swap) heuristics, vectorised over sparse arrays.

Every move is evaluated for *all* candidates at once with sparse products (no Python loop
over demand or candidates); only the number of moves is a Python loop. Results are
deterministic for a given seed (the seed only breaks ties between equal gains).

A heuristic result carries a bound from the LP relaxation (HiGHS), so its gap is certified
even when no MIP is run.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from ..errors import InfeasibleError
from .models import build_lscp, build_mclp, reduce_coverage
from .problem import CoverageProblem
from .solution import Solution, make_solution


def _pick(gains: np.ndarray, allowed: np.ndarray, rank: np.ndarray) -> int:
    """Index of the largest gain among ``allowed``; ties go to the lowest seeded rank."""
    if len(gains) == 0:
        return -1
    g = np.where(allowed, gains, -np.inf)
    best = g.max()
    if not np.isfinite(best):
        return -1
    ties = np.flatnonzero(g >= best - 1e-12 * max(1.0, abs(best)))
    return int(ties[np.argmin(rank[ties])])


# ---------------------------------------------------------------------- MCLP
def greedy_mclp(problem: CoverageProblem, p: int, radius: float | None = None,
                seed: int = 0) -> np.ndarray:
    """Greedy maximal covering: repeatedly open the site adding the most uncovered weight.

    Returns the new sites in order of addition (stops early once nothing more can be
    covered). Gains are kept up to date by subtracting, for the demand just covered, its
    weight from every site that also reaches it (one sparse product per step).
    """
    red = reduce_coverage(problem, radius)
    order = _greedy_cover(red.groups, red.gw, p, seed)
    return red.cand[order]


def _greedy_cover(groups: sp.csr_array, gw: np.ndarray, p: int, seed: int,
                  start: np.ndarray | None = None) -> list[int]:
    n_x = groups.shape[1]
    sites = sp.csr_array(groups.T)          # site → groups it covers
    rank = np.random.default_rng(seed).permutation(n_x)
    uncovered = np.ones(len(gw), dtype=bool)
    allowed = np.ones(n_x, dtype=bool)
    chosen: list[int] = []
    if start is not None:
        for j in start:
            chosen.append(int(j))
            allowed[j] = False
            uncovered[sites.indices[sites.indptr[j]:sites.indptr[j + 1]]] = False
    gains = sites @ (gw * uncovered)
    while len(chosen) < p:
        j = _pick(gains, allowed, rank)
        if j < 0 or gains[j] <= 0:
            break
        chosen.append(j)
        allowed[j] = False
        g = sites.indices[sites.indptr[j]:sites.indptr[j + 1]]
        g = g[uncovered[g]]
        uncovered[g] = False
        if len(g):
            gains -= groups[g].T @ gw[g]
    return chosen


def swap_mclp(problem: CoverageProblem, p: int, radius: float | None = None, seed: int = 0,
              start: np.ndarray | None = None, time_limit: float = 30.0,
              max_moves: int | None = None) -> tuple[np.ndarray, int]:
    """Greedy start + best-improvement vertex substitution for MCLP.

    For every (closed site ``a``, open site ``b``) pair the swap value is

    ``gain[a] - loss[b] + both[a, b]``

    where ``gain[a]`` is the uncovered weight ``a`` reaches, ``loss[b]`` the weight only
    ``b`` covers, and ``both[a, b]`` the weight only ``b`` covers that ``a`` also reaches --
    one sparse product per move, over the demand covered exactly once.

    Returns
    -------
    (new sites, number of swaps made)
    """
    red = reduce_coverage(problem, radius)
    groups, gw = red.groups, red.gw
    n_x = groups.shape[1]
    if start is None:
        chosen = _greedy_cover(groups, gw, p, seed)
    else:
        col = np.full(problem.n_candidates, -1, dtype=np.int64)
        col[red.cand] = np.arange(n_x)
        start_cols = col[np.asarray(start, dtype=np.int64)]
        chosen = _greedy_cover(groups, gw, p, seed, start=start_cols[start_cols >= 0])
    sites = sp.csr_array(groups.T)
    is_open = np.zeros(n_x, dtype=bool)
    is_open[chosen] = True
    count = groups @ is_open.astype(float)      # open sites covering each group
    rank = np.random.default_rng(seed + 1).permutation(max(n_x, 1))
    total = float(gw.sum())
    moves = 0
    t_end = time.perf_counter() + time_limit
    limit = max_moves if max_moves is not None else 50 * max(p, 1) + 100
    # If every coverable group is covered, no swap can improve: skip the search.
    while len(chosen) and (count == 0).any() and moves < limit and time.perf_counter() < t_end:
        open_cols = np.flatnonzero(is_open)
        gain = sites @ (gw * (count == 0))
        once = count == 1
        w_once = gw * once
        loss = sites[open_cols] @ w_once
        # both[a, b] = sum over groups g covered once, by b, and reached by a: w_g
        sub_open = sites[open_cols][:, once]           # open × once-groups (each col one 1)
        sub_all = sites[:, once]                       # all × once-groups
        both = (sub_all @ sp.diags_array(w_once[once]) @ sub_open.T).toarray()
        delta = gain[:, None] - loss[None, :] + both
        delta[is_open, :] = -np.inf
        best = delta.max()
        if not best > 1e-9 * max(total, 1.0):
            break
        a_idx, b_idx = np.nonzero(delta >= best - 1e-12 * max(1.0, abs(best)))
        k = int(np.argmin(rank[a_idx] * (len(open_cols) + 1) + b_idx))
        a, b = int(a_idx[k]), int(open_cols[b_idx[k]])
        is_open[a], is_open[b] = True, False
        chosen[chosen.index(b)] = a
        count[sites.indices[sites.indptr[b]:sites.indptr[b + 1]]] -= 1
        count[sites.indices[sites.indptr[a]:sites.indptr[a + 1]]] += 1
        moves += 1
    return red.cand[np.asarray(chosen, dtype=np.int64)], moves


# ---------------------------------------------------------------------- p-median
class _Median:
    """Stored pairs of positive-weight demand, with the penalty for unassigned demand."""

    def __init__(self, problem: CoverageProblem) -> None:
        w = problem.weights
        rows, cols, data = problem.pairs(None)
        keep = w[cols] > 0
        self.rows, self.cols, self.data = rows[keep], cols[keep], data[keep]
        self.w = w
        self.problem = problem
        reach = np.zeros(problem.n_demand, dtype=bool)
        reach[self.cols] = True
        missing = (w > 0) & ~reach
        if missing.any():
            raise problem.infeasible_demand(
                missing, "have no stored travel cost to any candidate, so they cannot be "
                "assigned", "add candidates near them, rebuild with a larger cutoff, or give "
                "them weight 0")
        # Unassigned demand costs more than any real assignment, so moves fix it first.
        self.penalty = 10.0 * (float(self.data.max()) if len(self.data) else 1.0) + 1.0
        self.pos = w > 0

    def nearest_two(self, is_open: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(closest open site, its cost, second closest cost) per demand; penalty if none."""
        keep = is_open[self.rows]
        r, c, d = self.rows[keep], self.cols[keep], self.data[keep]
        order = np.lexsort((r, d, c))
        r, c, d = r[order], c[order], d[order]
        n = self.problem.n_demand
        d1 = np.full(n, self.penalty)
        d2 = np.full(n, self.penalty)
        phi = np.full(n, -1, dtype=np.int64)
        first = np.ones(len(c), dtype=bool)
        first[1:] = c[1:] != c[:-1]
        phi[c[first]] = r[first]
        d1[c[first]] = d[first]
        second = np.zeros(len(c), dtype=bool)
        second[1:] = first[:-1] & ~first[1:]
        d2[c[second]] = d[second]
        return phi, d1, d2

    def cost(self, is_open: np.ndarray) -> float:
        _, d1, _ = self.nearest_two(is_open)
        return float((self.w[self.pos] * d1[self.pos]).sum())


def greedy_p_median(problem: CoverageProblem, p: int, seed: int = 0) -> np.ndarray:
    """Greedy p-median (add the site that lowers total weighted cost most), in order."""
    med = _Median(problem)
    return _greedy_median(med, p, seed)


def _greedy_median(med: _Median, p: int, seed: int) -> np.ndarray:
    problem = med.problem
    rank = np.random.default_rng(seed).permutation(problem.n_candidates)
    is_open = problem.fixed.copy()
    _, d1, _ = med.nearest_two(is_open)
    allowed = ~problem.fixed
    chosen: list[int] = []
    n = problem.n_candidates
    for _ in range(p):
        saving = med.w[med.cols] * np.maximum(d1[med.cols] - med.data, 0.0)
        gains = np.bincount(med.rows, weights=saving, minlength=n)
        j = _pick(gains, allowed, rank)
        if j < 0 or gains[j] <= 0:
            break
        chosen.append(j)
        allowed[j] = False
        is_open[j] = True
        lo, hi = problem.cost.indptr[j], problem.cost.indptr[j + 1]
        idx, c = problem.cost.indices[lo:hi], problem.cost.data[lo:hi]
        d1[idx] = np.minimum(d1[idx], c)
    return np.asarray(chosen, dtype=np.int64)


def swap_p_median(problem: CoverageProblem, p: int, seed: int = 0,
                  start: np.ndarray | None = None, time_limit: float = 30.0,
                  max_moves: int | None = None) -> tuple[np.ndarray, int]:
    """Greedy start + best-improvement Teitz–Bart interchange for p-median.

    Uses the fast interchange of Whitaker (1983) / Resende & Werneck (2007): with ``d1``,
    ``d2`` the costs to the closest and second-closest open site and ``φ1`` the closest,

    * ``gain[a] = Σ_i w_i max(0, d1_i - c_ia)`` (opening ``a``),
    * ``loss[b] = Σ_{i: φ1(i)=b} w_i (d2_i - d1_i)`` (closing ``b``),
    * ``extra[a, b] = Σ_{i: φ1(i)=b, c_ia < d2_i} w_i (d2_i - max(c_ia, d1_i))``,

    and the saving of swapping ``b`` out for ``a`` is ``gain[a] - loss[b] + extra[a, b]``.
    Fixed facilities are never swapped out.
    """
    med = _Median(problem)
    n = problem.n_candidates
    chosen = list(_greedy_median(med, p, seed) if start is None else
                  np.asarray(start, dtype=np.int64)[~problem.fixed[np.asarray(start, np.int64)]])
    is_open = problem.fixed.copy()
    is_open[chosen] = True
    rank = np.random.default_rng(seed + 1).permutation(n)
    t_end = time.perf_counter() + time_limit
    limit = max_moves if max_moves is not None else 50 * max(p, 1) + 100
    moves = 0
    rows, cols, data, w = med.rows, med.cols, med.data, med.w
    total = med.cost(is_open)
    while len(chosen) and moves < limit and time.perf_counter() < t_end:
        phi, d1, d2 = med.nearest_two(is_open)
        wc = w[cols]
        gain = np.bincount(rows, weights=wc * np.maximum(d1[cols] - data, 0.0), minlength=n)
        open_new = np.asarray(chosen, dtype=np.int64)
        slot = np.full(n, -1, dtype=np.int64)
        slot[open_new] = np.arange(len(open_new))
        pos = w > 0
        loss_all = np.bincount(np.where(phi >= 0, phi, 0)[pos],
                               weights=(w * (d2 - d1))[pos] * (phi[pos] >= 0), minlength=n)
        loss = loss_all[open_new]
        owner = phi[cols]
        sel = (owner >= 0) & (slot[np.maximum(owner, 0)] >= 0) & (data < d2[cols]) & \
            ~is_open[rows]
        extra_vals = wc[sel] * (d2[cols[sel]] - np.maximum(data[sel], d1[cols[sel]]))
        flat = rows[sel] * len(open_new) + slot[owner[sel]]
        extra = np.bincount(flat, weights=extra_vals,
                            minlength=n * len(open_new)).reshape(n, len(open_new))
        delta = gain[:, None] - loss[None, :] + extra
        delta[is_open, :] = -np.inf
        best = delta.max()
        if not best > 1e-9 * max(total, 1.0):
            break
        a_idx, b_idx = np.nonzero(delta >= best - 1e-12 * max(1.0, abs(best)))
        k = int(np.argmin(rank[a_idx] * (len(open_new) + 1) + b_idx))
        a, b = int(a_idx[k]), int(open_new[b_idx[k]])
        is_open[a], is_open[b] = True, False
        chosen[chosen.index(b)] = a
        total -= best
        moves += 1
    return np.asarray(chosen, dtype=np.int64), moves


# ---------------------------------------------------------------------- LSCP / p-center
def greedy_lscp(problem: CoverageProblem, radius: float | None = None,
                share: float | None = None, seed: int = 0) -> np.ndarray:
    """Greedy set cover (Chvátal) followed by removal of redundant sites.

    Full cover picks the site covering the most still-uncovered demand *rows*; the share
    variant picks by uncovered weight until the target is met.
    """
    mip = build_lscp(problem, radius, share)       # validates and raises InfeasibleError
    red = reduce_coverage(problem, radius)
    groups = red.groups
    n_x = groups.shape[1]
    if share is None:
        gw = np.ones(len(red.gw))
        need = float(len(gw))
    else:
        gw = red.gw
        need = mip.meta["required"]
    chosen = _greedy_cover(groups, gw, n_x, seed) if need > 0 else []
    # stop as soon as the need is met (the greedy order above covers all it can)
    sites = sp.csr_array(groups.T)
    covered_w = 0.0
    cut = len(chosen)
    cov = np.zeros(len(gw), dtype=bool)
    for k, j in enumerate(chosen):
        g = sites.indices[sites.indptr[j]:sites.indptr[j + 1]]
        covered_w += gw[g[~cov[g]]].sum()
        cov[g] = True
        if covered_w >= need - 1e-9 * max(need, 1.0):
            cut = k + 1
            break
    chosen = chosen[:cut]
    # redundancy removal, last added first
    count = groups @ np.bincount(chosen, minlength=n_x).astype(float)
    for j in reversed(list(chosen)):
        g = sites.indices[sites.indptr[j]:sites.indptr[j + 1]]
        if share is None:
            drop = bool((count[g] >= 2).all())
        else:
            lost = gw[g[count[g] == 1]].sum()
            drop = covered_w - lost >= need - 1e-9 * max(need, 1.0)
            if drop:
                covered_w -= lost
        if drop:
            count[g] -= 1
            chosen.remove(j)
    return red.cand[np.asarray(chosen, dtype=np.int64)]


def heuristic_p_center(problem: CoverageProblem, p: int, seed: int = 0) -> np.ndarray:
    """Bisection over stored costs with greedy set cover as the feasibility test."""
    values = np.unique(problem.cost.data)
    lo, hi = 0, len(values)
    best: np.ndarray | None = None
    while lo < hi:
        mid = (lo + hi) // 2
        try:
            sel = greedy_lscp(problem, float(values[mid]), seed=seed)
        except InfeasibleError:
            lo = mid + 1
            continue
        if len(sel) <= p:
            best, hi = sel, mid
        else:
            lo = mid + 1
    if best is None:
        raise InfeasibleError("p", p, f"{p} new facilities cannot reach every demand point "
                              "through the stored pairs (greedy)", "raise p or add candidates")
    return best


# ---------------------------------------------------------------------- entry point
def solve_heuristic(problem: CoverageProblem, model: str, p: int | None = None, *,
                    radius: float | None = None, share: float | None = None, seed: int = 0,
                    time_limit: float = 30.0, bound: bool = True,
                    threads: int = 1) -> Solution:
    """Heuristic solution with a certified bound (``bound=False`` skips it).

    The bound is the LP relaxation's, except for the p-median, whose bound is the
    Lagrangian one (equal to the LP bound, without an LP solve that does not finish at
    n = 900).

    Parameters
    ----------
    problem, model, p, radius, share
        As in :func:`siting.optimize.solve` (capacitated coverage has no heuristic).
    seed
        Breaks ties between equal gains (results are deterministic for a seed).
    time_limit
        Seconds for the local search (and, for large MCLP, the LP-guided restarts and the
        kernel MIP of :mod:`siting.optimize.matheuristic`).
    bound
        Compute the certified LP bound (one LP solve).
    threads
        HiGHS threads for the LP.

    Returns
    -------
    Solution
        ``status="heuristic"``; ``bound`` and ``gap`` certify how far from optimal it can be.
    """
    from .exact import lp_bound

    t0 = time.perf_counter()
    sense = "max" if model == "mclp" else "min"
    moves = 0
    if model == "mclp" and bound:
        from .matheuristic import is_large, solve_mclp_large

        if is_large(build_mclp(problem, int(p or 0), radius)):
            return solve_mclp_large(problem, int(p or 0), radius, time_limit=time_limit,
                                    seed=seed, threads=threads, full_mip=False, t_start=t0)
    if model == "mclp":
        new, moves = swap_mclp(problem, int(p or 0), radius, seed, time_limit=time_limit)
        method = "greedy+swap"
        mip = build_mclp(problem, int(p or 0), radius) if bound else None
    elif model == "p_median":
        new, moves = swap_p_median(problem, int(p or 0), seed, time_limit=time_limit)
        if bound:
            # The Lagrangian bound (= the LP bound, without solving the LP, which HiGHS
            # does not finish at n = 900); the subgradient may also improve the sites.
            from .pmedian import solve_p_median_lagrangian

            sol = solve_p_median_lagrangian(problem, int(p or 0), time_limit=time_limit,
                                            seed=seed, threads=threads, start=new,
                                            start_method="greedy+swap",
                                            start_seconds=time.perf_counter() - t0,
                                            exact=False)
            sol.details.update(swaps=moves)
            return sol
        method = "greedy+swap"
        mip = None
    elif model == "lscp":
        new = greedy_lscp(problem, radius, share, seed)
        method = "greedy"
        mip = build_lscp(problem, radius, share) if bound else None
    elif model == "p_center":
        new = heuristic_p_center(problem, int(p or 0), seed)
        method = "greedy-bisection"
        mip = None
    else:
        from ..errors import SitingError
        raise SitingError("model", model, "no heuristic for this model",
                          "use method='exact' (capacitated coverage is solved exactly)")
    heur_s = time.perf_counter() - t0
    log = f"{method}: {len(new)} new sites, {moves} swaps, {heur_s:.3f} s\n"
    b = float("nan")
    if model == "p_center":
        from .exact import _lower_bound_p_center
        b = _lower_bound_p_center(problem)
    elif mip is not None:
        lp = lp_bound(mip, time_limit=max(time_limit, 10.0), seed=seed, threads=threads)
        b = lp.bound
        log += f"LP relaxation {lp.lp_objective:.6g}, certified bound {b:.6g}:\n" + lp.log
    return make_solution(problem, model, new, bound=b, status="heuristic", method=method,
                         seconds=time.perf_counter() - t0, radius=radius, p=p, log=log,
                         sense=sense, details={"swaps": moves, "heuristic_seconds": heur_s})


__all__ = ["greedy_mclp", "swap_mclp", "greedy_p_median", "swap_p_median", "greedy_lscp",
           "heuristic_p_center", "solve_heuristic"]
