"""Rules about how much is provided: per population, per capita, per unit, attribute shares.

These rules count facilities and sum their attributes per district (the district a facility's
point lies in, as decided by :class:`~siting.study_area.StudyArea`); they need no network.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import RuleError
from ..units import Quantity
from .interface import ProposalBlock, Reach
from .base import (NEW_RESIDENTS, STUDY_AREA, Context, Range, Ratio, Rule, RuleInputError,
                   RuleResult, _fmt_num, empty_failures, frame, parse_range, parse_ratio,
                   parse_share, parse_threshold)

if TYPE_CHECKING:
    from ..study_area import StudyArea

#: Values of a facility ``status`` column that mark a facility as new (planned, proposed).
NEW_STATUS = ("new", "planned", "proposed", "under_construction", "规划", "新建", "在建")
_TRUE_TEXT = {"true", "yes", "y", "1", "是", "有", "t"}


def _passed(values: np.ndarray) -> pd.arrays.BooleanArray:
    out = pd.array(values, dtype="boolean")
    return out


def _failing_districts(rule: Rule, area: StudyArea, out: pd.DataFrame) -> gpd.GeoDataFrame:
    fails = (out["passed"] == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    if not fails.any():
        return empty_failures(area.crs)
    names = out.loc[fails, "district"].tolist()
    geoms = area.districts.set_index("district").geometry.reindex(names)
    return gpd.GeoDataFrame(
        {"rule_id": rule.id, "district": names, "what": "district",
         "population": out.loc[fails, "population"].to_numpy(dtype=float),
         "shortfall": out.loc[fails, "shortfall"].to_numpy(dtype=float)},
        geometry=geoms.to_numpy(), crs=area.crs)


def _attribute_column(rule: Rule, facilities: pd.DataFrame, attribute: Sequence[str],
                      field: str = "attribute") -> str:
    """The first of ``attribute`` present in the facilities, or an error naming them all."""
    for name in attribute:
        if name in facilities.columns:
            return name
    raise RuleInputError(
        f"{rule.id}.{field}", list(attribute) if len(attribute) > 1 else attribute[0],
        f"the {rule.facility_label()} facilities have no such column",
        f"add column {attribute[0]!r} to the facilities (columns now: "
        f"{[c for c in facilities.columns if c not in ('geometry',)][:12]})")


def _numeric(rule: Rule, values: pd.Series, column: str) -> tuple[pd.Series, str]:
    """Numeric facility values; unknown ones stay NaN (see :func:`_known_supply`)."""
    numeric = pd.to_numeric(values, errors="coerce")
    missing = int(numeric.isna().sum())
    note = f"{missing} facilities without a {column} value" if missing else ""
    if (numeric < 0).any():
        raise RuleInputError(f"facilities.{column}", numeric[numeric < 0].head(3).tolist(),
                             f"negative {column} values", "fix the facility attributes")
    if np.isinf(numeric.to_numpy(dtype=float)).any():  # +inf vehicles would pass every ratio
        raise RuleInputError(f"facilities.{column}", numeric[np.isinf(numeric)].head(3).tolist(),
                             f"infinite {column} values", "give finite counts")
    return numeric, note


def _known_supply(values: pd.Series, facilities: pd.DataFrame, districts: list[str]
                  ) -> tuple[pd.Series, pd.Series]:
    """Per district: the sum of the known values, and how many facilities have none.

    An unknown value is at least 0, so the known sum is a lower bound of the supply: it can
    decide a pass, never a failure (POI layers rarely carry beds or vehicles).
    """
    by = facilities["district"]
    known = values.fillna(0.0).groupby(by).sum().reindex(districts).fillna(0.0)
    unknown = values.isna().groupby(by).sum().reindex(districts).fillna(0).astype(int)
    return known, unknown


def _undecided_basis(p: np.ndarray, basis: str) -> list[str]:
    """Why each row with a zero or missing population basis is undecided ("" otherwise)."""
    words = basis.replace("_", " ")
    return [f"{words} missing: undecided" if np.isnan(x) else
            (f"no {words} here: undecided" if x == 0 else "") for x in p]


def _decide(ok: np.ndarray, p: np.ndarray, unknown: np.ndarray | None = None
            ) -> pd.arrays.BooleanArray:
    """Pass/fail where the basis is positive and the data decide; NA elsewhere.

    ``unknown`` counts facilities whose value is not known: a row that fails on the known
    values alone is undecided while any is unknown (the unknown ones might close the gap).
    """
    out = pd.array(ok, dtype="boolean")
    no_basis = ~(p > 0)
    out[no_basis] = pd.NA
    if unknown is not None:
        out[(~ok) & (unknown > 0)] = pd.NA
    return out


def _count_shortfall(need: np.ndarray, have: np.ndarray) -> np.ndarray:
    """A shortfall of countable things (facilities, vehicles, beds) in whole units, rounded up."""
    with np.errstate(invalid="ignore"):
        return np.maximum(0.0, np.ceil(need - have - 1e-9))


def _attr_tuple(value: object, rule_id: str, field: str, required: bool = True
                ) -> tuple[str, ...] | None:
    if value is None:
        if required:
            raise RuleError(f"{rule_id}.{field}", None, "missing attribute column name",
                            f"give {field}='...'")
        return None
    items = (value,) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]
    if not items or not all(isinstance(i, str) and i for i in items):
        raise RuleError(f"{rule_id}.{field}", value, "must be a column name or a list of them",
                        f"give {field}='beds'")
    return items


def _join_notes(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _supply_frames(districts: list[str], people: pd.Series, supply: pd.Series
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-district and whole-area tables of population and what is provided."""
    out = frame(districts)
    out["population"] = people.to_numpy()
    out["provided"] = supply.to_numpy()
    overall = frame([STUDY_AREA])
    overall["population"] = [people.sum()]
    overall["provided"] = [supply.sum()]
    return out, overall


