"""Rules about travel: access shares, average service radius, mean travel time, service circles.

Direction of travel
-------------------
``StudyArea.nearest`` runs one multi-source search *from the facilities* along directed
edges, so the distance it reports is facility → people. That is the right direction for
emergency response (an ambulance drives from its station to the patient) and, on walk
networks, both directions are equal because every footway is walkable both ways. For drive
rules measured people → facility (a resident driving to a hospital) on networks with one-way
streets, the two directions can differ; a rule with ``direction="to_facility"`` passes
``direction=`` to ``nearest`` when the study area supports it and otherwise says in its note
that the facility → people distance was used.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import RuleError
from ..units import Quantity
from .base import (STUDY_AREA, Context, Range, Rule, RuleInputError, RuleResult, _fmt_num,
                   _fmt_q, empty_failures, frame, parse_range, parse_share, parse_threshold,
                   straight_line_nearest)
from .interface import ProposalBlock, Reach

if TYPE_CHECKING:
    from ..study_area import StudyArea

MODES = ("walk", "drive")
DIRECTIONS = ("to_facility", "from_facility")


def _check_mode(rule_id: str, mode: str) -> str:
    if mode not in MODES:
        raise RuleError(f"{rule_id}.mode", mode, "unknown travel mode", f"use one of {list(MODES)}")
    return mode


def _check_direction(rule_id: str, direction: str) -> str:
    if direction not in DIRECTIONS:
        raise RuleError(f"{rule_id}.direction", direction, "unknown direction",
                        "use 'to_facility' (people travel) or 'from_facility' (response)")
    return direction


def _direction_note(area: StudyArea, mode: str, direction: str) -> str:
    """Say which direction was measured when it can matter (drive, people → facility)."""
    if mode == "walk" or direction == "from_facility":
        return ""
    if "direction" in inspect.signature(area.nearest).parameters:
        return ""
    return "measured facility → people (StudyArea.nearest has no direction=); one-way streets " \
           "may make people → facility longer"


def _nearest(rule: Rule, area: StudyArea, context: Context, mode: str, cutoff: Quantity | None,
             by: str, direction: str) -> tuple[pd.DataFrame, list[str]]:
    sources = rule.facilities(area, context)
    if len(sources) == 0:
        # no facility at all (absent_is_zero, or a filter that keeps none): nobody is reached
        table = area.cells[["population", "district"]].copy()
        table["distance_m"] = np.inf
        table["time_min"] = np.inf
        table["facility"] = -1
        table["status"] = "beyond_cutoff"
        return table, [f"no {rule.facility_label()} facility: nobody is reached"]
    key = (rule.facility, tuple(sorted((rule.facility_filter or {}).items(), key=str)), direction)
    if direction == "to_facility" and mode != "walk" and \
            "direction" in inspect.signature(area.nearest).parameters and mode in area.networks:
        table = area.nearest(sources, mode, cutoff, by=by, direction=direction)  # type: ignore
        return table, []
    table, note = context.nearest(area, sources, key, mode, cutoff, by)
    notes = [n for n in (note, _direction_note(area, mode, direction)) if n]
    return table, notes


def _uncovered_cells(rule: Rule, area: StudyArea, mask: np.ndarray, weights: pd.Series,
                     table: pd.DataFrame) -> gpd.GeoDataFrame:
    cells = area.cells
    chosen = np.flatnonzero(mask)
    if len(chosen) == 0:
        return empty_failures(area.crs)
    out = gpd.GeoDataFrame(
        {"rule_id": rule.id, "district": cells["district"].to_numpy()[chosen],
         "what": "cell", "population": weights.to_numpy()[chosen],
         "status": table["status"].to_numpy()[chosen],
         "distance_m": table["distance_m"].to_numpy()[chosen],
         "time_min": table["time_min"].to_numpy()[chosen]},
        geometry=cells.geometry.to_numpy()[chosen], crs=area.crs, index=cells.index[chosen])
    return out


# ---------------------------------------------------------------------------------------------
@dataclass(kw_only=True, eq=False, repr=False)
class AccessRule(Rule):
    """A share of the population lives within a travel time or distance of a facility kind.

    SH21-02: 85 % within a 15-minute walk (main urban area, 2025).

    Parameters
    ----------
    threshold
        Travel time (``"15 min"``) or network distance (``"800 m"``).
    mode
        ``"walk"`` or ``"drive"``.
    share
        Required share of the population basis (``"85 %"``); default everyone.
    direction
        ``"to_facility"`` (people travel; default) or ``"from_facility"`` (emergency response).
        See the module notes: walk networks are symmetric.

    Notes
    -----
    The denominator is the population basis of the district's cells. People in cells that
    cannot reach the network (``status == "unsnapped"``) count as not covered and are reported.
    """

    kind: ClassVar[str] = "access"
    threshold: Quantity | str | float = "15 min"
    mode: str = "walk"
    share: float | str = 1.0
    direction: str = "to_facility"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.threshold = parse_threshold(self.threshold, rule_id=self.id, field_name="threshold",
                                         dimension=("time", "length"))
        self.mode = _check_mode(self.id, self.mode)
        self.share = parse_share(self.share, rule_id=self.id)
        self.direction = _check_direction(self.id, self.direction)
        if not self.facility:
            raise RuleError(f"{self.id}.facility", None, "an access rule needs a facility kind",
                            "give facility='community_health_centre' (or a list)")

    def describe(self) -> str:
        return (f"≥ {self.share * 100:g} % of {self.basis} within {_fmt_q(self.threshold)} "
                f"{self.mode} of {self.facility_label()}")

    def reaches(self) -> tuple[Reach, ...]:
        return (Reach(self.facility, self.mode, self.threshold),)  # type: ignore[arg-type]

    def map_travel(self) -> Reach:
        return Reach(self.facility, self.mode, self.threshold)  # type: ignore[arg-type]

    def proposal(self) -> ProposalBlock | None:
        return ProposalBlock("coverage", self.facility, self.mode,  # type: ignore[arg-type]
                             self.threshold, self.share, self.direction)  # type: ignore[arg-type]

    def covered(self, area: StudyArea, context: Context) -> tuple[pd.Series, pd.DataFrame, list[str]]:
        """Per-cell basis, the nearest table and notes; ``table['covered']`` marks covered cells."""
        weights, basis_note = self.basis_by_cell(area)
        by = "time" if self.threshold.dimension == "time" else "length"
        table, notes = _nearest(self, area, context, self.mode, self.threshold, by,
                                self.direction)
        cost = table["time_min" if by == "time" else "distance_m"].to_numpy(dtype=float)
        limit = self.threshold.value
        table = table.copy()
        table["covered"] = (table["status"].to_numpy() == "reached") & (cost <= limit + 1e-9)
        return weights, table, ([basis_note] if basis_note else []) + notes

    def _evaluate(self, area: StudyArea, districts: list[str], context: Context) -> RuleResult:
        weights, table, notes = self.covered(area, context)
        return self.from_covered(area, districts, weights, table, notes)

    def from_covered(self, area: StudyArea, districts: list[str], weights: pd.Series,
                     table: pd.DataFrame, notes: list[str]) -> RuleResult:
        """The result from a per-cell ``covered`` table (shared by joint and tier readings)."""
        district = area.cells["district"]
        in_scope = district.isin(districts).to_numpy()
        covered = table["covered"].to_numpy()
        total = weights.groupby(district).sum().reindex(districts).fillna(0.0)
        got = weights[covered].groupby(district[covered]).sum().reindex(districts).fillna(0.0)
        unsnapped = table["status"].to_numpy() == "unsnapped"
        lost = weights[unsnapped].groupby(district[unsnapped]).sum().reindex(districts).fillna(0.0)
        out = frame(districts)
        out["population"] = total.to_numpy()
        out["provided"] = got.to_numpy()
        self._fill(out, notes, lost.to_numpy())
        overall = frame([STUDY_AREA])
        overall["population"] = [total.sum()]
        overall["provided"] = [got.sum()]
        self._fill(overall, notes, np.array([lost.sum()]))
        failures = _uncovered_cells(self, area, in_scope & ~covered & (weights.to_numpy() > 0),
                                    weights, table)
        return self.result(out, overall, failures=failures)

    def _fill(self, out: pd.DataFrame, notes: list[str], unsnapped: np.ndarray) -> None:
        total = out["population"].to_numpy(dtype=float)
        got = out["provided"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total > 0, got / total, np.nan)
        out["reading"] = share
        out["covered_share"] = share
        out["op"] = "≥"
        out["required"] = self.share
        out["unit"] = "share"
        out["uncovered_population"] = total - got
        out["shortfall"] = np.maximum(0.0, self.share * total - got)
        out["shortfall_unit"] = "people"
        passed = pd.array(share >= self.share - 1e-12, dtype="boolean")
        passed[np.isnan(share)] = pd.NA
        out["passed"] = passed
        row_notes = []
        for t, u in zip(total, unsnapped):
            parts = list(notes)
            if t == 0:
                parts.append("no residents in scope")
            if u > 0:
                parts.append(f"{_fmt_num(u)} people in cells off the network (counted uncovered)")
            row_notes.append("; ".join(parts))
        out["note"] = row_notes


# ---------------------------------------------------------------------------------------------
RADIUS_READINGS = ("area_equivalent", "area_equivalent_polygon", "network_mean", "network_max",
                   "network_p85", "straight_line_mean", "straight_line_max", "straight_line_p85")
#: Which area the area-equivalent radius shares out (see :class:`ServiceRadiusRule`).
RADIUS_AREAS = ("auto", "land", "inhabited", "polygon")
#: District column with the land (or built-up) area in km², used when given.
LAND_AREA_COLUMN = "area_km2"


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The population-weighted ``q`` quantile (lower: the first value whose cumulative weight
    reaches ``q`` of the total), NaN when there is no weight."""
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    total = w.sum()
    if not total > 0:
        return float("nan")
    return float(v[np.searchsorted(np.cumsum(w), q * total - 1e-9 * total)])


