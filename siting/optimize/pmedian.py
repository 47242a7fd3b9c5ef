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
   fixed open (:math:`\rho_{[k]}` the k-th smallest). What remains is solved exactly by HiGHS
   on the classical formulation, in which fixed-open sites prune every pair no better than
   them -- usually a model of a few thousand columns.

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

from ..errors import SitingError
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
    bound = lag.bound
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


class _Cuts:
    """Benders optimality cuts ``θ_i + Σ_j (D - w_i c_ij)^+ y_j >= D`` kept as CSR pieces."""

    def __init__(self, n_cols: int) -> None:
        self.n_cols = n_cols
        self.indptr = [np.zeros(1, np.int64)]
        self.indices: list[np.ndarray] = []
        self.data: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.count = 0

    def add(self, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
            lower: np.ndarray) -> None:
        base = self.indptr[-1][-1]
        self.indptr.append(indptr[1:] + base)
        self.indices.append(indices)
        self.data.append(data)
        self.lower.append(lower)
        self.count += len(lower)

    def matrix(self) -> tuple[sp.csr_array, np.ndarray]:
        if not self.count:
            return sp.csr_array((0, self.n_cols)), np.zeros(0)
        m = sp.csr_array((np.concatenate(self.data), np.concatenate(self.indices),
                          np.concatenate(self.indptr)), shape=(self.count, self.n_cols))
        return m, np.concatenate(self.lower)


