"""A supply ratio checked within each facility's catchment, not within district borders.

Seed 000 L91 states the ambulance ratio beside the station radius: 「急救站点平均服务半径≤3.5
公里,急救车辆数量配置每3万人1辆」, and seed 001 L69 lays facilities out 「以服务半径和服务人口
为基本依据」. Read together, the vehicles of a station serve the residents within its service
radius, and the ratio is owed to them: a district may hold one vehicle per 30,000 residents in
total and still leave the residents around an overloaded station short.

:class:`CatchmentRatioRule` reads it with the first step of the two-step floating catchment
(Luo & Wang 2003), the same arithmetic as :func:`siting.scores.fca_scores`: for each station
``Rⱼ = supply ÷ residents within the catchment`` (a resident within reach of two stations is
counted by both, as in every 2SFCA). A station passes when ``Rⱼ`` meets the rate; a district
passes when every station in it does. A district without a station has nothing to check here
(its residents' distance is the radius rule's matter): it is not decided, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import RuleError
from ..scores import binary, cost_pairs, fca_scores
from ..units import Quantity
from .base import (STUDY_AREA, Context, RuleInputError, RuleResult, empty_failures, frame,
                   parse_threshold)
from .provision import CapacityPerPopulationRule

if TYPE_CHECKING:
    from ..study_area import StudyArea


def _num(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


@dataclass(kw_only=True, eq=False, repr=False)
class CatchmentRatioRule(CapacityPerPopulationRule):
    """``rate`` of a facility attribute per residents within each facility's catchment.

    The parameters of :class:`~siting.rules.CapacityPerPopulationRule` (``rate``,
    ``attribute``, ``unit_name``) plus the catchment.

    SH16-19 read with SH16-18: 1 ambulance per 30,000 residents within each station's 3.5 km
    service radius.

    Parameters
    ----------
    rate
        ``"1 per 30000 people"``.
    catchment
        The service radius: a length (``"3.5 km"``, network distance) or a time (``"12 min"``).
    mode
        Network the catchment is measured on (``"drive"`` for ambulances, ``"walk"``).
    direction
        ``"from_facility"`` (response, the default) or ``"to_facility"``.
    attribute
        Facility column with the supply (``"vehicles"``, or a list: the first present is
        used); ``None`` counts each facility as one.
    unit_name
        What is counted, for tables; defaults to the attribute.
    """

    kind: ClassVar[str] = "catchment_ratio"
    catchment: Quantity | str | Any = "3.5 km"
    mode: str = "drive"
    direction: str = "from_facility"

    def __post_init__(self) -> None:
        super().__post_init__()  # rate, attribute, facility and unit_name as for the head count
        self.catchment = parse_threshold(self.catchment, rule_id=self.id, field_name="catchment",
                                         dimension=("length", "time"), default_unit="m")
        if self.mode not in ("walk", "drive"):
            raise RuleError(f"{self.id}.mode", self.mode, "unknown travel mode",
                            "use 'walk' or 'drive'")
        if self.direction not in ("from_facility", "to_facility"):
            raise RuleError(f"{self.id}.direction", self.direction, "unknown direction",
                            "use 'from_facility' (response) or 'to_facility'")

    def reaches(self) -> None:
        # each station's ratio counts every resident in its catchment, wherever they live:
        # a district's slice would cut them off, so a batch keeps the whole area
        return None

    def describe(self) -> str:
        return (f"≥ {_num(self.rate.units)} {self.unit_name} per {_num(self.rate.per)} "
                f"{self.basis} within each {self.facility_label()}'s {self.catchment} "
                f"{self.mode} catchment")

    def _supply(self, facilities: pd.DataFrame) -> tuple[np.ndarray, str]:
        if not self.attribute:
            return np.ones(len(facilities)), ""
        column = next((a for a in self.attribute if a in facilities.columns), None)
        if column is None:
            raise RuleInputError(f"{self.id}.attribute", list(self.attribute),
                                 f"the {self.facility_label()} facilities have no such column",
                                 f"add column {self.attribute[0]!r} to the facilities")
        values = pd.to_numeric(facilities[column], errors="coerce")
        if values.isna().any() or (values < 0).any():
            # a station of unknown fleet cannot be judged; guessing 0 would fail it on no data
            bad = values.isna() | (values < 0)
            raise RuleInputError(f"facilities.{column}",
                                 facilities.loc[bad, column].head(5).to_dict(),
                                 f"missing or negative {column} values",
                                 f"fill in every station's {column} (0 where it has none)")
        return values.to_numpy(dtype=float), ("" if column == self.attribute[0] else
                                              f"supply from {column}")

    def _evaluate(self, area: StudyArea, districts: list[str], context: Context) -> RuleResult:
        if self.mode not in area.networks:
            raise RuleInputError("networks", self.mode,
                                 f"needs a {self.mode} network and the study area has "
                                 f"{sorted(area.networks) or 'none'}",
                                 f"build the StudyArea with networks={{'{self.mode}': ...}}")
        facilities = self.facilities(area, context)
        supply, supply_note = self._supply(facilities)
        people, basis_note = self.basis_by_cell(area)
        demand = people.to_numpy(dtype=float)
        source, target, cost = cost_pairs(area, facilities, self.mode, self.catchment,
                                          self.direction)
        weights = binary(self.catchment)(cost)
        result = fca_scores(source, target, weights, supply, demand)
        per = self.rate.per
        with np.errstate(divide="ignore", invalid="ignore"):
            reading = supply / result.demand * per  # units per `per` residents in catchment
        need = result.demand * self.rate.units / per
        passed = np.where(result.demand > 0, reading >= self.rate.units - 1e-9, True)
        stations = pd.DataFrame({
            "facility": facilities.index.to_numpy(), "district": facilities["district"].to_numpy(),
            "supply": supply, "catchment_population": result.demand,
            "reading": np.where(result.demand > 0, reading, np.nan),
            "shortfall": np.maximum(0.0, need - supply), "passed": passed})
        ok = area.snapped("cells", self.mode).ok
        covered = np.zeros(len(demand), bool)
        covered[target[weights > 0]] = True
        cell_district = area.cells["district"].to_numpy()

        def row(mask_fac: np.ndarray, mask_cells: np.ndarray) -> dict:
            population = float(demand[mask_cells].sum())
            out = {"population": population, "provided": float(supply[mask_fac].sum()),
                   "op": "≥", "required": self.rate.units,
                   "unit": f"{self.unit_name} per {_num(per)} people in catchment",
                   "shortfall": float(stations["shortfall"][mask_fac].sum()),
                   "shortfall_unit": self.unit_name}
            within = float(demand[mask_cells & covered].sum())
            out["covered_share"] = within / population if population > 0 else np.nan
            out["uncovered_population"] = population - within
            notes = [n for n in (basis_note, supply_note) if n]
            off = float(demand[mask_cells & ~ok].sum())
            if off > 0:
                notes.append(f"{off:,.0f} residents beyond the {self.mode} network's snap "
                             "distance are in no catchment")
            used = mask_fac & (result.demand > 0)
            idle = int((mask_fac & ~(result.demand > 0)).sum())
            if idle:
                notes.append(f"{idle} {self.facility_label()} with nobody in the catchment")
            if not mask_fac.any():
                out["reading"], out["passed"] = np.nan, pd.NA
                notes.append(f"no {self.facility_label()} here: no catchment to check "
                             "(distance to the nearest is the radius rule's matter)")
            elif not used.any():
                out["reading"], out["passed"] = np.nan, pd.NA
                notes.append("no resident in any catchment: nothing to share")
            else:
                out["reading"] = float(np.min(reading[used]))
                out["passed"] = bool(passed[mask_fac].all())
                fails = int((~passed[mask_fac]).sum())
                if fails:
                    notes.append(f"{fails} of {int(mask_fac.sum())} {self.facility_label()} "
                                 "below the rate (reading: the lowest station)")
            out["note"] = "; ".join(notes)
            return out

        fac_district = facilities["district"].to_numpy()
        out = frame(districts)
        for column, value in pd.DataFrame([row(fac_district == d, cell_district == d)
                                           for d in districts]).items():
            out[column] = value.to_numpy()
        in_scope_cells = np.isin(cell_district, districts)
        overall = frame([STUDY_AREA])
        for column, value in row(np.isin(fac_district, districts), in_scope_cells).items():
            overall[column] = [value]
        failing = stations[~stations["passed"] & np.isin(fac_district, districts)]
        if len(failing):
            failures = gpd.GeoDataFrame(
                {"rule_id": self.id, "district": failing["district"].to_numpy(),
                 "what": "facility", "population": failing["catchment_population"].to_numpy(),
                 "shortfall": failing["shortfall"].to_numpy()},
                geometry=facilities.geometry.to_numpy()[~passed & np.isin(fac_district, districts)],
                crs=area.crs)
        else:
            failures = empty_failures(area.crs)
        return self.result(out, overall, failures=failures, details={"stations": stations})


__all__ = ["CatchmentRatioRule"]
