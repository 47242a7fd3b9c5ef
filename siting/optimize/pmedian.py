r"""Exact p-median at the scale of the literature: Lagrangian bound, variable fixing, small MIP.

The classical formulation (one :math:`z_{ij}` per stored pair, :math:`z_{ij} \le x_j`) is
tight but big: on OR-Library pmed38 (n = 900) HiGHS does not finish its root LP. This module
proves optimality with the Lagrangian relaxation of the assignment rows (Cornuéjols, Fisher &
Nemhauser 1977; Beasley 1985/1993), whose bound equals the LP bound, and uses it three ways:

1. **Bound.** For multipliers :math:`\lambda_i` the relaxation separates by site:
   :math:`\rho_j = \sum_i \min(0, w_i c_{ij} - \lambda_i)` and
   :math:`L(\lambda) = \sum_i \lambda_i + \sum_{j \in F} \rho_j + \min_{|S| = p} \sum_{j \in S} \rho_j`
   (the ``p`` smallest :math:`\rho_j`). Any :math:`\lambda` gives a valid lower bound, so the
   bound reported is exact arithmetic, whatever the subgradient search reached.
2. **Incumbent.** The sites :math:`S(\lambda)` of improving iterations are evaluated and the
   best is improved by the swap heuristic (Teitz–Bart / Whitaker).
3. **Fixing.** With the incumbent value :math:`U`, a closed site :math:`j \notin S` with
   :math:`L + \rho_j - \rho_{[p]} \ge U` cannot be in a better solution and is removed; an
   open one with :math:`L - \rho_j + \rho_{[p+1]} \ge U` is in every better solution and is
   fixed open (:math:`\rho_{[k]}` the k-th smallest). What remains goes to the Benders
   master over the sites (:mod:`siting.optimize.benders`: the radius formulation projected
   onto the sites, LP probing, then the MIP master in HiGHS).

Pigeonhole reduction (exact): with exactly ``p`` of the ``n`` openable sites open, each
demand's nearest open site is among its ``n - p + 1`` nearest openable ones (or a fixed one),
so farther pairs never matter and are dropped before anything else.

The lower bound is :math:`\min(U, \text{MIP bound on the rest})`; "optimal" is reported only
when it meets :math:`U` within ``mip_rel_gap``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import InfeasibleError, SitingError
from .benders import benders_p_median
from .models import weighted_pairs
from .problem import CoverageProblem
from .solution import Solution, make_solution, relative_gap


@dataclass
class LagrangianResult:
    """Best Lagrangian bound, its multipliers, site values and the best sites seen."""

    bound: float
    lam: np.ndarray
    rho: np.ndarray
    best_open: np.ndarray         # bool mask over candidates (fixed included)
    best_value: float
    iterations: int
    seconds: float


class MedianPairs:
    """Stored pairs of positive-weight demand sorted by (demand, weighted cost).

    Parameters
    ----------
    problem
        The problem (``fixed`` sites are always open).
    p
        Number of new sites; used for the pigeonhole reduction (``None``: no reduction).

    Raises
    ------
    InfeasibleError
        A demand point with positive weight has no stored pair.
    """

    def __init__(self, problem: CoverageProblem, p: int | None = None) -> None:
        w = problem.weights
        rows, cols, data = weighted_pairs(problem)
        self.problem = problem
        self.n_cand = problem.n_candidates
        self.fixed = problem.fixed
        self.dem = np.unique(cols)
        pos = np.full(problem.n_demand, -1, dtype=np.int64)
        pos[self.dem] = np.arange(len(self.dem))
        wc = w[cols] * data
        order = np.lexsort((rows, wc, pos[cols]))
        rows, dcol, wc, data = rows[order], pos[cols][order], wc[order], data[order]
        n_d = len(self.dem)
        ptr = np.zeros(n_d + 1, dtype=np.int64)
        np.cumsum(np.bincount(dcol, minlength=n_d), out=ptr[1:])
        drop = np.zeros(len(rows), dtype=bool)
        fx = self.fixed[rows]
        if fx.any():
            # Nothing farther than the nearest fixed site ever serves the demand.
            first_fx = np.full(n_d, np.iinfo(np.int64).max)
            np.minimum.at(first_fx, dcol[fx], np.flatnonzero(fx))
            drop |= np.arange(len(rows)) > first_fx[dcol]
        n_new = int((~self.fixed).sum())
        if p is not None and 0 < p <= n_new:
            # Rank of each pair among its demand's openable sites (fixed pairs rank 0).
            new = (~fx).astype(np.int64)
            csum = np.cumsum(new) - new
            rank = csum - csum[ptr[dcol]]
            drop |= ~fx & (rank >= n_new - p + 1)
        if drop.any():
            rows, dcol, wc, data = rows[~drop], dcol[~drop], wc[~drop], data[~drop]
            ptr = np.zeros(n_d + 1, dtype=np.int64)
            np.cumsum(np.bincount(dcol, minlength=n_d), out=ptr[1:])
        self.rows, self.dcol, self.wc, self.cost, self.ptr = rows, dcol, wc, data, ptr
        self.n_d = n_d
        self.w = w[self.dem]
        scale = float(wc.max()) * (1 + 1e-9) + 1.0 if len(wc) else 1.0
        # One sorted key over all segments: demand position + scaled cost in [0, 1).
        self._scale = scale
        self._key = dcol + wc / scale

    @property
    def nnz(self) -> int:
        """Number of pairs kept after the reductions."""
        return len(self.rows)

    def value(self, open_mask: np.ndarray) -> tuple[float, np.ndarray]:
        """Total weighted cost of ``open_mask`` and the pair index serving each demand.

        ``inf`` (and index ``-1``) when a demand has no open site among its pairs.
        """
        idx = np.flatnonzero(open_mask[self.rows])
        first = np.searchsorted(idx, self.ptr[:-1])
        ok = first < len(idx)
        pick = np.where(ok, idx[np.minimum(first, max(len(idx) - 1, 0))] if len(idx) else -1, -1)
        ok &= pick < self.ptr[1:]
        if not ok.all():
            return float("inf"), np.where(ok, pick, -1)
        return float(self.wc[pick].sum()), pick

    def prefix(self, lam: np.ndarray) -> np.ndarray:
        """Indices of the pairs with ``w_i c_ij < λ_i`` (a prefix of each demand segment)."""
        ends = np.searchsorted(self._key, np.arange(self.n_d) + lam / self._scale, side="left")
        ends = np.clip(ends, self.ptr[:-1], self.ptr[1:])
        k = ends - self.ptr[:-1]
        total = int(k.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        shift = self.ptr[:-1] - (np.cumsum(k) - k)
        return np.arange(total, dtype=np.int64) + np.repeat(shift, k)


def feasible_sites(problem: CoverageProblem, p: int, *, seed: int = 0, threads: int = 1,
                   time_limit: float | None = None) -> tuple[np.ndarray, str]:
    """Open mask of at most ``p`` new sites (plus the fixed) serving every positive demand.

    Solves the set cover over all stored pairs exactly (HiGHS); the cover is then padded
    with unused sites to ``p`` (opening more never raises a p-median cost).

    Raises
    ------
    InfeasibleError
        No ``p`` new sites reach every demand point with positive weight.
    """
    from .exact import HighsSession
    from .models import build_lscp

    mip = build_lscp(problem, None)          # raises when a demand has no pair at all
    with HighsSession(mip, time_limit=time_limit, seed=seed, threads=threads) as s:
        run = s.run()
    need = float(np.ceil(run.bound - 1e-6)) if np.isfinite(run.bound) else 0.0
    if run.col_value is None or round(run.objective) > p:
        if run.status == "optimal" or need > p:
            raise InfeasibleError("p", p, f"{p} new facilities cannot reach every demand "
                                  f"point through the stored pairs (at least {need:g} are "
                                  "needed)", "raise p, add candidates or rebuild the matrix "
                                  "with a larger cutoff")
        raise SitingError("time_limit", time_limit, "no feasible set of sites was found in "
                          "time", "raise time_limit")
    open_mask = problem.fixed.copy()
    open_mask[mip.selected(run.col_value)] = True
    spare = np.flatnonzero(~open_mask)
    open_mask[spare[:max(p - int((open_mask & ~problem.fixed).sum()), 0)]] = True
    return open_mask, f"set cover: {round(run.objective)} new sites serve every demand"


def _sparse(pairs: MedianPairs, p: int) -> bool:
    """Some demand might be left unserved by ``p`` sites (no fixed pair, too few pairs)."""
    has_fixed = np.zeros(pairs.n_d, dtype=bool)
    has_fixed[pairs.dcol[pairs.fixed[pairs.rows]]] = True
    count = np.bincount(pairs.dcol[~pairs.fixed[pairs.rows]], minlength=pairs.n_d)
    return bool((~has_fixed & (count < int((~pairs.fixed).sum()) - p + 1)).any())


def _choose(rho: np.ndarray, openable: np.ndarray, p: int) -> tuple[np.ndarray, float, float,
                                                                      float]:
    """The ``p`` smallest ``rho`` among openable sites: (positions, sum, p-th, (p+1)-th)."""
    cand = np.flatnonzero(openable)
    vals = rho[cand]
    if p <= 0:
        return np.zeros(0, np.int64), 0.0, -np.inf, float(vals.min()) if len(vals) else np.inf
    if p >= len(cand):
        order = np.argsort(vals, kind="stable")
        return cand[order], float(vals.sum()), float(vals.max()), np.inf
    part = np.argpartition(vals, p)
    chosen = part[:p]
    kth = float(vals[chosen].max())
    nxt = float(vals[part[p:]].min())
    return cand[chosen], float(vals[chosen].sum()), kth, nxt


def lagrangian(pairs: MedianPairs, p: int, upper: float, start_open: np.ndarray | None = None,
               *, max_iter: int = 3000, time_limit: float = 20.0,
               integral: bool = False) -> LagrangianResult:
    r"""Subgradient optimisation of the Lagrangian dual (Held, Wolfe & Crowder 1974).

    Step :math:`\mu (U - L) / \lVert g \rVert^2` with :math:`g_i = 1 - |\{j \in S: w_i c_{ij}
    < \lambda_i\}|`; :math:`\mu` starts at 2 and halves after 30 iterations without a better
    bound; the search stops when :math:`\mu < 10^{-4}`, when the bound meets the incumbent,
    or at the limits.

    Parameters
    ----------
    pairs
        Sorted pairs (:class:`MedianPairs`).
    p
        Number of new sites (exactly ``p`` in the relaxation: opening more never hurts).
    upper
        Value of a known solution (steers the step size; ``inf`` if none).
    start_open
        Sites of that solution (bool mask), evaluated as a candidate incumbent.
    integral
        Objective values are whole numbers: a bound within 1 of the incumbent is a proof.

    Returns
    -------
    LagrangianResult
    """
    t0 = time.perf_counter()
    fixed = pairs.fixed
    openable = ~fixed
    n_d = pairs.n_d
    best_open = start_open.copy() if start_open is not None else None
    best_value = upper
    # λ_i starts at the cost of the second nearest site: near the LP dual for most demand.
    second = np.minimum(pairs.ptr[:-1] + 1, pairs.ptr[1:] - 1)
    lam = pairs.wc[second].astype(float)
    if best_open is not None:
        _, pick = pairs.value(best_open)
        if (pick >= 0).all():
            lam = np.maximum(lam, pairs.wc[pick])
    best = -np.inf
    best_lam, best_rho = lam.copy(), np.zeros(pairs.n_cand)
    mu, stall, it = 2.0, 0, 0
    tol = 1.0 - 1e-9 if integral else 0.0
    while it < max_iter and time.perf_counter() - t0 < time_limit and mu > 1e-4:
        it += 1
        idx = pairs.prefix(lam)
        r = pairs.rows[idx]
        rho = np.bincount(r, weights=pairs.wc[idx] - lam[pairs.dcol[idx]],
                          minlength=pairs.n_cand)
        chosen, s, _, _ = _choose(rho, openable, p)
        value = float(lam.sum()) + float(rho[fixed].sum()) + s
        is_open = fixed.copy()
        is_open[chosen] = True
        if value > best + 1e-12 * max(1.0, abs(value)):
            best, best_lam, best_rho = value, lam.copy(), rho
            stall = 0
            ub, _ = pairs.value(is_open)
            if ub < best_value:
                best_value, best_open = ub, is_open
        else:
            stall += 1
            if stall >= 30:
                mu, stall = mu / 2, 0
        if best_value - best <= max(tol, 1e-9 * max(1.0, abs(best_value))):
            break
        g = np.ones(n_d)
        np.subtract.at(g, pairs.dcol[idx[is_open[r]]], 1.0)
        norm = float(g @ g)
        if norm == 0:
            break  # S(λ) assigns every demand exactly once: it is optimal
        target = best_value if np.isfinite(best_value) else abs(value) * 1.1 + 1.0
        step = mu * max(target - value, 1e-9 * max(1.0, abs(value))) / norm
        lam = np.maximum(lam + step * g, 0.0)
    return LagrangianResult(best, best_lam, best_rho, best_open, best_value, it,
                            time.perf_counter() - t0)


def fix_sites(lag: LagrangianResult, fixed: np.ndarray, p: int,
              upper: float) -> tuple[np.ndarray, np.ndarray]:
    """Sites that cannot be in a better solution (closed) and that must be (open).

    Returns two bool masks over candidates: ``closed`` and ``forced_open`` (never fixed sites).
    """
    openable = ~fixed
    rho = lag.rho
    chosen, _, kth, nxt = _choose(rho, openable, p)
    in_s = np.zeros(len(rho), dtype=bool)
    in_s[chosen] = True
    closed = openable & ~in_s & (lag.bound + rho - kth >= upper)
    forced = openable & in_s & (lag.bound - rho + nxt >= upper)
    return closed, forced


def solve_p_median_lagrangian(problem: CoverageProblem, p: int, *,
                              time_limit: float | None = 60.0, seed: int = 0,
                              threads: int = 1, mip_rel_gap: float = 1e-6,
                              start: np.ndarray | None = None, start_method: str = "",
                              start_seconds: float = 0.0,
                              exact: bool = True) -> Solution:
    """p-median by Lagrangian bound + fixing + HiGHS on what is left (see module docstring).

    Parameters
    ----------
    problem
        The sparse problem (``fixed`` sites always open, not counted in ``p``).
    p
        Number of new sites (validated by the caller).
    time_limit
        Seconds for the whole solve (``None``: no limit).
    seed, threads, mip_rel_gap
        HiGHS options; ``mip_rel_gap`` is also the proof tolerance.
    start
        Candidate positions of a known solution (e.g. greedy + swap).
    start_method, start_seconds
        Name and time of whatever produced ``start``.
    exact
        ``False`` stops after the Lagrangian phase and local search (``status="heuristic"``,
        with the Lagrangian bound).

    Returns
    -------
    Solution
        ``bound`` is always a valid lower bound (Lagrangian, or the MIP's on the rest);
        ``status="optimal"`` only when the gap is within ``mip_rel_gap``.

    Raises
    ------
    InfeasibleError
        A demand point with positive weight has no stored pair, or no ``p`` sites reach all.
    """
    from .heuristic import swap_p_median

    t0 = time.perf_counter()
    limit = np.inf if time_limit is None else float(time_limit)
    pairs = MedianPairs(problem, p)
    log = [f"p-median: {pairs.nnz} pairs after reductions (of {problem.cost.nnz} stored), "
           f"{problem.n_candidates - problem.n_fixed} openable sites, p = {p}"]
    w_int = np.all(np.abs(pairs.wc - np.round(pairs.wc)) <= 1e-9 * np.maximum(pairs.wc, 1.0))
    upper, start_open = np.inf, None
    if start is not None:
        start_open = problem.as_mask(start) | problem.fixed
        upper, _ = pairs.value(start_open)
    if pairs.n_d == 0:
        upper, start_open = 0.0, problem.fixed.copy()      # no demand: nothing to serve
    if not np.isfinite(upper) and (start is not None or _sparse(pairs, p)):
        # Sparse costs: settle feasibility first (an exact set cover), so every later phase
        # has a feasible incumbent and an infeasible instance is said to be one.
        start_open, cover_log = feasible_sites(problem, p, seed=seed, threads=threads,
                                               time_limit=max(0.2 * limit, 1.0)
                                               if np.isfinite(limit) else None)
        log.append(cover_log)
        upper, _ = pairs.value(start_open)
    if p == 0 or pairs.n_d == 0 or problem.n_candidates == problem.n_fixed:
        # Nothing to choose: the fixed sites are the solution (feasible, checked above).
        return make_solution(problem, "p_median", np.zeros(0, np.int64), bound=upper,
                             status="optimal", method=start_method or "fixed sites",
                             seconds=time.perf_counter() - t0 + start_seconds, radius=None,
                             p=p, log="\n".join(log) + "\n", sense="min")
    lag = lagrangian(pairs, p, upper, start_open, time_limit=min(0.4 * limit, 30.0),
                     integral=bool(w_int))
    if lag.best_open is None or not np.isfinite(lag.best_value):
        # No feasible site set seen: let the MIP decide (it raises when infeasible).
        best_open, upper = None, np.inf
    else:
        best_open, upper = lag.best_open, lag.best_value
    log.append(f"Lagrangian: bound {lag.bound:.10g} after {lag.iterations} iterations "
               f"({lag.seconds:.2f} s); best sites seen {upper:.10g}")
    if best_open is not None and relative_gap(upper, lag.bound) > mip_rel_gap and \
            not (w_int and lag.bound > upper - 1 + 1e-9):
        t_swap = time.perf_counter()
        new = np.flatnonzero(best_open & ~problem.fixed)
        budget = max(min(0.15 * (limit - (t_swap - t0)), 10.0), 0.5)
        new, moves = swap_p_median(problem, p, seed, start=new, time_limit=budget)
        cand_open = problem.as_mask(new) | problem.fixed
        value, _ = pairs.value(cand_open)
        if value < upper:
            upper, best_open = value, cand_open
        log.append(f"swap from the Lagrangian sites: {value:.10g} ({moves} swaps, "
                   f"{time.perf_counter() - t_swap:.2f} s)")
        if relative_gap(upper, lag.bound) > mip_rel_gap:
            # Re-run the subgradient with the better incumbent: a sharper step, more fixing.
            lag2 = lagrangian(pairs, p, upper, best_open, time_limit=min(0.2 * limit, 15.0),
                              integral=bool(w_int))
            if lag2.bound > lag.bound:
                lag = lag2
            if lag2.best_value < upper:
                upper, best_open = lag2.best_value, lag2.best_open
            log.append(f"Lagrangian again: bound {lag.bound:.10g}")
    # Each demand pays at least its cheapest pair: a floor whatever the subgradient reached.
    floor = float(pairs.wc[pairs.ptr[:-1]].sum()) if pairs.n_d else 0.0
    bound = max(lag.bound, floor)
    if w_int and np.isfinite(bound):
        bound = float(np.ceil(bound - 1e-6))
    method = "lagrangian" if not start_method else f"{start_method}→lagrangian"
    status = "heuristic"
    details: dict[str, object] = {"lagrangian_bound": lag.bound,
                                  "lagrangian_iterations": lag.iterations, "pairs": pairs.nnz}
    if best_open is not None and relative_gap(upper, bound) <= mip_rel_gap:
        status = "optimal"
    elif exact:
        closed, forced = (fix_sites(lag, problem.fixed, p, upper) if best_open is not None
                          else (np.zeros(problem.n_candidates, bool),) * 2)
        keep = ~closed
        sub_fixed = problem.fixed | forced
        p_rest = p - int(forced.sum())
        log.append(f"fixing: {int(closed.sum())} sites closed, {int(forced.sum())} forced open, "
                   f"{int((keep & ~sub_fixed).sum())} free for {p_rest} new sites")
        details.update(fixed_closed=int(closed.sum()), fixed_open=int(forced.sum()))
        rows_keep = np.flatnonzero(keep)
        new_row = np.cumsum(keep) - 1
        r_all, c_all, d_all = problem.pairs(None)
        in_sub = keep[r_all]
        # COO from explicit arrays: zero-cost pairs survive (a CSR row slice may drop them).
        sub_cost = sp.coo_array((d_all[in_sub], (new_row[r_all[in_sub]], c_all[in_sub])),
                                shape=(len(rows_keep), problem.n_demand))
        sub = CoverageProblem(sub_cost, problem.weights, fixed=sub_fixed[rows_keep])
        sub_pairs = MedianPairs(sub, p_rest)
        left = np.inf if time_limit is None else max(limit - (time.perf_counter() - t0), 0.5)
        inc = None if best_open is None else best_open[rows_keep]
        sel, _, rest, b_status, b_log = benders_p_median(
            sub_pairs, p_rest, inc, upper if inc is not None else np.inf,
            time_limit=min(left, 1e9), seed=seed, threads=threads, mip_rel_gap=mip_rel_gap,
            integral=bool(w_int))
        log.extend(b_log)
        method += "→benders"
        if b_status == "infeasible":
            raise InfeasibleError("p", p, f"{p} new facilities cannot reach every demand point "
                                  "through the stored pairs", "raise p, add candidates or "
                                  "rebuild the matrix with a larger cutoff")
        if sel is not None:
            cand_open = np.zeros(problem.n_candidates, dtype=bool)
            cand_open[rows_keep[sel]] = True
            cand_open |= problem.fixed | forced
            value, _ = pairs.value(cand_open)
            if value < upper:
                upper, best_open = value, cand_open
        if np.isfinite(rest):
            if w_int:
                rest = float(np.ceil(rest - 1e-6))
            # Solutions outside the restricted space cannot beat the incumbent.
            bound = max(bound, min(rest, upper))
        if best_open is not None and relative_gap(upper, bound) <= mip_rel_gap:
            status = "optimal"
        else:
            status = "time_limit"
    if best_open is None:
        raise SitingError("time_limit", time_limit, "no feasible set of sites was found in "
                          "time", "raise time_limit")
    new = np.flatnonzero(best_open & ~problem.fixed)
    return make_solution(problem, "p_median", new, bound=bound, status=status, method=method,
                         seconds=time.perf_counter() - t0 + start_seconds, radius=None, p=p,
                         log="\n".join(log) + "\n", sense="min", details=details)
