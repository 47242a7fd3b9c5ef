"""Where new sites must go by unit: per-unit rules below district level, and quota units.

A per-unit rule read on townships or villages (QD21-14 「每个街道」, GS17-43 「每个行政村」)
fails unit by unit, so its missing facilities belong *inside* each failing unit, not anywhere
in the district; :func:`unit_rule_needs` turns the assessment's failing units into those
needs. :func:`candidate_units` labels candidates with the quota unit they lie in.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from .assess import Assessment
from .errors import SitingError


def first_kind(rule: object) -> str:
    """The first facility kind a rule counts."""
    kinds = rule.facility if isinstance(rule.facility, tuple) else (rule.facility,)  # type: ignore[attr-defined]
    return kinds[0]


def candidate_units(candidates: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> np.ndarray:
    """The name of the unit polygon each candidate lies in (``None`` outside every unit).

    Raises
    ------
    SitingError
        ``units`` is not a GeoDataFrame with a CRS and a ``name`` or ``unit`` column.
    """
    label = next((c for c in ("name", "unit") if c in getattr(units, "columns", [])), None)
    if not isinstance(units, gpd.GeoDataFrame) or units.crs is None or label is None:
        raise SitingError("quota_units", type(units).__name__, "quota units must be polygons "
                          "(GeoDataFrame with a CRS) with a 'name' or 'unit' column",
                          "pass e.g. the township layer read with geopandas")
    units = units.to_crs(candidates.crs)
    out = np.full(len(candidates), None, dtype=object)
    hits = units.sindex.query(candidates.geometry.to_numpy(), predicate="within")
    first = pd.Series(hits[1]).groupby(hits[0]).min() if len(hits[0]) else pd.Series(dtype=int)
    out[first.index.to_numpy(dtype=int)] = \
        units[label].astype(str).to_numpy()[first.to_numpy(dtype=int)]
    return out


def unit_rule_needs(before: Assessment, unit_rules: list, candidates: gpd.GeoDataFrame
                    ) -> pd.DataFrame:
    """New facilities each failing unit of a township/village per-unit rule needs inside it.

    Returns one row per (rule, failing unit): ``kind``, ``unit``, ``district``, ``need``
    (``min_count`` minus the facilities it has), ``members`` (candidate positions inside the
    unit) and ``rule_id``.
    """
    out = []
    for rule in unit_rules:
        result = before.results[rule.id]
        detail = result.details["units"]
        failing = result.failures
        if failing is None or failing.empty:
            continue
        have = {(u, d): int(f) for u, d, f in zip(detail["unit"], detail["district"],
                                                  detail["facilities"])}
        types = dict(zip(zip(detail["unit"], detail["district"]), detail["unit_type"])) \
            if "unit_type" in detail.columns else {}
        failing = failing.to_crs(candidates.crs).reset_index(drop=True)
        hits = failing.sindex.query(candidates.geometry.to_numpy(), predicate="within")
        by_type = getattr(rule, "facility_by_unit_type", None) or {}
        for k, (unit, district) in enumerate(zip(failing["unit"], failing["district"])):
            need = int(rule.min_count) - have.get((unit, district), 0)
            if need <= 0:
                continue
            kind = by_type.get(types.get((unit, district)))
            kind = (kind if isinstance(kind, str) else kind[0]) if kind else first_kind(rule)
            out.append({"kind": kind, "unit": unit, "district": district, "need": need,
                        "members": np.unique(hits[0][hits[1] == k]), "rule_id": rule.id})
    return pd.DataFrame(out, columns=["kind", "unit", "district", "need", "members",
                                      "rule_id"])
