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
from .models import (MipModel, build_capacitated, build_lscp, build_mclp, build_p_median,
                     largest_share_assignment)
from .problem import CoverageProblem
from .solution import Solution, make_solution, nearest_open, relative_gap

_BANNER_SILENCED = False
# Above this many matrix entries the MIP root LP is solved by interior point.
_IPM_ROOT_NNZ = 100_000


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
    options
        Extra HiGHS options, e.g. ``{"solver": "ipm"}``.
    """

    def __init__(self, model: MipModel, *, time_limit: float | None = 60.0,
                 mip_rel_gap: float = 1e-6, seed: int = 0, threads: int = 1,
                 relax: bool = False, options: dict[str, object] | None = None) -> None:
        self.model = model
        self.relax = relax
        self.mip_rel_gap = mip_rel_gap
        self.n_cols = len(model.col_cost)
        self.empty = self.n_cols == 0
        self._time_limit = time_limit
        self._settings = {"random_seed": int(seed), "threads": int(threads),
                          "mip_rel_gap": float(mip_rel_gap)}
        if model.integral_objective:
            # Objective values are whole numbers: a gap below 1 proves optimality.
            self._settings["mip_abs_gap"] = 1.0 - 1e-6
        if not relax and model.matrix.nnz > _IPM_ROOT_NNZ and model.lp_solver == "ipm":
            # Large coverage MIPs: the root LP by interior point is ~6× faster.
            self._settings["mip_lp_solver"] = "ipm"
        self._settings.update(options or {})
        self._start: np.ndarray | None = None
        self._cuts: list[np.ndarray] = []
        fd, self._log_path = tempfile.mkstemp(prefix="siting-highs-", suffix=".log")
        os.close(fd)
        self._load(time_limit)

    def _load(self, time_limit: float | None, extra: dict[str, object] | None = None) -> None:
        """Create the Highs object, set options and pass the model column-wise."""
        self.h = h = _new_highs()
        h.setOptionValue("output_flag", True)
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("log_file", self._log_path)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
        for key, value in {**self._settings, **(extra or {})}.items():
            h.setOptionValue(key, value)
        if self.empty:
            return
        model, m = self.model, self.model.matrix
        integrality = np.zeros(self.n_cols, np.int32) if self.relax else model.integrality
        sense = highspy.ObjSense.kMaximize if model.sense == "max" else highspy.ObjSense.kMinimize
        status = h.passModel(
            int(self.n_cols), int(m.shape[0]), int(m.nnz),
            int(highspy.MatrixFormat.kColwise), int(sense), float(model.offset),
            model.col_cost, model.col_lower, model.col_upper,
            model.row_lower.astype(float), model.row_upper.astype(float),
            m.indptr.astype(np.int32), m.indices.astype(np.int32),
            m.data.astype(float), integrality.astype(np.int32))
        if status == highspy.HighsStatus.kError:
            raise RuntimeError(f"HiGHS rejected the {model.name} model")
        for cols in self._cuts:
            h.addRow(-highspy.kHighsInf, float(len(cols) - 1), len(cols), cols,
                     np.ones(len(cols)))

    def set_start(self, col_value: np.ndarray) -> None:
        """Offer a feasible solution (warm start) to the MIP."""
        if self.empty:
            return
        self._start = np.asarray(col_value, dtype=float)
        idx = np.arange(self.n_cols, dtype=np.int32)
        self.h.setSolution(int(self.n_cols), idx, self._start)

    def add_no_good(self, cand_cols: np.ndarray) -> None:
        """Forbid the set of x columns ``cand_cols`` (and its supersets)."""
        cols = np.asarray(cand_cols, dtype=np.int32)
        self._cuts.append(cols)
        self.h.addRow(-highspy.kHighsInf, float(len(cols) - 1), len(cols), cols,
                      np.ones(len(cols)))

    def run(self) -> HighsRun:
        """Solve and read status, incumbent, dual bound and log.

        The incumbent HiGHS returns is checked against the objective it reports. HiGHS
        1.16 can accept a MIP start "in the reduced space" with a wrong objective, prune
        with it, and return the start as "optimal" (seen on set covering). When the two
        disagree after a warm start, the model is re-solved with presolve off and the same
        start (correct there, and fast); the log says so.
        """
        t0 = time.perf_counter()
        if self.empty:
            return HighsRun("optimal", self.model.offset, self.model.offset, np.zeros(0),
                            "empty model after reductions\n", 0.0, "Optimal")
        run = self._solve_once(t0)
        if run.col_value is not None and self._start is not None and not self._consistent(run):
            note = (f"siting: HiGHS reported objective {run.objective:.9g} but its solution "
                    f"evaluates to {self._evaluate(run.col_value):.9g} after a MIP start; "
                    "re-solving with presolve off\n")
            left = None if self._time_limit is None else \
                self._time_limit - (time.perf_counter() - t0)
            self.h.clear()
            self._load(left, {"presolve": "off"})
            self.h.setSolution(int(self.n_cols), np.arange(self.n_cols, dtype=np.int32),
                               self._start)
            run = self._solve_once(t0)
            run.log = note + run.log
        if run.col_value is not None and not self._consistent(run):
            # Still inconsistent: trust the solution, not the claim.
            run.objective = self._evaluate(run.col_value)
            if run.status == "optimal":
                run.status = "feasible"
        return run

    def _evaluate(self, col_value: np.ndarray) -> float:
        return float(self.model.col_cost @ col_value + self.model.offset)

    def _consistent(self, run: HighsRun) -> bool:
        value = self._evaluate(run.col_value)  # type: ignore[arg-type]
        return abs(value - run.objective) <= 1e-6 * max(1.0, abs(value))

    def _solve_once(self, t0: float) -> HighsRun:
        self.h.run()
        seconds = time.perf_counter() - t0
        ms = self.h.getModelStatus()
        info = self.h.getInfo()
        with open(self._log_path, encoding="utf-8", errors="replace") as fh:
            log = fh.read()
        name = self.h.modelStatusToString(ms)
        has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
        obj = float(info.objective_function_value) if has_sol else float("nan")
        # With no integer column HiGHS runs an LP and leaves mip_dual_bound unset.
        if self.relax or not self.model.integrality.any():
            bound = obj if ms == highspy.HighsModelStatus.kOptimal else float("nan")
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


@dataclass
class LPBound:
    """A certified LP bound and the relaxation's primal point (for LP-guided heuristics)."""

    bound: float              # valid for the MIP whatever the LP solver's accuracy
    lp_objective: float       # what the LP solver reported
    col_value: np.ndarray | None
    log: str
    seconds: float


