"""What one district's batch task needs: its own row and cells, the street networks cut to the
reach of its rules, and the facilities that can matter to it.

A task given these numbers computes what it would compute with the whole inputs, to the last
digit, because of three facts:

* a network path of length ``D`` never ends farther than ``D`` in a straight line from where it
  starts, and the travel cost of a cell includes its connectors, so every facility reaching a
  cell within ``D`` lies within ``D`` of the cell and every street on the way within ``D`` of
  it (time budgets become distances at the network's top speed,
  :meth:`~siting.network.graph.Network.top_speed_mps`);
* searches are bounded by the rule's threshold, so a facility beyond it changes no cost and no
  label (ties go to the lower facility number, and the kept facilities keep their order and
  their numbers in the whole batch);
* every point known in advance (cells, facilities, the district's own point, candidate sites
  given) keeps the street it snaps to on the whole network, and every street near the
  district's cells and k-means candidates lies inside the cut; cut networks keep their
  streets in order, and of equally near streets snapping takes the lowest-numbered
  (:func:`~siting.network.snap.snap_points`), so every point attaches where the whole network
  attaches it.

What cannot be bounded is sent whole: a mode on which some rule searches without a cutoff
(service-radius network readings, mean travel time or distance) keeps its whole network, and
facility kinds read everywhere (provision counts and sums, whose notes count every facility of
the kind; straight-line readings, which run to the nearest facility however far) keep every
facility of the kind. Rules of other classes, and ``proposals`` callables other than
:func:`~siting.report.proposals_by_propose`, could read anything: their batches are not cut.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import SitingError

if TYPE_CHECKING:
    from ..network.graph import Network
    from ..rules.base import Rule
    from ..units import Quantity
    from .batch import BatchInputs, ReportOptions

# Margins are widened by this share and these metres on top of the bounds above: lengths of
# a network built in one CRS and drawn in another differ by the scale factor (< 0.1 % in UTM).
_SLACK_SHARE = 0.01
_SLACK_M = 1.0


@dataclass
class Needs:
    """How far a district's rules, maps and proposals reach.

    Attributes
    ----------
    whole
        Some rule or proposal callable reads more than can be bounded: send everything.
    network
        Metres of travel the searches cover, per mode (``inf``: the whole network).
    facilities
        Metres around the district within which facilities of any kind matter.
    every_kind
        Facility kinds whose every facility matters.
    filtered
        Rules whose filtered set of facilities must stay non-empty when the whole one is
        (an empty set reads "no facility: nobody is reached").
    points
        Further points the task will snap (candidate sites given), in the batch CRS.
    """

    whole: bool = False
    network: dict[str, float] = field(default_factory=dict)
    facilities: float = 0.0
    every_kind: set[str] = field(default_factory=set)
    filtered: list[Rule] = field(default_factory=list)
    points: list[np.ndarray] = field(default_factory=list)

    def reach(self, mode: str, metres: float) -> None:
        self.network[mode] = max(self.network.get(mode, 0.0), metres)


def rules_needs(inputs: BatchInputs, name: str, rules: Sequence[Rule],
                options: ReportOptions) -> Needs:
    """What the district's in-scope rules, their maps and isochrones, and its proposals read."""
    from .batch import _ProposeInDistrict
    from .maps import _parse_isochrones, _travel_threshold, margin_m

    needs = Needs()
    networks = inputs.networks
    speeds = {mode: net.top_speed_mps() for mode, net in networks.items()}

    def metres(q: Quantity, mode: str) -> float:
        return q.to("m") if q.dimension == "length" else q.to("min") * 60.0 * speeds[mode]

    district = SimpleNamespace(districts=inputs.districts[
        inputs.districts["district"].astype(str) == name])
    walked = [part for rule in rules if _in_scope(rule, district) for part in rule.walk()]
    if isinstance(options.maps, str) and options.maps == "auto":
        mapped = {id(r) for r in walked}
    elif options.maps is None:
        mapped = set()
    else:
        wanted = {options.maps} if isinstance(options.maps, str) else set(options.maps)
        mapped = {id(r) for r in walked if r.id in wanted}
    for rule in walked:
        # each rule kind says what travel it reads (Rule.reaches); a composite reads through
        # its parts (walked too); a kind that does not say gets the whole inputs
        reaches = rule.reaches() if rule.checkable else ()
        if reaches is None:
            needs.whole = True
            return needs
        for reach in reaches:
            if reach.bounded and reach.mode in networks:
                limit = metres(reach.limit, reach.mode)  # type: ignore[arg-type]
                needs.reach(reach.mode, limit)  # type: ignore[arg-type]
                needs.facilities = max(needs.facilities, limit)
                if rule.facility_filter:
                    needs.filtered.append(rule)
            else:  # counts, averages, straight lines: the nearest facility however far
                needs.every_kind |= set(reach.kinds)
                if reach.mode in networks:
                    needs.reach(reach.mode, math.inf)  # type: ignore[arg-type]
        if id(rule) not in mapped:
            continue
        # the map: facilities drawn within its margin, cells coloured up to 2 × the threshold,
        # isochrones drawn from the facilities within the margin
        margin = margin_m(SimpleNamespace(networks=networks), rule)
        needs.facilities = max(needs.facilities, margin)
        travel = rule.map_travel()
        threshold = _travel_threshold(rule)
        if travel is None or threshold is None:
            continue
        mode = travel.mode
        if mode not in networks:
            needs.every_kind |= set(rule.facility)
            continue
        needs.facilities = max(needs.facilities, 2.0 * metres(threshold, mode))
        needs.reach(mode, 2.0 * metres(threshold, mode))
        if options.isochrones is not None and rule.facility:
            try:
                steps = _parse_isochrones(options.isochrones, rule)
            except SitingError:
                steps = []  # the district's map reports it
            if steps:
                needs.reach(mode, margin + max(metres(q, mode) for q in steps))

    if options.proposals is not None:
        if not isinstance(options.proposals, _ProposeInDistrict):
            needs.whole = True  # a callable of the user's own: it may read anything
            return needs
        # propose() searches within the thresholds of failing access rules (counted above),
        # from candidate sites it picks among the district's cells, or from those given
        given = options.proposals.kwargs.get("candidates")
        if isinstance(given, gpd.GeoDataFrame):
            points = given.to_crs(inputs.crs) if given.crs is not None else given
            needs.points.append(points.geometry.to_numpy())
        elif given is not None:  # not sites propose() can place: let the task say so
            needs.whole = True
            return needs
    return needs


