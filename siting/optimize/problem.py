"""One sparse candidate × demand structure shared by every location-allocation model.

Rows are candidate sites, columns are demand points (population cells). A stored entry
``(j, i)`` means "demand ``i`` is reachable from candidate ``j`` within the cutoff" and holds
the travel cost; an absent entry means unreachable. Nothing is ever dense.

Zero-cost pairs (a candidate placed exactly on a population cell) are real and common. scipy
drops stored zeros whenever ``eliminate_zeros`` runs, which many sparse operations call
implicitly, so this module builds every matrix from explicit ``(data, indices, indptr)``
arrays and the models read the *structure* (``indices``/``indptr``), never ``nonzero()``.

Several facility kinds on one site
----------------------------------
A multi-kind proposal ("all rules at once") can reuse this structure: build one
``CoverageProblem`` per kind over the *same* candidate table (same ``candidate_ids``) and
link the kinds by candidate index in the combined model (a site may host several kinds, so
the kinds' opening variables stay separate; a shared "site used" variable can cap the number
of sites). Keeping candidates identical across kinds is the only design rule this needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import CRSError, GeometryError, InfeasibleError, SitingError

Layout = Literal["demand_by_candidate", "candidate_by_demand"]

# Dense Euclidean matrices above this many pairs are refused: give a cutoff instead.
_MAX_DENSE_PAIRS = 50_000_000


def _csr_from_pairs(rows: np.ndarray, cols: np.ndarray, data: np.ndarray,
                    shape: tuple[int, int]) -> sp.csr_array:
    """CSR built by hand so that duplicate pairs keep their *minimum* and zeros survive.

    ``scipy.sparse.coo_array(...).tocsr()`` would *sum* duplicates (two routes to the same
    cell become one route of double length) -- the first trap in ARCHITECTURE.md.
    """
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    data = np.asarray(data, dtype=np.float64)
    order = np.lexsort((data, cols, rows))
    rows, cols, data = rows[order], cols[order], data[order]
    if len(rows):
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        rows, cols, data = rows[first], cols[first], data[first]
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    index_dtype = np.int32 if max(shape) < 2**31 - 1 and len(cols) < 2**31 - 1 else np.int64
    return sp.csr_array((data, cols.astype(index_dtype), indptr.astype(index_dtype)),
                        shape=shape)


def _row_ids(indptr: np.ndarray) -> np.ndarray:
    """Row index of every stored entry of a CSR/CSC structure."""
    return np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))


def _short_list(values: Sequence[object], limit: int = 10) -> list[object]:
    return [v.item() if hasattr(v, "item") else v for v in list(values)[:limit]]


class CoverageProblem:
    """Sparse candidate × demand travel costs with demand weights and existing facilities.

    Parameters
    ----------
    cost
        Sparse matrix, candidates × demand. A stored entry is the travel cost (metres or
        seconds, always ``>= 0``) of a reachable pair; an absent entry means unreachable.
        Stored zeros are kept as real zero-cost pairs.
    weights
        Demand weight (population) per demand point, ``>= 0``.
    fixed
        Boolean mask of candidates that are existing facilities: always open, never counted
        in ``p`` (which counts *new* facilities).
    capacity
        Optional capacity per candidate (same unit as ``weights``); ``inf`` = unlimited.
        Only the capacitated model reads it.
    candidate_ids, demand_ids
        Labels used in results and error messages (default: positions).
    cutoff
        The cutoff the matrix was built with (for reporting only).
    candidates
        Optional GeoDataFrame of the candidate sites, kept for maps and reports.

    Notes
    -----
    Use :meth:`from_cost_matrix` (spopt style, dense or sparse) or :meth:`from_geodataframe`
    (straight-line distances) rather than the constructor.
    """

    def __init__(
        self,
        cost: sp.sparray | sp.spmatrix,
        weights: np.ndarray | Sequence[float],
        *,
        fixed: np.ndarray | Sequence[bool] | None = None,
        capacity: np.ndarray | Sequence[float] | None = None,
        candidate_ids: Sequence[object] | pd.Index | None = None,
        demand_ids: Sequence[object] | pd.Index | None = None,
        cutoff: float | None = None,
        candidates: gpd.GeoDataFrame | None = None,
    ) -> None:
        if not sp.issparse(cost):
            raise SitingError("cost", type(cost).__name__, "the constructor needs a scipy sparse "
                              "matrix (candidates × demand)",
                              "use CoverageProblem.from_cost_matrix for dense arrays")
        coo = sp.coo_array(cost)
        n_cand, n_dem = coo.shape
        data = np.asarray(coo.data, dtype=np.float64)
        if np.isnan(data).any():
            bad = np.flatnonzero(np.isnan(data))[:5]
            raise SitingError("cost", [(int(coo.row[k]), int(coo.col[k])) for k in bad],
                              f"{int(np.isnan(data).sum())} stored costs are NaN",
                              "store unreachable pairs as absent entries (or inf in a dense "
                              "matrix); NaN is ambiguous")
        if (data < 0).any():
            raise SitingError("cost", data[data < 0][:5].tolist(), "travel costs must be >= 0",
                              "check the distance computation; negative costs break every model")
        keep = np.isfinite(data)
        self.cost: sp.csr_array = _csr_from_pairs(coo.row[keep], coo.col[keep], data[keep],
                                                  (n_cand, n_dem))
        if n_cand == 0:
            raise SitingError("candidates", 0, "there are no candidate sites",
                              "generate candidates (siting.optimize.candidates) or pass some")
        if n_dem == 0:
            raise SitingError("demand", 0, "there are no demand points", "pass population cells")

        w = np.asarray(weights, dtype=np.float64).ravel()
        if w.shape != (n_dem,):
            raise SitingError("weights", w.shape, f"expected one weight per demand point "
                              f"({n_dem}), the cost matrix has {n_dem} demand columns",
                              "pass weights aligned with the demand axis of the cost matrix")
        if np.isnan(w).any() or np.isinf(w).any():
            raise SitingError("weights", int((~np.isfinite(w)).sum()),
                              "weights contain NaN or inf", "fill missing population with 0")
        if (w < 0).any():
            bad = np.flatnonzero(w < 0)[:5]
            raise SitingError("weights", {int(i): float(w[i]) for i in bad},
                              f"{int((w < 0).sum())} demand weights are negative",
                              "population weights must be >= 0; check the source column")
        self.weights: np.ndarray = w

        if fixed is None:
            fx = np.zeros(n_cand, dtype=bool)
        else:
            fx = np.asarray(fixed)
            if fx.dtype != bool:
                # An integer array of positions is a common way to say "these are existing".
                if fx.ndim == 1 and np.issubdtype(fx.dtype, np.integer) and (
                        len(fx) != n_cand or fx.max(initial=0) > 1):
                    mask = np.zeros(n_cand, dtype=bool)
                    if len(fx) and (fx.min() < 0 or fx.max() >= n_cand):
                        raise SitingError("fixed", fx[:10].tolist(), "positions out of range",
                                          f"give positions in 0..{n_cand - 1} or a bool mask")
                    mask[fx] = True
                    fx = mask
                else:
                    fx = fx.astype(bool)
            if fx.shape != (n_cand,):
                raise SitingError("fixed", fx.shape, f"expected one flag per candidate ({n_cand})",
                                  "pass a boolean mask aligned with the candidate axis")
        self.fixed: np.ndarray = fx

        if capacity is None:
            self.capacity: np.ndarray | None = None
        else:
            cap = np.asarray(capacity, dtype=np.float64).ravel()
            if cap.shape != (n_cand,):
                raise SitingError("capacity", cap.shape, f"expected one capacity per candidate "
                                  f"({n_cand})", "pass capacities aligned with the candidates")
            if np.isnan(cap).any() or (cap < 0).any():
                raise SitingError("capacity", cap[np.isnan(cap) | (cap < 0)][:5].tolist(),
                                  "capacities must be >= 0 (inf for unlimited)",
                                  "fix the capacity column")
            self.capacity = cap

        self.candidate_ids: pd.Index = self._ids(candidate_ids, n_cand, "candidate_ids")
        self.demand_ids: pd.Index = self._ids(demand_ids, n_dem, "demand_ids")
        self.cutoff = None if cutoff is None else float(cutoff)
        self.candidates = candidates
        self._cache: dict[object, object] = {}

    # ------------------------------------------------------------------ constructors
    @staticmethod
    def _ids(ids: object, n: int, field: str) -> pd.Index:
        if ids is None:
            return pd.RangeIndex(n)
        index = pd.Index(ids)
        if len(index) != n:
            raise SitingError(field, len(index), f"expected {n} labels", f"pass {n} labels")
        return index

    @classmethod
    def from_cost_matrix(
        cls,
        cost: np.ndarray | sp.sparray | sp.spmatrix | pd.DataFrame,
        weights: np.ndarray | Sequence[float] | None = None,
        *,
        cutoff: float | None = None,
        fixed: np.ndarray | Sequence[bool] | None = None,
        capacity: np.ndarray | Sequence[float] | None = None,
        layout: Layout = "demand_by_candidate",
        candidate_ids: Sequence[object] | None = None,
        demand_ids: Sequence[object] | None = None,
    ) -> CoverageProblem:
        """Build a problem from a cost matrix, as ``spopt``'s ``from_cost_matrix`` does.

        Parameters
        ----------
        cost
            Travel costs. Dense (``inf`` = unreachable) or sparse (absent = unreachable; a
            stored 0 is a real zero-cost pair). A DataFrame lends its index/columns as ids.
        weights
            Demand weights; default 1 per demand point (spopt's LSCP / p-center).
        cutoff
            Pairs with cost ``> cutoff`` are dropped (``<=`` is kept, as in spopt's
            ``cost <= service_radius``). ``None`` keeps every finite pair.
        fixed
            Bool mask (or positions) of candidates that are existing facilities.
        capacity
            Capacity per candidate (capacitated model only).
        layout
            ``"demand_by_candidate"`` (spopt's clients × facilities, the default) or
            ``"candidate_by_demand"``.

        Returns
        -------
        CoverageProblem
        """
        if isinstance(cost, pd.DataFrame):
            rows_ids, col_ids = list(cost.index), list(cost.columns)
            cost = cost.to_numpy(dtype=float)
            if layout == "demand_by_candidate":
                demand_ids = demand_ids if demand_ids is not None else rows_ids
                candidate_ids = candidate_ids if candidate_ids is not None else col_ids
            else:
                candidate_ids = candidate_ids if candidate_ids is not None else rows_ids
                demand_ids = demand_ids if demand_ids is not None else col_ids
        if layout not in ("demand_by_candidate", "candidate_by_demand"):
            raise SitingError("layout", layout, "unknown layout",
                              "use 'demand_by_candidate' or 'candidate_by_demand'")
        if sp.issparse(cost):
            coo = sp.coo_array(cost)
            r, c, d = coo.row, coo.col, np.asarray(coo.data, dtype=float)
            shape = coo.shape
        else:
            arr = np.asarray(cost, dtype=float)
            if arr.ndim != 2:
                raise SitingError("cost", arr.shape, "the cost matrix must be 2-D",
                                  "pass a demand × candidate matrix")
            shape = arr.shape
            if np.isnan(arr).any():
                raise SitingError("cost", int(np.isnan(arr).sum()), "the cost matrix holds NaN",
                                  "use inf for unreachable pairs")
            bound = np.inf if cutoff is None else cutoff
            r, c = np.nonzero(np.isfinite(arr) & (arr <= bound))
            d = arr[r, c]
        if np.isnan(d).any():
            raise SitingError("cost", int(np.isnan(d).sum()), "the cost matrix holds NaN",
                              "store unreachable pairs as absent entries or inf")
        if cutoff is not None:
            if np.isnan(cutoff) or cutoff < 0:
                raise SitingError("cutoff", cutoff, "the cutoff must be >= 0",
                                  "give the service radius in the cost unit")
            keep = d <= cutoff
            r, c, d = r[keep], c[keep], d[keep]
        if layout == "demand_by_candidate":
            n_dem, n_cand = shape
            r, c = c, r
        else:
            n_cand, n_dem = shape
        if weights is None:
            weights = np.ones(n_dem)
        else:
            weights = np.asarray(weights, dtype=float).ravel()
            if weights.shape != (n_dem,):
                other = shape[1] if layout == "demand_by_candidate" else shape[0]
                hint = (" -- the matrix looks transposed: pass layout='candidate_by_demand'"
                        if len(weights) == other and layout == "demand_by_candidate" else
                        " -- the matrix looks transposed: pass layout='demand_by_candidate'"
                        if len(weights) == other else "")
                raise SitingError("weights", len(weights),
                                  f"expected {n_dem} weights for a {layout} matrix of shape "
                                  f"{shape}{hint}",
                                  "align weights with the demand axis or fix layout=")
        cost_csr = _csr_from_pairs(r, c, d, (n_cand, n_dem))
        return cls(cost_csr, weights, fixed=fixed, capacity=capacity,
                   candidate_ids=candidate_ids, demand_ids=demand_ids, cutoff=cutoff)

    @classmethod
    def from_geodataframe(
        cls,
        demand_gdf: gpd.GeoDataFrame,
        candidates_gdf: gpd.GeoDataFrame,
        weights_col: str | None,
        cutoff: float | None,
        *,
        metric: Literal["euclidean", "cityblock"] = "euclidean",
        fixed_col: str | None = None,
        capacity_col: str | None = None,
    ) -> CoverageProblem:
        """Straight-line (or Manhattan) distances between two point layers.

        Parameters
        ----------
        demand_gdf
            Demand points (polygons are reduced to their centroids).
        candidates_gdf
            Candidate sites, same projected CRS in metres.
        weights_col
            Column of ``demand_gdf`` with the population; ``None`` = weight 1 each.
        cutoff
            Keep pairs within this distance (metres). ``None`` = all pairs (small inputs only).
        metric
            ``"euclidean"`` or ``"cityblock"``.
        fixed_col, capacity_col
            Optional columns of ``candidates_gdf``: bool "existing facility" flag, capacity.

        Returns
        -------
        CoverageProblem
        """
        from scipy.spatial import cKDTree
        from scipy.spatial.distance import cdist

        from ..crs import require_metric

        for name, gdf in (("demand_gdf", demand_gdf), ("candidates_gdf", candidates_gdf)):
            if not isinstance(gdf, gpd.GeoDataFrame):
                raise SitingError(name, type(gdf).__name__, "expected a GeoDataFrame",
                                  "wrap the table with geopandas.GeoDataFrame(..., geometry=...)")
            if gdf.crs is None:
                raise CRSError(f"{name}.crs", None, "the layer has no CRS",
                               "set a projected CRS in metres with .set_crs / .to_crs")
            require_metric(gdf.crs, f"{name}.crs")
        if len(candidates_gdf) == 0:
            raise SitingError("candidates_gdf", 0, "there are no candidate sites",
                              "generate candidates (siting.optimize.candidates) or pass some")
        if not demand_gdf.crs.equals(candidates_gdf.crs):
            raise CRSError("candidates_gdf.crs", str(candidates_gdf.crs),
                           f"differs from demand_gdf.crs ({demand_gdf.crs})",
                           "reproject one layer: candidates_gdf.to_crs(demand_gdf.crs)")
        if metric not in ("euclidean", "cityblock"):
            raise SitingError("metric", metric, "unknown metric", "use 'euclidean' or 'cityblock'")

        def xy(gdf: gpd.GeoDataFrame, name: str) -> np.ndarray:
            geom = gdf.geometry
            if geom.isna().any() or geom.is_empty.any():
                raise GeometryError(f"{name}.geometry", int((geom.isna() | geom.is_empty).sum()),
                                    "rows with empty geometry", "drop or repair them")
            if not (geom.geom_type == "Point").all():
                geom = geom.centroid
            return np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()])

        dxy, cxy = xy(demand_gdf, "demand_gdf"), xy(candidates_gdf, "candidates_gdf")
        if weights_col is None:
            weights = np.ones(len(demand_gdf))
        else:
            if weights_col not in demand_gdf.columns:
                raise SitingError("weights_col", weights_col, "no such column in demand_gdf",
                                  f"use one of {list(demand_gdf.columns)[:10]}")
            weights = pd.to_numeric(demand_gdf[weights_col], errors="coerce").to_numpy(float)
        if cutoff is None:
            if len(dxy) * len(cxy) > _MAX_DENSE_PAIRS:
                raise SitingError("cutoff", None, f"{len(cxy)} × {len(dxy)} pairs are too many "
                                  "for an all-pairs matrix", "give a cutoff in metres")
            dense = cdist(cxy, dxy, metric=metric)
            r, c = np.nonzero(np.ones_like(dense, dtype=bool))
            d = dense.ravel()
        else:
            p = 2.0 if metric == "euclidean" else 1.0
            # output_type="ndarray" keeps zero-distance pairs (a dok/coo output drops them).
            pairs = cKDTree(cxy).sparse_distance_matrix(cKDTree(dxy), float(cutoff), p=p,
                                                        output_type="ndarray")
            r, c, d = pairs["i"], pairs["j"], pairs["v"]
        fixed = (None if fixed_col is None
                 else candidates_gdf[fixed_col].fillna(False).to_numpy(bool))
        capacity = None if capacity_col is None else candidates_gdf[capacity_col].to_numpy(float)
        cost = _csr_from_pairs(r, c, d, (len(cxy), len(dxy)))
        return cls(cost, weights, fixed=fixed, capacity=capacity,
                   candidate_ids=candidates_gdf.index, demand_ids=demand_gdf.index,
                   cutoff=cutoff, candidates=candidates_gdf)

    # ------------------------------------------------------------------ accessors
    @property
    def n_candidates(self) -> int:
        """Number of candidate sites (existing facilities included)."""
        return self.cost.shape[0]

    @property
    def n_demand(self) -> int:
        """Number of demand points."""
        return self.cost.shape[1]

    @property
    def n_fixed(self) -> int:
        """Number of existing (always open) facilities."""
        return int(self.fixed.sum())

    @property
    def total_weight(self) -> float:
        """Total demand weight (population)."""
        return float(self.weights.sum())

    def __repr__(self) -> str:
        return (f"CoverageProblem({self.n_candidates} candidates ({self.n_fixed} fixed) × "
                f"{self.n_demand} demand, {self.cost.nnz} reachable pairs, "
                f"weight {self.total_weight:g}, cutoff {self.cutoff})")

    def pairs(self, radius: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Stored pairs ``(candidate, demand, cost)`` with ``cost <= radius``.

        Read from the CSR structure, so zero-cost pairs are always included.
        """
        key = ("pairs", radius)
        if key not in self._cache:
            rows = _row_ids(self.cost.indptr)
            cols = self.cost.indices.astype(np.int64)
            data = self.cost.data
            if radius is not None:
                keep = data <= radius
                rows, cols, data = rows[keep], cols[keep], data[keep]
            self._cache[key] = (rows, cols, data)
        return self._cache[key]  # type: ignore[return-value]

    def reach(self, radius: float | None = None) -> sp.csr_array:
        """0/1 coverage matrix (candidates × demand) of pairs with ``cost <= radius``.

        The stored values are 1.0, so zero-cost pairs cannot vanish.
        """
        key = ("reach", radius)
        if key not in self._cache:
            rows, cols, _ = self.pairs(radius)
            self._cache[key] = _csr_from_pairs(rows, cols, np.ones(len(rows)), self.cost.shape)
        return self._cache[key]  # type: ignore[return-value]

    def check_radius(self, radius: float | None) -> float | None:
        """Validate a model's service radius against the matrix cutoff."""
        if radius is None:
            return None
        radius = float(radius)
        if np.isnan(radius) or radius < 0:
            raise SitingError("radius", radius, "the service radius must be >= 0",
                              "give the radius in the cost unit")
        if self.cutoff is not None and radius > self.cutoff * (1 + 1e-12):
            raise SitingError("radius", radius, f"larger than the cutoff {self.cutoff} the "
                              "matrix was built with: pairs beyond it are not stored",
                              "rebuild the problem with a larger cutoff or use a smaller radius")
        return radius

    def coverable(self, radius: float | None = None) -> np.ndarray:
        """Bool mask of demand points some candidate (fixed or new) reaches within radius."""
        _, cols, _ = self.pairs(radius)
        mask = np.zeros(self.n_demand, dtype=bool)
        mask[cols] = True
        return mask

    def covered_by(self, selected: np.ndarray, radius: float | None = None) -> np.ndarray:
        """Bool mask of demand covered by the candidates in ``selected`` (mask or positions)."""
        sel = self.as_mask(selected)
        rows, cols, _ = self.pairs(radius)
        mask = np.zeros(self.n_demand, dtype=bool)
        mask[cols[sel[rows]]] = True
        return mask

    def as_mask(self, selected: np.ndarray | Sequence[int]) -> np.ndarray:
        """Candidate positions (or a mask) as a bool mask."""
        arr = np.asarray(selected)
        if arr.dtype == bool and arr.shape == (self.n_candidates,):
            return arr
        mask = np.zeros(self.n_candidates, dtype=bool)
        mask[arr.astype(np.int64)] = True
        return mask

    def with_fixed(self, fixed: np.ndarray | Sequence[int] | Sequence[bool]) -> CoverageProblem:
        """A copy sharing the matrix, with another set of existing facilities."""
        return CoverageProblem(self.cost, self.weights, fixed=fixed, capacity=self.capacity,
                               candidate_ids=self.candidate_ids, demand_ids=self.demand_ids,
                               cutoff=self.cutoff, candidates=self.candidates)

    # ------------------------------------------------------------------ validation helpers
    def check_p(self, p: int, p_counts: Literal["new", "total"] = "new") -> int:
        """Validate ``p`` and return the number of *new* facilities to open."""
        if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
            raise SitingError("p", p, "p must be a whole number of facilities", "pass an int")
        p = int(p)
        n_new = self.n_candidates - self.n_fixed
        if p_counts == "total":
            if p < self.n_fixed:
                raise SitingError("p", p, f"p counts all facilities (p_counts='total') but "
                                  f"{self.n_fixed} existing facilities are already open",
                                  f"use p >= {self.n_fixed}, or p_counts='new' to count new ones")
            p -= self.n_fixed
        elif p_counts != "new":
            raise SitingError("p_counts", p_counts, "unknown value", "use 'new' or 'total'")
        if p < 0:
            raise SitingError("p", p, "p must be >= 0", "pass the number of new facilities")
        if p > n_new:
            raise SitingError("p", p, f"only {n_new} candidate sites can be opened "
                              f"({self.n_candidates} candidates, {self.n_fixed} already open)",
                              "lower p or add candidate sites")
        return p

    def infeasible_demand(self, mask: np.ndarray, what: str, fix: str,
                          field: str = "demand") -> InfeasibleError:
        """An InfeasibleError naming the demand points in ``mask`` (first 10, count, weight)."""
        idx = np.flatnonzero(mask)
        ids = _short_list(self.demand_ids[idx])
        pop = float(self.weights[idx].sum())
        more = f" (first 10 of {len(idx)})" if len(idx) > 10 else ""
        err = InfeasibleError(
            field, ids,
            f"{len(idx)} demand points{more} with population {pop:g} "
            f"({pop / max(self.total_weight, 1e-300):.2%} of the total) {what}",
            fix,
        )
        err.demand_ids = list(self.demand_ids[idx])  # type: ignore[attr-defined]
        err.population = pop  # type: ignore[attr-defined]
        return err
