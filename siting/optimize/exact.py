"""Exact solving with HiGHS (highspy): sparse arrays in, proven bound and honest status out.

A time-limited run is reported as ``"time_limit"`` with the solver's real dual bound and gap,
never as optimal -- PuLP reports a time-limited incumbent as "Optimal" and spopt trusts it
(see ARCHITECTURE.md, "Traps already found").
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import tempfile
import time
from dataclasses import dataclass

import highspy
import numpy as np

from ..errors import InfeasibleError, SitingError
from .models import MipModel, build_capacitated, build_lscp, build_mclp, build_p_median
from .problem import CoverageProblem
from .solution import Solution, make_solution, nearest_open, relative_gap

_BANNER_SILENCED = False


def _new_highs() -> highspy.Highs:
    """A Highs object; the copyright banner HiGHS prints once per process goes to the void.

    The banner is written by C ``printf`` at first construction, before any option can be
    set, so stdout's file descriptor is redirected for that one call.
    """
    global _BANNER_SILENCED
    if _BANNER_SILENCED:
        return highspy.Highs()
    _BANNER_SILENCED = True
    libc = None
    with contextlib.suppress(OSError):
        libc = ctypes.CDLL(None)
    try:
        fd = os.dup(1)
    except OSError:
        return highspy.Highs()
    try:
        with open(os.devnull, "w") as null:
            if libc is not None:
                libc.fflush(None)
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
            if libc is not None:
                libc.fflush(None)
    finally:
        os.dup2(fd, 1)
        os.close(fd)
    return h


@dataclass
class HighsRun:
    """What one HiGHS run produced."""

    status: str            # "optimal", "time_limit", "infeasible", "interrupted", "error"
    objective: float       # incumbent (includes the model offset); nan when none
    bound: float           # dual bound (includes the offset); nan when unknown
    col_value: np.ndarray | None
    log: str
    seconds: float
    model_status: str
    nodes: int = 0


class HighsSession:
    """One HiGHS model kept alive so cuts can be added and the model re-solved.

    Parameters
    ----------
    model
        The sparse model.
    time_limit
        Seconds for each run (``None`` = no limit).
    mip_rel_gap
        Relative gap at which HiGHS stops and reports optimal.
    seed
        HiGHS ``random_seed`` (runs are deterministic for a seed and thread count).
    threads
        HiGHS ``threads``; 1 by default on shared machines. HiGHS fixes its thread pool on
        the first run in a process, so keep this constant within a session.
    relax
        Drop integrality and solve the LP relaxation (for bounds).
    """

    def __init__(self, model: MipModel, *, time_limit: float | None = 60.0,
                 mip_rel_gap: float = 1e-6, seed: int = 0, threads: int = 1,
                 relax: bool = False) -> None:
        self.model = model
        self.relax = relax
        self.h = _new_highs()
        fd, self._log_path = tempfile.mkstemp(prefix="siting-highs-", suffix=".log")
        os.close(fd)
        h = self.h
        h.setOptionValue("output_flag", True)
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("log_file", self._log_path)
        h.setOptionValue("random_seed", int(seed))
        h.setOptionValue("threads", int(threads))
        h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
        if model.integral_objective:
            # Objective values are whole numbers: a gap below 1 proves optimality.
            h.setOptionValue("mip_abs_gap", 1.0 - 1e-6)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        self.mip_rel_gap = mip_rel_gap
        self.n_cols = len(model.col_cost)
        m = model.matrix
        integrality = np.zeros(self.n_cols, np.int32) if relax else model.integrality
        sense = highspy.ObjSense.kMaximize if model.sense == "max" else highspy.ObjSense.kMinimize
        self.empty = self.n_cols == 0
        if not self.empty:
            status = h.passModel(
                int(self.n_cols), int(m.shape[0]), int(m.nnz),
                int(highspy.MatrixFormat.kColwise), int(sense), float(model.offset),
                model.col_cost, model.col_lower, model.col_upper,
                model.row_lower.astype(float), model.row_upper.astype(float),
                m.indptr.astype(np.int32), m.indices.astype(np.int32),
                m.data.astype(float), integrality.astype(np.int32))
            if status == highspy.HighsStatus.kError:
                raise RuntimeError(f"HiGHS rejected the {model.name} model")

    def set_start(self, col_value: np.ndarray) -> None:
        """Offer a feasible solution (warm start) to the MIP."""
        if self.empty:
            return
        idx = np.arange(self.n_cols, dtype=np.int32)
        self.h.setSolution(int(self.n_cols), idx, np.asarray(col_value, dtype=float))

    def add_no_good(self, cand_cols: np.ndarray) -> None:
        """Forbid the set of x columns ``cand_cols`` (and its supersets)."""
        cols = np.asarray(cand_cols, dtype=np.int32)
        self.h.addRow(-highspy.kHighsInf, float(len(cols) - 1), len(cols), cols,
                      np.ones(len(cols)))

    def run(self) -> HighsRun:
        """Solve and read status, incumbent, dual bound and log."""
        t0 = time.perf_counter()
        if self.empty:
            return HighsRun("optimal", self.model.offset, self.model.offset, np.zeros(0),
                            "empty model after reductions\n", 0.0, "Optimal")
        self.h.run()
        seconds = time.perf_counter() - t0
        ms = self.h.getModelStatus()
        info = self.h.getInfo()
        with open(self._log_path, encoding="utf-8", errors="replace") as fh:
            log = fh.read()
        name = self.h.modelStatusToString(ms)
        has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
        obj = float(info.objective_function_value) if has_sol else float("nan")
        if self.relax:
            bound = obj
        else:
            bound = float(info.mip_dual_bound)
            if not np.isfinite(bound):
                bound = float("nan")
        if ms == highspy.HighsModelStatus.kOptimal:
            status = "optimal"
            # Trust but verify: never call a run optimal when the gap exceeds the tolerance.
            if not self.relax and relative_gap(obj, bound) > max(self.mip_rel_gap, 1e-9) * 1.01 \
                    and abs(bound - obj) > (1.0 if self.model.integral_objective else 1e-6):
                status = "feasible"
        elif ms == highspy.HighsModelStatus.kTimeLimit:
            status = "time_limit"
        elif ms in (highspy.HighsModelStatus.kInfeasible,
                    highspy.HighsModelStatus.kUnboundedOrInfeasible):
            status = "infeasible"
        elif ms in (highspy.HighsModelStatus.kInterrupt,
                    highspy.HighsModelStatus.kSolutionLimit,
                    highspy.HighsModelStatus.kIterationLimit):
            status = "interrupted"
        else:
            status = "error"
        col = np.asarray(self.h.getSolution().col_value) if has_sol else None
        return HighsRun(status, obj, bound, col, log, seconds, name,
                        int(getattr(info, "mip_node_count", 0)))

    def close(self) -> None:
        """Release HiGHS memory and the temporary log file."""
        with contextlib.suppress(Exception):
            self.h.clear()
        with contextlib.suppress(OSError):
            os.remove(self._log_path)

    def __enter__(self) -> HighsSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def lp_bound(model: MipModel, *, time_limit: float | None = 60.0, seed: int = 0,
             threads: int = 1) -> tuple[float, str]:
    """Bound from the LP relaxation (upper for max, lower for min); ``nan`` if not solved."""
    with HighsSession(model, time_limit=time_limit, seed=seed, threads=threads,
                      relax=True) as s:
        run = s.run()
    if run.status != "optimal":
        return float("nan"), run.log
    bound = run.objective
    if model.integral_objective:
        bound = float(np.ceil(bound - 1e-6)) if model.sense == "min" else float(np.floor(bound + 1e-6))
    return bound, run.log


def build_model(problem: CoverageProblem, model: str, p: int | None, radius: float | None,
                share: float | None = None, objective: str = "max_coverage") -> MipModel:
    """Dispatch to the model builders (p-center is solved by :func:`solve_p_center_exact`)."""
    if model == "mclp":
        return build_mclp(problem, int(p), radius)  # type: ignore[arg-type]
    if model == "lscp":
        return build_lscp(problem, radius, share)
    if model == "p_median":
        return build_p_median(problem, int(p))  # type: ignore[arg-type]
    if model == "capacitated":
        return build_capacitated(problem, p, radius, objective)
    raise SitingError("model", model, "no MIP builder for this model",
                      "use 'lscp', 'mclp', 'p_median', 'p_center' or 'capacitated'")


def _infeasible(problem: CoverageProblem, model: str, run: HighsRun) -> InfeasibleError:
    hint = {
        "p_median": "with the stored pairs, p new facilities cannot reach every demand point: "
                    "raise p, add candidates or rebuild with a larger cutoff",
        "capacitated": "capacity within reach is too small for the demand: add capacity or "
                       "candidates, or maximise coverage instead",
    }.get(model, "relax the targets")
    return InfeasibleError("model", model, f"HiGHS proved the {model} model infeasible", hint)


def solve_exact(problem: CoverageProblem, model: str, p: int | None = None, *,
                radius: float | None = None, share: float | None = None,
                objective: str = "max_coverage", time_limit: float | None = 60.0,
                seed: int = 0, threads: int = 1, mip_rel_gap: float = 1e-6,
                start: np.ndarray | None = None, start_method: str = "",
                start_seconds: float = 0.0) -> Solution:
    """Build the model as sparse arrays and solve it with HiGHS.

    Parameters
    ----------
    start
        Optional candidate positions to warm-start from (a heuristic solution).

    Returns
    -------
    Solution
        ``status`` is ``"optimal"`` only when HiGHS proved the gap within ``mip_rel_gap``.
    """
    if model == "p_center":
        return solve_p_center_exact(problem, p, time_limit=time_limit, seed=seed,
                                    threads=threads, start=start, start_method=start_method,
                                    start_seconds=start_seconds)
    t0 = time.perf_counter()
    mip = build_model(problem, model, p, radius, share, objective)
    build_s = time.perf_counter() - t0
    with HighsSession(mip, time_limit=time_limit, mip_rel_gap=mip_rel_gap, seed=seed,
                      threads=threads) as session:
        if start is not None and mip.warm_start is not None:
            session.set_start(mip.warm_start(problem.as_mask(start)))
        run = session.run()
    if run.status == "infeasible":
        raise _infeasible(problem, model, run)
    return _solution_from_run(problem, model, mip, run, p=p, radius=radius,
                              seconds=time.perf_counter() - t0 + start_seconds,
                              method=("highs" if not start_method else f"{start_method}→highs"),
                              extra_log=f"build {build_s:.3f} s, model {mip.shape[0]} rows × "
                                        f"{mip.shape[1]} cols, nnz {mip.matrix.nnz}\n")


def _solution_from_run(problem: CoverageProblem, model: str, mip: MipModel, run: HighsRun, *,
                       p: int | None, radius: float | None, seconds: float, method: str,
                       extra_log: str = "") -> Solution:
    """Turn a HiGHS run into a Solution (objective recomputed from the chosen sites)."""
    log = extra_log + run.log
    details = {"model_status": run.model_status, "solver_objective": run.objective,
               "nodes": run.nodes, **{k: v for k, v in mip.meta.items() if k != "pairs"}}
    if run.col_value is None:
        # No incumbent (time limit before any feasible point): nothing to report but the bound.
        sol = make_solution(problem, model, np.zeros(0, np.int64), bound=run.bound,
                            status=run.status, method=method, seconds=seconds, radius=radius,
                            p=p, log=log, sense=mip.sense, details=details)
        sol.objective = float("nan")
        sol.gap = float("inf")
        return sol
    new = mip.selected(run.col_value)
    obj = None
    assignment = None
    if model == "capacitated":
        obj, assignment = _capacitated_value(problem, mip, run.col_value)
    bound = run.bound
    if mip.integral_objective and np.isfinite(bound):
        bound = float(np.ceil(bound - 1e-6)) if mip.sense == "min" else float(np.floor(bound + 1e-6))
    return make_solution(problem, model, new, bound=bound, status=run.status, method=method,
                         seconds=seconds, radius=radius, p=p, log=log, objective=obj,
                         assignment=assignment, sense=mip.sense, details=details)


def _capacitated_value(problem: CoverageProblem, mip: MipModel,
                       col: np.ndarray) -> tuple[float | None, np.ndarray]:
    rows, cols = mip.meta["pairs"]
    z = np.clip(col[len(mip.cand):], 0.0, 1.0)
    w = problem.weights
    served = float((w[cols] * z).sum())
    # each demand → the site serving its largest share
    order = np.lexsort((-z, cols))
    first = np.ones(len(order), dtype=bool)
    first[1:] = cols[order][1:] != cols[order][:-1]
    pick = order[first]
    pick = pick[z[pick] > 1e-6]
    assignment = np.full(problem.n_demand, -1, dtype=np.int64)
    assignment[cols[pick]] = rows[pick]
    if mip.meta["objective"] == "max_coverage":
        return served, assignment
    return None, assignment


# ---------------------------------------------------------------------- p-center
def _lower_bound_p_center(problem: CoverageProblem) -> float:
    """max_i min_j c_ij over demand with positive weight: no solution can do better."""
    _, cost = nearest_open(problem, np.ones(problem.n_candidates, dtype=bool))
    positive = problem.weights > 0
    if not positive.any():
        return 0.0
    return float(cost[positive].max())


def solve_p_center_exact(problem: CoverageProblem, p: int | None, *,
                         time_limit: float | None = 60.0, seed: int = 0, threads: int = 1,
                         start: np.ndarray | None = None, start_method: str = "",
                         start_seconds: float = 0.0) -> Solution:
    r"""p-center by bisection over the distinct stored costs, each step an exact LSCP.

    The p-center optimum is the smallest stored cost :math:`r` such that at most :math:`p`
    new sites cover every demand with :math:`w_i > 0` within :math:`r`:

    .. math::

        \min r \quad \text{s.t.} \quad \mathrm{LSCP}(r) \le p

    This is exact (the optimum is always one of the stored costs) and each LSCP step is
    small and tight, unlike the weak :math:`\sum_j c_{ij} z_{ij} \le D` formulation. The
    bound is the largest radius proven infeasible's successor; on a time limit the gap is
    real.
    """
    t0 = time.perf_counter()
    p = int(p or 0)
    w = problem.weights
    positive = w > 0
    reach_any = problem.coverable(None)
    missing = positive & ~reach_any
    if missing.any():
        raise problem.infeasible_demand(
            missing, "have no stored travel cost to any candidate",
            "add candidates near them, rebuild with a larger cutoff, or give them weight 0")
    if not positive.any():
        return make_solution(problem, "p_center", np.zeros(0, np.int64), bound=0.0,
                             status="optimal", method="bisection+highs", seconds=0.0,
                             radius=None, p=p, sense="min")
    values = np.unique(problem.cost.data)
    n = len(values)
    lb = _lower_bound_p_center(problem)
    # Invariant: every index < lo is infeasible; index hi is feasible (hi == n: none known).
    lo, hi = int(np.searchsorted(values, lb)), n
    best_new: np.ndarray | None = None
    log = [f"p-center bisection over {n} distinct costs, lower bound {lb:g}"]
    if start is not None:
        start_new = problem.as_mask(start) & ~problem.fixed
        _, cost = nearest_open(problem, start_new | problem.fixed)
        r0 = float(cost[positive].max())
        if np.isfinite(r0) and int(start_new.sum()) <= p:
            hi = int(np.searchsorted(values, r0))
            best_new = np.flatnonzero(start_new)
            log.append(f"start ({start_method}) gives radius {r0:g}")
    deadline = None if time_limit is None else t0 + time_limit
    status = "optimal"
    while lo < hi:
        mid = (lo + hi) // 2
        r = float(values[mid])
        remaining = None if deadline is None else max(deadline - time.perf_counter(), 0.01)
        try:
            mip = build_lscp(problem, r)
        except InfeasibleError:
            log.append(f"r={r:g}: some demand unreachable → infeasible")
            lo = mid + 1
            continue
        with HighsSession(mip, time_limit=remaining, seed=seed, threads=threads) as s:
            run = s.run()
        need_lb = float(np.ceil(run.bound - 1e-6)) if np.isfinite(run.bound) else 0.0
        if run.col_value is not None and round(run.objective) <= p:
            best_new, hi = mip.selected(run.col_value), mid
            log.append(f"r={r:g}: {int(round(run.objective))} new sites suffice → feasible")
        elif run.status == "optimal" or need_lb > p:
            lo = mid + 1
            log.append(f"r={r:g}: at least {max(need_lb, run.objective):g} new sites needed "
                       "→ infeasible")
        else:
            status = "time_limit"
            log.append(f"r={r:g}: undecided at the time limit ({run.model_status})")
            break
        if deadline is not None and time.perf_counter() > deadline and lo < hi:
            status = "time_limit"
            log.append("time limit reached during bisection")
            break
    if best_new is None:
        if status == "time_limit":
            sol = make_solution(problem, "p_center", np.zeros(0, np.int64),
                                bound=float(values[min(lo, n - 1)]), status="time_limit",
                                method="bisection+highs", seconds=time.perf_counter() - t0,
                                radius=None, p=p, log="\n".join(log), sense="min")
            sol.objective, sol.gap = float("nan"), float("inf")
            return sol
        raise InfeasibleError("p", p, f"{p} new facilities cannot reach every demand point "
                              "through the stored pairs", "raise p, add candidates or "
                              "rebuild the matrix with a larger cutoff")
    bound = float(values[min(lo, n - 1)])
    method = "bisection+highs" if not start_method else f"{start_method}→bisection+highs"
    return make_solution(problem, "p_center", best_new, bound=bound, status=status,
                         method=method, seconds=time.perf_counter() - t0 + start_seconds,
                         radius=None, p=p, log="\n".join(log), sense="min")
