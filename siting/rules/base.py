"""Rule, RuleResult, Provenance, Strength and Scope: what every planning rule shares.

A rule is a quantitative planning standard ("average EMS station radius ≤ 3.5 km") with the
place it came from (:class:`Provenance`) and the districts it applies to (:class:`Scope`).
``rule.evaluate(area)`` returns a :class:`RuleResult` whose ``table`` has one row per district
in scope and always the same columns (:data:`TABLE_COLUMNS`), whatever the kind of rule, so
results of different rules stack into one tidy assessment table.

Column meaning, for every rule kind:

``reading`` ``op`` ``required`` ``unit``
    What was measured in the district, the comparison and the threshold, in ``unit``
    ("share", "m", "people per facility", "vehicles per 30,000 people", ...).
``provided`` ``shortfall`` ``shortfall_unit``
    The supply side in countable terms: stations, vehicles, m², covered people, units with a
    facility. ``shortfall`` is how much more is needed to pass (0 when passing).
``covered_share`` ``uncovered_population``
    For rules that cover people or units (access, service circles, one per unit).
``attainment``
    reading ÷ required for "≥" rules, required ÷ reading for "≤" rules: 1 means just passing.
    It lets the equity summary compare districts for every rule kind.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import RuleError, SitingError, UnitError
from ..units import Quantity, parse_quantity
from .interface import MAP_LAYERS, NO_SITE_FIX, ProposalBlock, Reach, register

if TYPE_CHECKING:
    from ..study_area import StudyArea

#: Columns of every per-district result table, in order.
TABLE_COLUMNS: list[str] = [
    "district", "rule_id", "kind", "facility", "basis", "population", "reading", "op",
    "required", "unit", "provided", "covered_share", "uncovered_population", "shortfall",
    "shortfall_unit", "attainment", "passed", "strength", "note",
]
#: The label of the study-area-wide row in :attr:`RuleResult.overall`.
STUDY_AREA = "(study area)"

#: Population bases that mean "all residents" (常住人口, the default of every plan read).
RESIDENT_ALIASES = ("population", "resident", "residents", "total")
#: Population basis for "per new resident" rules (SH16-16): planned − current.
NEW_RESIDENTS = "new_residents"

DOMAINS = (
    "health", "emergency", "education", "childcare", "elderly_care", "culture", "sports",
    "social_services", "social_security", "employment", "disability", "housing", "funeral",
    "planning", "other",
)


class RuleInputError(SitingError):
    """The study area lacks something a rule needs (a network, a column, a facility kind)."""


class Strength(str, Enum):
    """How firmly the source states a rule.

    ``binding`` (约束性), ``target`` (a dated target in firm words: 实现, 达到, 确保, 办好),
    ``expected`` (预期性 indicator), ``in principle`` (原则上, 宜 / 不宜: recommended),
    ``unknown`` (the source does not say; e.g. both Shanghai texts).
    """

    BINDING = "binding"
    TARGET = "target"
    EXPECTED = "expected"
    IN_PRINCIPLE = "in principle"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: object, field_name: str = "strength") -> Strength:
        if isinstance(value, Strength):
            return value
        text = str(value).strip().lower().replace("_", " ").replace("-", " ")
        for member in cls:
            if member.value == text:
                return member
        raise RuleError(field_name, value, "unknown strength",
                        "use one of " + ", ".join(repr(m.value) for m in cls))

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Provenance:
    """Where a rule comes from.

    Parameters
    ----------
    document
        Catalogue id of the source (``"shanghai-2016"``) or a free title for user rules.
    title
        Title of the source document, in Chinese as published.
    number
        Official document number (文号), e.g. ``"沪府发〔2016〕104号"``, when known.
    issuer
        Issuing body.
    year
        Year of issue.
    line
        Line of the seed text (``"L91"``) or clause of a standard.
    quote
        Short verbatim quote (≤ 50 characters, simplified Chinese) carrying the number.
    strength
        :class:`Strength`.
    target_year
        Year by which the rule should be met, when stated.
    caveats
        Qualifiers, ambiguities and assumptions made when encoding.
    verify
        True when the numbers were not read from the official text and must be checked.
    status
        ``"target"`` (rule for the plan period) or ``"baseline"`` (achieved earlier, kept as a
        standard to maintain).
    url
        Where the official text can be found, when known.
    """

    document: str = ""
    title: str = ""
    title_en: str = ""
    number: str = ""
    issuer: str = ""
    year: int | None = None
    line: str = ""
    quote: str = ""
    strength: Strength = Strength.UNKNOWN
    target_year: int | None = None
    caveats: tuple[str, ...] = ()
    verify: bool = False
    status: str = "target"
    url: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "strength", Strength.parse(self.strength))
        if isinstance(self.caveats, str):
            object.__setattr__(self, "caveats", (self.caveats,))
        else:
            object.__setattr__(self, "caveats", tuple(self.caveats))
        object.__setattr__(self, "line", "" if self.line is None else str(self.line))

    def cite(self) -> str:
        """One line: title (number), issuer, year, line: 「quote」."""
        parts = [p for p in (self.title or self.document, self.number, self.issuer,
                             str(self.year) if self.year else "") if p]
        where = f", {self.line}" if self.line else ""
        quote = f": 「{self.quote}」" if self.quote else ""
        return ", ".join(parts) + where + quote


@dataclass(frozen=True)
class Scope:
    """Which districts a rule applies to.

    Parameters
    ----------
    districts
        Names or codes of the districts in scope; ``None`` means every district. An entry may
        list aliases separated by ``/`` (``"黄岛区/青岛西海岸新区"``).
    exclude
        Districts out of scope ("其他区(市)": every district except these).
    area_type
        A zone type such as ``"main_urban_area"``: districts are in scope when the districts
        table has a true column of that name, or a column ``area_type`` equal to it. When the
        districts carry no such marking, every district is kept and the result says so.
    """

    districts: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    area_type: str | None = None

    @classmethod
    def parse(cls, value: object, field_name: str = "scope") -> Scope:
        """Accept a Scope, ``None``/``"all"``, a list of districts, or a mapping."""
        if isinstance(value, Scope):
            return value
        if value is None or (isinstance(value, str) and value.strip().lower() in ("all", "")):
            return cls()
        if isinstance(value, str):
            return cls(districts=(value,))
        if isinstance(value, Mapping):
            unknown = set(value) - {"districts", "exclude", "except", "area_type"}
            if unknown:
                raise RuleError(f"{field_name}.{sorted(unknown)[0]}", value[sorted(unknown)[0]],
                                "unknown scope key",
                                "use districts:, exclude: (or except:) and area_type:")
            districts = value.get("districts")
            exclude = value.get("exclude", value.get("except")) or ()
            return cls(
                districts=None if districts is None else _str_tuple(districts,
                                                                    f"{field_name}.districts"),
                exclude=_str_tuple(exclude, f"{field_name}.exclude"),
                area_type=value.get("area_type"),
            )
        if isinstance(value, Iterable):
            return cls(districts=_str_tuple(value, field_name))
        raise RuleError(field_name, value, "not a scope",
                        "give 'all', a list of district names, or {districts: [...]}, "
                        "{exclude: [...]} or {area_type: main_urban_area}")

    @property
    def is_all(self) -> bool:
        return self.districts is None and not self.exclude and self.area_type is None

    def describe(self) -> str:
        if self.is_all:
            return "all districts"
        parts = []
        if self.districts is not None:
            parts.append(", ".join(self.districts))
        if self.exclude:
            parts.append("all except " + ", ".join(self.exclude))
        if self.area_type:
            parts.append(f"area type {self.area_type}")
        return "; ".join(parts)

    def resolve(self, area: StudyArea) -> tuple[list[str], list[str]]:
        """District names (the ``district`` column) in scope, and notes on how they were found."""
        table = area.districts
        names = table["district"].astype(str).tolist()
        notes: list[str] = []
        keys = _district_keys(table)

        def match(entries: Sequence[str]) -> tuple[set[str], list[str]]:
            found: set[str] = set()
            missing: list[str] = []
            for entry in entries:
                aliases = [a.strip() for a in str(entry).split("/") if a.strip()]
                hit = {keys[a] for a in aliases if a in keys}
                if hit:
                    found |= hit
                else:
                    missing.append(str(entry))
            return found, missing

        keep = set(names)
        if self.districts is not None:
            found, missing = match(self.districts)
            if missing:
                notes.append("scope districts not in the study area: " + ", ".join(missing))
            keep &= found
        if self.exclude:
            found, _ = match(self.exclude)
            keep -= found
        if self.area_type:
            flag = None
            if self.area_type in table.columns:
                flag = table[self.area_type].fillna(False).astype(bool).to_numpy()
            elif "area_type" in table.columns:
                flag = (table["area_type"].astype(str) == self.area_type).to_numpy()
            if flag is None:
                # the plan limits the rule to a zone; without the marking its exempt districts
                # would get verdicts, so the rule stops (as a missing unit_filter column does)
                raise RuleInputError(
                    "districts." + self.area_type, None,
                    f"the rule applies only in '{self.area_type}' districts and the districts "
                    "carry no such marking",
                    f"add a boolean column '{self.area_type}' (or a column area_type equal to "
                    f"'{self.area_type}') to the districts")
            else:
                keep &= {n for n, f in zip(names, flag) if f}
        return [n for n in names if n in keep], notes


def _district_keys(table: pd.DataFrame) -> dict[str, str]:
    """Lookup from any district label (name column, code, 'name', 'NAME') to ``district``."""
    keys: dict[str, str] = {}
    district = table["district"].astype(str).tolist()
    for column in ("name", "NAME", "name_zh", "name_en", "code", "CODE", "district"):
        if column in table.columns:
            for label, name in zip(table[column].astype(str).tolist(), district):
                keys[label] = name
    return keys


def _str_tuple(value: object, field_name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value)
    raise RuleError(field_name, value, "expected a name or a list of names",
                    "give a list such as [市南区, 市北区]")


# ---------------------------------------------------------------------------------------------
# quantities, ranges and ratios with the rule id in every error
# ---------------------------------------------------------------------------------------------
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NUM = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^\s*({_NUM})\s*(?:-|–|—|~|～|to|至)\s*({_NUM})\s*(.*?)\s*$")
_RATIO = re.compile(rf"^\s*({_NUM})\s*(?:per|/|每)\s*({_NUM})\s*(.*?)\s*$")


def _clean(text: object) -> object:
    # units.parse_quantity reads "30,000" as 30.0 (decimal comma); planners write thousands
    if isinstance(text, str):
        return _THOUSANDS.sub("", text)
    return text


def parse_threshold(value: object, *, rule_id: str, field_name: str, dimension: str | tuple[str, ...],
                    default_unit: str | None = None, allow_zero: bool = False) -> Quantity:
    """Parse a threshold with units for rule ``rule_id``; refuse wrong dimensions and negatives.

    Raises
    ------
    UnitError
        Unknown unit or a unit of the wrong dimension; the field is ``"<rule_id>.<field>"``.
    RuleError
        A negative (or zero, unless ``allow_zero``) threshold.
    """
    where = f"{rule_id}.{field_name}"
    dims = (dimension,) if isinstance(dimension, str) else tuple(dimension)
    try:
        quantity = parse_quantity(_clean(value), field=where,  # type: ignore[arg-type]
                                  default_unit=default_unit)
    except UnitError as exc:
        if "bare number" in exc.problem:
            raise UnitError(where, value, "a bare number has no unit",
                            f"write it with a unit, e.g. {_example(dims[0])}") from None
        raise
    if quantity.dimension not in dims:
        raise UnitError(where, value,
                        f"{rule_id} needs a {' or '.join(dims)} here but got a {quantity.dimension}",
                        f"give a {dims[0]} such as {_example(dims[0])}")
    if quantity.value < 0 or (quantity.value == 0 and not allow_zero) or not math.isfinite(
            quantity.value):
        raise RuleError(where, value, "a threshold must be a positive finite number",
                        f"give a positive value such as {_example(dims[0])}")
    return quantity


def parse_share(value: object, *, rule_id: str, field_name: str = "share") -> float:
    """A required share: ``"85 %"``, ``"85%"``, ``0.85``; must lie in (0, 1]."""
    where = f"{rule_id}.{field_name}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        share = float(value)
        if share > 1:
            raise UnitError(where, value, "a bare number above 1 is ambiguous as a share",
                            f"write '{value:g} %' or give a fraction such as 0.85")
    else:
        share = parse_threshold(value, rule_id=rule_id, field_name=field_name,
                                dimension="share").value
    if not 0 < share <= 1:
        raise RuleError(where, value, "a share must be above 0 and at most 100 %",
                        "give a share such as '85 %'")
    return share


def _example(dimension: str) -> str:
    return {"length": "'3.5 km'", "time": "'15 min'", "area_per_person": "'0.3 m2/person'",
            "share": "'85 %'", "people": "'30000 people'", "area": "'500 m2'"}.get(
        dimension, "'1 m'")


@dataclass(frozen=True)
class Range:
    """A band such as 50,000–100,000 people or 30–45 min; ``low == high`` for one value."""

    low: Quantity
    high: Quantity

    @property
    def dimension(self) -> str:
        return self.low.dimension

    def __str__(self) -> str:
        if self.low.value == self.high.value:
            return _fmt_q(self.high)
        return f"{_fmt_num(self.low.value)}–{_fmt_q(self.high)}"


def parse_range(value: object, *, rule_id: str, field_name: str, dimension: str) -> Range:
    """Parse ``"50000-100000 people"``, ``"5-10万人"``, ``{min: .., max: ..}``, ``(lo, hi)`` or
    a single quantity (a band of one value)."""
    if isinstance(value, Range):
        return value
    where = f"{rule_id}.{field_name}"
    if isinstance(value, Mapping):
        unknown = set(value) - {"min", "max"}
        if unknown or not {"min", "max"} <= set(value):
            raise RuleError(f"{where}.{sorted(unknown)[0]}" if unknown else where, value,
                            "a range needs exactly min: and max:",
                            "write {min: 50000 people, max: 100000 people}")
        low, high = value["min"], value["max"]
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        low, high = value
    elif isinstance(value, str) and _RANGE.match(_clean(value)):  # type: ignore[arg-type]
        match = _RANGE.match(_clean(value))  # type: ignore[arg-type]
        assert match is not None
        unit = match.group(3) or ""
        low, high = f"{match.group(1)} {unit}".strip(), f"{match.group(2)} {unit}".strip()
    else:
        q = parse_threshold(value, rule_id=rule_id, field_name=field_name, dimension=dimension)
        return Range(q, q)
    lo = parse_threshold(low, rule_id=rule_id, field_name=f"{field_name}.min", dimension=dimension)
    hi = parse_threshold(high, rule_id=rule_id, field_name=f"{field_name}.max", dimension=dimension)
    if lo.value > hi.value:
        raise RuleError(where, value, "the range's minimum exceeds its maximum",
                        "write the smaller value first")
    return Range(lo, hi)


@dataclass(frozen=True)
class Ratio:
    """``units`` of something per ``per`` people: 1 vehicle per 30,000; 4.5 places per 1,000."""

    units: float
    per: float

    def __str__(self) -> str:
        return f"{_fmt_num(self.units)} per {_fmt_num(self.per)} people"


def parse_ratio(value: object, *, rule_id: str, field_name: str = "rate") -> Ratio:
    """Parse ``"1 per 30000 people"``, ``"4.5 per 1000"``, ``"1/3万人"``, ``{units:, per:}``."""
    where = f"{rule_id}.{field_name}"
    if isinstance(value, Ratio):
        return value
    if isinstance(value, Mapping):
        unknown = set(value) - {"units", "per"}
        if unknown or "per" not in value:
            raise RuleError(f"{where}.{sorted(unknown)[0]}" if unknown else where, value,
                            "a rate needs units: and per:", "write {units: 1, per: 30000 people}")
        units, per = value.get("units", 1), value["per"]
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        units, per = value
    elif isinstance(value, str):
        match = _RATIO.match(_clean(value))  # type: ignore[arg-type]
        if not match:
            raise RuleError(where, value, "not a rate",
                            "write it like '1 per 30000 people' or '4.5 per 1000 people'")
        units, per = match.group(1), f"{match.group(2)} {match.group(3) or 'people'}"
    else:
        raise RuleError(where, value, "not a rate", "write it like '1 per 30000 people'")
    try:
        units_value = float(units)
    except (TypeError, ValueError):
        raise RuleError(f"{where}.units", units, "not a number", "give a number such as 1 or 4.5"
                        ) from None
    if not units_value > 0 or not math.isfinite(units_value):
        raise RuleError(f"{where}.units", units, "must be a positive number",
                        "give a positive number such as 1 or 4.5")
    people = parse_threshold(per, rule_id=rule_id, field_name=f"{field_name}.per",
                             dimension="people", default_unit="people")
    return Ratio(units_value, people.value)


def _fmt_num(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "∞"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _fmt_q(q: Quantity) -> str:
    if q.dimension == "length" and q.value >= 1000:
        return f"{q.value / 1000:g} km"
    if q.dimension == "share":
        return f"{q.value * 100:g} %"
    return f"{_fmt_num(q.value)} {q.unit}"


# ---------------------------------------------------------------------------------------------
# evaluation context: options and caches shared by the rules of one assessment
# ---------------------------------------------------------------------------------------------
@dataclass
class Context:
    """Options and caches shared by all rules of one assessment.

    Parameters
    ----------
    units
        Finer administrative unit layers by level (``{"township": gdf, "village": gdf}``) for
        one-per-unit rules; each GeoDataFrame needs polygons and a ``name`` column (or its
        first text column is used).
    straight_line
        When the study area has no network for a rule's mode, measure access by straight-line
        distance (length thresholds only) instead of reporting the rule as not evaluated.
        Straight lines overstate access; every affected row says so.
    detour
        Factor applied to straight-line distances (1.0 = none; 1.3–1.6 is common for streets).
    absent_is_zero
        Treat a facility kind that is absent from the whole study area as truly absent (zero
        supply) instead of as missing data.
    """

    units: Mapping[str, gpd.GeoDataFrame] = field(default_factory=dict)
    straight_line: bool = False
    detour: float = 1.0
    absent_is_zero: bool = False
    _cache: dict = field(default_factory=dict, repr=False)

    def nearest(self, area: StudyArea, sources: gpd.GeoDataFrame, key: tuple, mode: str,
                cutoff: Quantity | None, by: str) -> tuple[pd.DataFrame, str]:
        """``area.nearest`` for ``sources`` (cached), or straight lines when allowed.

        Returns the per-cell table and a note ("" unless straight lines were used).
        """
        cache_key = ("nearest", key, mode, None if cutoff is None else (cutoff.value,
                                                                           cutoff.dimension), by)
        if cache_key in self._cache:
            return self._cache[cache_key]
        if mode not in getattr(area, "networks", {}):
            if self.straight_line and by == "length":
                table = straight_line_nearest(area, sources, cutoff, detour=self.detour)
                note = (f"straight-line distance (no {mode} network"
                        + (f", detour × {self.detour:g}" if self.detour != 1 else "")
                        + "): overstates access")
                self._cache[cache_key] = (table, note)
                return table, note
            have = sorted(getattr(area, "networks", {})) or "none"
            hint = (" or assess(..., straight_line=True) for a straight-line reading"
                    if by == "length" else "")
            raise RuleInputError(
                "networks", mode, f"needs a {mode} network and the study area has {have}",
                f"build the StudyArea with networks={{'{mode}': ...}} (see siting.network)" + hint)
        table = area.nearest(sources, mode, cutoff, by=by)
        self._cache[cache_key] = (table, "")
        return table, ""


def straight_line_nearest(area: StudyArea, sources: gpd.GeoDataFrame, cutoff: Quantity | None,
                          *, detour: float = 1.0) -> pd.DataFrame:
    """Straight-line stand-in for ``area.nearest`` (same columns; ``time_min`` is NaN).

    Distances run from each cell's representative point to the nearest facility point,
    across district borders, multiplied by ``detour``.
    """
    cells = area.cells
    table = cells[["population", "district"]].copy()
    points = gpd.GeoSeries(cells.geometry.representative_point(), crs=area.crs)
    if len(sources) == 0:
        table["distance_m"] = np.inf
        table["facility"] = -1
    else:
        src = sources.geometry
        left, right = src.sindex.nearest(points.to_numpy(), return_all=False)
        dist = np.full(len(cells), np.inf)
        fac = np.full(len(cells), -1, dtype=np.int64)
        gaps = shapely.distance(points.to_numpy()[left], src.to_numpy()[right])
        dist[left] = np.asarray(gaps, dtype=float) * detour
        fac[left] = sources.index.to_numpy()[right]
        table["distance_m"] = dist
        table["facility"] = fac
    table["time_min"] = np.nan
    limit = np.inf if cutoff is None else cutoff.value
    reached = table["distance_m"].to_numpy() <= limit
    table["status"] = np.where(reached, "reached", "beyond_cutoff")
    table.loc[~reached, "facility"] = -1
    return table


# ---------------------------------------------------------------------------------------------
# the rule base class
# ---------------------------------------------------------------------------------------------
def _facility_tuple(value: object, rule_id: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = (value,) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]
    out = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise RuleError(f"{rule_id}.facility", value, "facility kinds must be text ids",
                            "give a kind id such as 'community_health_centre'")
        out.append(item.strip())
    return tuple(out)


@dataclass(kw_only=True, eq=False, repr=False)
class Rule:
    """Base class of every rule.

    Parameters
    ----------
    id
        Unique id, e.g. ``"SH16-18"``.
    name
        Short English name.
    name_zh
        Short Chinese name, written from the source quote (shown on ``lang="zh"`` pages).
    domain
        One of :data:`DOMAINS`.
    facility
        Facility kind id(s) the rule is about (``"emergency_station"``); a list means a
        facility of any of these kinds counts (centre *or* branch centre).
    facility_filter
        Keep only facilities whose columns equal the given values (a list means any of them),
        e.g. ``{"grade": "III"}``.
    basis
        Population basis: ``"population"`` (residents, 常住人口, the default), another numeric
        column of the cells or districts (``"elderly"``), or ``"new_residents"``
        (planned − current).
    scope
        :class:`Scope`, or anything :meth:`Scope.parse` accepts.
    check_at
        ``"district"`` (each district must pass) or ``"area"`` (the stated level is the whole
        study area, e.g. "全市"; district rows are then diagnostics).
    provenance
        :class:`Provenance` or a mapping of its fields.
    """

    kind: ClassVar[str] = "rule"
    checkable: ClassVar[bool] = True
    #: The kind combines other rules (``parts:`` in a catalogue entry).
    has_parts: ClassVar[bool] = False
    #: Layers a map of this rule draws (see :data:`siting.rules.interface.MAP_LAYERS`);
    #: travel and isochrones only where :meth:`map_travel` gives a threshold.
    map_layers: ClassVar[tuple[str, ...]] = MAP_LAYERS
    #: Why new sites cannot fix this kind, when :meth:`proposal` is None (zh, en).
    cannot_propose: ClassVar[Mapping[str, str]] = NO_SITE_FIX

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        register(cls)

    id: str
    name: str = ""
    name_zh: str = ""
    domain: str = "other"
    facility: tuple[str, ...] | str | None = ()
    facility_filter: Mapping[str, Any] | None = None
    basis: str = "population"
    scope: Scope | Any = None
    check_at: str = "district"
    provenance: Provenance | Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise RuleError("id", self.id, "every rule needs a text id", "give id='XX-01'")
        self.id = self.id.strip()
        self.facility = _facility_tuple(self.facility, self.id)
        self.scope = Scope.parse(self.scope, f"{self.id}.scope")
        if self.domain not in DOMAINS:
            raise RuleError(f"{self.id}.domain", self.domain, "unknown domain",
                            "use one of " + ", ".join(DOMAINS))
        if self.check_at not in ("district", "area"):
            raise RuleError(f"{self.id}.check_at", self.check_at, "unknown level",
                            "use 'district' or 'area'")
        if self.provenance is None:
            self.provenance = Provenance()
        elif isinstance(self.provenance, Mapping):
            known = {f.name for f in fields(Provenance)}
            bad = set(self.provenance) - known
            if bad:
                raise RuleError(f"{self.id}.provenance.{sorted(bad)[0]}", None,
                                "unknown provenance field", "use " + ", ".join(sorted(known)))
            self.provenance = Provenance(**self.provenance)
        if self.basis in RESIDENT_ALIASES:
            self.basis = "population"
        if self.facility_filter is not None and not isinstance(self.facility_filter, Mapping):
            raise RuleError(f"{self.id}.facility_filter", self.facility_filter,
                            "must map column names to values", "write {grade: III}")

    # -- provenance shortcuts ---------------------------------------------------------------
    @property
    def strength(self) -> Strength:
        return self.provenance.strength  # type: ignore[union-attr]

    @property
    def target_year(self) -> int | None:
        return self.provenance.target_year  # type: ignore[union-attr]

    @property
    def document(self) -> str:
        return self.provenance.document  # type: ignore[union-attr]

    def describe(self) -> str:
        """The requirement in one line of plain words."""
        return self.name or self.kind

    # -- what the rest of the library asks a rule kind (see rules/interface.py) ------------
    @property
    def decided_at(self) -> str:
        """Where the verdict is decided: ``"district"`` or ``"area"`` (the study-area row).

        (``check_at`` as given; PerUnitRule's ``level`` is the unit layer, a different thing.)
        """
        return self.check_at

    def reaches(self) -> tuple[Reach, ...] | None:
        """The travel the verdict reads, one :class:`Reach` per facility set.

        ``None`` (the default for a kind that does not say) means unknown: a batch run then
        gives the district's task the whole study area.
        """
        return None

    def map_travel(self) -> Reach | None:
        """The travel threshold maps measure residents against, or ``None`` (no travel)."""
        return None

    def proposal(self) -> ProposalBlock | None:
        """How new sites close this rule's gap, or ``None`` (see :attr:`cannot_propose`)."""
        return None

    def walk(self) -> list[Rule]:
        """This rule and, for composites, all its parts (depth first)."""
        return [self]

    def facility_label(self) -> str:
        return " or ".join(self.facility) if self.facility else ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id!r}: {self.describe()})"

    # -- evaluation ---------------------------------------------------------------------------
    def evaluate(self, area: StudyArea, context: Context | None = None) -> RuleResult:
        """Check the rule in every district in scope.

        Raises
        ------
        RuleInputError
            The study area lacks what the rule needs (network, column, facility kind).
        """
        context = context or Context()
        districts, notes = self.scope.resolve(area)  # type: ignore[union-attr]
        if not districts:
            raise RuleInputError(
                f"{self.id}.scope", self.scope.describe(),  # type: ignore[union-attr]
                "no district of the study area is in this rule's scope"
                + (" (" + "; ".join(notes) + ")" if notes else ""),
                "check the district names, or pass a rule with scope='all'")
        result = self._evaluate(area, districts, context)
        if notes:
            result.add_note("; ".join(notes))
        return result

    def _evaluate(self, area: StudyArea, districts: list[str], context: Context) -> RuleResult:
        raise NotImplementedError

    # -- helpers for subclasses ----------------------------------------------------------------
    def facilities(self, area: StudyArea, context: Context, *, required: bool = True
                   ) -> gpd.GeoDataFrame:
        """Facilities of the rule's kind(s) after ``facility_filter``.

        Raises :class:`RuleInputError` when no facility of the kind exists anywhere in the study
        area (usually missing data), unless ``context.absent_is_zero``.
        """
        if not self.facility:
            raise RuleError(f"{self.id}.facility", None, "this rule names no facility kind",
                            "give facility='...'")
        table = area.facilities_of(list(self.facility))
        if len(table) == 0 and required and not context.absent_is_zero:
            known = sorted(area.facilities["kind"].astype(str).unique())
            raise RuleInputError(
                f"{self.id}.facility", self.facility_label(),
                "no facility of this kind in the study area (missing data?)",
                f"add them to the facilities layer (kinds present: {known[:12]}), or "
                "assess(..., absent_is_zero=True) if there really are none")
        if self.facility_filter:
            for column, wanted in self.facility_filter.items():
                if column not in table.columns:
                    raise RuleInputError(
                        f"{self.id}.facility_filter", column,
                        "the facilities have no such column",
                        f"add column {column!r} to the facilities or drop the filter")
                values = list(wanted) if isinstance(wanted, (list, tuple, set)) else [wanted]
                table = table[table[column].isin(values)]
        return table

    def basis_by_district(self, area: StudyArea, districts: list[str]) -> tuple[pd.Series, str]:
        """Population basis summed per district, and a note on how it was obtained."""
        values, note, level = _basis_values(area, self.basis, self.id)
        if level == "cells":
            # a district whose cells miss the value (NaN) is undecided, not 0
            summed = values.groupby(area.cells["district"]).sum(min_count=1)
            missing = values.isna().groupby(area.cells["district"]).any()
            summed[missing.reindex(summed.index).fillna(False).to_numpy(dtype=bool)] = np.nan
            # a district without any cell has no residents in the grid: 0, not missing
            return summed.reindex(districts).fillna(0.0).astype(float), note
        return values.reindex(districts).astype(float), note

    def basis_by_cell(self, area: StudyArea) -> tuple[pd.Series, str]:
        """Population basis per cell (for access rules), and a note."""
        values, note, level = _basis_values(area, self.basis, self.id)
        if level == "cells":
            missing = int(values.isna().sum())
            if missing:
                note = "; ".join(n for n in (note, f"{missing} cells without a {self.basis} "
                                             "value weigh 0 in access shares") if n)
            return values.fillna(0.0), note
        # a district-level basis maps onto cells only when each district is one cell
        counts = area.cells["district"].value_counts()
        if (counts <= 1).all():
            return area.cells["district"].map(values).fillna(0.0).astype(float), note
        raise RuleInputError(
            f"{self.id}.basis", self.basis,
            "this basis exists per district only, and an access rule needs it per cell",
            f"add a '{self.basis}' column to the cells")

    def result(self, table: pd.DataFrame, overall: pd.DataFrame, **kw: Any) -> RuleResult:
        """Fill the shared columns and wrap into a :class:`RuleResult`."""
        return RuleResult(rule=self, table=_finish(self, table),
                          overall=_finish(self, overall), **kw)