def _in_scope(rule: Rule, district: SimpleNamespace) -> bool:
    try:
        names, _ = rule.scope.resolve(district)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001  unresolvable here: the task reports it, keep it
        return True
    return bool(names)


def district_slice(inputs: BatchInputs, name: str, rules: Sequence[Rule],
                   options: ReportOptions) -> BatchInputs:
    """The part of ``inputs`` that district ``name``'s task reads (see the module notes)."""
    from ..network.snap import snap_points
    from ..study_area import DEFAULT_SNAP_DISTANCE_M

    needs = rules_needs(inputs, name, rules, options)
    if needs.whole:
        return dataclasses.replace(inputs, _hashes={})
    district = inputs.districts[inputs.districts["district"].astype(str) == name]
    cells = None
    if inputs.cells is not None:
        cells = inputs.cells[inputs.cells["_district"] == name]
    box = _bounds(district, cells)
    if box is None:  # no usable geometry: the task fails on it as it would have
        return dataclasses.replace(inputs, _hashes={})
    snap = {**DEFAULT_SNAP_DISTANCE_M, **(inputs.snap_distance or {})}

    facilities, ids = inputs.facilities, None
    if facilities is not None and len(facilities):
        keep = _facilities_kept(inputs, needs, box, snap)
        ids = np.flatnonzero(keep)
        facilities = facilities.iloc[ids]

    # points the task will snap: cells, facilities, the district's own point, candidates
    parts = [district.geometry.representative_point().to_numpy()]
    if cells is not None:
        parts.append(cells.geometry.representative_point().to_numpy())
    if facilities is not None:
        parts.append(facilities.geometry.to_numpy())
    points = np.concatenate(parts + needs.points)
    points = points[shapely.get_type_id(points) == 0]  # points only (candidates may not be)

    networks: dict[str, Network] = {}
    for mode, net in inputs.networks.items():
        reach = needs.network.get(mode, 0.0)
        if not math.isfinite(reach):
            networks[mode] = net
            continue
        margin = reach * (1 + _SLACK_SHARE) + snap[mode] + _SLACK_M
        region = shapely.box(box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)
        keep_street = np.zeros(len(net.street_u), bool)
        keep_street[net.street_tree().query(region, predicate="intersects")] = True
        # the street each point snaps to on the whole network, wherever it lies
        whole = snap_points(net, points, max_distance=snap[mode])
        keep_street[whole.street[whole.ok]] = True
        networks[mode] = net.subset_streets(keep_street)
    return dataclasses.replace(inputs, districts=district, cells=cells, facilities=facilities,
                               networks=networks, facility_ids=ids, _hashes={})


