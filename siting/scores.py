"""Accessibility scores on street networks: the 2SFCA family, gravity and potential.

A score says how much supply (beds, places, vehicles, or facilities counted one each) each
resident can reach, discounted by travel cost and shared with everyone else who can reach the
same facilities. All methods run on the sparse facility × cell cost matrix siting already
computes (:meth:`siting.StudyArea.reach`), never on a dense one:

=============  ==============================================================================
``2sfca``      two-step floating catchment (Luo & Wang 2003): binary catchment ≤ cut-off.
``e2sfca``     enhanced 2SFCA (Luo & Qi 2009): stepped weights, by default 1 / 0.68 / 0.22 in
               the thirds of the cut-off.
``g2sfca``     Gaussian 2SFCA (Dai 2010): (e^(−½(d/d₀)²) − e^(−½)) / (1 − e^(−½)), 0 at d₀.
``kd2sfca``    kernel-density 2SFCA: a kernel of the cut-off (quartic by default) in both steps.
``gravity``    competition-adjusted gravity (Joseph & Bantock 1982; Shen 1998): both steps
               weighted by a power or exponential decay.
``3sfca``      three-step FCA (Wan, Zou & Sternberg 2012): selection weights share each
               resident's demand among the facilities he can reach.
``potential``  Hansen potential: Σ supply × decay, without competition for it.
=============  ==============================================================================

Step one divides each facility's supply by the decay-weighted demand within its catchment
(``Rⱼ = Sⱼ / Σₖ Pₖ w(dₖⱼ)``); step two sums the ratios a cell reaches (``Aᵢ = Σⱼ Rⱼ w(dᵢⱼ)``).
Scores are supply per person of the population basis (multiply by 30,000 for "vehicles per
30,000 residents"). Oracle: pysal/access on the same cost matrix (tests/test_scores.py).

Every cell is accounted for: ``status`` is ``"scored"`` (reaches at least one facility),
``"no_facility"`` (on the network, but nothing within the cut-off: score 0) or
``"unsnapped"`` (beyond the snap distance of the network: score NaN, reported as
unreachable). Facilities whose catchment holds no demand cannot share their supply with
anyone; they are listed in :attr:`Scores.notes`, never dropped silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from .equity import STUDY_AREA
from .errors import SitingError, UnitError
from .units import Quantity, parse_cutoff

if TYPE_CHECKING:
    from .study_area import StudyArea

METHODS = ("2sfca", "e2sfca", "g2sfca", "kd2sfca", "gravity", "3sfca", "potential")
#: Luo & Qi (2009): weights of the three travel zones of the enhanced 2SFCA.
E2SFCA_WEIGHTS = (1.0, 0.68, 0.22)
KERNELS = ("quartic", "epanechnikov", "triangular", "uniform")
DIRECTIONS = ("to_facility", "from_facility")
STATUSES = ("scored", "no_facility", "unsnapped")


# ---------------------------------------------------------------------------------------------
# distance decay, stated in units
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Decay:
    """A distance-decay weight ``w(cost)``; parameters are quantities in units.

    Build one with :func:`binary`, :func:`steps`, :func:`gaussian`, :func:`kernel`,
    :func:`power` or :func:`exponential`. Calling it on costs in the base unit of its
    dimension (metres, or minutes) returns the weights.
    """

    shape: str
    dimension: str
    params: tuple[tuple[str, float], ...]
    limits: tuple[float, ...] = ()
    values: tuple[float, ...] = ()

    def param(self, name: str) -> float:
        return dict(self.params)[name]

    @property
    def reach(self) -> float:
        """The largest cost with a positive weight (``inf`` for power and exponential)."""
        if self.shape == "steps":
            return self.limits[-1]
        if self.shape in ("power", "exponential"):
            return math.inf
        return self.param("cutoff")

    def __call__(self, cost: np.ndarray) -> np.ndarray:
        c = np.asarray(cost, dtype=float)
        if self.shape == "binary":
            return (c <= self.param("cutoff")).astype(float)
        if self.shape == "steps":
            # a cost on a zone's limit belongs to that zone (as in pysal's step_fn)
            zone = np.searchsorted(np.asarray(self.limits), c, side="left")
            table = np.append(np.asarray(self.values), 0.0)
            return table[zone]
        if self.shape == "gaussian":
            d0 = self.param("cutoff")
            low = math.exp(-0.5)
            w = (np.exp(-0.5 * (c / d0) ** 2) - low) / (1.0 - low)
            return np.where(c <= d0, w, 0.0)
        if self.shape in KERNELS:
            u = c / self.param("cutoff")
            inside = u <= 1.0
            if self.shape == "quartic":
                w = (1.0 - u * u) ** 2
            elif self.shape == "epanechnikov":
                w = 1.0 - u * u
            elif self.shape == "triangular":
                w = 1.0 - u
            else:
                w = np.ones_like(u)
            return np.where(inside, w, 0.0)
        if self.shape == "power":
            floor = self.param("min_cost")
            return (np.maximum(c, floor) / floor) ** (-self.param("beta"))
        if self.shape == "exponential":
            return np.exp(-c / self.param("scale"))
        raise SitingError("decay", self.shape, "unknown decay shape",
                          "build it with siting.scores.gaussian(...), power(...) and the like")

    def describe(self) -> str:
        unit = "min" if self.dimension == "time" else "m"
        if self.shape == "steps":
            zones = ", ".join(f"≤ {lim:g} {unit}: {val:g}" for lim, val in
                              zip(self.limits, self.values))
            return f"steps ({zones})"
        parts = []
        for name, value in self.params:
            parts.append(f"{name} {value:g}" + ("" if name == "beta" else f" {unit}"))
        return f"{self.shape} ({', '.join(parts)})"


def _cost(value: object, field_name: str, dimension: str | None = None) -> Quantity:
    quantity = parse_cutoff(value, field=field_name)  # type: ignore[arg-type]
    if dimension is not None and quantity.dimension != dimension:
        raise UnitError(field_name, value, f"a {quantity.dimension} where the costs are "
                        f"{dimension}s", f"give it in the cut-off's dimension ({dimension})")
    return quantity


def binary(cutoff: str | float | Quantity) -> Decay:
    """Weight 1 within ``cutoff`` ("15 min", "1000 m"), 0 beyond: the classic 2SFCA.

    Examples
    --------
    >>> binary("15 min")([10.0, 15.0, 16.0]).tolist()
    [1.0, 1.0, 0.0]
    """
    q = _cost(cutoff, "cutoff")
    return Decay("binary", q.dimension, (("cutoff", q.value),))


def steps(zones: Mapping[str | float, float]) -> Decay:
    """Stepped weights: ``{"10 min": 1, "20 min": 0.68, "30 min": 0.22}`` (E2SFCA).

    A cost weighs the value of the first zone whose limit it does not exceed; beyond the last
    limit the weight is 0.

    Raises
    ------
    SitingError
        No zones, zones of mixed dimensions, or a negative weight.
    """
    if not isinstance(zones, Mapping) or not zones:
        raise SitingError("steps", zones, "stepped weights need at least one zone",
                          "give {'10 min': 1, '20 min': 0.68, '30 min': 0.22}")
    parsed = [(_cost(k, "steps"), float(v)) for k, v in zones.items()]
    dims = {q.dimension for q, _ in parsed}
    if len(dims) != 1:
        raise SitingError("steps", list(zones), "zones mix lengths and times",
                          "state every zone in minutes or every zone in metres")
    if any(not (v >= 0 and math.isfinite(v)) for _, v in parsed):
        raise SitingError("steps", dict(zones), "weights must be finite and ≥ 0",
                          "give weights such as 1, 0.68, 0.22")
    parsed.sort(key=lambda item: item[0].value)
    return Decay("steps", dims.pop(), (), tuple(q.value for q, _ in parsed),
                 tuple(v for _, v in parsed))


def gaussian(cutoff: str | float | Quantity) -> Decay:
    """Dai's (2010) Gaussian weight, 1 at no cost and 0 at ``cutoff``.

    Examples
    --------
    >>> gaussian("30 min")([0.0, 15.0, 30.0]).round(3).tolist()
    [1.0, 0.701, 0.0]
    """
    q = _cost(cutoff, "cutoff")
    return Decay("gaussian", q.dimension, (("cutoff", q.value),))


def kernel(cutoff: str | float | Quantity, shape: str = "quartic") -> Decay:
    """A kernel of bandwidth ``cutoff``: ``quartic`` (1 − u²)², ``epanechnikov`` 1 − u²,
    ``triangular`` 1 − u or ``uniform``, with u = cost / cutoff and 0 beyond it."""
    if shape not in KERNELS:
        raise SitingError("kernel", shape, "unknown kernel", f"use one of {list(KERNELS)}")
    q = _cost(cutoff, "cutoff")
    return Decay(shape, q.dimension, (("cutoff", q.value),))


def power(beta: float, min_cost: str | float | Quantity) -> Decay:
    """Power decay ``(max(d, d_min) / d_min)^−β``: 1 up to ``min_cost``, which also keeps the
    weight finite at zero cost (a facility in the cell itself).

    Examples
    --------
    >>> power(2, "1 min")([0.5, 2.0]).tolist()
    [1.0, 0.25]
    """
    if not (isinstance(beta, (int, float)) and math.isfinite(beta) and beta > 0):
        raise SitingError("beta", beta, "the decay exponent must be a positive number",
                          "give beta=1.0 or beta=2.0 (common in the literature)")
    q = _cost(min_cost, "min_cost")
    return Decay("power", q.dimension, (("beta", float(beta)), ("min_cost", q.value)))


def exponential(scale: str | float | Quantity) -> Decay:
    """Exponential decay ``e^(−d / scale)``: the weight falls to 37 % at ``scale``."""
    q = _cost(scale, "scale")
    return Decay("exponential", q.dimension, (("scale", q.value),))


def default_decay(method: str, cutoff: Quantity) -> Decay | None:
    """The decay a method uses when none is given (``None``: the method needs one)."""
    if method == "2sfca":
        return binary(cutoff)
    if method in ("e2sfca", "3sfca"):
        thirds = [Quantity(cutoff.value * k / 3, cutoff.dimension) for k in (1, 2, 3)]
        return steps(dict(zip(thirds, E2SFCA_WEIGHTS)))
    if method == "g2sfca":
        return gaussian(cutoff)
    if method == "kd2sfca":
        return kernel(cutoff)
    return None


# ---------------------------------------------------------------------------------------------
# the arithmetic, on coordinate arrays
# ---------------------------------------------------------------------------------------------
@dataclass
class FCAResult:
    """Scores per cell and ratios per facility from :func:`fca_scores`."""

    score: np.ndarray
    ratio: np.ndarray
    demand: np.ndarray
    reached: np.ndarray


def fca_scores(source: np.ndarray, target: np.ndarray, weight: np.ndarray,
               supply: np.ndarray, demand: np.ndarray, *, algorithm: str = "two_step"
               ) -> FCAResult:
    """Floating-catchment scores from one sparse matrix of weights.

    Parameters
    ----------
    source, target, weight
        Coordinate form of the facility × cell weight matrix: pair ``k`` is facility
        ``source[k]``, cell ``target[k]``, decay weight ``weight[k]`` (pairs beyond the
        cut-off are absent; a pair may appear once).
    supply
        Supply per facility (length = number of facilities).
    demand
        Demand per cell (length = number of cells).
    algorithm
        ``"two_step"`` (2SFCA family and gravity), ``"three_step"`` (3SFCA: selection
        weights wᵢⱼ / Σⱼ wᵢⱼ) or ``"potential"`` (Σ supply × weight).

    Returns
    -------
    FCAResult
        ``score`` per cell, ``ratio`` per facility (supply per weighted demand, NaN where its
        catchment holds no demand), ``demand`` per facility (the weighted demand) and
        ``reached`` per cell (whether any pair with a positive weight reaches it).

    Examples
    --------
    >>> r = fca_scores(np.array([0, 0]), np.array([0, 1]), np.array([1.0, 1.0]),
    ...                np.array([2.0]), np.array([1.0, 3.0]))
    >>> r.score.tolist()
    [0.5, 0.5]
    """
    source = np.asarray(source, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    weight = np.asarray(weight, dtype=float)
    supply = np.asarray(supply, dtype=float)
    demand = np.asarray(demand, dtype=float)
    n_fac, n_cells = len(supply), len(demand)
    reached = np.bincount(target, weights=(weight > 0).astype(float), minlength=n_cells) > 0
    if algorithm == "potential":
        score = np.bincount(target, weights=weight * supply[source], minlength=n_cells)
        return FCAResult(score, np.full(n_fac, np.nan), np.full(n_fac, np.nan), reached)
    if algorithm == "three_step":
        share = np.bincount(target, weights=weight, minlength=n_cells)
        with np.errstate(divide="ignore", invalid="ignore"):
            selection = np.where(share[target] > 0, weight / share[target], 0.0)
        weight = weight * selection
    elif algorithm != "two_step":
        raise SitingError("algorithm", algorithm, "unknown algorithm",
                          "use 'two_step', 'three_step' or 'potential'")
    weighted_demand = np.bincount(source, weights=weight * demand[target], minlength=n_fac)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(weighted_demand > 0, supply / weighted_demand, np.nan)
    usable = np.nan_to_num(ratio, nan=0.0)
    score = np.bincount(target, weights=weight * usable[source], minlength=n_cells)
    return FCAResult(score, ratio, weighted_demand, reached)


# ---------------------------------------------------------------------------------------------
# scores on a study area
# ---------------------------------------------------------------------------------------------
@dataclass
class Scores:
    """Accessibility scores of one facility kind on one study area.

    Attributes
    ----------
    cells
        Indexed like ``area.cells``: ``district``, ``population`` (the basis), ``score``
        (supply per person; NaN where unsnapped) and ``status`` (:data:`STATUSES`).
    facilities
        Indexed like ``area.facilities``: ``supply``, ``demand`` (weighted demand within the
        catchment), ``ratio`` (supply per weighted person, NaN with no demand) and ``cells``
        (cells reached).
    method, decay, cutoff, mode, direction, supply, basis
        How the scores were made.
    notes
        Everything a reader must know: idle facilities, unsnapped residents.
    """

    cells: pd.DataFrame
    facilities: pd.DataFrame
    method: str
    decay: Decay
    cutoff: Quantity
    mode: str
    direction: str
    supply: str
    basis: str
    notes: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        """The unit of :attr:`cells` ``score``, e.g. ``"beds per person"``."""
        return f"{self.supply} per person" if self.method != "potential" else \
            f"weighted {self.supply}"

    def describe(self) -> str:
        return (f"{self.method} of {self.supply} ({self.mode}, {self.direction.replace('_', ' ')}"
                f", cut-off {self.cutoff}, decay {self.decay.describe()})")

    def per(self, people: float) -> pd.Series:
        """Scores as supply per ``people`` residents (``per(30000)``: vehicles per 30,000)."""
        return self.cells["score"] * float(people)

    def summary(self, by: str = "district", *, below: object | Iterable[object] = (),
                percentiles: Iterable[float] = (10, 25, 50, 75, 90)) -> pd.DataFrame:
        """Per-district summaries of the scores, with a row for the whole study area.

        Parameters
        ----------
        by
            Column of :attr:`cells` to group by (``"district"``).
        below
            Ratios such as ``"1 per 30000 people"``: for each, the population and the share of
            scored residents whose score is below it.
        percentiles
            Population-weighted percentiles (the lowest score such that at least that share
            of the scored residents have a score at most it).

        Returns
        -------
        DataFrame with ``population`` (everyone), ``unsnapped`` (their population),
        ``scored_population``, ``no_facility`` (population on the network with nothing within
        the cut-off), ``mean`` (population-weighted), ``min``, ``max``, ``p10`` … and
        ``below <ratio>`` / ``share below <ratio>`` columns. ``population = scored_population
        + unsnapped``, always.
        """
        from .rules.base import parse_ratio

        limits = [below] if isinstance(below, (str, Mapping)) or not isinstance(
            below, Iterable) else list(below)
        ratios = [parse_ratio(b, rule_id="summary", field_name="below") for b in limits]
        qs = [float(p) for p in percentiles]
        for q in qs:
            if not 0 <= q <= 100:
                raise SitingError("percentiles", q, "a percentile lies between 0 and 100",
                                  "give percentiles such as (10, 50, 90)")
        cells = self.cells
        if by not in cells.columns:
            raise SitingError("by", by, "no such column in the scores",
                              f"use one of {list(cells.columns)}")
        groups = [(key, part) for key, part in cells.groupby(by, sort=True)]
        groups.append((STUDY_AREA, cells))
        rows = []
        for key, part in groups:
            row = {by: key, **_summarise(part, qs)}
            for ratio in ratios:
                label = str(ratio)
                threshold = ratio.units / ratio.per
                scored = part["status"] != "unsnapped"
                people = part["population"].to_numpy(dtype=float)
                # a score equal to the ratio up to rounding is not below it
                low = scored.to_numpy() & (part["score"].to_numpy(dtype=float)
                                           < threshold * (1 - 1e-12))
                total = people[scored.to_numpy()].sum()
                row[f"below {label}"] = float(people[low].sum())
                row[f"share below {label}"] = float(people[low].sum() / total) if total > 0 \
                    else float("nan")
            rows.append(row)
        out = pd.DataFrame(rows)
        out.attrs.update(unit=self.unit, method=self.method, describe=self.describe())
        return out

    def equity(self, by: str = "district"):
        """Gini, Theil (between / within ``by``) and Lorenz data of the scores per resident.

        See :func:`siting.equity.equity_table`.
        """
        from .equity import equity_table

        scored = self.cells[self.cells["status"] != "unsnapped"]
        return equity_table(scored["score"], scored["population"], scored[by])


def weighted_percentile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The lowest value such that at least ``q`` % of the weight lies at or below it.

    Examples
    --------
    >>> weighted_percentile(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0]), 50)
    2.0
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    keep = np.isfinite(values) & (weights > 0)
    values, weights = values[keep], weights[keep]
    if len(values) == 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    at = np.searchsorted(cum, q / 100.0 * cum[-1] * (1 - 1e-12), side="left")
    return float(values[order][min(at, len(values) - 1)])


def _summarise(part: pd.DataFrame, qs: list[float]) -> dict:
    people = part["population"].to_numpy(dtype=float)
    status = part["status"].to_numpy()
    score = part["score"].to_numpy(dtype=float)
    scored = status != "unsnapped"
    w, s = people[scored], score[scored]
    out = {"population": float(people.sum()),
           "unsnapped": float(people[~scored].sum()),
           "scored_population": float(w.sum()),
           "no_facility": float(people[status == "no_facility"].sum())}
    out["mean"] = float(np.average(s, weights=w)) if w.sum() > 0 else float("nan")
    out["min"] = float(s[w > 0].min()) if (w > 0).any() else float("nan")
    out["max"] = float(s[w > 0].max()) if (w > 0).any() else float("nan")
    for q in qs:
        out[f"p{q:g}"] = weighted_percentile(s, w, q)
    return out


def _supply_values(facilities: pd.DataFrame, supply: str | None) -> tuple[np.ndarray, str]:
    if supply is None:
        return np.ones(len(facilities)), "facilities"
    if supply not in facilities.columns:
        raise SitingError("supply", supply, "the facilities have no such column",
                          f"use one of {[c for c in facilities.columns if c != 'geometry']} "
                          "or supply=None to count facilities")
    values = pd.to_numeric(facilities[supply], errors="coerce")
    bad = values.isna() | (values < 0) | ~np.isfinite(values.fillna(0))
    if bad.any():
        raise SitingError(
            f"facilities.{supply}", facilities.loc[bad, supply].head(5).to_dict(),
            f"{int(bad.sum())} facilities have a missing, negative or non-finite {supply}",
            f"fill in their {supply} (0 where there is none) or leave them out knowingly")
    return values.to_numpy(dtype=float), supply


def _basis_values(area: StudyArea, basis: str) -> np.ndarray:
    if basis not in area.cells.columns:
        raise SitingError("basis", basis, "no such population column in the cells",
                          f"use one of {area.population_bases}")
    values = pd.to_numeric(area.cells[basis], errors="coerce")
    bad = values.isna() | (values < 0) | ~np.isfinite(values.fillna(0))
    if bad.any():
        raise SitingError(f"cells.{basis}", values[bad].head(5).to_dict(),
                          f"{int(bad.sum())} cells have a missing, negative or infinite {basis}",
                          "fix the cells' population column (0 where nobody lives)")
    return values.to_numpy(dtype=float)


def _symmetric(network, weight: str) -> bool:
    indptr, indices, weights = network.csr(weight)
    matrix = csr_matrix((weights, indices, indptr), shape=(network.n_nodes, network.n_nodes))
    return (matrix != matrix.T).nnz == 0


def cost_pairs(area: StudyArea, facilities: gpd.GeoDataFrame, mode: str, cutoff: Quantity,
               direction: str, kind: object = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(facility position, cell position, cost) within ``cutoff``; costs in metres or minutes.

    ``to_facility`` measures people → facility. Where every street is two-way (walking) that
    equals facility → people and the facilities are searched from; otherwise the cells are.
    """
    from .network.paths import reach_matrix

    if direction not in DIRECTIONS:
        raise SitingError("direction", direction, "unknown travel direction",
                          "use 'to_facility' (people travel) or 'from_facility' (response)")
    weight = "time" if cutoff.dimension == "time" else "length"
    limit = cutoff.to("min") * 60.0 if weight == "time" else cutoff.to("m")
    network = area.network(mode)
    if direction == "from_facility" or _symmetric(network, weight):
        reach = area.reach(facilities if kind is None else kind, mode, cutoff, by=weight)
        source, target, cost = reach.source, reach.target, reach.cost
    else:
        if kind is None:  # points of the caller's own (candidate sites): snap them here
            from .network.snap import snap_points

            snapped = snap_points(network, facilities.geometry.to_numpy(),
                                  max_distance=area.snap_distance[mode])
        else:
            snapped = area.snapped("facilities", mode).subset(
                area.facilities.index.get_indexer(facilities.index))
        snapped.require_all(layer="facilities", ids=facilities.index.to_numpy(),
                            max_distance=area.snap_distance[mode])
        reach = reach_matrix(network, area.snapped("cells", mode), snapped, weight=weight,
                             cutoff=limit)
        source, target, cost = reach.target, reach.source, reach.cost
    if weight == "time":
        cost = cost / 60.0
    return source, target, cost