def radius_area(area: StudyArea, districts: list[str], how: str
                ) -> tuple[pd.Series, str, pd.Series]:
    """(area in m² per district used for the area-equivalent radius, a note, polygon area).

    ``land``: the districts' :data:`LAND_AREA_COLUMN` (km²). ``inhabited``: the area of the
    population cells with residents (cells are polygons). ``polygon``: the district polygon.
    ``auto``: land when the column is given, else inhabited, else polygon.
    """
    geoms = area.districts.set_index("district").geometry
    polygon = geoms.area.reindex(districts).astype(float)
    table = area.districts.set_index("district")
    if how in ("auto", "land") and LAND_AREA_COLUMN in table.columns:
        land = pd.to_numeric(table[LAND_AREA_COLUMN], errors="coerce").reindex(districts) * 1e6
        return land, f"area: the districts' {LAND_AREA_COLUMN} column (land area)", polygon
    if how == "land":
        raise RuleInputError(f"districts.{LAND_AREA_COLUMN}", None,
                             "the land-area reading needs a land area per district",
                             f"add a '{LAND_AREA_COLUMN}' column (km²) to the districts, or "
                             "use area='inhabited'")
    cells = area.cells
    polygons = cells.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    one_per_district = (cells["district"].value_counts() <= 1).all()
    if how == "polygon" or not polygons or (how == "auto" and one_per_district):
        why = "" if how == "polygon" else (
            " (point cells have no area)" if not polygons else
            " (one cell per district: no finer inhabited area; give an area_km2 column)")
        return polygon, "area: whole district polygons, water and farmland included" + why, \
            polygon
    lived = cells["population"].to_numpy(dtype=float) > 0
    inhabited = cells.geometry.area[lived].groupby(cells["district"][lived]).sum()
    return inhabited.reindex(districts).fillna(0.0).astype(float), \
        "area: inhabited cells (population > 0)", polygon


