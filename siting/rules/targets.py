"""City-wide capacity totals and increments against a baseline.

Some plan targets are stocks or additions for the whole city, with no ratio to people:
SH16-21 「到2020年,全市养老床位建设规模达到16万张左右」 (a stock of beds), QD21-03
「到2025年,全市新增学位25万个」 (an increment of school places over the base year) and QD21-41
「到2025年,三级医院达到35个」 (a stock of hospitals, 28 in 2020 by QD21-B07).
:class:`CapacityTargetRule` decides them on the study-area row from the plan's own arithmetic:

* total: stock S ≥ target;
* increment: S − B ≥ target, B the stock at the plan's base year.

S is read from a district column of statistics (``stock_column``) when the districts carry
it, else from the facilities (``attribute`` summed, or each facility counted as one). B is
the plan's own figure (``baseline``) or a district column (``baseline_column``). Without B an
increment is undecided; unknown values (a facility without beds) make the known sum a lower
bound, which can decide a pass but never a failure. District rows are diagnostics: a city
total has no district share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from ..errors import RuleError
from .base import STUDY_AREA, Context, Rule, RuleResult, _fmt_num, frame
from .interface import ProposalBlock, Reach

if TYPE_CHECKING:
    from ..study_area import StudyArea


def _count(value: object, rule_id: str, field: str, *, required: bool) -> float | None:
    if value is None and not required:
        return None
    text = str(value).replace(",", "").strip() if isinstance(value, str) else value
    try:
        number = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RuleError(f"{rule_id}.{field}", value, "not a number",
                        f"give a count, e.g. {field}: 160000") from None
    if not (math.isfinite(number) and number >= 0) or (field == "target" and number == 0):
        raise RuleError(f"{rule_id}.{field}", value, "must be a finite count above 0"
                        if field == "target" else "must be a finite count ≥ 0",
                        f"give a count, e.g. {field}: 160000")
    return number


def _known(values: pd.Series) -> tuple[float, int]:
    """Sum of the known values and how many are unknown."""
    return float(values.fillna(0.0).sum()), int(values.isna().sum())


@dataclass(kw_only=True, eq=False, repr=False)
class CapacityTargetRule(Rule):
    """The study area's stock of a facility kind (or of its beds, places...) reaches a target.

    Parameters
    ----------
    target
        The stated number: the stock to reach, or with ``increment`` the addition.
    increment
        ``True`` for "新增 …" targets: the stock minus the baseline must reach ``target``.
    baseline
        The stock at the plan's base year, as the plan states it (三级医院 28 in 2020).
    baseline_column
        District column with each district's base-year stock (summed over the districts in
        scope; a missing value makes the baseline unknown). Used when ``baseline`` is not given.
    attribute
        Facility column summed (``beds``, ``places``; a list: the first present); ``None``
        counts the facilities.
    stock_column
        District column with the current stock from statistics (``elderly_care_beds``); when
        the districts carry it, it is used instead of the facilities.
    unit_name
        What is counted, for tables; defaults to the attribute, or ``facilities``.
    """

    kind: ClassVar[str] = "capacity_target"
    check_at: str = "area"
    target: float | str | Any = None
    increment: bool = False
    baseline: float | str | None = None
    baseline_column: str | None = None
    attribute: str | Sequence[str] | None = None
    stock_column: str | None = None
    unit_name: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.check_at != "area":
            raise RuleError(f"{self.id}.check_at", self.check_at,
                            "a city-wide total has no share per district",
                            "keep check_at: area (district rows are diagnostics)")
        self.target = _count(self.target, self.id, "target", required=True)
        self.baseline = _count(self.baseline, self.id, "baseline", required=False)
        if not isinstance(self.increment, bool):
            raise RuleError(f"{self.id}.increment", self.increment, "must be true or false",
                            "write increment: true for 新增 targets")
        if isinstance(self.attribute, str):
            self.attribute = (self.attribute,)
        elif self.attribute is not None:
            self.attribute = tuple(self.attribute)
        if not self.facility:
            raise RuleError(f"{self.id}.facility", None, "needs a facility kind",
                            "give facility='elderly_care_home'")
        if not self.unit_name:
            self.unit_name = self.attribute[0] if self.attribute else "facilities"

    def describe(self) -> str:
        what = f"{self.unit_name} of {self.facility_label()}" if self.attribute else \
            self.facility_label()
        if self.increment:
            base = f" over {_fmt_num(self.baseline)}" if self.baseline is not None else ""
            return f"+{_fmt_num(self.target)} {what}{base} (study area)"
        return f"≥ {_fmt_num(self.target)} {what} (study area)"

    def reaches(self) -> tuple[Reach, ...]:
        return (Reach(self.facility),)  # type: ignore[arg-type]

    def proposal(self) -> ProposalBlock | None:
        # a number of facilities short is a number of sites; beds or places are not
        return None if self.attribute else ProposalBlock("count", self.facility)  # type: ignore

    # -- evaluation ---------------------------------------------------------------------------
    def _stock(self, area: StudyArea, districts: list[str], context: Context
               ) -> tuple[pd.Series, pd.Series, str]:
        """Per district: stock (known part), unknown values, and where it was read."""
        table = area.districts.set_index("district")
        if self.stock_column and self.stock_column in table.columns:
            values = pd.to_numeric(table[self.stock_column], errors="coerce").reindex(districts)
            return values.fillna(0.0), values.isna().astype(int), \
                f"stock from the districts' {self.stock_column}"
        facilities = self.facilities(area, context)
        if self.attribute:
            column = next((a for a in self.attribute if a in facilities.columns), None)
            if column is None:
                values = pd.Series(np.nan, index=facilities.index)
                how = f"no {self.attribute[0]} on the facilities"
            else:
                values = pd.to_numeric(facilities[column], errors="coerce")
                if (values < 0).any():
                    raise RuleError(f"facilities.{column}", values[values < 0].head(3).tolist(),
                                    f"negative {column} values", "fix the facility attributes")
                how = f"stock: {column} summed over the facilities"
        else:
            values = pd.Series(1.0, index=facilities.index)
            how = "stock: facilities counted"
        by = facilities["district"]
        known = values.fillna(0.0).groupby(by).sum().reindex(districts).fillna(0.0)
        unknown = values.isna().groupby(by).sum().reindex(districts).fillna(0).astype(int)
        return known, unknown, how

    def _baseline(self, area: StudyArea, districts: list[str]) -> tuple[pd.Series | None,
                                                                        float, str]:
        """Per-district baselines (or None) and the study area's (NaN when unknown)."""
        if self.baseline is not None:
            return None, float(self.baseline), f"baseline {_fmt_num(self.baseline)} (the plan's)"
        table = area.districts.set_index("district")
        if self.baseline_column and self.baseline_column in table.columns:
            values = pd.to_numeric(table[self.baseline_column], errors="coerce").reindex(districts)
            total = float(values.sum()) if values.notna().all() else float("nan")
            return values, total, f"baseline from the districts' {self.baseline_column}"
        return None, float("nan"), ""

    def _evaluate(self, area: StudyArea, districts: list[str], context: Context) -> RuleResult:
        stock, unknown, how = self._stock(area, districts, context)
        per_base, base, base_how = self._baseline(area, districts)
        out = frame(districts)
        out["provided"] = stock.to_numpy()
        out["reading"] = stock.to_numpy() - (per_base.to_numpy() if per_base is not None
                                             else (0.0 if not self.increment else np.nan))
        out["unit"] = self.unit_name
        out["passed"] = pd.array([pd.NA] * len(out), dtype="boolean")
        out["note"] = [_join(how, f"{k} without a value" if k else "",
                             "a city-wide total: decided on the study-area row")
                       for k in unknown]
        overall = frame([STUDY_AREA])
        s, k = float(stock.sum()), int(unknown.sum())
        overall["provided"] = [s]
        self._fill(overall, s, k, base, _join(how, base_how))
        return self.result(out, overall, failures=None)

    def _fill(self, table: pd.DataFrame, stock: float, unknown: int, base: float,
              note: str) -> None:
        target = float(self.target)  # type: ignore[arg-type]
        reading = stock - base if self.increment else stock
        table["reading"] = [reading]
        table["op"] = "≥"
        table["required"] = [target]
        table["unit"] = (f"{self.unit_name} added" if self.increment else self.unit_name)
        table["shortfall_unit"] = self.unit_name
        notes = [note]
        if self.increment and math.isnan(base):
            notes.append("no baseline (the stock at the plan's base year): the increment "
                         f"cannot be read; give baseline: or a districts column "
                         f"{self.baseline_column or 'baseline_' + self.unit_name!r}")
            table["passed"] = pd.array([pd.NA], dtype="boolean")
            table["shortfall"] = [np.nan]
            table["note"] = [_join(*notes)]
            return
        ok = reading >= target - 1e-9
        table["shortfall"] = [max(0.0, math.ceil(target - reading - 1e-9))]
        if not ok and unknown:
            notes.append(f"{unknown} without a {self.unit_name} value: the known ones are a "
                         "lower bound, undecided")
            table["passed"] = pd.array([pd.NA], dtype="boolean")
        else:
            table["passed"] = pd.array([ok], dtype="boolean")
        table["note"] = [_join(*notes)]


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
