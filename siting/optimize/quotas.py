r"""Administrative quotas: at least / at most so many new sites in each unit.

A planning standard that is read per unit (「每个街道至少设置一处」, a township health centre in
every township) or a budget split between districts becomes, for units :math:`u` with new
candidate sites :math:`N_u`,

.. math::

    L_u \le \sum_{j \in N_u} x_j \le U_u ,

added as rows to any model of :mod:`siting.optimize` (existing facilities never count: a
quota is about what is built). A candidate a model's reductions leave out (it reaches no
demand still to serve) can still be opened to meet an "at least" quota: each unit with such
candidates gets an integer column :math:`s_u \in [0, |N_u \setminus M|]` in the same rows
and in the budget (or, for the fewest-sites models, in the objective), so the reduced model
stays exact. Solved by HiGHS only: a heuristic that keeps quotas would need its own proof.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import InfeasibleError, SitingError
from .models import MipModel
from .problem import CoverageProblem
from .solution import Solution, make_solution


@dataclass
class Quotas:
    """At least / at most so many new sites per administrative unit.

    Parameters
    ----------
    units
        The unit of each candidate (district or township name), aligned with the problem's
        candidates; ``None`` or ``""`` for a candidate in no unit.
    at_least, at_most
        ``{unit: k}``; a unit missing from a mapping has no such quota.

    Examples
    --------
    >>> Quotas(units=["A", "A", "B"], at_least={"B": 1}, at_most={"A": 1})  # doctest: +SKIP
    """

    units: Sequence[object] | np.ndarray
    at_least: Mapping[object, int] = dataclasses.field(default_factory=dict)
    at_most: Mapping[object, int] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_table(cls, units: Sequence[object] | np.ndarray, table: object) -> Quotas:
        """Quotas from a table with columns ``unit``, ``at_least`` and/or ``at_most``.

        ``table`` is a pandas DataFrame or a list of dicts; empty/NaN cells mean no quota.
        """
        import pandas as pd

        df = pd.DataFrame(table)
        if "unit" not in df.columns:
            raise SitingError("quotas", list(df.columns), "the quota table has no 'unit' "
                              "column", "give columns unit, at_least, at_most")
        lo, hi = {}, {}
        for row in df.to_dict("records"):
            for key, target in (("at_least", lo), ("at_most", hi)):
                v = row.get(key)
                if v is not None and not (isinstance(v, float) and np.isnan(v)):
                    target[row["unit"]] = v
        return cls(units=units, at_least=lo, at_most=hi)

    def check(self, problem: CoverageProblem, p: int | None) -> QuotaRows:
        """Validate against ``problem`` (and ``p``) and return the per-unit rows.

        Raises
        ------
        SitingError
            Misaligned units, a quota that is not a whole number ≥ 0, or an unknown unit.
        InfeasibleError
            A unit needs more new sites than it has candidates, minimum above maximum, or
            the minima add up to more than ``p``.
        """
        return self.rows_for(problem.fixed, p)

    def rows_for(self, fixed: np.ndarray, p: int | None = None) -> QuotaRows:
        """:meth:`check` for candidates given by their ``fixed`` mask alone."""
        fixed = np.asarray(fixed, dtype=bool)
        units = np.asarray(self.units, dtype=object)
        if units.shape != fixed.shape:
            raise SitingError("quotas.units", units.shape, f"expected one unit per candidate "
                              f"({len(fixed)})", "pass units aligned with the "
                              "candidates (e.g. the candidates' district column)")
        for name, mapping in (("at_least", self.at_least), ("at_most", self.at_most)):
            for unit, k in mapping.items():
                if isinstance(k, bool) or not float(k).is_integer() or k < 0:
                    raise SitingError(f"quotas.{name}", {unit: k}, "a quota is a whole "
                                      "number of new sites >= 0", "give e.g. {unit: 1}")
                if not (units == unit).any():
                    raise SitingError(f"quotas.{name}", unit, "no candidate lies in this unit",
                                      "check the unit names against the candidates' units")
        names = list(dict.fromkeys([*self.at_least, *self.at_most]))
        openable = ~fixed
        lo = np.array([int(self.at_least.get(u, 0)) for u in names], dtype=np.int64)
        hi = np.array([int(self.at_most[u]) if u in self.at_most else np.iinfo(np.int64).max
                       for u in names], dtype=np.int64)
        members = [np.flatnonzero((units == u) & openable) for u in names]
        short = [f"{u}: at least {k}, {len(m)} candidate sites" for u, k, m in
                 zip(names, lo, members) if k > len(m)]
        short += [f"{u}: at least {a} but at most {b}" for u, a, b in zip(names, lo, hi)
                  if a > b]
        if short:
            raise InfeasibleError("quotas", short[:10], "quotas no choice of candidates can "
                                  "meet", "add candidate sites in those units or lower the "
                                  "quotas")
        if p is not None and lo.sum() > p:
            raise InfeasibleError("quotas", int(lo.sum()), f"the minimum quotas add up to "
                                  f"{int(lo.sum())} new sites, more than p = {p}",
                                  f"raise p to at least {int(lo.sum())} or lower the quotas")
        return QuotaRows(names, members, lo, np.minimum(hi, [len(m) for m in members]))


@dataclass
class QuotaRows:
    """Validated quotas: unit names, their openable candidates, minima and maxima."""

    names: list[object]
    members: list[np.ndarray]
    lower: np.ndarray
    upper: np.ndarray


def add_quota_rows(mip: MipModel, rows: QuotaRows, *, count_objective: bool,
                   budget_row: int | None) -> tuple[MipModel, list[tuple[int, np.ndarray]]]:
    """``mip`` with the quota rows and a slack column per unit with left-out candidates.

    Parameters
    ----------
    mip
        A model whose first ``len(mip.cand)`` columns are the sites' ``x``.
    count_objective
        The objective counts new sites (LSCP, fewest facilities): slack columns cost 1.
    budget_row
        Index of the ``Σ x <= p`` row (slack columns enter it), or ``None``.

    Returns
    -------
    (model, slack) where ``slack`` lists ``(column, left-out candidates)`` per slack column.
    """
    n_cols = len(mip.col_cost)
    col_of = {int(c): k for k, c in enumerate(mip.cand)}
    r_idx, c_idx, slack = [], [], []
    for q, m in enumerate(rows.members):
        inside = [col_of[int(j)] for j in m if int(j) in col_of]
        out = np.array([int(j) for j in m if int(j) not in col_of], dtype=np.int64)
        r_idx += [q] * len(inside)
        c_idx += inside
        if len(out):
            r_idx.append(q)
            c_idx.append(n_cols + len(slack))
            slack.append((n_cols + len(slack), out))
    n_s = len(slack)
    total = n_cols + n_s
    quota = sp.csr_array((np.ones(len(r_idx)), (r_idx, c_idx)),
                         shape=(len(rows.names), total))
    base = sp.csr_array(mip.matrix)
    base = sp.hstack([base, sp.csr_array((base.shape[0], n_s))], format="csr")
    if budget_row is not None and n_s:
        extra = sp.csr_array((np.ones(n_s), (np.full(n_s, budget_row), n_cols + np.arange(n_s))),
                             shape=base.shape)
        base = sp.csr_array(base + extra)
    matrix = sp.csc_array(sp.vstack([base, quota], format="csc"))
    matrix.sort_indices()
    s_upper = np.array([len(o) for _, o in slack], dtype=float)
    col_cost = np.concatenate([mip.col_cost, np.full(n_s, 1.0 if count_objective else 0.0)])
    upper = rows.upper.astype(float)
    upper[rows.upper >= np.iinfo(np.int64).max // 2] = np.inf
    return dataclasses.replace(
        mip, name=mip.name + "+quotas", col_cost=col_cost,
        col_lower=np.concatenate([mip.col_lower, np.zeros(n_s)]),
        col_upper=np.concatenate([mip.col_upper, s_upper]),
        integrality=np.concatenate([mip.integrality, np.ones(n_s, np.int32)]),
        matrix=matrix, row_lower=np.concatenate([mip.row_lower, rows.lower.astype(float)]),
        row_upper=np.concatenate([mip.row_upper, upper]), warm_start=None), slack


def _sites(mip: MipModel, slack: list[tuple[int, np.ndarray]], col: np.ndarray) -> np.ndarray:
    """New sites of a solution: the model's x plus the left-out candidates slack opens."""
    picked = [mip.selected(col)]
    for c, out in slack:
        picked.append(out[:int(np.rint(col[c]))])
    return np.unique(np.concatenate(picked)).astype(np.int64)