@dataclass(kw_only=True, eq=False, repr=False)
class ServiceRadiusRule(Rule):
    """The average service radius of a facility kind stays within a threshold.

    SH16-18 (EMS stations ≤ 3.5 km), QD21-20 (≤ 2 km in six core districts), QD21-21 (≤ 7 km).

    The plans do not define "平均服务半径", so every reading is computed and reported in
    :attr:`RuleResult.readings`, and ``decisive`` names the one that decides:

    ``area_equivalent``
        √(A / (π N)) with A the district area and N the facilities in it: the radius each
        facility would serve if the district were shared out in equal discs. The usual reading
        of Chinese EMS reports, and the only one that needs no network.
    ``network_mean`` / ``network_max``
        Population-weighted mean and maximum network distance from residents to the nearest
        facility (any district), on the ``mode`` network.
    ``straight_line_mean`` / ``straight_line_max``
        The same on straight lines from each cell's representative point.

    ``network_p85`` / ``straight_line_p85``
        The population-weighted 85th percentile of those distances (a mean distance is about
        2/3 of the radius for uniform demand, a maximum is set by one remote cell).
    ``area_equivalent_polygon``
        The area-equivalent radius over the whole district polygons (always reported).

    When ``decisive`` is a network reading and the study area has no such network, the
    area-equivalent reading decides and the note says so.

    Parameters
    ----------
    area
        The area shared out by ``area_equivalent``: ``"auto"`` (default: a district column
        ``area_km2`` of land area when given, else the inhabited cells, else the polygons),
        ``"land"``, ``"inhabited"`` (cells with residents) or ``"polygon"``. Whole polygons
        count water, shoals and farmland (Shanghai's add up to about 8,000 km² against about
        6,340 km² of land). The note says which area was used.

    Notes
    -----
    With the area-equivalent reading two shortfalls are named in :attr:`RuleResult.readings`:
    ``shortfall_average`` — the facilities that bring the pooled average √(ΣA / (π ΣN)) to the
    threshold, ⌈ΣA / (π R²)⌉ − ΣN (the study-area row's ``shortfall``); and
    ``shortfall_every_unit`` — the facilities that make every district pass,
    Σ max(0, ⌈A_d / (π R²)⌉ − N_d).
    """

    kind: ClassVar[str] = "service_radius"
    threshold: Quantity | str | float = "3.5 km"
    decisive: str = "area_equivalent"
    mode: str = "drive"
    direction: str = "from_facility"
    area: str = "auto"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.threshold = parse_threshold(self.threshold, rule_id=self.id, field_name="threshold",
                                         dimension="length")
        if self.decisive not in RADIUS_READINGS:
            raise RuleError(f"{self.id}.decisive", self.decisive, "unknown reading",
                            "use one of " + ", ".join(RADIUS_READINGS))
        self.mode = _check_mode(self.id, self.mode)
        self.direction = _check_direction(self.id, self.direction)
        if self.area not in RADIUS_AREAS:
            raise RuleError(f"{self.id}.area", self.area, "unknown area for the radius",
                            "use one of " + ", ".join(RADIUS_AREAS))
        if not self.facility:
            raise RuleError(f"{self.id}.facility", None, "a radius rule needs a facility kind",
                            "give facility='emergency_station'")

    # an average radius is not a maximum: no travel classes around it (the map's margin and
    # legend still use the threshold)
    map_layers: ClassVar[tuple[str, ...]] = ("isochrones", "uncovered", "facilities", "verdicts")

    def describe(self) -> str:
        return (f"average service radius of {self.facility_label()} ≤ "
                f"{_fmt_q(self.threshold)} ({self.decisive.replace('_', ' ')})")

    def reaches(self) -> tuple[Reach, ...]:
        # network readings go to the nearest station however far; area readings count inside
        return (Reach(self.facility, self.mode, None),)  # type: ignore[arg-type]

    def map_travel(self) -> Reach:
        return Reach(self.facility, self.mode, self.threshold)  # type: ignore[arg-type]

    def proposal(self) -> ProposalBlock:
        # √(A/(πN)) ≤ R ⇔ N ≥ A/(πR²): the shortfall is a number of stations
        return ProposalBlock("count", self.facility)  # type: ignore[arg-type]

    def _evaluate(self, area: StudyArea, districts: list[str], context: Context) -> RuleResult:
        facilities = self.facilities(area, context)
        geoms = area.districts.set_index("district").geometry
        district_area, area_note, polygon_area = radius_area(area, districts, self.area)
        if self.decisive == "area_equivalent_polygon":
            district_area, area_note = polygon_area, "area: whole district polygons"
        count = facilities.groupby("district").size().reindex(districts).fillna(0).astype(float)
        weights, basis_note = self.basis_by_cell(area)
        cell_district = area.cells["district"]
        notes = [n for n in (area_note, basis_note) if n]

        readings: dict[str, pd.Series] = {}
        overall_readings: dict[str, float] = {}
        with np.errstate(divide="ignore", invalid="ignore"):
            for name, a in (("area_equivalent", district_area),
                            ("area_equivalent_polygon", polygon_area)):
                readings[name] = np.sqrt(a / (math.pi * count))
                overall_readings[name] = float(np.sqrt(a.sum() / (math.pi * count.sum())))

        def per_cell(table: pd.DataFrame, prefix: str) -> None:
            ok = table["status"].to_numpy() == "reached"
            dist = table["distance_m"].to_numpy(dtype=float)
            w = weights.to_numpy(dtype=float)
            frame_ = pd.DataFrame({"district": cell_district.to_numpy(), "w": w, "d": dist,
                                   "ok": ok})
            frame_ = frame_[frame_["ok"] & (frame_["w"] > 0)]
            frame_["wd"] = frame_["w"] * frame_["d"]
            grouped = frame_.groupby("district")
            mean = (grouped["wd"].sum() / grouped["w"].sum()).reindex(districts)
            readings[f"{prefix}_mean"] = mean
            readings[f"{prefix}_max"] = grouped["d"].max().reindex(districts)
            readings[f"{prefix}_p85"] = grouped[["d", "w"]].apply(
                lambda g: weighted_quantile(g["d"].to_numpy(), g["w"].to_numpy(), 0.85)
            ).reindex(districts) if len(frame_) else pd.Series(np.nan, index=districts)
            inside = frame_[frame_["district"].isin(districts)]
            overall_readings[f"{prefix}_mean"] = float(
                inside["wd"].sum() / inside["w"].sum()) if inside["w"].sum() > 0 else np.nan
            overall_readings[f"{prefix}_max"] = float(inside["d"].max()) if len(inside) else np.nan
            overall_readings[f"{prefix}_p85"] = weighted_quantile(
                inside["d"].to_numpy(), inside["w"].to_numpy(), 0.85)

        per_cell(straight_line_nearest(area, facilities, None), "straight_line")
        if (cell_district.value_counts() <= 1).all():
            notes.append("one cell per district: cell-based readings run from each district's "
                         "representative point only")
        decisive = self.decisive
        if self.mode in area.networks:
            table, more = _nearest(self, area, context, self.mode, None, "length", self.direction)
            notes += more
            per_cell(table, "network")
            off = table["status"].to_numpy() != "reached"
            if (weights.to_numpy()[off] > 0).any():
                notes.append(f"{_fmt_num(float(weights.to_numpy()[off].sum()))} people off the "
                             f"{self.mode} network left out of the network readings")
        elif decisive.startswith("network"):
            notes.append(f"no {self.mode} network: the area-equivalent radius decides")
            decisive = "area_equivalent"

        long = []
        for name, series in readings.items():
            for d, value in zip(districts, np.asarray(series, dtype=float)):
                long.append({"district": d, "rule_id": self.id, "reading": name,
                             "value": value, "unit": "m"})
        for name, value in overall_readings.items():
            long.append({"district": STUDY_AREA, "rule_id": self.id, "reading": name,
                         "value": value, "unit": "m"})
        limit = self.threshold.value
        disc = math.pi * limit ** 2
        needed = np.ceil(district_area.to_numpy() / disc - 1e-9)
        # the two shortfalls a planner may mean: the pooled average, and every district
        to_average = max(0.0, float(np.ceil(district_area.sum() / disc - 1e-9)) - count.sum())
        to_every = float(np.maximum(0.0, needed - count.to_numpy()).sum())
        used_km2 = float(district_area.sum()) / 1e6
        for name, value, unit in (("shortfall_average", to_average, "facilities"),
                                  ("shortfall_every_unit", to_every, "facilities"),
                                  ("area_used", used_km2, "km2"),
                                  ("area_polygon", float(polygon_area.sum()) / 1e6, "km2"),
                                  ("facilities_counted", float(count.sum()), "facilities")):
            long.append({"district": STUDY_AREA, "rule_id": self.id, "reading": name,
                         "value": value, "unit": unit})
        reading_table = pd.DataFrame(long)

        out = frame(districts)
        out["reading"] = np.asarray(readings[decisive], dtype=float)
        out["provided"] = count.to_numpy()
        overall = frame([STUDY_AREA])
        overall["reading"] = [overall_readings[decisive]]
        overall["provided"] = [count.sum()]
        if decisive.startswith("area_equivalent"):
            notes_overall = notes + [
                f"{_fmt_num(count.sum())} facilities on {_fmt_num(used_km2)} km²; short by "
                f"{_fmt_num(to_average)} to bring the average to {_fmt_q(self.threshold)}, by "
                f"{_fmt_num(to_every)} to make every district pass"]
        else:
            notes_overall = notes
        for table_, need, pop in ((out, needed, weights.groupby(cell_district).sum()
                                   .reindex(districts).fillna(0).to_numpy()),
                                  (overall, np.array([to_average + count.sum()]),
                                   np.array([float(weights[cell_district.isin(districts)].sum())]))):
            table_["population"] = pop
            table_["op"] = "≤"
            table_["required"] = limit
            table_["unit"] = "m"
            if decisive.startswith("area_equivalent"):
                table_["shortfall"] = np.maximum(0.0, need - table_["provided"].to_numpy())
                table_["shortfall_unit"] = "facilities"
            else:
                table_["shortfall"] = np.maximum(0.0, table_["reading"].to_numpy() - limit)
                table_["shortfall_unit"] = "m above threshold"
            value = table_["reading"].to_numpy(dtype=float)
            passed = pd.array(value <= limit + 1e-9, dtype="boolean")
            passed[np.isnan(value)] = pd.NA
            table_["passed"] = passed
            table_["note"] = self._notes(table_, readings if table_ is out else
                                         {k: [v] for k, v in overall_readings.items()},
                                         decisive, notes if table_ is out else notes_overall)
        fails = out["passed"].fillna(False).to_numpy(dtype=bool) == False  # noqa: E712
        failing = [d for d, f in zip(districts, fails) if f]
        failures = gpd.GeoDataFrame(
            {"rule_id": self.id, "district": failing, "what": "district",
             "population": out.loc[fails, "population"].to_numpy()},
            geometry=geoms.reindex(failing).to_numpy(), crs=area.crs)
        return self.result(out, overall, failures=failures, readings=reading_table)

    @staticmethod
    def _notes(table: pd.DataFrame, readings: dict, decisive: str, notes: list[str]) -> list[str]:
        rows = []
        for i in range(len(table)):
            shown = [f"{name.replace('_', ' ')} {_fmt_num(float(np.asarray(v, dtype=float)[i]))} m"
                     for name, v in readings.items() if name != decisive]
            text = f"decisive: {decisive.replace('_', ' ')}; " + ", ".join(shown)
            if table["provided"].iloc[i] == 0:
                text = "no facility in the district; " + text
            rows.append("; ".join([text] + notes))
        return rows