def trivial_bound(model: MipModel) -> float:
    """Bound from the column bounds alone (every column at its best end)."""
    c = model.col_cost
    best = np.maximum(c * model.col_lower, c * model.col_upper) if model.sense == "max" else \
        np.minimum(c * model.col_lower, c * model.col_upper)
    return model.offset + float(best.sum())


def dual_bound(model: MipModel, row_dual: np.ndarray) -> float:
    """Weak-duality bound of the LP relaxation for *any* row multipliers.

    For ``max c·x`` s.t. ``rl <= A x <= ru``, ``l <= x <= u`` and multipliers ``y``
    (``y_i > 0`` priced at ``ru_i``, ``y_i < 0`` at ``rl_i``; entries whose needed row bound is
    infinite are set to 0):

    ``c·x = y·Ax + (c - Aᵀy)·x <= Σ_i y_i·bound_i + Σ_j max((c - Aᵀy)_j l_j, (c - Aᵀy)_j u_j)``.

    Interior-point duals are only approximately optimal, but the bound evaluated this way is
    exact arithmetic on valid inequalities, so it is safe to report. Minimisation is handled
    by negating the objective. Both signs of ``y`` are tried (solver sign conventions differ).
    """
    sign = 1.0 if model.sense == "max" else -1.0
    c = sign * model.col_cost
    best = np.inf
    for y0 in (np.asarray(row_dual, float), -np.asarray(row_dual, float)):
        y = np.where((y0 > 0) & ~np.isfinite(model.row_upper), 0.0, y0)
        y = np.where((y < 0) & ~np.isfinite(model.row_lower), 0.0, y)
        rows = np.where(y > 0, y * np.where(np.isfinite(model.row_upper), model.row_upper, 0),
                        y * np.where(np.isfinite(model.row_lower), model.row_lower, 0))
        red = c - model.matrix.T @ y
        cols = np.maximum(red * model.col_lower, red * model.col_upper)
        best = min(best, float(rows.sum() + cols.sum()))
    bound = sign * best + model.offset
    if model.integral_objective:
        bound = float(np.floor(bound + 1e-6)) if model.sense == "max" else \
            float(np.ceil(bound - 1e-6))
    return bound


def lp_bound(model: MipModel, *, time_limit: float | None = 60.0, seed: int = 0,
             threads: int = 1) -> LPBound:
    """Certified bound from the LP relaxation (upper for max, lower for min).

    Coverage models are solved by interior point without crossover (13× faster than dual
    simplex on a 2,000 × 20,000 MCLP), p-median by dual simplex (6× faster there); the
    bound is then certified with :func:`dual_bound`.
    """
    t0 = time.perf_counter()
    if len(model.col_cost) == 0:
        return LPBound(model.offset, model.offset, np.zeros(0), "", 0.0)
    options = {"solver": "ipm", "run_crossover": "off"} if model.lp_solver == "ipm" else \
        {"solver": "simplex"}
    with HighsSession(model, time_limit=time_limit, seed=seed, threads=threads, relax=True,
                      options=options) as s:
        run = s.run()
        sol = s.h.getSolution()
        duals = np.asarray(sol.row_dual) if sol.dual_valid else None
    if duals is None:
        # No multipliers (e.g. stopped early): the trivial bound is still a bound.
        return LPBound(trivial_bound(model), run.objective, run.col_value, run.log,
                       time.perf_counter() - t0)
    return LPBound(dual_bound(model, duals), run.objective, run.col_value, run.log,
                   time.perf_counter() - t0)