def _bounds(district: gpd.GeoDataFrame, cells: gpd.GeoDataFrame | None) -> np.ndarray | None:
    """Bounding box of the district and its cells (cells may overhang the boundary)."""
    geoms = [district.geometry.to_numpy()]
    if cells is not None and len(cells):
        geoms.append(cells.geometry.to_numpy())
    bounds = shapely.bounds(np.concatenate(geoms))
    if not np.isfinite(bounds).any():
        return None
    return np.array([np.nanmin(bounds[:, 0]), np.nanmin(bounds[:, 1]),
                     np.nanmax(bounds[:, 2]), np.nanmax(bounds[:, 3])])


def _facilities_kept(inputs: BatchInputs, needs: Needs, box: np.ndarray,
                     snap: dict[str, float]) -> np.ndarray:
    """Which facilities (by row) the district's task receives."""
    facilities = inputs.facilities
    assert facilities is not None
    kinds = facilities["kind"].astype(str)
    margin = needs.facilities * (1 + _SLACK_SHARE) + max(snap.values()) + _SLACK_M
    region = shapely.box(box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)
    geoms = facilities.geometry.to_numpy()
    keep = shapely.intersects(geoms, region)
    keep |= kinds.isin(needs.every_kind).to_numpy()
    # facilities no street reaches: a rule on their kind stops with an error naming them all
    keep |= _unsnapped_facilities(inputs, snap)
    # what StudyArea checks on every facility must read the same: broken geometries (the
    # error counts and names them) and the layer's extent (far from the districts = a wrong
    # CRS), which the facilities at its four edges span
    points = _points(geoms)
    keep |= ~points
    if points.any():
        bounds = shapely.bounds(geoms[points])
        for column, pick in ((0, np.argmin), (1, np.argmin), (2, np.argmax), (3, np.argmax)):
            keep[np.flatnonzero(points)[pick(bounds[:, column])]] = True
    # one facility of each kind, and of each filtered rule's set, wherever it lies: "no
    # facility of this kind" (and the kinds an error lists) must read as with all of them
    firsts = pd.Series(np.arange(len(kinds))).groupby(kinds.to_numpy()).first()
    for kind, first in firsts.items():
        if not keep[(kinds == kind).to_numpy()].any():
            keep[first] = True
    for rule in needs.filtered:
        match = _filtered(facilities, kinds, rule)
        if match.any() and not keep[match].any():
            keep[np.flatnonzero(match)[0]] = True
    return keep


def _filtered(facilities: gpd.GeoDataFrame, kinds: pd.Series, rule: Rule) -> np.ndarray:
    """Rows :meth:`Rule.facilities` keeps (as it filters: kinds, then each column)."""
    match = kinds.isin(list(rule.facility)).to_numpy()
    for column, wanted in (rule.facility_filter or {}).items():
        if column not in facilities.columns:
            return np.zeros(len(facilities), bool)  # the rule stops with an error either way
        values = list(wanted) if isinstance(wanted, (list, tuple, set)) else [wanted]
        match &= facilities[column].isin(values).to_numpy()
    return match


def _points(geoms: np.ndarray) -> np.ndarray:
    """Valid, non-empty points (what StudyArea accepts as facilities)."""
    return (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms) & \
        shapely.is_valid(geoms)


def _unsnapped_facilities(inputs: BatchInputs, snap: dict[str, float]) -> np.ndarray:
    """Facilities farther than the snap distance from every street of some mode (cached)."""
    from ..network.snap import snap_points

    cached = inputs._hashes.get("unsnapped_facilities")
    if cached is None:
        facilities = inputs.facilities
        assert facilities is not None
        cached = np.zeros(len(facilities), bool)
        geoms = facilities.geometry.to_numpy()
        points = _points(geoms)  # the others are kept anyway (StudyArea rejects them)
        for mode, net in inputs.networks.items():
            cached[points] |= ~snap_points(net, geoms[points], max_distance=snap[mode]).ok
        inputs._hashes["unsnapped_facilities"] = cached
    return cached


__all__ = ["Needs", "district_slice", "rules_needs"]