def accessibility(area: StudyArea, kind: str | Iterable[str], *, method: str = "2sfca",
                  mode: str = "walk", cutoff: str | float | Quantity = "15 min",
                  decay: Decay | None = None, supply: str | None = None,
                  basis: str = "population", direction: str = "to_facility") -> Scores:
    """Accessibility scores of a facility kind for every population cell.

    Parameters
    ----------
    area
        The study area (with a network for ``mode``).
    kind
        Facility kind(s), e.g. ``"community_health_centre"``.
    method
        One of :data:`METHODS` (see the module docstring).
    mode
        ``"walk"`` or ``"drive"``.
    cutoff
        Catchment size ("15 min", "3.5 km"; bare numbers are metres): pairs farther apart
        are not in each other's catchment, whatever the decay.
    decay
        Weight of travel cost; default per method (:func:`default_decay`). ``gravity`` and
        ``potential`` need one: :func:`power` or :func:`exponential`.
    supply
        Facility column with the capacity (``"beds"``, ``"places"``, ``"vehicles"``);
        ``None`` counts each facility as one.
    basis
        Cell column with the demand (``"population"``, ``"elderly"``, ...).
    direction
        ``"to_facility"`` (people travel, the default) or ``"from_facility"``.

    Returns
    -------
    Scores

    Raises
    ------
    SitingError
        Unknown method, a decay in another dimension than the cut-off, missing supply or
        population values, a facility off the network.

    Examples
    --------
    >>> from siting.datasets import load_example                          # doctest: +SKIP
    >>> area = load_example()                                              # doctest: +SKIP
    >>> s = accessibility(area, "school", method="g2sfca", cutoff="15 min")  # doctest: +SKIP
    >>> s.summary(below="1 per 2000 people")                               # doctest: +SKIP
    """
    if method not in METHODS:
        raise SitingError("method", method, "unknown accessibility method",
                          f"use one of {list(METHODS)}")
    limit = parse_cutoff(cutoff)
    decay = decay if decay is not None else default_decay(method, limit)
    if decay is None:
        raise SitingError("decay", None, f"the {method} method needs a distance decay",
                          "give decay=siting.scores.power(1.0, min_cost='1 min') or "
                          "exponential('10 min')")
    if not isinstance(decay, Decay):
        raise SitingError("decay", decay, "not a decay",
                          "build it with siting.scores.gaussian('15 min'), power(...) etc.")
    if decay.dimension != limit.dimension:
        raise UnitError("decay", decay.describe(), f"a {decay.dimension} decay with a "
                        f"{limit.dimension} cut-off", "state both in minutes or both in metres")
    if method == "2sfca" and decay.shape != "binary":
        raise SitingError("decay", decay.describe(), "the 2SFCA has a binary catchment",
                          "use method='e2sfca', 'g2sfca' or 'gravity' for a decaying one")
    facilities = area.facilities_of(kind) if not isinstance(kind, gpd.GeoDataFrame) else kind
    if len(facilities) == 0:
        raise SitingError("kind", kind, "no facility of this kind in the study area",
                          f"use one of {sorted(area.facilities['kind'].unique())}")
    supply_values, supply_name = _supply_values(facilities, supply)
    demand = _basis_values(area, basis)
    source, target, cost = cost_pairs(area, facilities, mode, limit, direction,
                                      None if isinstance(kind, gpd.GeoDataFrame) else kind)
    inside = cost <= decay.reach
    source, target, cost = source[inside], target[inside], cost[inside]
    weights = decay(cost)
    algorithm = {"3sfca": "three_step", "potential": "potential"}.get(method, "two_step")
    result = fca_scores(source, target, weights, supply_values, demand, algorithm=algorithm)

    ok = area.snapped("cells", mode).ok
    status = np.where(~ok, "unsnapped", np.where(result.reached, "scored", "no_facility"))
    cells = pd.DataFrame({"district": area.cells["district"].to_numpy(),
                          "population": demand,
                          "score": np.where(ok, result.score, np.nan),
                          "status": status}, index=area.cells.index)
    n_reached = np.bincount(source, weights=(weights > 0).astype(float), minlength=len(facilities))
    fac = pd.DataFrame({"kind": facilities["kind"].to_numpy(), "supply": supply_values,
                        "demand": result.demand, "ratio": result.ratio,
                        "cells": n_reached.astype(int)}, index=facilities.index)
    notes = []
    unsnapped = float(demand[~ok].sum())
    if unsnapped > 0:
        notes.append(f"{unsnapped:,.0f} {basis} in {int((~ok).sum())} cells beyond the snap "
                     f"distance of the {mode} network: not scored (score NaN)")
    if algorithm != "potential":
        idle = fac.index[np.isnan(result.ratio)]
        if len(idle):
            lost = float(supply_values[np.isnan(result.ratio)].sum())
            notes.append(f"{len(idle)} facilities ({lost:g} {supply_name}) have no {basis} "
                         f"within their catchment and serve nobody: {list(idle[:10])}")
    return Scores(cells=cells, facilities=fac, method=method, decay=decay, cutoff=limit,
                  mode=mode, direction=direction, supply=supply_name, basis=basis,
                  notes=notes)


__all__ = ["DIRECTIONS", "Decay", "E2SFCA_WEIGHTS", "FCAResult", "KERNELS", "METHODS",
           "STATUSES", "Scores", "accessibility", "binary", "cost_pairs", "default_decay",
           "exponential", "fca_scores", "gaussian", "kernel", "power", "steps",
           "weighted_percentile"]