def _run(mip: MipModel, *, time_limit: float | None, seed: int, threads: int,
         mip_rel_gap: float) -> object:
    from .exact import HighsSession

    with HighsSession(mip, time_limit=time_limit, mip_rel_gap=mip_rel_gap, seed=seed,
                      threads=threads) as s:
        return s.run()


def _infeasible(model: str) -> InfeasibleError:
    return InfeasibleError("quotas", model, f"HiGHS proved the {model} model with these "
                           "quotas infeasible", "lower the minimum quotas, raise p or the "
                           "maximum quotas, or add candidate sites")


def solve_with_quotas(problem: CoverageProblem, model: str, p: int | None, quotas: Quotas, *,
                      radius: float | None = None, share: float | None = None,
                      objective: str = "max_coverage", time_limit: float | None = 60.0,
                      seed: int = 0, threads: int = 1, mip_rel_gap: float = 1e-6,
                      single_source: bool = False) -> Solution:
    """Solve ``model`` exactly with the quota rows (see the module docstring).

    Models: ``lscp``, ``mclp``, ``p_median`` (classical formulation), ``p_center``
    (bisection over the stored costs, each step a set cover with quotas), ``capacitated``
    and ``capacitated_p_median``.

    Raises
    ------
    InfeasibleError
        The quotas cannot be met (see :meth:`Quotas.check`) or HiGHS proves the model with
        them infeasible.
    """
    from .capacitated import assignment_of, build_capacitated_p_median
    from .exact import build_model, trivial_bound

    t0 = time.perf_counter()
    rows = quotas.check(problem, p)
    if model == "p_center":
        return _p_center(problem, int(p or 0), rows, time_limit=time_limit, seed=seed,
                         threads=threads, t0=t0)
    if model == "capacitated_p_median":
        mip = build_capacitated_p_median(problem, int(p or 0), single_source=single_source)
    else:
        mip = build_model(problem, model, p, radius, share, objective,
                          single_source=single_source)
    counting = model == "lscp" or (model == "capacitated" and objective == "min_facilities")
    q_mip, slack = add_quota_rows(mip, rows, count_objective=counting,
                                  budget_row=None if counting else mip.shape[0] - 1)
    run = _run(q_mip, time_limit=time_limit, seed=seed, threads=threads,
               mip_rel_gap=mip_rel_gap)
    if run.status == "infeasible":
        raise _infeasible(model)
    bound = run.bound if np.isfinite(run.bound) else trivial_bound(q_mip)
    if q_mip.integral_objective:
        bound = float(np.ceil(bound - 1e-6)) if q_mip.sense == "min" else \
            float(np.floor(bound + 1e-6))
    details = {"model_status": run.model_status, "nodes": run.nodes,
               "quotas": {str(u): (int(a), None if b > 10**15 else int(b))
                          for u, a, b in zip(rows.names, rows.lower, rows.upper)}}
    method = "highs+quotas"
    if run.col_value is None:
        sol = make_solution(problem, model, np.zeros(0, np.int64), bound=bound,
                            status=run.status, method=method,
                            seconds=time.perf_counter() - t0, radius=radius, p=p,
                            log=run.log, sense=q_mip.sense, details=details)
        sol.objective, sol.gap = float("nan"), float("inf")
        return sol
    col = run.col_value
    new = _sites(mip, slack, col)
    value, assignment = None, None
    if model == "capacitated_p_median":
        value = float(mip.col_cost @ col[:len(mip.col_cost)])
        assignment = assignment_of(problem, mip, col[:len(mip.col_cost)])
    elif model == "capacitated":
        assignment = assignment_of(problem, mip, col[:len(mip.col_cost)])
        value = float(len(new)) if objective == "min_facilities" else \
            float((problem.weights[mip.meta["pairs"][1]] *
                   np.clip(col[len(mip.cand):len(mip.col_cost)], 0, 1)).sum())
    return make_solution(problem, model, new, bound=bound, status=run.status, method=method,
                         seconds=time.perf_counter() - t0, radius=radius, p=p, log=run.log,
                         objective=value, assignment=assignment, sense=q_mip.sense,
                         details=details)


