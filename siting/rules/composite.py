"""Composite rules (any_of, all_of) and entries that cannot be checked (principles, budgets).

``AnyOf``: SH16-28 ∨ SH16-29 — a new residential area passes with ≥ 0.3 m² of outdoor sports
land per person *or* ≥ 0.1 m² of indoor sports floor. ``AllOf``: SH21-02 read as "each of
health, elderly care, culture and sports within a 15-minute walk", or QD21-12's "3+X" venues.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import RuleError, SitingError
from .base import STUDY_AREA, Context, Rule, RuleResult, _fmt_num, empty_failures, frame

if TYPE_CHECKING:
    from ..study_area import StudyArea


@dataclass(kw_only=True, eq=False, repr=False)
class _Composite(Rule):
    """Shared machinery of :class:`AnyOf` and :class:`AllOf`."""

    parts: Sequence[Rule] = ()
    _any: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        self.parts = tuple(self.parts)
        if len(self.parts) < 2:
            raise RuleError(f"{self.id}.parts", len(self.parts), "a composite needs ≥ 2 parts",
                            "give parts=[rule_a, rule_b]")
        for part in self.parts:
            if not isinstance(part, Rule) or not part.checkable:
                raise RuleError(f"{self.id}.parts", part, "parts must be checkable rules",
                                "give rule objects such as AreaPerCapitaRule(...)")
        ids = [p.id for p in self.parts]
        if len(set(ids)) != len(ids) or self.id in ids:
            raise RuleError(f"{self.id}.parts", ids, "part ids must be unique and differ from "
                            "the composite's id", "give each part its own id")
        self.facility = tuple(dict.fromkeys(k for p in self.parts for k in p.facility))

    has_parts: ClassVar[bool] = True

    def reaches(self) -> tuple[()]:
        return ()  # the parts say theirs (walk() lists them)

    def describe(self) -> str:
        joiner = " OR " if self._any else " AND "
        return joiner.join(f"({p.describe()})" for p in self.parts)

    def walk(self) -> list[Rule]:
        """This rule and all parts, depth first."""
        out: list[Rule] = [self]
        for part in self.parts:
            out += part.walk()
        return out

    def _evaluate(self, area: StudyArea, districts: list[str], context: Context) -> RuleResult:
        results: list[RuleResult] = []
        errors: list[tuple[Rule, SitingError]] = []
        for part in self.parts:
            try:
                results.append(part.evaluate(area, context))
            except SitingError as exc:
                errors.append((part, exc))
        if not results:
            raise errors[0][1]
        error_note = "; ".join(f"{p.id} not evaluated: {e.problem}" for p, e in errors)

        def combine(names: list[str], tables: list[pd.DataFrame]) -> pd.DataFrame:
            out = frame(names)
            rows = []
            for name in names:
                parts = []
                for r, t in zip(results, tables):
                    hit = t[t["district"] == name]
                    if len(hit):
                        parts.append((r.rule, hit.iloc[0]))
                rows.append(self._combine_row(parts, error_note, bool(errors)))
            combined = pd.DataFrame(rows, index=out.index)
            return pd.concat([out, combined], axis=1)

        out = combine(districts, [r.table for r in results])
        overall = combine([STUDY_AREA], [r.overall for r in results])
        failures = self._failures(area, results, out)
        readings = [r.readings for r in results if r.readings is not None]
        details = {f"{r.rule.id}.{k}": v for r in results for k, v in r.details.items()}
        return self.result(out, overall, failures=failures,
                           readings=pd.concat(readings, ignore_index=True) if readings else None,
                           details=details, parts=results)

    def _combine_row(self, parts: list[tuple[Rule, pd.Series]], error_note: str,
                     incomplete: bool) -> dict[str, Any]:
        if not parts:
            return {"passed": pd.NA, "note": error_note or "no part applies here"}
        verdicts = [row["passed"] for _, row in parts]
        known = [bool(v) for v in verdicts if not pd.isna(v)]
        if self._any:
            passed = True if any(known) else (False if known and len(known) == len(verdicts)
                                              and not incomplete else pd.NA)
        else:
            passed = False if (known and not all(known)) else (
                True if len(known) == len(verdicts) and not incomplete else pd.NA)
        att = np.array([float(row["attainment"]) if not pd.isna(row["attainment"]) else np.nan
                        for _, row in parts])
        if np.isnan(att).all():
            pick = 0
        else:
            pick = int(np.nanargmax(att)) if self._any else int(np.nanargmin(att))
        rule, row = parts[pick]
        shares = [row_["covered_share"] for _, row_ in parts]
        lost = [row_["uncovered_population"] for _, row_ in parts]
        have_share = all(not pd.isna(s) for s in shares)
        pops = [row_["population"] for _, row_ in parts if not pd.isna(row_["population"])]
        words = []
        for r, row_ in parts:
            v = row_["passed"]
            state = "passes" if v is True or (not pd.isna(v) and bool(v)) else (
                "not decided" if pd.isna(v) else "fails")
            words.append(f"{r.id} {state} ({_fmt_num(float(row_['reading']))} {row_['unit']})"
                         if not pd.isna(row_["reading"]) else f"{r.id} {state}")
        lead = ("best part" if self._any else "worst part") + f": {rule.id}"
        return {
            "population": max(pops) if pops else np.nan,
            "reading": att[pick] if not np.isnan(att[pick]) else np.nan,
            "op": "≥", "required": 1.0,
            "unit": "attainment of " + ("best" if self._any else "worst") + " part",
            "provided": row["provided"], "shortfall": row["shortfall"],
            "shortfall_unit": row["shortfall_unit"],
            "covered_share": (max(shares) if self._any else min(shares)) if have_share else np.nan,
            "uncovered_population": (min(lost) if self._any else max(lost)) if have_share
            else np.nan,
            "attainment": att[pick] if not np.isnan(att[pick]) else np.nan,
            "passed": passed,
            "note": "; ".join(x for x in [lead, ", ".join(words), error_note] if x),
        }

    def _failures(self, area: StudyArea, results: list[RuleResult], out: pd.DataFrame
                  ) -> gpd.GeoDataFrame:
        failing = set(out.loc[(out["passed"] == False).fillna(False), "district"])  # noqa: E712
        layers = []
        for r in results:
            f = r.failures
            if f is None or len(f) == 0:
                continue
            f = f.copy()
            f["part_of"] = self.id
            if self._any:
                f = f[f["district"].isin(failing)]
            layers.append(f)
        if not layers:
            return empty_failures(area.crs)
        return gpd.GeoDataFrame(pd.concat(layers, ignore_index=True), geometry="geometry",
                                crs=area.crs)


@dataclass(kw_only=True, eq=False, repr=False)
class AnyOf(_Composite):
    """Passes where any part passes (alternatives: SH16-28 ∨ SH16-29).

    ``reading`` is the attainment (reading ÷ required, or its inverse for "≤" rules) of the
    best part; ``provided`` and ``shortfall`` are that part's.
    """

    kind: ClassVar[str] = "any_of"
    _any: ClassVar[bool] = True


@dataclass(kw_only=True, eq=False, repr=False)
class AllOf(_Composite):
    """Passes where every part passes (SH21-02 for each service; QD21-12 "3+X" venues).

    ``reading`` is the attainment of the worst part; ``provided`` and ``shortfall`` are its.
    """

    kind: ClassVar[str] = "all_of"
    _any: ClassVar[bool] = False


# ---------------------------------------------------------------------------------------------
@dataclass(kw_only=True, eq=False, repr=False)
class _NotCheckable(Rule):
    checkable: ClassVar[bool] = False
    text: str = ""
    use: str = ""

    def evaluate(self, area: StudyArea, context: Context | None = None) -> RuleResult:
        """Non-checkable entries produce no rows; they are listed in ``Assessment.skipped``."""
        empty = frame([])
        return self.result(empty, frame([]), failures=None)


@dataclass(kw_only=True, eq=False, repr=False)
class Principle(_NotCheckable):
    """A qualitative principle (Chongqing 2015, GB 50180 tier definitions): recorded, not checked.

    Parameters
    ----------
    text
        The principle in English.
    use
        What it implies for siting (how the library or a planner should use it).
    parameters
        Numbers that define rather than require (life-circle tiers: 15 min ≈ 800–1,000 m).
    """

    kind: ClassVar[str] = "principle"
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        return self.text or self.name or "principle"


@dataclass(kw_only=True, eq=False, repr=False)
class SiteBudget(_NotCheckable):
    """A number of facilities to build (SH16-17: 44 new EMS sub-stations): an input to propose().

    Parameters
    ----------
    sites
        Number of sites (new, or in total when ``total`` is true).
    total
        The number is a total stock to reach rather than an addition.
    """

    kind: ClassVar[str] = "site_budget"
    sites: int = 0
    total: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.sites, bool) or not isinstance(self.sites, (int, np.integer)) \
                or self.sites < 1:
            raise RuleError(f"{self.id}.sites", self.sites, "must be a whole number ≥ 1",
                            "give sites=44")

    def describe(self) -> str:
        what = "reach" if self.total else "build"
        return f"{what} {self.sites} {self.facility_label() or 'facilities'}" + (
            f" — {self.text}" if self.text else "")