# ---------------------------------------------------------------------------------------------
@dataclass(kw_only=True, eq=False, repr=False)
class MeanTravelRule(Rule):
    """The population-weighted mean travel from the nearest facility stays within a threshold.

    SH16-20: average pre-hospital response time ≤ 12 min. Response time also includes call
    handling and dispatch, which no network knows: ``extra`` adds a fixed time (default 0,
    so the reading is the travel part only, and the caveat says so).
    """

    kind: ClassVar[str] = "mean_travel"
    threshold: Quantity | str | float = "12 min"
    mode: str = "drive"
    direction: str = "from_facility"
    extra: Quantity | str | float = "0 min"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.threshold = parse_threshold(self.threshold, rule_id=self.id, field_name="threshold",
                                         dimension=("time", "length"))
        self.extra = parse_threshold(self.extra, rule_id=self.id, field_name="extra",
                                     dimension=self.threshold.dimension, allow_zero=True,
                                     default_unit="min" if self.threshold.dimension == "time"
                                     else "m")
        self.mode = _check_mode(self.id, self.mode)
        self.direction = _check_direction(self.id, self.direction)
        if not self.facility:
            raise RuleError(f"{self.id}.facility", None, "needs a facility kind",
                            "give facility='emergency_station'")

    cannot_propose: ClassVar[dict[str, str]] = {
        "zh": "平均出行时间不是覆盖率目标，无法直接求解新增站点",
        "en": "a mean travel time is not a coverage target: no site model for it"}

    def reaches(self) -> tuple[Reach, ...]:
        return (Reach(self.facility, self.mode, None),)  # type: ignore[arg-type]

    def map_travel(self) -> Reach:
        return Reach(self.facility, self.mode, self.threshold)  # type: ignore[arg-type]

    def describe(self) -> str:
        extra = f" (+ {_fmt_q(self.extra)} fixed)" if self.extra.value else ""
        return (f"mean {self.mode} travel from {self.facility_label()}{extra} ≤ "
                f"{_fmt_q(self.threshold)}")

    def _evaluate(self, area: StudyArea, districts: list[str], context: Context) -> RuleResult:
        by = "time" if self.threshold.dimension == "time" else "length"
        weights, basis_note = self.basis_by_cell(area)
        table, notes = _nearest(self, area, context, self.mode, None, by, self.direction)
        notes = ([basis_note] if basis_note else []) + notes
        cost = table["time_min" if by == "time" else "distance_m"].to_numpy(dtype=float)
        ok = (table["status"].to_numpy() == "reached") & np.isfinite(cost)
        w = weights.to_numpy(dtype=float)
        data = pd.DataFrame({"district": area.cells["district"].to_numpy(), "w": np.where(ok, w, 0),
                             "wc": np.where(ok, w * np.where(ok, cost, 0), 0),
                             "lost": np.where(ok, 0, w), "all": w})
        data = data[data["district"].isin(districts)]
        grouped = data.groupby("district")[["w", "wc", "lost", "all"]].sum().reindex(
            districts).fillna(0.0)
        unit = "min" if by == "time" else "m"
        limit = self.threshold.value
        extra = self.extra.value

        def fill(out: pd.DataFrame, g: pd.DataFrame) -> None:
            with np.errstate(divide="ignore", invalid="ignore"):
                mean = np.where(g["w"] > 0, g["wc"] / g["w"], np.nan) + extra
            out["population"] = g["all"].to_numpy()
            out["reading"] = mean
            out["op"] = "≤"
            out["required"] = limit
            out["unit"] = unit
            out["shortfall"] = np.maximum(0.0, mean - limit)
            out["shortfall_unit"] = f"{unit} above threshold"
            lost = g["lost"].to_numpy()
            # unreachable residents can only raise the mean: a mean above the limit fails on
            # the reachable ones alone, one within it is undecided while anyone is unreachable
            ok = mean <= limit + 1e-9
            passed = pd.array(ok, dtype="boolean")
            passed[np.isnan(mean) | (ok & (lost > 0))] = pd.NA
            out["passed"] = passed
            out["uncovered_population"] = lost
            out["note"] = ["; ".join(notes + ([f"{_fmt_num(x)} people unreachable: the mean "
                                               "is of the reachable ones"
                                               + (", undecided" if o else "")]
                                              if x > 0 else []))
                           for x, o in zip(lost, ok)]

        out = frame(districts)
        fill(out, grouped)
        overall = frame([STUDY_AREA])
        fill(overall, grouped.sum().to_frame().T)
        return self.result(out, overall, failures=empty_failures(area.crs))