def _basis_values(area: StudyArea, basis: str, rule_id: str) -> tuple[pd.Series, str, str]:
    """(values, note, level) where level is "cells" or "districts"."""
    cells, districts = area.cells, area.districts.set_index("district")

    def column(name: str) -> tuple[pd.Series, str] | None:
        # a missing value stays NaN: the rows it feeds are undecided, never decided on 0
        if name in cells.columns:
            return pd.to_numeric(cells[name], errors="coerce"), "cells"
        if name in districts.columns:
            return pd.to_numeric(districts[name], errors="coerce"), "districts"
        return None

    if basis == "population":
        return cells["population"].astype(float), "", "cells"
    if basis in (NEW_RESIDENTS, "new"):
        found = column(NEW_RESIDENTS)
        if found:
            values, level = found
            return values.clip(lower=0), "", level
        planned = column("planned")
        if planned is None:
            raise RuleInputError(
                f"{rule_id}.basis", basis,
                "new residents need a 'new_residents' column or a 'planned' population column",
                "add planned (and current) population to the cells or districts")
        current = column("current")
        note = "new residents = planned − current"
        if current is None or current[1] != planned[1]:
            note = "new residents = planned − population (no 'current' column)"
            if planned[1] == "cells":
                current = (cells["population"].astype(float), "cells")
            else:
                # planned totals per district against the residents of each district's
                # cells, aligned on the district name (not on the cells' positions)
                current = (cells["population"].astype(float).groupby(cells["district"]).sum()
                           .reindex(districts.index), "districts")
        diff = planned[0] - current[0]
        if (diff < 0).any():
            note += "; districts/cells losing population count 0 new residents"
        if diff.isna().any():
            note += "; planned or current population missing: those rows are undecided"
        return diff.clip(lower=0), note, planned[1]
    found = column(basis)
    if found is None:
        have = list(getattr(area, "population_bases", ["population"]))
        extra = [c for c in districts.select_dtypes("number").columns if c not in have]
        raise RuleInputError(f"{rule_id}.basis", basis, "no such population column",
                             f"add it to the cells or districts (have {have + extra})")
    return found[0], "", found[1]