def build_model(problem: CoverageProblem, model: str, p: int | None, radius: float | None,
                share: float | None = None, objective: str = "max_coverage", *,
                single_source: bool = False) -> MipModel:
    """Dispatch to the model builders (p-center is solved by :func:`solve_p_center_exact`)."""
    if model == "mclp":
        return build_mclp(problem, int(p), radius)  # type: ignore[arg-type]
    if model == "lscp":
        return build_lscp(problem, radius, share)
    if model == "p_median":
        return build_p_median(problem, int(p))  # type: ignore[arg-type]
    if model == "capacitated":
        return build_capacitated(problem, p, radius, objective, single_source=single_source)
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
                start_seconds: float = 0.0, single_source: bool = False,
                quotas: object = None) -> Solution:
    """Build the model as sparse arrays and solve it with HiGHS.

    Parameters
    ----------
    problem
        The sparse problem.
    model
        ``"lscp"``, ``"mclp"``, ``"p_median"``, ``"p_center"`` or ``"capacitated"``.
    p
        Number of new facilities (validated by the caller; see :func:`siting.optimize.solve`).
    radius, share, objective
        Model options, as in :func:`siting.optimize.solve`.
    time_limit, seed, threads, mip_rel_gap
        HiGHS options (``time_limit=None``: no limit).
    start
        Optional candidate positions to warm-start from (a heuristic solution).
    start_method, start_seconds
        Name and time of whatever produced ``start`` (reported in ``method`` / ``seconds``).
    single_source
        Capacitated models: serve each demand point whole from one site.
    quotas
        :class:`siting.optimize.quotas.Quotas`: at least / at most so many new sites per
        administrative unit (rows added to the MIP; p-median then uses the classical MIP).

    Returns
    -------
    Solution
        ``status`` is ``"optimal"`` only when HiGHS proved the gap within ``mip_rel_gap``.
    """
    if quotas is not None:
        from .quotas import solve_with_quotas

        return solve_with_quotas(problem, model, p, quotas, radius=radius, share=share,
                                 objective=objective, time_limit=time_limit, seed=seed,
                                 threads=threads, mip_rel_gap=mip_rel_gap,
                                 single_source=single_source)
    if model == "capacitated_p_median":
        from .capacitated import solve_capacitated_p_median

        sol = solve_capacitated_p_median(problem, int(p or 0), single_source=single_source,
                                         time_limit=time_limit, seed=seed, threads=threads,
                                         mip_rel_gap=mip_rel_gap)
        sol.seconds += start_seconds
        return sol
    if model == "p_center":
        return solve_p_center_exact(problem, p, time_limit=time_limit, seed=seed,
                                    threads=threads, start=start, start_method=start_method,
                                    start_seconds=start_seconds)
    if model == "p_median":
        # Lagrangian bound + fixing + Benders: the classical MIP does not scale (issue 16).
        from .pmedian import solve_p_median_lagrangian

        return solve_p_median_lagrangian(problem, int(p or 0), time_limit=time_limit,
                                         seed=seed, threads=threads, mip_rel_gap=mip_rel_gap,
                                         start=start, start_method=start_method,
                                         start_seconds=start_seconds)
    t0 = time.perf_counter()
    mip = build_model(problem, model, p, radius, share, objective, single_source=single_source)
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
    if not np.isfinite(run.bound):
        # No dual bound yet (stopped before the root LP): the trivial one is still a bound.
        run.bound = trivial_bound(mip)
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
        bound = (float(np.ceil(bound - 1e-6)) if mip.sense == "min"
                 else float(np.floor(bound + 1e-6)))
    return make_solution(problem, model, new, bound=bound, status=run.status, method=method,
                         seconds=seconds, radius=radius, p=p, log=log, objective=obj,
                         assignment=assignment, sense=mip.sense, details=details)


def _capacitated_value(problem: CoverageProblem, mip: MipModel,
                       col: np.ndarray) -> tuple[float, np.ndarray]:
    rows, cols = mip.meta["pairs"]
    z = np.clip(col[len(mip.cand):], 0.0, 1.0)
    w = problem.weights
    served = float((w[cols] * z).sum())
    # each demand → the site serving its largest share
    assignment = largest_share_assignment(problem.n_demand, rows, cols, z)
    if mip.meta["objective"] == "max_coverage":
        return served, assignment
    return float(len(mip.selected(col))), assignment


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