# ---------------------------------------------------------------------------------------------
@dataclass(kw_only=True, eq=False, repr=False)
class ServiceCircleRule(Rule):
    """Service circles: each centre serves a population band within a drive-time band.

    SH21-06/07: medical service circles of 300,000–500,000 people within 30–45 minutes by car
    of their regional medical centre.

    Every cell joins the circle of its nearest centre when that centre is within the upper
    time bound (the lower bound is reported as a reading). A district passes when the required
    share of its people lie in some circle and every circle centred in it holds a population
    within the band. Circles cross district borders; the ``circles`` detail table lists them.
    """

    kind: ClassVar[str] = "service_circle"
    time: Range | str | Any = "30-45 min"
    population: Range | str | Any = "300000-500000 people"
    mode: str = "drive"
    share: float | str = 1.0
    direction: str = "to_facility"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.time = parse_range(self.time, rule_id=self.id, field_name="time", dimension="time")
        self.population = parse_range(self.population, rule_id=self.id, field_name="population",
                                      dimension="people")
        self.mode = _check_mode(self.id, self.mode)
        self.share = parse_share(self.share, rule_id=self.id)
        self.direction = _check_direction(self.id, self.direction)
        if not self.facility:
            raise RuleError(f"{self.id}.facility", None, "needs the centre's facility kind",
                            "give facility='regional_medical_centre'")

    cannot_propose: ClassVar[dict[str, str]] = {
        "zh": "服务圈的人口区间无法由新增站点直接求解",
        "en": "service circles bound the population per centre: no site model for them"}

    def reaches(self) -> tuple[Reach, ...]:
        return (Reach(self.facility, self.mode, self.time.high),)  # type: ignore[arg-type]

    def describe(self) -> str:
        return (f"circles of {self.population} within {self.time} {self.mode} of each "
                f"{self.facility_label()}")

    def _evaluate(self, area: StudyArea, districts: list[str], context: Context) -> RuleResult:
        weights, basis_note = self.basis_by_cell(area)
        facilities = self.facilities(area, context)
        table, notes = _nearest(self, area, context, self.mode, self.time.high, "time",
                                self.direction)
        notes = ([basis_note] if basis_note else []) + notes
        t = table["time_min"].to_numpy(dtype=float)
        reached = (table["status"].to_numpy() == "reached") & (t <= self.time.high.value + 1e-9)
        w = weights.to_numpy(dtype=float)
        cell_district = area.cells["district"].to_numpy()
        circles = pd.DataFrame({"facility": table["facility"].to_numpy()[reached], "w": w[reached],
                                "inner": w[reached] * (t[reached] <= self.time.low.value + 1e-9)})
        circles = circles.groupby("facility")[["w", "inner"]].sum()
        circles = circles.reindex(facilities.index).fillna(0.0)
        circles = pd.DataFrame({
            "rule_id": self.id, "facility": facilities.index,
            "name": facilities["name"].to_numpy() if "name" in facilities else None,
            "district": facilities["district"].to_numpy(),
            "population": circles["w"].to_numpy(),
            "population_within_low": circles["inner"].to_numpy()})
        lo, hi = self.population.low.value, self.population.high.value
        circles["in_band"] = (circles["population"] >= lo) & (circles["population"] <= hi)

        def fill(out: pd.DataFrame, names: list[str]) -> None:
            mask = np.isin(cell_district, names)
            pops, covs, rows_notes, bad_all = [], [], [], []
            for name in out["district"]:
                m = mask & (cell_district == name) if name != STUDY_AREA else mask
                pops.append(w[m].sum())
                covs.append(w[m & reached].sum())
                own = circles[circles["district"] == name] if name != STUDY_AREA else \
                    circles[circles["district"].isin(names)]
                bad = own[~own["in_band"]]
                bad_all.append(len(bad))
                parts = list(notes)
                parts.append(f"{len(own)} circle(s) centred here")
                if len(bad):
                    parts.append("out of band: " + ", ".join(
                        f"{r['name'] or r['facility']} {_fmt_num(r['population'])}"
                        for _, r in bad.iterrows()))
                rows_notes.append("; ".join(parts))
            pops_a, covs_a = np.array(pops, float), np.array(covs, float)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(pops_a > 0, covs_a / pops_a, np.nan)
            out["population"] = pops_a
            out["reading"] = share
            out["covered_share"] = share
            out["op"] = "≥"
            out["required"] = self.share
            out["unit"] = "share"
            out["provided"] = covs_a
            out["uncovered_population"] = pops_a - covs_a
            out["shortfall"] = np.maximum(0.0, self.share * pops_a - covs_a)
            out["shortfall_unit"] = "people"
            passed = pd.array((share >= self.share - 1e-12) & (np.array(bad_all) == 0),
                              dtype="boolean")
            passed[np.isnan(share)] = pd.NA
            out["passed"] = passed
            out["note"] = rows_notes

        out = frame(districts)
        fill(out, districts)
        overall = frame([STUDY_AREA])
        fill(overall, districts)
        in_scope = np.isin(cell_district, districts)
        failures = _uncovered_cells(self, area, in_scope & ~reached & (w > 0), weights, table)
        return self.result(out, overall, failures=failures, details={"circles": circles})