def _finish(rule: Rule, table: pd.DataFrame) -> pd.DataFrame:
    # built column by column into one new frame: inserting a dozen columns into a copy
    # cost more than the rule's own arithmetic on a district batch (same values and dtypes)
    n = len(table)
    table = table.reset_index(drop=True)
    nan = pd.Series(np.full(n, np.nan))
    columns = {c: table[c] if c in table.columns else nan for c in TABLE_COLUMNS}
    for column, value in (("rule_id", rule.id), ("kind", rule.kind),
                          ("facility", rule.facility_label()), ("basis", rule.basis),
                          ("strength", str(rule.strength))):
        columns[column] = pd.Series([value] * n, dtype="str")
    note = columns["note"]
    columns["note"] = note.where(note.notna(), "").astype(object)
    columns["passed"] = columns["passed"].astype("boolean")
    # attainment: 1 = just passing; lets equity compare districts across rule kinds
    if columns["attainment"].isna().all():
        reading = pd.to_numeric(columns["reading"], errors="coerce")
        required = pd.to_numeric(columns["required"], errors="coerce")
        with np.errstate(divide="ignore", invalid="ignore"):
            ge = reading / required
            le = required / reading
        attainment = np.where(columns["op"] == "≤", le, ge).astype(float)
        attainment[columns["op"].isna().to_numpy()] = np.nan
        columns["attainment"] = pd.Series(attainment)
    return pd.DataFrame(columns)