def benders_cuts(pairs: MedianPairs, y_full: np.ndarray, theta: np.ndarray | None,
                 col_of_site: np.ndarray, n_y: int,
                 tol: float = 1e-7) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""Most violated optimality cut per demand at a (fractional) point.

    For demand :math:`i` with pairs sorted by weighted cost, :math:`D` is the cost at which
    the cumulative :math:`\bar y` first reaches 1 (the subproblem's optimal dual); the cut
    :math:`\theta_i \ge D - \sum_j (D - w_i c_{ij})^+ y_j` is valid for every integer
    :math:`y` (the nearest open site costs at least the right-hand side) and tight at
    :math:`\bar y`. Returns CSR pieces (indptr, indices, data) over the master columns
    ``[y..., θ...]`` and the right-hand sides, for the demands whose cut is violated
    (all demands when ``theta`` is ``None``).
    """
    yv = y_full[pairs.rows]
    cs = np.cumsum(yv)
    base = np.concatenate([[0.0], cs])[pairs.ptr[:-1]]
    cs_in = cs - base[pairs.dcol]
    reached = np.flatnonzero(cs_in >= 1.0 - 1e-9)
    first = np.searchsorted(reached, pairs.ptr[:-1])
    kstar = reached[np.minimum(first, len(reached) - 1)]
    ok = (first < len(reached)) & (kstar < pairs.ptr[1:])
    kstar = np.where(ok, kstar, pairs.ptr[1:] - 1)
    big_d = pairs.wc[kstar]
    pos = np.arange(len(pairs.rows)) - pairs.ptr[pairs.dcol]
    before = pos < (kstar - pairs.ptr[:-1])[pairs.dcol]
    coef = big_d[pairs.dcol] - pairs.wc
    use = before & (coef > 0) & (col_of_site[pairs.rows] >= 0)
    if theta is not None:
        lhs = theta + np.bincount(pairs.dcol[use], weights=coef[use] * yv[use],
                                  minlength=pairs.n_d)
        viol = lhs < big_d - tol * np.maximum(1.0, big_d)
    else:
        viol = np.ones(pairs.n_d, dtype=bool)
    use &= viol[pairs.dcol]
    dem = np.flatnonzero(viol)
    counts = np.bincount(pairs.dcol[use], minlength=pairs.n_d)[dem] + 1
    indptr = np.zeros(len(dem) + 1, np.int64)
    np.cumsum(counts, out=indptr[1:])
    # Each cut row: its y coefficients (pairs already in demand order), then θ_i.
    order_rows = np.concatenate([pairs.dcol[use], dem])
    cols = np.concatenate([col_of_site[pairs.rows[use]], n_y + dem])
    vals = np.concatenate([coef[use], np.ones(len(dem))])
    srt = np.argsort(order_rows, kind="stable")
    return indptr, cols[srt], vals[srt], big_d[dem]


def benders_p_median(pairs: MedianPairs, p: int, incumbent: np.ndarray | None, upper: float,
                     *, time_limit: float = 60.0, seed: int = 0, threads: int = 1,
                     mip_rel_gap: float = 1e-6, integral: bool = False,
                     max_lp_rounds: int = 200) -> tuple[np.ndarray | None, float, float, str,
                                                          list[str]]:
    r"""Benders decomposition of the p-median over the sites' ``y`` only.

    Master: :math:`\min \sum_i \theta_i` s.t. :math:`\sum_{j \in N} y_j = p`, the cuts of
    :func:`benders_cuts`, :math:`y \in \{0,1\}`. The cuts are the projection of the radius
    formulation (Elloumi 2010; Duran-Mateluna, Ales & Elloumi 2023) onto ``y``. A Kelley loop
    on the LP master separates cuts for every demand at once; then the MIP master is solved,
    its sites evaluated exactly and cuts added at them until the master value meets the true
    cost (the master is a relaxation, so its bound is always valid).

    Returns
    -------
    (open mask or None, value, lower bound, status, log lines)
    """
    from .exact import HighsSession
    from .models import MipModel

    t0 = time.perf_counter()
    fixed = pairs.fixed
    sites = np.flatnonzero(~fixed)
    n_y, n_d = len(sites), pairs.n_d
    col_of_site = np.full(pairs.n_cand, -1, np.int64)
    col_of_site[sites] = np.arange(n_y)
    n_cols = n_y + n_d
    cuts = _Cuts(n_cols)
    log: list[str] = []
    best_open = None if incumbent is None else incumbent.copy()
    best_value = upper
    # θ_i is at least its cheapest pair.
    theta_lo = pairs.wc[pairs.ptr[:-1]]

    def master(integer: bool) -> MipModel:
        m, lo = cuts.matrix()
        budget = sp.csr_array((np.ones(n_y), np.arange(n_y), np.array([0, n_y])),
                              shape=(1, n_cols))
        mat = sp.csc_array(sp.vstack([budget, m], format="csr"))
        return MipModel(
            name="p_median_benders", sense="min",
            col_cost=np.concatenate([np.zeros(n_y), np.ones(n_d)]),
            col_lower=np.concatenate([np.zeros(n_y), theta_lo]),
            col_upper=np.concatenate([np.ones(n_y), np.full(n_d, np.inf)]),
            integrality=np.concatenate([np.ones(n_y) if integer else np.zeros(n_y),
                                        np.zeros(n_d)]).astype(np.int32),
            matrix=mat, row_lower=np.concatenate([[float(p)], lo]),
            row_upper=np.concatenate([[float(p)], np.full(len(lo), np.inf)]),
            offset=0.0, cand=sites, integral_objective=integral)

    def start_vector(open_mask: np.ndarray) -> np.ndarray:
        _, pick = pairs.value(open_mask)
        return np.concatenate([open_mask[sites].astype(float), pairs.wc[pick]])

    def add(y_full: np.ndarray, theta: np.ndarray | None) -> int:
        indptr, idx, val, lo = benders_cuts(pairs, y_full, theta, col_of_site, n_y)
        if len(lo):
            cuts.add(indptr, idx, val, lo)
        return len(lo)

    if best_open is not None:
        add(best_open.astype(float), None)
    # Kelley loop on the LP master (hot-started dual simplex after each batch of rows).
    lp_bound = -np.inf
    y_full = np.where(fixed, 1.0, 0.0)
    with HighsSession(master(False), time_limit=None, seed=seed, threads=threads,
                      relax=True) as lp:
        for rnd in range(max_lp_rounds):
            if time.perf_counter() - t0 > 0.5 * time_limit:
                break
            run = lp.run()
            if run.col_value is None:
                break
            lp_bound = max(lp_bound, run.objective)
            y_full[sites] = np.clip(run.col_value[:n_y], 0.0, 1.0)
            before = cuts.count
            n_new = add(y_full, run.col_value[n_y:])
            if best_open is not None:
                # In-out separation (Ben-Ameur & Neto 2007): also cut between LP and incumbent.
                mid = 0.5 * y_full + 0.5 * best_open
                add(mid, None)
            if n_new == 0:
                break
            m, lo = cuts.matrix()
            new_rows = sp.csr_array(m[before:])
            lp.h.addRows(new_rows.shape[0], lo[before:], np.full(len(lo) - before, np.inf),
                         new_rows.nnz, new_rows.indptr[:-1].astype(np.int32),
                         new_rows.indices.astype(np.int32), new_rows.data.astype(float))
    log.append(f"Benders LP: {rnd + 1} rounds, {cuts.count} cuts, LP bound {lp_bound:.10g} "
               f"({time.perf_counter() - t0:.2f} s)")
    bound = lp_bound
    status = "time_limit"
    for it in range(100):
        left = time_limit - (time.perf_counter() - t0)
        if left <= 0.2:
            break
        with HighsSession(master(True), time_limit=left, mip_rel_gap=mip_rel_gap * 0.1,
                          seed=seed, threads=threads) as s:
            if best_open is not None:
                s.set_start(start_vector(best_open))
            run = s.run()
        if np.isfinite(run.bound):
            bound = max(bound, float(run.bound))
        if run.col_value is None:
            break
        y = np.where(fixed, 1.0, 0.0)
        y[sites] = np.round(run.col_value[:n_y])
        open_mask = y > 0.5
        value, _ = pairs.value(open_mask)
        if value < best_value:
            best_value, best_open = value, open_mask
        log.append(f"Benders MIP {it + 1}: master {run.objective:.10g}, sites {value:.10g}, "
                   f"bound {run.bound:.10g}, {cuts.count} cuts ({run.status})")
        if relative_gap(best_value, bound) <= mip_rel_gap or \
                (integral and bound > best_value - 1 + 1e-9):
            status = "optimal"
            break
        if run.status != "optimal":
            break
        if add(y, run.col_value[n_y:]) == 0:
            # The master value is the sites' true value: it is optimal for the master.
            bound = max(bound, value)
            status = "optimal" if relative_gap(best_value, bound) <= mip_rel_gap else status
            break
    return best_open, best_value, bound, status, log
