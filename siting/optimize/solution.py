"""The result object every solver returns, and the evaluation of a set of open sites.

Objectives are always *recomputed* from the selected sites here, never copied from the
solver: what the user reads is what the chosen sites achieve, whatever a solver claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .problem import CoverageProblem

STATUSES = ("optimal", "time_limit", "heuristic", "feasible", "interrupted")


@dataclass
class Solution:
    """Sites chosen by a location-allocation model, with how good they provably are.

    Attributes
    ----------
    model
        ``"lscp"``, ``"mclp"``, ``"p_median"``, ``"p_center"`` or ``"capacitated"``.
    selected
        Positions of every open candidate, existing (fixed) facilities included, ascending.
    new
        Positions of newly opened candidates; for greedy results in order of addition.
    objective
        Value of the chosen sites, recomputed from them: covered weight (MCLP, capacitated
        max-coverage), number of new facilities (LSCP, capacitated min-facilities), total
        weighted cost (p-median) or maximum cost (p-center).
    bound
        Proven bound on the best possible objective (upper for maximisation, lower for
        minimisation); ``nan`` when none is known.
    gap
        Relative gap ``|bound - objective| / |objective|`` (0 = proven optimal).
    status
        ``"optimal"`` (gap within the solver tolerance), ``"time_limit"`` (stopped by the
        time limit: objective is the incumbent, gap is real), ``"heuristic"`` (no MIP run;
        bound from an LP relaxation) or ``"interrupted"``.
    method
        What produced the sites, e.g. ``"highs"``, ``"greedy+swap"``, ``"greedy+swap→highs"``.
    seconds
        Wall time of building and solving.
    covered_weight, covered_share
        Weight (and share of the total) within ``radius`` of an open site (for p-median and
        p-center: reachable at all through a stored pair).
    assignment
        Demand → candidate position serving it (nearest open, or largest capacitated share),
        ``-1`` if none.
    log
        Solver log text (HiGHS output and the steps taken).
    """

    model: str
    selected: np.ndarray
    new: np.ndarray
    objective: float
    bound: float
    gap: float
    status: str
    method: str
    seconds: float
    covered_weight: float
    covered_share: float
    assignment: np.ndarray | None = None
    log: str = ""
    p: int | None = None
    radius: float | None = None
    candidate_ids: pd.Index | None = field(default=None, repr=False)
    details: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def selected_ids(self) -> list[object]:
        """Candidate labels of every open site."""
        return list(self.candidate_ids[self.selected]) if self.candidate_ids is not None else \
            self.selected.tolist()

    @property
    def new_ids(self) -> list[object]:
        """Candidate labels of the newly opened sites."""
        return list(self.candidate_ids[self.new]) if self.candidate_ids is not None else \
            self.new.tolist()

    @property
    def is_optimal(self) -> bool:
        """True only when the solver proved optimality within its tolerance."""
        return self.status == "optimal"

    def summary(self) -> str:
        """One line for logs and notebooks."""
        return (f"{self.model}: {len(self.new)} new of {len(self.selected)} open, objective "
                f"{self.objective:.6g}, bound {self.bound:.6g}, gap {self.gap:.3%}, "
                f"{self.status} ({self.method}, {self.seconds:.2f} s), covered "
                f"{self.covered_share:.2%}")


def relative_gap(objective: float, bound: float) -> float:
    """``|bound - objective| / |objective|`` with the 0/0 and no-bound cases handled."""
    if not np.isfinite(objective) or not np.isfinite(bound):
        return float("nan") if np.isnan(bound) else float("inf")
    diff = abs(bound - objective)
    if diff <= 1e-9 * max(1.0, abs(objective)):
        return 0.0
    return diff / abs(objective) if abs(objective) > 0 else float("inf")


def nearest_open(problem: CoverageProblem, open_mask: np.ndarray,
                 radius: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Nearest open candidate and its cost for every demand point (``-1`` / ``inf`` if none).

    Vectorised: keep stored pairs of open candidates, sort by (demand, cost), take the first.
    Ties go to the lower candidate position, so the result is deterministic.
    """
    rows, cols, data = problem.pairs(radius)
    keep = open_mask[rows]
    r, c, d = rows[keep], cols[keep], data[keep]
    order = np.lexsort((r, d, c))
    r, c, d = r[order], c[order], d[order]
    first = np.ones(len(c), dtype=bool)
    first[1:] = c[1:] != c[:-1]
    assign = np.full(problem.n_demand, -1, dtype=np.int64)
    cost = np.full(problem.n_demand, np.inf)
    assign[c[first]] = r[first]
    cost[c[first]] = d[first]
    return assign, cost


