"""Location-allocation on one sparse candidate × demand structure.

Models: LSCP (fewest sites covering all or a share), MCLP (most weight covered by p new
sites), p-median, p-center, capacitated coverage and the capacitated p-median (single-source
assignment as an option), each with optional administrative quotas (:class:`Quotas`) --
solved exactly with HiGHS on sparse arrays, or by greedy + swap heuristics with a certified
bound.

>>> from siting.optimize import CoverageProblem, solve
>>> problem = CoverageProblem.from_cost_matrix(cost, population, cutoff=1000)  # doctest: +SKIP
>>> solve(problem, "mclp", p=5).summary()                                       # doctest: +SKIP
"""

from .api import alternatives, closure_impact, coverage_curve, solve
from .capacitated import build_capacitated_p_median, solve_capacitated_p_median
from .candidates import (
    combine_candidates,
    grid_candidates,
    kmeans_candidates,
    network_node_candidates,
    user_candidates,
)
from .exact import solve_exact
from .heuristic import solve_heuristic
from .models import MipModel, build_capacitated, build_lscp, build_mclp, build_p_median
from .problem import CoverageProblem
from .quotas import Quotas
from .solution import Solution, evaluate

__all__ = [
    "CoverageProblem", "Solution", "solve", "solve_exact", "solve_heuristic",
    "coverage_curve", "alternatives", "closure_impact", "evaluate",
    "MipModel", "build_mclp", "build_lscp", "build_p_median", "build_capacitated",
    "grid_candidates", "kmeans_candidates", "network_node_candidates", "user_candidates",
    "combine_candidates", "Quotas", "build_capacitated_p_median", "solve_capacitated_p_median",
]