def _p_center(problem: CoverageProblem, p: int, rows: QuotaRows, *,
              time_limit: float | None, seed: int, threads: int, t0: float) -> Solution:
    """Smallest stored cost r whose set cover with quotas needs at most p new sites."""
    from .models import build_lscp

    values = np.unique(problem.cost.data)
    positive = problem.weights > 0
    lo, hi = 0, len(values)
    best: np.ndarray | None = None
    status = "optimal"
    log = [f"p-center with quotas: bisection over {len(values)} distinct costs"]
    if not positive.any():
        values, hi = np.zeros(1), 1
    while lo < hi:
        mid = (lo + hi) // 2
        r = float(values[mid])
        left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0),
                                                   0.05)
        try:
            mip = build_lscp(problem, r)
        except InfeasibleError:
            lo = mid + 1
            continue
        q_mip, slack = add_quota_rows(mip, rows, count_objective=True, budget_row=None)
        run = _run(q_mip, time_limit=left, seed=seed, threads=threads, mip_rel_gap=1e-9)
        need = float(np.ceil(run.bound - 1e-6)) if np.isfinite(run.bound) else 0.0
        if run.col_value is not None and round(run.objective) <= p:
            best, hi = _sites(mip, slack, run.col_value), mid
            log.append(f"r={r:g}: {round(run.objective)} new sites suffice")
        elif run.status in ("optimal", "infeasible") or need > p:
            lo = mid + 1
            log.append(f"r={r:g}: more than {p} new sites needed")
        else:
            status = "time_limit"
            log.append(f"r={r:g}: undecided at the time limit")
            break
    if best is None:
        if status == "time_limit":
            sol = make_solution(problem, "p_center", np.zeros(0, np.int64),
                                bound=float(values[min(lo, len(values) - 1)]),
                                status=status, method="bisection+highs+quotas",
                                seconds=time.perf_counter() - t0, radius=None, p=p,
                                log="\n".join(log), sense="min")
            sol.objective, sol.gap = float("nan"), float("inf")
            return sol
        raise _infeasible("p_center")
    bound = float(values[min(lo, len(values) - 1)]) if positive.any() else 0.0
    return make_solution(problem, "p_center", best, bound=bound, status=status,
                         method="bisection+highs+quotas", seconds=time.perf_counter() - t0,
                         radius=None, p=p, log="\n".join(log), sense="min")


__all__ = ["QuotaRows", "Quotas", "add_quota_rows", "solve_with_quotas"]
