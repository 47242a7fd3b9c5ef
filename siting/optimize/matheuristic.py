"""LP-guided search for large MCLP instances: where a plain MIP stalls, certify a small gap.

Measured on 2,000 candidates × 20,000 clustered cells (1 km radius, p = 50): greedy + swap
stops 2.9 % below the LP bound, and HiGHS given 60 s neither improves the incumbent nor
finishes its simplex root LP. This pipeline closes most of that gap in seconds:

1. greedy + swap (sub-second);
2. LP relaxation by interior point (no crossover), bound certified by weak duality;
3. restarts from the LP point: the ``p`` largest :math:`x^*_j`, then randomised roundings
   (sites drawn with probability :math:`\\propto x^*_j`), each improved by swap;
4. a *kernel* MIP restricted to the LP support plus the incumbent, warm-started;
5. swap polish on the full problem, then the full MIP, warm-started, for the time left
   (its dual bound tightens the LP bound; if it finishes the result is proven optimal).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from .exact import HighsSession, lp_bound
from .heuristic import swap_mclp
from .models import MipModel, build_mclp
from .problem import CoverageProblem
from .solution import Solution, evaluate, make_solution, relative_gap

# Below these sizes the warm-started MIP alone is the faster route to a proof.
SMALL_SITES = 200
SMALL_NNZ = 20_000


def is_large(mip: MipModel) -> bool:
    """True when the LP-guided pipeline should run before (or instead of) the plain MIP."""
    return len(mip.cand) > SMALL_SITES and mip.matrix.nnz > SMALL_NNZ


def _value(problem: CoverageProblem, sites: np.ndarray, radius: float | None) -> float:
    return float(evaluate(problem, "mclp", sites, radius)["covered_weight"])


def lp_restarts(problem: CoverageProblem, p: int, radius: float | None, mip: MipModel,
                x_lp: np.ndarray, best: np.ndarray, *, seed: int, budget: float,
                max_restarts: int = 30) -> tuple[np.ndarray, int]:
    """Swap local search from LP-derived starts; returns the best sites and restarts run."""
    t_end = time.perf_counter() + budget
    x = np.clip(np.asarray(x_lp[: len(mip.cand)], float), 0.0, 1.0)
    best_val = _value(problem, best, radius)
    rng = np.random.default_rng(seed)
    starts = [mip.cand[np.argsort(-x, kind="stable")[:p]]]
    runs = 0
    prob = x + 1e-9
    prob /= prob.sum()
    n_draw = min(p, int((prob > 0).sum()))
    while runs < max_restarts and time.perf_counter() < t_end:
        start = starts.pop() if starts else \
            mip.cand[rng.choice(len(x), size=n_draw, replace=False, p=prob)]
        sites, _ = swap_mclp(problem, p, radius, seed, start=start,
                             time_limit=max(t_end - time.perf_counter(), 0.05))
        runs += 1
        val = _value(problem, sites, radius)
        if val > best_val + 1e-9:
            best, best_val = sites, val
    return best, runs


def kernel_mip(problem: CoverageProblem, mip: MipModel, x_lp: np.ndarray, best: np.ndarray,
               p: int, *, time_limit: float, seed: int, threads: int,
               mip_rel_gap: float) -> tuple[np.ndarray, str]:
    """MIP restricted to sites with LP value > 0.01, the ``2p`` largest and the incumbent."""
    x = np.asarray(x_lp[: len(mip.cand)], float)
    keep = (x > 0.01) | np.isin(mip.cand, best)
    keep[np.argsort(-x, kind="stable")[: 2 * p]] = True
    if keep.mean() > 0.5:
        return best, "kernel skipped (LP support is not small)\n"
    upper = mip.col_upper.copy()
    upper[: len(mip.cand)][~keep] = 0.0
    sub = dataclasses.replace(mip, col_upper=upper)
    with HighsSession(sub, time_limit=time_limit, seed=seed, threads=threads,
                      mip_rel_gap=mip_rel_gap) as s:
        s.set_start(mip.warm_start(problem.as_mask(best)))
        run = s.run()
    if run.col_value is None:
        return best, f"kernel MIP ({int(keep.sum())} sites): no solution\n"
    return mip.selected(run.col_value), (f"kernel MIP ({int(keep.sum())} sites): "
                                         f"{run.status}, {run.objective:.6g}\n")


def solve_mclp_large(problem: CoverageProblem, p: int, radius: float | None = None, *,
                     time_limit: float | None = 60.0, seed: int = 0, threads: int = 1,
                     mip_rel_gap: float = 1e-6, full_mip: bool = True,
                     t_start: float | None = None) -> Solution:
    """The LP-guided pipeline above; ``full_mip=False`` stops after the swap polish.

    Returns
    -------
    Solution
        ``status="optimal"`` only if the certified gap is within ``mip_rel_gap``;
        otherwise ``"time_limit"`` (``"heuristic"`` when ``full_mip=False``).
    """
    t0 = time.perf_counter() if t_start is None else t_start
    total = 60.0 if time_limit is None else float(time_limit)

    def left() -> float:
        return total - (time.perf_counter() - t0)

    log: list[str] = []
    best, moves = swap_mclp(problem, p, radius, seed, time_limit=max(0.1 * total, 1.0))
    log.append(f"greedy+swap: {_value(problem, best, radius):.6g} ({moves} swaps, "
               f"{time.perf_counter() - t0:.2f} s)")
    mip = build_mclp(problem, p, radius)
    # The LP is both the certificate and the guide: give it most of what is left.
    lp = lp_bound(mip, time_limit=max(0.7 * left(), 2.0), seed=seed, threads=threads)
    bound = lp.bound
    log.append(f"LP (ipm) {lp.lp_objective:.6g}, certified bound {bound:.6g} "
               f"({lp.seconds:.2f} s)")
    if lp.col_value is not None and \
            relative_gap(_value(problem, best, radius), bound) > mip_rel_gap:
        best, runs = lp_restarts(problem, p, radius, mip, lp.col_value, best, seed=seed,
                                 budget=max(min(0.15 * total, left() - 0.5 * total), 0.5))
        log.append(f"LP-guided restarts ({runs}): {_value(problem, best, radius):.6g}")
        if relative_gap(_value(problem, best, radius), bound) > mip_rel_gap and left() > 1.0:
            sel, msg = kernel_mip(problem, mip, lp.col_value, best, p,
                                  time_limit=max(0.4 * left(), 0.5), seed=seed,
                                  threads=threads, mip_rel_gap=mip_rel_gap)
            log.append(msg.strip())
            if _value(problem, sel, radius) > _value(problem, best, radius):
                best = sel
            best, moves = swap_mclp(problem, p, radius, seed, start=best,
                                    time_limit=max(min(5.0, left()), 0.1))
            log.append(f"swap polish ({moves} swaps): {_value(problem, best, radius):.6g}")
    value = _value(problem, best, radius)
    status = "heuristic"
    method = "greedy+swap+lp-guided"
    if full_mip and relative_gap(value, bound) > mip_rel_gap and left() > 1.0:
        with HighsSession(mip, time_limit=left(), seed=seed, threads=threads,
                          mip_rel_gap=mip_rel_gap) as s:
            s.set_start(mip.warm_start(problem.as_mask(best)))
            run = s.run()
        method += "→highs"
        log.append(f"full MIP: {run.status}, incumbent {run.objective:.6g}, "
                   f"bound {run.bound:.6g}")
        if run.col_value is not None:
            sel = mip.selected(run.col_value)
            if _value(problem, sel, radius) >= value:
                best, value = sel, _value(problem, sel, radius)
        if np.isfinite(run.bound):
            bound = min(bound, run.bound) if np.isfinite(bound) else run.bound
        log.append(run.log)
        status = "time_limit"
    elif full_mip:
        status = "time_limit" if relative_gap(value, bound) > mip_rel_gap else "optimal"
    if relative_gap(value, bound) <= mip_rel_gap:
        status = "optimal"
    return make_solution(problem, "mclp", best, bound=bound, status=status, method=method,
                         seconds=time.perf_counter() - t0, radius=radius, p=p,
                         log="\n".join(log) + "\n" + lp.log, sense="max",
                         details={"lp_objective": lp.lp_objective})