@dataclass
class RuleResult:
    """The outcome of one rule on one study area.

    Attributes
    ----------
    rule
        The rule.
    table
        One row per district in scope, columns :data:`TABLE_COLUMNS`.
    overall
        One row for the whole study area (district ``"(study area)"``), same columns.
    failures
        Geometry of what fails: uncovered cells, failing districts or units, with ``rule_id``.
    readings
        Long table of every reading computed (``district, reading, value, unit``), e.g. the
        area-equivalent, network and straight-line radius readings of a radius rule.
    details
        Extra tables (``"circles"`` for service circles, ``"units"`` for per-unit rules).
    parts
        Results of the parts of an any_of / all_of composite.
    """

    rule: Rule
    table: pd.DataFrame
    overall: pd.DataFrame
    failures: gpd.GeoDataFrame | None = None
    readings: pd.DataFrame | None = None
    details: dict[str, pd.DataFrame] = field(default_factory=dict)
    parts: list[RuleResult] = field(default_factory=list)

    @property
    def passed(self) -> bool | None:
        """Whether the rule passes at its stated level (every district, or the study area)."""
        if self.rule.decided_at == "area":
            value = self.overall["passed"].iloc[0] if len(self.overall) else pd.NA
            return None if pd.isna(value) else bool(value)
        values = self.table["passed"].dropna()
        if len(values) == 0:
            return None
        return bool(values.all())

    def add_note(self, note: str) -> None:
        for table in (self.table, self.overall):
            table["note"] = [(n + "; " + note) if n else note for n in table["note"]]

    def __repr__(self) -> str:
        passed = self.passed
        verdict = "passes" if passed else ("fails" if passed is False else "not decided")
        n_fail = int((self.table["passed"] == False).sum())  # noqa: E712
        return (f"<RuleResult {self.rule.id} ({self.rule.kind}): {verdict}; "
                f"{n_fail} of {len(self.table)} districts fail>")


def empty_failures(crs: object) -> gpd.GeoDataFrame:
    """An empty failures layer with the standard columns."""
    return gpd.GeoDataFrame({"rule_id": pd.Series(dtype=object), "district": pd.Series(dtype=object),
                             "what": pd.Series(dtype=object),
                             "population": pd.Series(dtype=float)},
                            geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def frame(districts: Iterable[str]) -> pd.DataFrame:
    """An empty per-district table to fill."""
    return pd.DataFrame({"district": list(districts)})