# ---------------------------------------------------------------------------------------------
@dataclass(kw_only=True, eq=False, repr=False)
class FacilitiesPerPopulationRule(Rule):
    """One facility per N people, N within a band.

    SH16-16: 1 community health centre (or branch) per 50,000–100,000 *new* residents in
    population-inflow areas.

    Parameters
    ----------
    per
        People per facility: a band (``"50000-100000 people"``) or one value. The upper bound
        is the hard limit (pass when people per facility ≤ it); a reading below the lower
        bound is noted as denser than the band, not failed (the lower bound is the earliest
        trigger for a new facility, not a cap).
    basis
        ``"population"`` (all residents) or ``"new_residents"``. With new residents only new
        facilities count: those passing ``facility_filter``, or else those whose ``status``
        column is one of :data:`NEW_STATUS` (or whose boolean ``new`` column is true); without
        such columns none count and the whole requirement is reported as still to build.
    """

    kind: ClassVar[str] = "facilities_per_population"
    per: Range | str | Any = "50000-100000 people"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.per = parse_range(self.per, rule_id=self.id, field_name="per", dimension="people")
        if not self.facility:
            raise RuleError(f"{self.id}.facility", None, "needs a facility kind",
                            "give facility='community_health_centre'")

    def reaches(self) -> tuple[Reach, ...]:
        return (Reach(self.facility),)  # type: ignore[arg-type]

    def proposal(self) -> ProposalBlock:
        return ProposalBlock("count", self.facility)  # type: ignore[arg-type]

    def describe(self) -> str:
        return f"1 {self.facility_label()} per {self.per} ({self.basis})"

    def _count(self, area: StudyArea, context: Context) -> tuple[pd.DataFrame, str]:
        new_basis = self.basis in (NEW_RESIDENTS, "new")
        facilities = self.facilities(area, context, required=not new_basis)
        if not new_basis or self.facility_filter:
            return facilities, ""
        if "status" in facilities.columns:
            keep = facilities["status"].astype(str).str.lower().isin(NEW_STATUS)
            return facilities[keep], "new facilities: status in " + "/".join(NEW_STATUS[:4])
        if "new" in facilities.columns:
            return facilities[facilities["new"].fillna(False).astype(bool)], "new facilities: new == True"
        return facilities.iloc[0:0], ("no facility is marked new (column 'status' = planned/new "
                                      "or 'new' = True): the whole requirement is still to build")

    def _evaluate(self, area: StudyArea, districts: list[str], context: Context) -> RuleResult:
        people, basis_note = self.basis_by_district(area, districts)
        facilities, count_note = self._count(area, context)
        count = facilities.groupby("district").size().reindex(districts).fillna(0).astype(float)
        out = frame(districts)
        out["population"] = people.to_numpy()
        out["provided"] = count.to_numpy()
        overall = frame([STUDY_AREA])
        overall["population"] = [people.sum()]
        overall["provided"] = [count.sum()]
        for table in (out, overall):
            self._fill(table, _join_notes(basis_note, count_note))
        return self.result(out, overall, failures=_failing_districts(self, area, out))

    def _fill(self, out: pd.DataFrame, note: str) -> None:
        p = out["population"].to_numpy(dtype=float)
        n = out["provided"].to_numpy(dtype=float)
        hi, lo = self.per.high.value, self.per.low.value
        with np.errstate(divide="ignore", invalid="ignore"):
            reading = np.where(n > 0, p / n, np.where(p > 0, np.inf, np.nan))
            # "每新增5-10万人增设1所": one facility is due once the basis reaches the band's
            # lower end (5万), and then one per upper end (10万) or part of it
            needed = np.where(p >= lo - 1e-9, np.ceil(p / hi - 1e-9), 0.0)
        out["reading"] = reading
        out["op"] = "≤"
        out["required"] = hi
        out["unit"] = "people per facility"
        out["shortfall"] = _count_shortfall(needed, n)
        out["shortfall_unit"] = "facilities"
        out["passed"] = _decide(n >= needed, p)
        notes = []
        for r, pp, k, why in zip(reading, p, n, _undecided_basis(p, self.basis)):
            extra = [why]
            if 0 < pp < lo and k == 0:
                extra.append(f"below {_fmt_num(lo)} {self.basis.replace('_', ' ')}: no "
                             "facility due yet")
            elif r < lo:
                extra.append(f"denser than the band (fewer than {_fmt_num(lo)} per facility)")
            notes.append(_join_notes(note, *extra))
        out["note"] = notes


