"""Nested life-circle tiers: GB 50180's 5-, 10- and 15-minute tiers, each with its facilities.

GB 50180-2018 bounds the 15-minute life circle by about 800–1,000 m of walking, the 10-minute
one by about 500 m and the 5-minute one by about 300 m, and gives each tier its own facility
list (kindergarten in the 5-minute tier, primary school in the 10-minute one, middle school
in the 15-minute one). The tiers do not substitute for each other: a middle school 400 m away
does not stand in for a primary school, and a primary school 700 m away is outside its tier
even though 700 m is within the 15-minute circle.

:class:`LifeCircleRule` reads that literally. A resident is *served at a tier* when every
facility of the tier is within the tier's threshold, and *served by the life circle* when
served at every tier. The district reading is the share of the basis served by the whole
circle (decides, against ``share``); each tier's own share is in :attr:`RuleResult.readings`
(``tier:<name>``) so a planner sees which tier is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from ..errors import RuleError
from ..units import Quantity
from .access import AccessRule
from .base import STUDY_AREA, Context, RuleResult, parse_threshold
from .interface import Reach

if TYPE_CHECKING:
    from ..study_area import StudyArea


@dataclass(frozen=True)
class Tier:
    """One life-circle tier: its name, its walking threshold and the services it must offer.

    ``services`` are facility kinds, or tuples of kinds any one of which serves.
    """

    name: str
    threshold: Quantity
    services: tuple[tuple[str, ...], ...]


def _parse_tiers(value: object, rule_id: str) -> tuple[Tier, ...]:
    where = f"{rule_id}.tiers"
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)) or not value:
        raise RuleError(where, value, "life-circle tiers must be a list",
                        "write tiers: [{name: 5 min, threshold: 300 m, facilities: "
                        "[kindergarten]}, ...]")
    tiers = []
    for i, item in enumerate(value):
        if isinstance(item, Tier):
            tiers.append(item)
            continue
        if not isinstance(item, Mapping):
            raise RuleError(f"{where}[{i}]", item, "a tier is a mapping",
                            "write {name: 10 min, threshold: 500 m, facilities: [primary_school]}")
        unknown = set(item) - {"name", "threshold", "facilities"}
        if unknown:
            key = sorted(unknown)[0]
            raise RuleError(f"{where}[{i}].{key}", item[key], "unknown tier key",
                            "use name, threshold and facilities")
        threshold = parse_threshold(item.get("threshold"), rule_id=rule_id,
                                    field_name=f"tiers[{i}].threshold",
                                    dimension=("time", "length"))
        kinds = item.get("facilities")
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not isinstance(kinds, Sequence) or not kinds:
            raise RuleError(f"{where}[{i}].facilities", kinds, "a tier needs its facilities",
                            "write facilities: [kindergarten]")
        groups = []
        for kind in kinds:
            group = (kind,) if isinstance(kind, str) else tuple(kind)
            if not group or not all(isinstance(k, str) and k.strip() for k in group):
                raise RuleError(f"{where}[{i}].facilities", kind, "a facility is a kind id "
                                "or a list of kinds", "write facilities: [kindergarten]")
            groups.append(tuple(k.strip() for k in group))
        name = str(item.get("name") or f"tier {i + 1}")
        tiers.append(Tier(name, threshold, tuple(groups)))
    names = [t.name for t in tiers]
    if len(set(names)) != len(names):
        raise RuleError(where, names, "tier names must differ", "name them 5 min, 10 min, ...")
    if len({t.threshold.dimension for t in tiers}) != 1:
        raise RuleError(where, [str(t.threshold) for t in tiers],
                        "every tier needs the same kind of threshold (all times or all lengths)",
                        "write all thresholds in metres or all in minutes")
    return tuple(tiers)


@dataclass(kw_only=True, eq=False, repr=False)
class LifeCircleRule(AccessRule):
    """At least ``share`` of residents are served at every tier of a life circle.

    Parameters
    ----------
    tiers
        ``[{name: "5 min", threshold: "300 m", facilities: [kindergarten]}, ...]``: each
        tier's walking threshold and the facility kinds it must offer (a list inside the list
        means any of those kinds). ``facility`` and ``threshold`` are set from the tiers (all
        their kinds; the largest threshold).
    share
        Required share of the basis served at every tier (default everyone).

    Notes
    -----
    A cell is served at a tier when the nearest facility of each of the tier's services is
    within the tier's threshold on the ``mode`` network (or straight lines with
    ``assess(straight_line=True)``). Cells off the network are not served.
    """

    kind: ClassVar[str] = "life_circle"
    # colouring by the nearest facility of any tier's kind would mislead: no travel layer
    map_layers: ClassVar[tuple[str, ...]] = ("uncovered", "facilities", "verdicts")
    cannot_propose: ClassVar[dict[str, str]] = {
        "zh": "生活圈分级：请对各级设施的可达性规则分别求解新增站点",
        "en": "life-circle tiers: propose for each tier's own access rule"}
    tiers: Sequence[Any] = ()

    def __post_init__(self) -> None:
        rid = getattr(self, "id", "")
        self.tiers = _parse_tiers(self.tiers, rid)
        self.facility = tuple(dict.fromkeys(k for t in self.tiers for g in t.services
                                            for k in g))
        self.threshold = max((t.threshold for t in self.tiers), key=lambda q: q.value)
        super().__post_init__()

    def describe(self) -> str:
        tiers = "; ".join(f"{t.name}: {' and '.join('/'.join(g) for g in t.services)} within "
                          f"{t.threshold}" for t in self.tiers)  # type: ignore[union-attr]
        return f"≥ {self.share * 100:g} % of {self.basis} served at every tier ({tiers})"

    def reaches(self) -> tuple[Reach, ...]:
        return tuple(Reach(g, self.mode, t.threshold)  # type: ignore[union-attr]
                     for t in self.tiers for g in t.services)

    def map_travel(self) -> None:
        return None

    def proposal(self) -> None:
        return None

    def _part(self, tier: Tier, i: int, group: tuple[str, ...]) -> AccessRule:
        return AccessRule(id=f"{self.id}[{tier.name}:{i}]", facility=group,
                          threshold=tier.threshold, mode=self.mode, share=self.share,
                          direction=self.direction, basis=self.basis,
                          facility_filter=self.facility_filter)

    def tier_covered(self, area: StudyArea, context: Context
                     ) -> tuple[pd.Series, pd.DataFrame, dict[str, np.ndarray], list[str]]:
        """Per-cell basis, a nearest-like table with ``covered`` (served at every tier), each
        tier's own served mask by name, and notes."""
        weights, base, notes = None, None, []
        served: dict[str, np.ndarray] = {}
        off = None
        for tier in self.tiers:  # type: ignore[union-attr]
            mask = None
            for i, group in enumerate(tier.services):
                w, table, more = self._part(tier, i, group).covered(area, context)
                if base is None:
                    weights, base = w, table.copy()
                    off = np.zeros(len(table), bool)
                got = table["covered"].to_numpy()
                mask = got if mask is None else mask & got
                off |= table["status"].to_numpy() == "unsnapped"
                notes += [n for n in more if n not in notes]
            served[tier.name] = mask
        assert base is not None and weights is not None and off is not None
        every = np.logical_and.reduce(list(served.values()))
        base["covered"] = every
        base.loc[off, "status"] = "unsnapped"
        notes.append("life circle: a resident counts only when served at every tier, each "
                     "tier by its own facilities within its own threshold")
        return weights, base, served, notes

    def covered(self, area: StudyArea, context: Context
                ) -> tuple[pd.Series, pd.DataFrame, list[str]]:
        weights, table, _, notes = self.tier_covered(area, context)
        return weights, table, notes

    def _evaluate(self, area: StudyArea, districts: list[str], context: Context) -> RuleResult:
        weights, table, served, notes = self.tier_covered(area, context)
        result = self.from_covered(area, districts, weights, table, notes)
        district = area.cells["district"].to_numpy()
        w = weights.to_numpy(dtype=float)
        rows = []
        for name in list(districts) + [STUDY_AREA]:
            mask = np.isin(district, districts) if name == STUDY_AREA else district == name
            total = float(w[mask].sum())
            for tier, got in served.items():
                rows.append({"district": name, "rule_id": self.id, "reading": f"tier:{tier}",
                             "value": float(w[mask & got].sum()) / total if total > 0
                             else np.nan, "unit": "share"})
        result.readings = pd.DataFrame(rows)
        # say which tier falls short, district by district
        value = {(r["district"], r["reading"]): r["value"] for r in rows}
        short = {name: [t for t in served if value[(name, f"tier:{t}")] < self.share - 1e-12]
                 for name in list(districts) + [STUDY_AREA]}
        for table_ in (result.table, result.overall):
            table_["note"] = [
                "; ".join(p for p in (n, "tiers short: " + ", ".join(short[d])
                                      if short.get(d) else "") if p)
                for n, d in zip(table_["note"], table_["district"])]
        return result
