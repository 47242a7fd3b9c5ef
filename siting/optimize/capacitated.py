r"""Capacitated p-median, with single-source assignment as an option, solved by HiGHS.

Each open site :math:`j` serves at most its capacity :math:`u_j` (same unit as the weights,
e.g. residents a clinic can register); demand :math:`i` of weight :math:`w_i` is served by
the open sites at total least cost:

.. math::

    \min \; & \sum_{(i,j) \in S} w_i c_{ij} z_{ij} \\
    \text{s.t.}\; & \sum_{j:(i,j) \in S} z_{ij} = 1 && \forall i: w_i > 0 \\
    & \sum_i w_i z_{ij} \le u_j x_j && \forall j \in N, \; u_j < \infty \\
    & \sum_i w_i z_{ij} \le u_j && \forall j \in F, \; u_j < \infty \\
    & z_{ij} \le x_j && \forall (i,j) \in S, j \in N \\
    & \sum_{j \in N} x_j \le p, \quad x_j \in \{0,1\}, \quad z_{ij} \in [0, 1]

(Mulvey & Beck 1984; the SJC and Lorena–Senne sets). ``single_source=True`` makes every
:math:`z_{ij}` binary: each demand point is served whole by one site, as when households are
registered at one clinic. The strong linking rows :math:`z_{ij} \le x_j` keep the LP bound
tight; :math:`S` is the stored pairs (the problem's cutoff), so the model stays sparse.

As everywhere in :mod:`siting.optimize`, ``p`` counts *new* sites and at most ``p`` open:
with capacities too, one more open site never raises the cost, so the value equals that of
the "exactly p" model whenever ``p`` sites can be opened.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from ..errors import InfeasibleError, SitingError
from .models import (MipModel, assemble, assignment_layout, budget_row, capacity_block,
                     largest_share_assignment, link_block, weighted_pairs)
from .problem import CoverageProblem
from .solution import Solution, make_solution




def build_capacitated_p_median(problem: CoverageProblem, p: int, *,
                               single_source: bool = False) -> MipModel:
    """The capacitated p-median of the module docstring as a sparse column-wise MIP.

    Raises
    ------
    SitingError
        The problem has no capacities.
    InfeasibleError
        A demand point with positive weight has no stored pair.
    """
    if problem.capacity is None:
        raise SitingError("capacity", None, "the capacitated p-median needs a capacity per "
                          "candidate", "build the problem with capacity=... (inf = unlimited)")
    w = problem.weights
    rows, cols, data = weighted_pairs(problem)
    fixed, _dem, row_of_dem, cand, col_of_cand, n_x, n_z, n_d, n_cols, z_col = \
        assignment_layout(problem, rows, cols)
    assign = sp.csc_array((np.ones(n_z), (row_of_dem[cols], z_col)), shape=(n_d, n_cols))
    capacity, cap_upper = capacity_block(problem, rows, cols, z_col, col_of_cand, n_cols)
    link = link_block(fixed, rows, z_col, col_of_cand, n_cols)
    col_cost = np.concatenate([np.zeros(n_x), w[cols] * data])
    integrality = np.concatenate([np.ones(n_x), np.full(n_z, 1.0 if single_source else 0.0)])
    wc = w[cols] * data
    integral = bool(single_source and np.all(np.abs(wc - np.round(wc)) <= 1e-9))
    return assemble("capacitated_p_median", "min",
                    [(assign, 1.0, 1.0), (capacity, -np.inf, cap_upper), (link, -np.inf, 0.0),
                     budget_row(n_x, n_cols, int(p))],
                    col_cost, np.zeros(n_cols), np.ones(n_cols), integrality, 0.0, cand,
                    integral_objective=integral,
                    meta={"pairs": (rows, cols), "single_source": single_source})


def assignment_of(problem: CoverageProblem, mip: MipModel, col: np.ndarray) -> np.ndarray:
    """Site serving the largest share of each demand point (``-1``: none)."""
    rows, cols = mip.meta["pairs"]
    z = np.clip(col[len(mip.cand):], 0.0, 1.0)
    return largest_share_assignment(problem.n_demand, rows, cols, z)


def solve_capacitated_p_median(problem: CoverageProblem, p: int, *,
                               single_source: bool = False,
                               time_limit: float | None = 60.0, seed: int = 0,
                               threads: int = 1, mip_rel_gap: float = 1e-6,
                               extra_rows: object = None) -> Solution:
    """Solve the capacitated p-median exactly with HiGHS.

    Parameters
    ----------
    problem
        Sparse problem with ``capacity`` (``inf`` = unlimited; fixed sites keep theirs).
    p
        At most this many new sites (validated by the caller).
    single_source
        Serve each demand point whole from one site (binary assignment).
    time_limit, seed, threads, mip_rel_gap
        HiGHS options. A time-limited run reports ``status="time_limit"`` and its gap.
    extra_rows
        Optional callable ``MipModel -> MipModel`` adding rows (administrative quotas).

    Returns
    -------
    Solution
        ``objective`` is the total weighted cost of the MIP's assignment (recomputed from it,
        not the nearest open site, which capacities may forbid); ``assignment`` the site
        serving the largest share of each demand point.

    Raises
    ------
    InfeasibleError
        HiGHS proved that no ``p`` new sites can serve every demand within the capacities.
    """
    from .exact import HighsSession

    t0 = time.perf_counter()
    mip = build_capacitated_p_median(problem, p, single_source=single_source)
    if extra_rows is not None:
        mip = extra_rows(mip)  # type: ignore[operator]
    with HighsSession(mip, time_limit=time_limit, mip_rel_gap=mip_rel_gap, seed=seed,
                      threads=threads) as session:
        run = session.run()
    if run.status == "infeasible":
        raise InfeasibleError("capacity", "total", "no choice of at most "
                              f"{p} new sites serves every demand point within the capacities",
                              "add capacity or candidates, raise p, or rebuild the matrix with "
                              "a larger cutoff")
    method = "highs (single source)" if single_source else "highs"
    details = {"model_status": run.model_status, "nodes": run.nodes,
               "single_source": single_source}
    bound = run.bound if np.isfinite(run.bound) else 0.0   # costs are >= 0
    if run.col_value is None:
        sol = make_solution(problem, "capacitated_p_median", np.zeros(0, np.int64),
                            bound=bound, status=run.status, method=method,
                            seconds=time.perf_counter() - t0, radius=None, p=p, log=run.log,
                            sense="min", details=details)
        sol.objective, sol.gap = float("nan"), float("inf")
        return sol
    col = run.col_value
    value = float(mip.col_cost @ col + mip.offset)
    if mip.integral_objective:
        value = float(np.round(value))
        bound = float(np.ceil(bound - 1e-6))
    return make_solution(problem, "capacitated_p_median", mip.selected(col), bound=bound,
                         status=run.status, method=method, seconds=time.perf_counter() - t0,
                         radius=None, p=p, log=run.log, objective=value,
                         assignment=assignment_of(problem, mip, col), sense="min",
                         details=details)


__all__ = ["assignment_of", "build_capacitated_p_median", "capacity_block",
           "solve_capacitated_p_median"]