# ---------------------------------------------------------------------------------------------
@dataclass(kw_only=True, eq=False, repr=False)
class CapacityPerPopulationRule(Rule):
    """A facility attribute per N people: vehicles, beds, places, staff.

    SH16-19 / QD21-22 (1 ambulance per 30,000 people), QD21-36 (4.5 childcare places per
    1,000 people), GS17-19 (35 elderly-care beds per 1,000 elderly: ``basis="elderly"``).

    Parameters
    ----------
    rate
        ``"1 per 30000 people"``, ``"4.5 per 1000 people"``, ``{units: 1, per: 30000 people}``.
    attribute
        The facility column summed (or a list: the first present is used). ``None`` counts
        facilities, each as one unit (for a layer of individual ambulances, say).
    unit_name
        Name of what is counted, for tables ("vehicles"); defaults to the attribute.
    total
        The whole study area's count given directly (SH16-19 / QD21-22: the city's ambulances
        from its statistics, not a column on each station). It decides the study-area row;
        district rows, from the facilities when they carry the attribute, are then only
        diagnostics (use with ``check_at: area``).
    """

    kind: ClassVar[str] = "capacity_per_population"
    rate: Ratio | str | Any = "1 per 30000 people"
    attribute: str | Sequence[str] | None = None
    unit_name: str = ""
    total: float | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        self.rate = parse_ratio(self.rate, rule_id=self.id)
        if self.total is not None:
            try:
                self.total = float(self.total)
            except (TypeError, ValueError):
                raise RuleError(f"{self.id}.total", self.total, "not a number",
                                "give the city-wide count, e.g. total: 1000") from None
            if not (self.total >= 0 and math.isfinite(self.total)):
                raise RuleError(f"{self.id}.total", self.total, "must be a finite count ≥ 0",
                                "give the city-wide count, e.g. total: 1000")
        self.attribute = _attr_tuple(self.attribute, self.id, "attribute", required=False)
        if not self.facility:
            raise RuleError(f"{self.id}.facility", None, "needs a facility kind",
                            "give facility='emergency_station'")
        if not self.unit_name:
            self.unit_name = self.attribute[0] if self.attribute else "facilities"

    def reaches(self) -> tuple[Reach, ...]:
        return (Reach(self.facility),)  # type: ignore[arg-type]

    def describe(self) -> str:
        return (f"≥ {_fmt_num(self.rate.units)} {self.unit_name} per "
                f"{_fmt_num(self.rate.per)} {self.basis} ({self.facility_label()})")

    def _evaluate(self, area: StudyArea, districts: list[str], context: Context) -> RuleResult:
        people, basis_note = self.basis_by_district(area, districts)
        given = self.total is not None
        facilities = self.facilities(area, context, required=not given)
        if self.attribute and (not given or any(a in facilities.columns for a in self.attribute)):
            column = _attribute_column(self, facilities, self.attribute)
            values, _ = _numeric(self, facilities[column], column)
            used = f"summing {column}" if len(self.attribute) > 1 else ""
        elif self.attribute:
            # a city total without per-facility values: districts cannot be read at all
            values = pd.Series(np.nan, index=facilities.index)
            used = f"no {self.attribute[0]} per facility: district rows undecided"
        else:
            values, used = pd.Series(1.0, index=facilities.index), ""
        supply, unknown = _known_supply(values, facilities, districts)
        if given and self.attribute and not len(facilities):
            supply[:] = np.nan
        note = _join_notes(basis_note, used)
        out, overall = _supply_frames(districts, people, supply)
        self._fill(out, note, unknown.to_numpy())
        if given:
            overall["provided"] = [self.total]
            self._fill(overall, _join_notes(basis_note, f"city-wide total given: "
                                            f"{_fmt_num(self.total)} {self.unit_name}"),
                       np.array([0]))
        else:
            self._fill(overall, note, np.array([unknown.sum()]))
        return self.result(out, overall, failures=_failing_districts(self, area, out))

    def _fill(self, table: pd.DataFrame, note: str, unknown: np.ndarray) -> None:
        p = table["population"].to_numpy(dtype=float)
        s = table["provided"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            reading = np.where(p > 0, s / p * self.rate.per, np.nan)
        need = p * self.rate.units / self.rate.per
        table["reading"] = reading
        table["op"] = "≥"
        table["required"] = self.rate.units
        table["unit"] = f"{self.unit_name} per {_fmt_num(self.rate.per)} people"
        # vehicles, beds and places come whole: 384.2 needed more means 385
        table["shortfall"] = _count_shortfall(need, s)
        table["shortfall_unit"] = self.unit_name
        with np.errstate(invalid="ignore"):
            ok = reading >= self.rate.units - 1e-9
        passed = _decide(ok, p, unknown)
        passed[np.isnan(s)] = pd.NA
        table["passed"] = passed
        table["note"] = [_join_notes(note, why, f"{k} facilities without a {self.unit_name} "
                                     "value: the known ones are a lower bound"
                                     + ("" if ok_ else ", undecided") if k else "")
                         for why, k, ok_ in zip(_undecided_basis(p, self.basis), unknown, ok)]


# ---------------------------------------------------------------------------------------------
@dataclass(kw_only=True, eq=False, repr=False)
class AreaPerCapitaRule(Rule):
    """Square metres of facility land or floor per person.

    SH16-28 (≥ 0.3 m² outdoor sports land per resident) or SH16-29 (≥ 0.1 m² indoor sports
    floor area) — combine alternatives with :class:`~siting.rules.AnyOf`; GS17-50 (≥ 0.1 m² of
    elderly-care facility land per person).

    Parameters
    ----------
    threshold
        ``"0.3 m2/person"``.
    attribute
        Facility column with the area in m² (or a list: the first present is used), e.g.
        ``["land_area_m2", "area_m2"]``.
    """

    kind: ClassVar[str] = "area_per_capita"
    threshold: Quantity | str | float = "0.3 m2/person"
    attribute: str | Sequence[str] = ("area_m2",)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.threshold = parse_threshold(self.threshold, rule_id=self.id, field_name="threshold",
                                         dimension="area_per_person")
        self.attribute = _attr_tuple(self.attribute, self.id, "attribute")
        if not self.facility:
            raise RuleError(f"{self.id}.facility", None, "needs a facility kind",
                            "give facility='sports_ground'")

    def reaches(self) -> tuple[Reach, ...]:
        return (Reach(self.facility),)  # type: ignore[arg-type]

    def describe(self) -> str:
        return (f"≥ {_fmt_num(self.threshold.value)} m²/person of {self.facility_label()} "
                f"{self.attribute[0]}")  # type: ignore[index]

    def _evaluate(self, area: StudyArea, districts: list[str], context: Context) -> RuleResult:
        people, basis_note = self.basis_by_district(area, districts)
        facilities = self.facilities(area, context)
        column = _attribute_column(self, facilities, self.attribute)  # type: ignore[arg-type]
        values, _ = _numeric(self, facilities[column], column)
        supply, unknown = _known_supply(values, facilities, districts)
        note = _join_notes(basis_note,
                           f"area from {column}" if column != self.attribute[0] else "")  # type: ignore[index]
        limit = self.threshold.value
        out, overall = _supply_frames(districts, people, supply)
        for table, k in ((out, unknown.to_numpy()), (overall, np.array([unknown.sum()]))):
            p = table["population"].to_numpy(dtype=float)
            s = table["provided"].to_numpy(dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                reading = np.where(p > 0, s / p, np.nan)
                ok = reading >= limit - 1e-12
            table["reading"] = reading
            table["op"] = "≥"
            table["required"] = limit
            table["unit"] = "m2/person"
            table["shortfall"] = np.maximum(0.0, p * limit - s)
            table["shortfall_unit"] = "m2"
            table["passed"] = _decide(ok, p, k)
            table["note"] = [_join_notes(note, why, f"{n} facilities without a {column} value: "
                                         "the known ones are a lower bound"
                                         + ("" if o else ", undecided") if n else "")
                             for why, n, o in zip(_undecided_basis(p, self.basis), k, ok)]
        return self.result(out, overall, failures=_failing_districts(self, area, out))


# ---------------------------------------------------------------------------------------------
LEVELS = ("district", "prefecture", "county", "township", "village")
#: Unit types of the township (街道 sub-district, 乡镇 township/town) and village (行政村
#: administrative village, 社区 urban community) levels, as in a ``unit_type`` column.
UNIT_TYPES = ("街道", "乡镇", "镇", "乡", "行政村", "社区", "居委会")


@dataclass(kw_only=True, eq=False, repr=False)
class PerUnitRule(Rule):
    """Every administrative unit has at least ``min_count`` facilities of a kind.

    GS17-42 (a township health centre in every township), GS17-43 (a village clinic in every
    administrative village), QD21-14 (a multi-function court in every sub-district), QD21-40
    (a tertiary hospital in every district).

    Parameters
    ----------
    level
        ``"district"`` uses the study area's districts as the units. Finer or coarser levels
        (``"township"``, ``"village"``, ``"county"``, ``"prefecture"``) use the unit layer
        passed as ``assess(area, rules, units={"township": gdf})``. Without one, ``"county"``
        falls back to the districts (Chinese district tables are usually county-level) and
        ``"prefecture"`` needs its layer (a study area may span several prefectures).
    min_count
        Facilities each unit needs (default 1).
    unit_filter
        Check only the units whose columns equal these values (a list means any of them),
        e.g. ``{"poor_village_with_demand": True}`` for GS17-30.
    unit_type
        Check only units whose ``unit_type`` column is one of these (:data:`UNIT_TYPES`:
        街道 / 乡镇 at township level, 行政村 / 社区 at village level): QD21-14 「每个街道」
        checks 街道 only, GS17-43 「每个行政村」 行政村 only. A layer without the column stops
        the rule (the types cannot be told apart).
    facility_by_unit_type
        Which facility kinds count in a unit of each type, e.g. GS17-42
        ``{乡镇: township_health_centre, 街道: community_health_centre}``; a type not listed
        accepts every kind of ``facility``.
    """

    kind: ClassVar[str] = "per_unit"
    level: str = "district"
    min_count: int = 1
    unit_filter: Mapping[str, Any] | None = None
    unit_type: str | Sequence[str] | None = None
    facility_by_unit_type: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.level not in LEVELS:
            raise RuleError(f"{self.id}.level", self.level, "unknown administrative level",
                            "use one of " + ", ".join(LEVELS))
        if isinstance(self.min_count, bool) or not isinstance(self.min_count, (int, np.integer)) \
                or self.min_count < 1:
            raise RuleError(f"{self.id}.min_count", self.min_count,
                            "must be a whole number ≥ 1", "give min_count=1")
        if not self.facility:
            raise RuleError(f"{self.id}.facility", None, "needs a facility kind",
                            "give facility='village_clinic'")
        if self.facility_by_unit_type is not None and not isinstance(
                self.facility_by_unit_type, Mapping):
            raise RuleError(f"{self.id}.facility_by_unit_type", self.facility_by_unit_type,
                            "must map unit types to facility kinds",
                            "write {乡镇: township_health_centre, 街道: community_health_centre}")
        if self.unit_filter is not None and not isinstance(self.unit_filter, Mapping):
            raise RuleError(f"{self.id}.unit_filter", self.unit_filter,
                            "must map unit columns to values", "write {poor_village: true}")

    def reaches(self) -> tuple[Reach, ...]:
        return (Reach(self.facility),)  # type: ignore[arg-type]

    def proposal(self) -> ProposalBlock:
        return ProposalBlock("count", self.facility)  # type: ignore[arg-type]

    def describe(self) -> str:
        n = "≥ 1" if self.min_count == 1 else f"≥ {self.min_count}"
        return f"{n} {self.facility_label()} in every {self.level}"

    def _units(self, area: StudyArea, context: Context) -> tuple[gpd.GeoDataFrame, str]:
        """The unit polygons with ``unit`` and ``district`` columns, and a note."""
        layers = dict(getattr(area, "units", None) or {})
        layers.update(context.units or {})
        if self.level != "district" and self.level in layers:
            units = layers[self.level]
            if not isinstance(units, gpd.GeoDataFrame) or units.crs is None:
                raise RuleInputError(f"units[{self.level!r}]", type(units).__name__,
                                     "a unit layer must be a GeoDataFrame with a CRS",
                                     "pass polygons read with geopandas")
            units = units.to_crs(area.crs)
            label = next((c for c in ("name", "unit", "NAME", "code", "CODE")
                          if c in units.columns), None)
            if label is None:
                text = [c for c in units.columns if c != "geometry" and units[c].dtype == object]
                label = text[0] if text else None
            names = units[label].astype(str).to_numpy() if label else \
                np.array([f"{self.level} {i}" for i in range(len(units))])
            points = gpd.GeoSeries(units.geometry.representative_point(), crs=area.crs)
            hits = area.districts.sindex.query(points.to_numpy(), predicate="within")
            district = np.full(len(units), None, dtype=object)
            district[hits[0]] = area.districts["district"].to_numpy()[hits[1]]
            out = gpd.GeoDataFrame({"unit": names, "district": district},
                                   geometry=units.geometry.to_numpy(), crs=area.crs)
            out = self._filter_units(out, units.reset_index(drop=True))
            return out[out["district"].notna()].reset_index(drop=True), ""
        if self.level in ("district", "county"):
            note = "" if self.level == "district" else \
                "no county layer: the study area's districts are the county-level units"
            out = gpd.GeoDataFrame({"unit": area.districts["district"].to_numpy(),
                                    "district": area.districts["district"].to_numpy()},
                                   geometry=area.districts.geometry.to_numpy(), crs=area.crs)
            return self._filter_units(out, area.districts.reset_index(drop=True)), note
        # no prefecture layer: a study area may span several prefectures (地市), so it is
        # not taken as one; the rule needs the layer (below)
        raise RuleInputError(
            f"{self.id}.level", self.level,
            f"needs a {self.level} unit layer and none was given",
            f"pass assess(area, rules, units={{'{self.level}': gdf}}) with one polygon per "
            f"{self.level} and a name column")

    def _kinds_for(self, unit_type: str) -> tuple[str, ...]:
        """Facility kinds that count in a unit of ``unit_type``."""
        wanted = (self.facility_by_unit_type or {}).get(unit_type)
        if wanted is None:
            return tuple(self.facility)  # type: ignore[arg-type]
        return (wanted,) if isinstance(wanted, str) else tuple(wanted)

    def _filter_units(self, out: gpd.GeoDataFrame, source: pd.DataFrame) -> gpd.GeoDataFrame:
        typed = self.unit_type is not None or self.facility_by_unit_type
        if typed and "unit_type" not in source.columns:
            raise RuleInputError(
                f"{self.id}.unit_type", self.unit_type or sorted(self.facility_by_unit_type or {}),
                f"the {self.level} units carry no 'unit_type' column, so "
                f"{'/'.join(UNIT_TYPES[:2]) if self.level == 'township' else '行政村/社区'} "
                "cannot be told apart",
                f"add a 'unit_type' column ({', '.join(UNIT_TYPES)}) to the {self.level} layer")
        if "unit_type" in source.columns:
            out = out.assign(unit_type=source["unit_type"].astype(str).to_numpy())
        filters = dict(self.unit_filter or {})
        if self.unit_type is not None:
            filters["unit_type"] = [self.unit_type] if isinstance(self.unit_type, str) \
                else list(self.unit_type)
        if not filters:
            return out
        keep = np.ones(len(out), dtype=bool)
        for column, wanted in filters.items():
            if column not in source.columns:
                raise RuleInputError(
                    f"{self.id}.unit_filter", column, f"the {self.level} units have no such column",
                    f"add a {column!r} column to the {self.level} layer")
            values = list(wanted) if isinstance(wanted, (list, tuple, set)) else [wanted]
            keep &= source[column].isin(values).to_numpy()
        return out[keep].reset_index(drop=True)

    def _evaluate(self, area: StudyArea, districts: list[str], context: Context) -> RuleResult:
        units, note = self._units(area, context)
        facilities = self.facilities(area, context)
        whole_area = self.level == "prefecture" and len(units) == 1 and \
            units["district"].iloc[0] == STUDY_AREA
        if whole_area:
            units["district"] = None
        else:
            units = units[units["district"].isin(districts)].reset_index(drop=True)
        hits = units.sindex.query(facilities.geometry.to_numpy(), predicate="intersects")
        if self.facility_by_unit_type and len(hits[0]):
            # GS17-42: a 卫生院 serves a 乡镇, a community health centre a 街道
            kinds = facilities["kind"].astype(str).to_numpy()[hits[0]]
            types = units["unit_type"].to_numpy()[hits[1]]
            allowed = np.array([k in self._kinds_for(t) for k, t in zip(kinds, types)], bool)
            hits = hits[:, allowed]
        # a facility on a shared border counts once, for the first unit listed
        first = pd.Series(hits[1]).groupby(hits[0]).min() if len(hits[0]) else pd.Series(
            dtype=int)
        counts = np.bincount(first.to_numpy(dtype=int), minlength=len(units)) if len(first) \
            else np.zeros(len(units), int)
        units["facilities"] = counts
        units["ok"] = counts >= self.min_count
        cells = area.cells
        cell_points = gpd.GeoSeries(cells.geometry.representative_point(), crs=area.crs)
        try:
            weights, _ = self.basis_by_cell(area)
        except RuleInputError:
            # the population living in failing units is a diagnostic: fall back to residents
            weights = cells["population"].astype(float)
        cell_hits = units.sindex.query(cell_points.to_numpy(), predicate="within")
        unit_pop = np.bincount(cell_hits[1], weights=weights.to_numpy(dtype=float)[cell_hits[0]],
                               minlength=len(units))
        units["population"] = unit_pop
        units.insert(0, "rule_id", self.id)

        def fill(out: pd.DataFrame, groups: dict[str, pd.DataFrame]) -> None:
            rows = []
            for name in out["district"]:
                g = groups[name]
                n_units = len(g)
                n_ok = int(g["ok"].sum())
                rows.append((n_units, n_ok, float(g["population"].sum()),
                             float(g.loc[~g["ok"], "population"].sum()),
                             float(np.maximum(0, self.min_count - g["facilities"]).sum()),
                             int(g["facilities"].sum())))
            arr = np.array(rows, dtype=float).reshape(-1, 6)
            n_units, n_ok, pop, lost, need, n_fac = arr.T
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(n_units > 0, n_ok / n_units, np.nan)
            out["population"] = pop
            out["covered_share"] = share
            out["uncovered_population"] = lost
            if self.level == "district" and not whole_area:
                out["reading"] = n_fac
                out["op"] = "≥"
                out["required"] = float(self.min_count)
                out["unit"] = "facilities"
                out["provided"] = n_fac
                out["shortfall"] = need
                out["shortfall_unit"] = "facilities"
            else:
                out["reading"] = share
                out["op"] = "≥"
                out["required"] = 1.0
                out["unit"] = f"share of {self.level}s with one"
                out["provided"] = n_ok
                out["shortfall"] = n_units - n_ok
                out["shortfall_unit"] = f"{self.level}s lacking"
            out["passed"] = _passed(np.where(n_units > 0, n_ok == n_units, True))
            out["note"] = [_join_notes(note, f"{int(u)} {self.level}s here" if
                                       self.level != "district" else "",
                                       "no unit in this district" if u == 0 else "")
                           for u in n_units]

        if whole_area:
            out = frame(districts)
            out_groups = {d: units.iloc[0:0] for d in districts}
            fill(out, out_groups)
            out["note"] = "checked for the whole study area (see the study-area row)"
            out["passed"] = pd.NA
            overall = frame([STUDY_AREA])
            fill(overall, {STUDY_AREA: units})
        else:
            out = frame(districts)
            fill(out, {d: units[units["district"] == d] for d in districts})
            overall = frame([STUDY_AREA])
            fill(overall, {STUDY_AREA: units})
            if self.level == "district":
                overall["reading"] = overall["covered_share"]
                overall["required"] = 1.0
                overall["unit"] = "share of districts with one"
                overall["provided"] = float(units["ok"].sum())
                overall["shortfall"] = float((~units["ok"]).sum())
                overall["shortfall_unit"] = "districts lacking"
        failing = units[~units["ok"]]
        failures = gpd.GeoDataFrame(
            {"rule_id": self.id, "district": failing["district"].to_numpy(), "what": self.level,
             "unit": failing["unit"].to_numpy(), "population": failing["population"].to_numpy()},
            geometry=failing.geometry.to_numpy(), crs=area.crs)
        detail = pd.DataFrame(units.drop(columns="geometry"))
        if whole_area:
            return self.result(out, overall, failures=failures, details={"units": detail})
        return self.result(out, overall, failures=failures, details={"units": detail})


# ---------------------------------------------------------------------------------------------
@dataclass(kw_only=True, eq=False, repr=False)
class AttributeShareRule(Rule):
    """At least a share of the facilities (or of their capacity) has a property.

    QD21-23 (≥ 40 % negative-pressure ambulances), SH21-08 (≥ 60 % nursing-type beds),
    SH16-34 (≥ 80 % of fitness points with equipment for disabled people).

    Parameters
    ----------
    attribute
        The property column. Without ``weight``: a yes/no column, and the share is of
        facilities having it. With ``weight``: a yes/no column gives the share of the weight
        held by facilities having it; a numeric column is the part of the weight itself
        (``attribute="nursing_beds", weight="beds"``).
    share
        Required share (``"60 %"``).
    weight
        Optional numeric column the share is taken of (``"beds"``, ``"vehicles"``).
    equals
        Count the attribute as present when it equals this value (instead of truthiness).
    """

    kind: ClassVar[str] = "attribute_share"
    attribute: str = ""
    share: float | str = 1.0
    weight: str | None = None
    equals: Any = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.attribute, str) or not self.attribute:
            raise RuleError(f"{self.id}.attribute", self.attribute, "needs the property column",
                            "give attribute='negative_pressure'")
        self.share = parse_share(self.share, rule_id=self.id)
        if not self.facility:
            raise RuleError(f"{self.id}.facility", None, "needs a facility kind",
                            "give facility='emergency_station'")

    def reaches(self) -> tuple[Reach, ...]:
        return (Reach(self.facility),)  # type: ignore[arg-type]

    def describe(self) -> str:
        of = f"of {self.weight} " if self.weight else ""
        return (f"≥ {self.share * 100:g} % {of}of {self.facility_label()} with "
                f"{self.attribute}")

    def _has(self, values: pd.Series) -> pd.Series:
        if self.equals is not None:
            return values == self.equals
        if pd.api.types.is_bool_dtype(values):
            return values.fillna(False).astype(bool)
        if pd.api.types.is_numeric_dtype(values):
            return pd.to_numeric(values, errors="coerce").fillna(0) != 0
        return values.astype(str).str.strip().str.lower().isin(_TRUE_TEXT)

    def _evaluate(self, area: StudyArea, districts: list[str], context: Context) -> RuleResult:
        facilities = self.facilities(area, context)
        column = _attribute_column(self, facilities, (self.attribute,))
        raw = facilities[column]
        numeric_part = (self.weight is not None and self.equals is None
                        and pd.api.types.is_numeric_dtype(raw)
                        and not pd.api.types.is_bool_dtype(raw)
                        and not set(pd.unique(raw.dropna())) <= {0, 1})
        # unknown values are not 0: a facility without the attribute value may have it, one
        # without a weight may be of any size; they bound the share instead of deciding it
        no_attr = raw.isna().to_numpy() if self.equals is None else np.zeros(len(raw), bool)
        if self.weight:
            wcol = _attribute_column(self, facilities, (self.weight,), field="weight")
            whole, _ = _numeric(self, facilities[wcol], wcol)
            no_weight = whole.isna().to_numpy()
            whole = whole.fillna(0.0)
            if numeric_part:
                part, _ = _numeric(self, raw, column)
                part = part.fillna(0.0)
                if (part > whole + 1e-9).any():
                    raise RuleInputError(f"facilities.{column}", int((part > whole).sum()),
                                         f"facilities where {column} exceeds {wcol}",
                                         f"{column} must be a part of {wcol}")
            else:
                part = whole.where(self._has(raw), 0.0)
            unit = self.weight
        else:
            whole = pd.Series(1.0, index=facilities.index)
            no_weight = np.zeros(len(facilities), bool)
            part = self._has(raw).astype(float)
            unit = "facilities"
        part = part.where(~no_attr, 0.0)
        g = pd.DataFrame({"district": facilities["district"].to_numpy(),
                          "part": part.to_numpy(dtype=float),
                          # what the facilities of unknown attribute could add to the part
                          "open": np.where(no_attr & ~no_weight, whole.to_numpy(dtype=float),
                                           0.0),
                          "whole": whole.to_numpy(dtype=float),
                          "no_attr": no_attr.astype(int), "no_weight": no_weight.astype(int)})
        sums = g.groupby("district")[["part", "open", "whole", "no_attr", "no_weight"]].sum() \
            .reindex(districts).fillna(0.0)
        counts = g.groupby("district").size().reindex(districts).fillna(0)
        out = frame(districts)
        overall = frame([STUDY_AREA])
        for table, s, n in ((out, sums, counts.to_numpy()),
                            (overall, sums.sum().to_frame().T, np.array([counts.sum()]))):
            p = s["part"].to_numpy(dtype=float)
            extra = s["open"].to_numpy(dtype=float)
            w = s["whole"].to_numpy(dtype=float)
            n_attr = s["no_attr"].to_numpy(dtype=int)
            n_weight = s["no_weight"].to_numpy(dtype=int)
            with np.errstate(divide="ignore", invalid="ignore"):
                reading = np.where(w > 0, p / w, np.nan)          # unknown ones lacking it
                upper = np.where(w > 0, (p + extra) / w, np.nan)  # unknown ones having it
            table["population"] = np.nan
            table["reading"] = reading
            table["op"] = "≥"
            table["required"] = self.share
            table["unit"] = "share"
            table["provided"] = p
            needed = np.ceil(self.share * w - 1e-9) if unit == "facilities" else self.share * w
            table["shortfall"] = np.maximum(0.0, needed - p - extra)
            table["shortfall_unit"] = unit
            passes = reading >= self.share - 1e-12
            fails = upper < self.share - 1e-12
            passed = _passed(passes)
            passed[~passes & ~fails] = pd.NA
            passed[np.isnan(reading) | (n_weight > 0)] = pd.NA
            table["passed"] = passed
            table.loc[(n_weight > 0) | (~passes & ~fails), "shortfall"] = np.nan
            notes = []
            for k, a, b, ok, bad in zip(n, n_attr, n_weight, passes, fails):
                why = [f"no {self.facility_label()} here" if k == 0 else ""]
                if b:
                    why.append(f"{b} facilities without a {self.weight} value: the share of "
                               f"{self.weight} cannot be read, undecided")
                if a:
                    why.append(f"{a} facilities without a {column} value: the reading counts "
                               "them as lacking it" + ("" if ok or bad else
                                                       ", and with it they could pass: undecided"))
                notes.append(_join_notes(*why))
            table["note"] = notes
        failures = _failing_districts(self, area, out.assign(
            population=out["population"].fillna(0.0)))
        return self.result(out, overall, failures=failures)