def evaluate(problem: CoverageProblem, model: str, selected: np.ndarray,
             radius: float | None = None) -> dict[str, Any]:
    """Objective and coverage of opening ``selected`` (mask or positions; fixed added).

    Returns a dict with ``objective``, ``covered_weight``, ``covered_share``,
    ``assignment``, ``n_uncovered`` (demand points with positive weight not covered),
    ``n_uncovered_all`` (all demand points, as spopt counts them), ``mean_cost`` and
    ``max_cost``.
    """
    open_mask = problem.as_mask(selected) | problem.fixed
    assign, cost = nearest_open(problem, open_mask, radius)
    w = problem.weights
    covered = assign >= 0
    positive = w > 0
    covered_weight = float(w[covered].sum())
    total = problem.total_weight
    finite = np.isfinite(cost) & positive
    out: dict[str, Any] = {
        "assignment": assign,
        "covered_weight": covered_weight,
        "covered_share": covered_weight / total if total > 0 else 1.0,
        "n_uncovered": int((~covered & positive).sum()),
        "n_uncovered_all": int((~covered).sum()),
        "total_cost": float((w[finite] * cost[finite]).sum()) if (finite == positive).all()
        else float("inf"),
        "max_cost": float(cost[positive].max()) if positive.any() else 0.0,
    }
    out["mean_cost"] = out["total_cost"] / total if total > 0 else 0.0
    n_new = int((open_mask & ~problem.fixed).sum())
    if model in ("mclp", "capacitated"):
        out["objective"] = covered_weight
    elif model == "lscp":
        out["objective"] = float(n_new)
    elif model in ("p_median", "capacitated_p_median"):
        out["objective"] = out["total_cost"]
    elif model == "p_center":
        out["objective"] = out["max_cost"]
    else:
        raise ValueError(model)
    return out


def make_solution(problem: CoverageProblem, model: str, new: np.ndarray, *, bound: float,
                  status: str, method: str, seconds: float, radius: float | None,
                  p: int | None, log: str = "", objective: float | None = None,
                  assignment: np.ndarray | None = None, sense: str = "max",
                  details: dict[str, Any] | None = None) -> Solution:
    """Assemble a :class:`Solution`, recomputing objective and coverage from the sites.

    ``objective`` overrides the recomputed value only for models whose value is not a
    function of the open set alone (capacitated coverage).
    """
    new = np.asarray(new, dtype=np.int64)
    new = new[~problem.fixed[new]]
    open_mask = problem.as_mask(new) | problem.fixed
    ev = evaluate(problem, model, open_mask, radius)
    value = ev["objective"] if objective is None else float(objective)
    if np.isfinite(bound) and np.isfinite(value):
        # A bound the incumbent beats is numerical noise from the solver's tolerances.
        bound = max(bound, value) if sense == "max" else min(bound, value)
    gap = relative_gap(value, bound)
    covered_weight, covered_share = ev["covered_weight"], ev["covered_share"]
    if assignment is not None:
        covered = assignment >= 0
        covered_weight = float(problem.weights[covered].sum())
        covered_share = covered_weight / problem.total_weight if problem.total_weight else 1.0
    info = {k: ev[k] for k in ("n_uncovered", "n_uncovered_all", "mean_cost", "max_cost",
                               "total_cost")}
    info.update(details or {})
    return Solution(
        model=model, selected=np.flatnonzero(open_mask), new=new, objective=float(value),
        bound=float(bound), gap=gap, status=status, method=method, seconds=float(seconds),
        covered_weight=covered_weight, covered_share=covered_share,
        assignment=ev["assignment"] if assignment is None else assignment, log=log, p=p,
        radius=radius, candidate_ids=problem.candidate_ids, details=info,
    )
