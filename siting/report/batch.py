"""Batch reports: every district assessed on its own, one folder per district, an index.

``write_reports(inputs, rules, out)`` (or ``siting report CONFIG --out DIR``) writes::

    out/index.html                 districts ranked by shortfall; errors; district × rule grid
    out/summary.csv                every assessment row (same columns as Assessment.table),
                                   with the "(study area)" (全市) row of each rule stated for
                                   the whole area (siting.report.area_rows)
    out/summary.xlsx               a ranking sheet, the study-area rows, a sheet per rule,
                                   the rules' sources
    out/gaps.gpkg                  districts, uncovered_cells, failing_areas, isochrones,
                                   proposed_sites (WGS-84)
    out/districts/<name>/index.html   the district page (verdicts, sources, chart, maps)
    out/districts/<name>/map_<rule>.html  self-contained maps
    out/districts/<name>/gaps.gpkg, assessment.parquet, done.json
    out/districts/<name>/proposed_sites.csv, .xlsx   with proposals: order, coordinates
                                   (WGS-84 and the map's system), address, people newly
                                   covered per rule (siting.report.proposal_table)

Why district by district
    Each district becomes its own :class:`~siting.StudyArea` (its boundary, its cells) over
    the facilities and networks around it, so people near a border still reach the facility
    across it, and the numbers equal those of one ``assess()`` over the whole area. A district
    whose data is broken (invalid boundary, negative population...) fails alone: the index
    lists it with its error and the others finish.

    Each district's task receives only its slice of the inputs
    (:meth:`BatchInputs.slice_for`): the street networks cut to a box around the district
    widened by the farthest its rules, maps, isochrones and proposals travel on each mode
    (plus the snap distance), and the facilities within that reach, keeping their order and
    numbers. What a worker holds is then bounded by its district, not by the study area, and
    the results are the same to the last digit (:mod:`siting.report.slices` says why). A
    mode searched without a cutoff (service-radius network readings, mean travel) keeps its
    whole network; kinds read everywhere (counts per population, straight-line readings)
    keep all their facilities; rules of unknown classes and ``proposals`` callables of your
    own get the whole inputs.

Reruns
    A district is skipped when its ``done.json`` fingerprint matches — the rules (every
    parameter), the options, the siting version, the district's own boundary and cells, the
    facilities and the networks' content (nodes, streets, lengths and travel times, so a
    changed walking or road speed redoes it) — and every file it wrote still has the digest
    recorded; a truncated map, an emptied page or an unreadable ``assessment.parquet`` is
    redone, never trusted. ``force=True`` redoes all. The summary files are always rebuilt
    from the per-district results.

Names and files
    District names become folder names through :func:`slugify` (any filesystem: no control
    characters or separators, Windows device names such as ``CON`` suffixed, at most
    :data:`MAX_NAME_BYTES` bytes); collisions get ``_2``, ``_3``; ``folders.csv`` maps each
    name to its folder. Text cells of ``summary.csv`` / ``summary.xlsx`` starting with
    ``= + - @`` are written as text (:func:`siting.report.tables.safe_cell`). A district
    whose folder cannot be written is an ``error``; the others finish and the index lists it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import re
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import SitingError
from .labels import check_lang
from .wording import problem_text, rule_requirement

if TYPE_CHECKING:
    from ..assess import Assessment
    from ..network.graph import Network
    from ..rules.base import Rule
    from ..study_area import StudyArea

GAP_LAYERS = ("districts", "uncovered_cells", "failing_areas", "isochrones", "proposed_sites")
MAX_MAPS_PER_DISTRICT = 4
_STATUS_FILE = "done.json"
_ERROR_FILE = "error.json"


# ---------------------------------------------------------------------------------------------
# inputs and options
# ---------------------------------------------------------------------------------------------
@dataclass
class ReportOptions:
    """How reports are made.

    Attributes
    ----------
    title
        Title of the index page.
    lang
        ``"zh"`` or ``"en"`` for maps and pages.
    tiles
        Basemap(s) for the maps (see :func:`siting.report.assessment_map`).
    offline
        Self-contained maps (Leaflet inlined); the default, so reports open on intranets.
    isochrones
        ``"auto"``, a list of thresholds, or ``None`` (none drawn, none in ``gaps.gpkg``).
    maps
        ``"auto"`` (rules with a travel threshold, at most :data:`MAX_MAPS_PER_DISTRICT`),
        a list of rule ids, or ``None`` for no maps.
    straight_line, detour, absent_is_zero
        Passed to :func:`siting.assess.assess`.
    proposals
        Optional ``f(area, assessment)`` returning proposed sites per district — a
        :class:`siting.propose.Proposal`, points with ``kind``/``kinds`` and
        ``newly_covered``, or ``None``; :func:`proposals_by_propose` runs
        :func:`siting.propose.propose`. Drawn on the maps, listed on the page, written to
        ``gaps.gpkg``. A district whose targets no site can meet (``InfeasibleError``) keeps
        its report, with the reason where the sites would be. A callable of your own may read
        anything in the district's study area, so batch tasks then receive the whole inputs
        rather than their district's slice (:meth:`BatchInputs.slice_for`).
    static
        Also write a PNG per map and a PDF per district (``report.pdf``) and for the run
        (``report.pdf`` beside the index), for pasting into written reports
        (:mod:`siting.report.static`; about half a second per map).
    """

    title: str = "siting"
    lang: str = "zh"
    tiles: str | Sequence[str] | None = "OpenStreetMap"
    offline: bool = True
    isochrones: Any = "auto"
    maps: str | Sequence[str] | None = "auto"
    straight_line: bool = False
    detour: float = 1.0
    absent_is_zero: bool = False
    proposals: Callable[[StudyArea, Assessment], gpd.GeoDataFrame | None] | None = None
    static: bool = False

    def fingerprint(self) -> list[object]:
        data = dataclasses.asdict(dataclasses.replace(self, proposals=None))
        # the callable's content, not its name: editing its body redoes the districts
        from ..callable_digest import callable_fingerprint, describe

        data["proposals"] = [describe(self.proposals), callable_fingerprint(self.proposals)]
        data.pop("title")  # the title is on the index only
        return [data]


@dataclass
class BatchInputs:
    """Layers of a batch, in one metric CRS, cells already assigned to districts.

    Build with :func:`prepare_inputs` (which validates the shared layers up front) or
    :meth:`from_area`. :meth:`slice_for` gives the part one district's task needs.
    """

    districts: gpd.GeoDataFrame            # "district" + any columns, one row per district
    cells: gpd.GeoDataFrame | None          # "population" (+ bases) and "_district"
    facilities: gpd.GeoDataFrame | None
    networks: dict[str, Network]
    crs: Any
    snap_distance: dict[str, float] | None = None
    outside_population: float = 0.0
    # a slice only: row numbers of its facilities in the whole batch (siting.report.slices)
    facility_ids: np.ndarray | None = None
    # POIs the facility review flagged (siting.poi_review): listed on the index and workbook
    facility_review: pd.DataFrame | None = None
    # every district of the batch (a slice keeps them: a rule's scope naming another
    # district of the batch is not "outside the study area")
    batch_districts: tuple[str, ...] = ()
    _hashes: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.batch_districts:
            self.batch_districts = tuple(self.districts["district"].astype(str))

    @property
    def names(self) -> list[str]:
        return self.districts["district"].astype(str).tolist()

    @classmethod
    def from_area(cls, area: StudyArea) -> BatchInputs:
        """The layers of an existing study area (already validated, already clipped)."""
        cells = area.cells.drop(columns=["district"]).assign(_district=area.cells["district"])
        return cls(area.districts.copy(), gpd.GeoDataFrame(cells, crs=area.crs),
                   area.facilities.drop(columns=["district"]), dict(area.networks), area.crs,
                   dict(area.snap_distance), float(area.outside_population))

    def area_for(self, name: str) -> StudyArea:
        """The study area of one district: its boundary and cells, all facilities, networks.

        Raises whatever :class:`~siting.StudyArea` raises on this district's own data.
        """
        from ..study_area import StudyArea

        district = self.districts[self.districts["district"].astype(str) == name]
        cells = None
        if self.cells is not None:
            cells = self.cells[self.cells["_district"] == name].drop(columns=["_district"])
        area = StudyArea(district, cells, self.facilities, self.networks,
                         district_col="district", crs=self.crs, clip=False,
                         snap_distance=self.snap_distance)
        if self.facility_ids is not None:
            # a slice: facilities keep their numbers in the whole batch (nearest-facility
            # labels, and the notes and errors that name facilities, read as without slicing)
            area.facilities.index = pd.Index(self.facility_ids, name="facility")
        return area

    def slice_for(self, name: str, rules: Sequence[Rule],
                  options: ReportOptions | None = None) -> BatchInputs:
        """The part of these inputs district ``name``'s task reads, sized by the district.

        Its row and cells; per mode, the network cut to a box around the district widened by
        the farthest its rules, maps, isochrones and proposals travel on that mode (plus the
        snap distance), with the streets its cells and facilities snap to; the facilities
        within reach, in their order and keeping their numbers. :meth:`area_for` on the slice
        computes exactly what it computes on the whole inputs.

        Not cut: the network of a mode on which a rule searches without a cutoff (the
        network readings of a service-radius rule, mean travel time or distance), every
        facility of a kind a rule reads everywhere (counts and sums per population, areas,
        shares, units; straight-line readings), and nothing at all when a rule is of a class
        this module does not know or ``options.proposals`` is a callable other than
        :func:`proposals_by_propose` (either may read anything). See
        :mod:`siting.report.slices` for why the results stay the same.
        """
        from .slices import district_slice

        return district_slice(self, name, list(rules), options or ReportOptions())

    def district_hash(self, name: str) -> str:
        """Digest of one district's own data (boundary, cells) plus the shared layers."""
        if "shared" not in self._hashes:
            self._hashes["shared"] = _shared_hash(self)
            if self.cells is not None:
                self._hashes["cells"] = _row_hashes(self.cells.drop(columns=["_district"]))
        digest = hashlib.sha256(self._hashes["shared"].encode())
        district = self.districts[self.districts["district"].astype(str) == name]
        digest.update(_row_hashes(district).tobytes())
        if self.cells is not None:
            digest.update(self._hashes["cells"][(self.cells["_district"] == name).to_numpy()]
                          .tobytes())
        return digest.hexdigest()


def _row_hashes(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """One uint64 per row over its attributes and geometry (vectorised)."""
    plain = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(str)
    plain["__wkb"] = shapely.to_wkb(gdf.geometry.to_numpy(), hex=True)
    return pd.util.hash_pandas_object(plain, index=False).to_numpy()


def _shared_hash(inputs: BatchInputs) -> str:
    digest = hashlib.sha256(str(inputs.crs).encode())
    if inputs.facilities is not None and len(inputs.facilities):
        digest.update(_row_hashes(inputs.facilities).tobytes())
    for mode, net in sorted(inputs.networks.items()):
        digest.update(network_digest(net, mode).encode())
    digest.update(json.dumps(inputs.snap_distance, sort_keys=True).encode())
    return digest.hexdigest()


def network_digest(network: Network, mode: str) -> str:
    """Digest of a network's content: node places, streets, lengths and both travel weights.

    Speeds (walking, per road class) live in the ``time`` weights, so changing any of them
    changes the digest and a rerun redoes the districts.

    Parameters
    ----------
    network
        The street network.
    mode
        Its travel mode (part of the digest).

    Returns
    -------
    str
        A sha256 hex digest.

    Examples
    --------
    >>> network_digest(net, "walk") == network_digest(net, "walk")  # doctest: +SKIP
    True
    """
    digest = hashlib.sha256(f"{mode}:{network.n_nodes}:{len(network.street_u)}".encode())
    for array in (network.x, network.y, network.edge_u, network.edge_v, network.edge_length,
                  network.edge_time, network.street_u, network.street_v, network.street_length,
                  network.street_fwd, network.street_bwd):
        digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(f"{network.speed_mps!r}:{network.constant_speed}".encode())
    digest.update(b"".join(shapely.to_wkb(network.street_geometry)))
    return digest.hexdigest()


def prepare_inputs(districts: gpd.GeoDataFrame | str, cells: gpd.GeoDataFrame | str | None = None,
                   facilities: gpd.GeoDataFrame | str | None = None,
                   networks: Mapping[str, Network] | None = None, *,
                   district_col: str = "district", population_col: str = "population",
                   crs: object | None = None, clip: bool = True,
                   snap_distance: Mapping[str, float] | None = None) -> BatchInputs:
    """Read and check the shared layers; assign cells to districts.

    What can only be wrong for the whole batch (no CRS, a missing column, duplicate district
    names, facilities without ``kind``) raises here, before anything is written. What is wrong
    in one district's own data is left for that district's run to report.

    Parameters
    ----------
    districts, cells, facilities, networks, district_col, population_col, crs, snap_distance
        As for :class:`~siting.StudyArea`.
    clip
        Drop facilities outside every district (as ``StudyArea`` does by default). Cells
        outside every district are always dropped and counted in ``outside_population``.
    """
    from ..crs import choose_metric_crs, require_crs, require_metric
    from ..study_area import _as_gdf  # the same readers as StudyArea

    districts = _as_gdf(districts, "districts")
    require_crs(districts, "districts")
    if district_col not in districts.columns:
        raise SitingError("district_col", district_col, "no such column in districts",
                          f"use one of {list(districts.columns.drop('geometry'))}")
    if len(districts) == 0:
        raise SitingError("districts", 0, "there are no districts",
                          "give at least one district polygon (check the file and its layer)")
    from ..study_area import district_names, warn_overlaps

    names = district_names(districts[district_col], f"districts.{district_col}")
    names.index = districts.index
    if names.duplicated().any():
        raise SitingError(f"districts.{district_col}", sorted(set(names[names.duplicated()]))[:5],
                          "district names must be unique",
                          "dissolve duplicates or use a code column")
    bad = districts.geometry.isna() | districts.geometry.is_empty
    if bad.any():
        raise SitingError("districts.geometry", names[bad].tolist()[:5],
                          "districts without a boundary cannot be reported",
                          "drop them or give them a polygon")
    if cells is not None:
        cells = _as_gdf(cells, "cells")
        require_crs(cells, "cells")
        if population_col not in cells.columns:
            raise SitingError(f"cells.{population_col}", None,
                              "the cells have no population column",
                              f"use population_col= one of {list(cells.columns.drop('geometry'))}")
    elif population_col not in districts.columns:
        raise SitingError(population_col, None,
                          "no cells were given and the districts have no population column",
                          "give cells with a population column, or census totals per district")
    if facilities is not None:
        facilities = _as_gdf(facilities, "facilities")
        require_crs(facilities, "facilities")
        if "kind" not in facilities.columns:
            raise SitingError("facilities.kind", None, "facilities need a 'kind' column",
                              "add one naming each facility's type, e.g. 'kindergarten'")
    layers = [g for g in (districts, cells, facilities) if g is not None]
    metric = require_metric(crs) if crs is not None else choose_metric_crs(*layers)
    out_districts = districts.to_crs(metric).rename(columns={district_col: "_name"})
    out_districts.insert(0, "district", names.to_numpy())
    out_districts = out_districts.drop(columns=["_name"])
    warn_overlaps(out_districts)
    if population_col != "population" and population_col in out_districts.columns:
        out_districts = out_districts.rename(columns={population_col: "population"})

    outside = 0.0
    out_cells = None
    if cells is not None:
        cells = cells.to_crs(metric)
        if population_col != "population":
            cells = cells.drop(columns=[c for c in ["population"] if c in cells.columns])
            cells = cells.rename(columns={population_col: "population"})
        owner = _owner(out_districts, cells)
        numeric = pd.to_numeric(cells["population"], errors="coerce")
        outside = float(numeric[owner.isna()].clip(lower=0).sum())
        out_cells = cells[owner.notna()].assign(_district=owner[owner.notna()].to_numpy())
    out_facilities = None
    if facilities is not None:
        out_facilities = facilities.to_crs(metric)
        if clip and len(out_facilities):
            out_facilities = out_facilities[_owner(out_districts, out_facilities).notna()]
        out_facilities = out_facilities.reset_index(drop=True)
    return BatchInputs(out_districts.reset_index(drop=True), out_cells, out_facilities,
                       dict(networks or {}), metric,
                       dict(snap_distance) if snap_distance else None, outside)


def _owner(districts: gpd.GeoDataFrame, layer: gpd.GeoDataFrame) -> pd.Series:
    """District of each row's representative point (first listed on shared borders)."""
    if len(layer) == 0:
        return pd.Series([], dtype=object, index=layer.index)
    points = layer.geometry.representative_point().to_numpy()
    # "intersects": a point exactly on a border (or the outer edge) is in, never dropped
    hits = districts.sindex.query(points, predicate="intersects")
    owner = np.full(len(layer), None, dtype=object)
    order = np.lexsort((hits[1], hits[0]))
    first = np.unique(hits[0][order], return_index=True)[1]
    owner[hits[0][order][first]] = districts["district"].astype(str).to_numpy()[
        hits[1][order][first]]
    return pd.Series(owner, index=layer.index, dtype=object)


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------
@dataclass
class DistrictOutcome:
    """What happened to one district in a batch."""

    district: str
    folder: Path
    status: str                       # "ok", "skipped" (done before) or "error"
    seconds: float = 0.0
    error: str | None = None
    table: pd.DataFrame | None = None
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class BatchResult:
    """Outcome of :func:`write_reports`."""

    out: Path
    outcomes: list[DistrictOutcome]
    summary: pd.DataFrame
    ranking: pd.DataFrame
    files: list[Path]
    seconds: float
    outside_population: float = 0.0

    @property
    def errors(self) -> list[DistrictOutcome]:
        return [o for o in self.outcomes if o.status == "error"]

    @property
    def skipped(self) -> list[DistrictOutcome]:
        return [o for o in self.outcomes if o.status == "skipped"]

    def __repr__(self) -> str:
        counts = pd.Series([o.status for o in self.outcomes]).value_counts().to_dict()
        return (f"<BatchResult {len(self.outcomes)} districts {counts} in {self.seconds:.1f} s "
                f"→ {self.out}>")


class _ProposeInDistrict:
    """Picklable ``proposals`` callable (process pools and Dask workers receive it)."""

    def __init__(self, kwargs: dict[str, Any]) -> None:
        # a report always shows what can be done; targets out of reach are listed as unmet
        self.kwargs = {"infeasible": "relax", **kwargs}
        # a readable name; the rerun fingerprint reads the settings themselves
        self.__qualname__ = "propose(" + ", ".join(
            f"{k}={v!r}" for k, v in sorted(self.kwargs.items())) + ")"

    def __call__(self, area: StudyArea, assessment: Assessment) -> Any:
        from ..propose import propose

        return propose(area, list(assessment.rules), assessment=assessment, **self.kwargs)


def proposals_by_propose(**kwargs: Any) -> Callable[[StudyArea, Assessment], Any]:
    """``ReportOptions(proposals=...)`` running :func:`siting.propose.propose` per district.

    ``kwargs`` go to ``propose`` (``time_limit``, ``max_candidates``, ``seed``...). Each
    district's proposal serves that district's failing rules from candidate sites in it.
    """
    return _ProposeInDistrict(kwargs)


# names Windows keeps for devices, with or without an extension
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)
#: Longest folder or file stem written, in UTF-8 bytes (filesystems allow 255; a CJK
#: character takes 3, and a map's ``map_`` prefix and ``.html`` suffix must still fit).
MAX_NAME_BYTES = 120
#: Free space below which an output folder is refused up front (a disk that fills mid-run
#: fails the districts that no longer fit, and one error names the summary files not written).
MIN_FREE_BYTES = 1_000_000


def slugify(name: str) -> str:
    """A file or folder name safe on every filesystem, made from a district or rule name.

    Letters (any script) and digits are kept, the rest becomes ``_``; names Windows reserves
    (``CON``, ``NUL``, ``COM1``...) get a ``_`` appended; names longer than
    :data:`MAX_NAME_BYTES` bytes are cut and end in a short digest of the whole name, so two
    long names that share a beginning stay apart.

    Parameters
    ----------
    name
        Any name (control characters, slashes, ``..`` and emoji included).

    Returns
    -------
    str
        A non-empty name of at most :data:`MAX_NAME_BYTES` UTF-8 bytes.

    Examples
    --------
    >>> slugify("../../etc"), slugify("CON"), slugify("浦东新区")
    ('etc', 'CON_', '浦东新区')
    """
    text = str(name)
    slug = re.sub(r"[^\w\-]+", "_", text, flags=re.UNICODE).strip("_.- ") or "district"
    if _RESERVED.match(slug):
        slug += "_"
    if len(slug.encode("utf-8")) > MAX_NAME_BYTES:
        tag = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        cut = slug.encode("utf-8")[:MAX_NAME_BYTES - 9].decode("utf-8", "ignore")
        slug = f"{cut}_{tag}"
    return slug


def _folders(names: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = slugify(name)
        slug, i = base, 2
        while slug.lower() in used:
            slug, i = f"{base}_{i}", i + 1
        used.add(slug.lower())
        out[name] = slug
    return out


def _rules_fingerprint(rules: Sequence[Rule]) -> list[str]:
    out = []
    for rule in rules:
        items = [(f.name, repr(getattr(rule, f.name))) for f in dataclasses.fields(rule)]
        out.append(f"{type(rule).__name__}:{items}")
    return out


# ---------------------------------------------------------------------------------------------
# one district
# ---------------------------------------------------------------------------------------------
def _rules_in_scope(rules: Sequence[Rule], area: StudyArea) -> tuple[list[Rule], list[str]]:
    keep, out = [], []
    for rule in rules:
        try:
            districts, _ = rule.scope.resolve(area)  # type: ignore[union-attr]
        except SitingError:
            districts = [None]  # let assess() report the problem
        (keep if districts else out).append(rule)
    return keep, [r.id for r in out]


def _map_rules(assessment: Assessment, maps: str | Sequence[str] | None) -> list[Rule]:
    from .maps import _travel_threshold

    if maps is None:
        return []
    every = {r.id: r for top in assessment.rules for r in top.walk()}
    if isinstance(maps, str) and maps == "auto":
        evaluated = [r for r in assessment.rules if r.id in assessment.results]
        chosen = [r for r in evaluated if _travel_threshold(r) is not None]
        if not chosen:
            # composites (15-minute life circles) map their access parts
            chosen = [p for r in evaluated for p in r.walk()[1:]
                      if _travel_threshold(p) is not None]
        return (chosen or evaluated[:1])[:MAX_MAPS_PER_DISTRICT]
    wanted = [maps] if isinstance(maps, str) else list(maps)
    return [every[i] for i in wanted if i in every]


def rule_failures(assessment: Assessment, rule_id: str) -> gpd.GeoDataFrame:
    """The failure geometry of a rule, composite parts included (they are not in
    :attr:`Assessment.failures`, which holds top-level rules only)."""
    failures = assessment.failures
    own = failures[failures["rule_id"] == rule_id] if len(failures) else failures
    if len(own):
        return own

    def walk(result: Any) -> gpd.GeoDataFrame | None:
        if result.rule.id == rule_id:
            return result.failures
        for part in result.parts:
            found = walk(part)
            if found is not None:
                return found
        return None

    for result in assessment.results.values():
        found = walk(result)
        if found is not None and len(found):
            return found
    return own


@contextlib.contextmanager
def _unsynced_sqlite() -> Iterator[None]:
    """GeoPackage writes without an fsync per layer (``OGR_SQLITE_SYNCHRONOUS=OFF``).

    On a busy disk each fsync of a layer took ~0.1 s, the most of a small district's
    ``gaps.gpkg``. SQLite without sync still survives a crash of this process; an OS crash
    could leave a damaged file, and a rerun redoes any district whose files no longer match
    the digests in its ``done.json``. The previous setting is restored.
    """
    import pyogrio

    before = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": before})


_SCOPE_NOTE = re.compile(r"scope districts not in the study area: ([^;]*)")


def batch_scope_note(note: object, districts: Sequence[str]) -> object:
    """``note`` without the batch's own districts in its "scope districts not in the study
    area" part: a district assessed alone does not see its neighbours, which are in the
    study area of the batch; names outside the whole batch are still listed."""
    if not isinstance(note, str) or "scope districts not in the study area" not in note:
        return note
    known = set(districts)

    def keep(match: re.Match) -> str:
        names = [n for n in match.group(1).split(", ")
                 if not any(a.strip() in known for a in n.split("/"))]
        return match.group(0).replace(match.group(1), ", ".join(names)) if names else ""

    parts = [p for p in (part.strip() for part in _SCOPE_NOTE.sub(keep, note).split(";")) if p]
    return "; ".join(parts) or None


def _write_gaps(path: Path, layers: Mapping[str, gpd.GeoDataFrame | None]) -> list[str]:
    """Non-empty layers to a GeoPackage in WGS-84; returns the layer names written."""
    with _unsynced_sqlite():
        return _write_gap_layers(path, layers)


def _write_gap_layers(path: Path, layers: Mapping[str, gpd.GeoDataFrame | None]) -> list[str]:
    if path.exists():
        path.unlink()
    written = []
    for name, layer in layers.items():
        if layer is None or len(layer) == 0:
            continue
        shown = layer.to_crs(4326)
        for column in shown.columns:
            # GPKG columns have one type: lists (a site's kinds) are joined, other mixed
            # Python objects written as text
            if column == shown.geometry.name or shown[column].dtype not in (object, "str"):
                continue
            first = shown[column].dropna()
            if len(first) and isinstance(first.iloc[0], (list, tuple)):
                shown[column] = shown[column].map(
                    lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
            shown[column] = shown[column].astype("string")
        shown.to_file(path, layer=name, driver="GPKG")
        written.append(name)
    return written


def _district_figures(area: StudyArea, table: pd.DataFrame, lang: str) -> dict[str, Any]:
    from .maps import _kind_names
    from .tables import district_figures

    names = _kind_names(lang)
    own = area.facilities[area.facilities["district"].notna()]
    counts = own["kind"].value_counts().sort_index()
    return district_figures(table) | {
        "population": float(area.population), "cells": int(len(area.cells)),
        "facilities": [(names.get(k, k), int(n)) for k, n in counts.items()]}


def run_district(name: str, folder: Path, inputs: BatchInputs, rules: Sequence[Rule],
                 options: ReportOptions) -> DistrictOutcome:
    """Assess one district and write its folder; raises on any failure (the batch catches)."""
    from ..assess import assess
    from .html import render_district_page
    from .maps import assessment_map, margin_m, proposal_sites, rule_isochrones
    from .offline import save_map

    start = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in (_STATUS_FILE, _ERROR_FILE):
        (folder / stale).unlink(missing_ok=True)
    area = inputs.area_for(name)
    in_scope, out_of_scope = _rules_in_scope(rules, area)
    assessment = assess(area, in_scope, errors="report", straight_line=options.straight_line,
                        detour=options.detour, absent_is_zero=options.absent_is_zero)
    proposals, proposal_note = None, ""
    if options.proposals is not None:
        try:
            found = options.proposals(area, assessment)
            proposals = proposal_sites(found) if found is not None else None
            if proposals is not None:
                from .basemaps import tiles_system
                from .proposal_table import site_table

                # coordinates (WGS-84 and the map's system), address, people per rule
                proposals = site_table(proposals, area, rules,
                                       system=tiles_system(options.tiles))
        except SitingError as exc:
            # e.g. no candidate site reaches some residents: the assessment still stands
            detail = "; ".join(map(str, exc.value)) if isinstance(exc.value, (list, tuple)) \
                else ""
            proposal_note = f"{exc.problem}" + (f" ({detail})" if detail else "") + \
                f". Fix: {exc.fix}"

    from ..rules.base import Context

    maps, isochrone_layers = [], []
    for rule in _map_rules(assessment, options.maps):
        iso = None
        try:
            # an average radius (service_radius) gets no rings: it is not a maximum
            if options.isochrones is not None and rule.facility and \
                    rule.kind != "service_radius":
                box = area.districts.total_bounds
                margin = margin_m(area, rule)
                near = shapely.box(box[0] - margin, box[1] - margin, box[2] + margin,
                                   box[3] + margin)
                sources = rule.facilities(area, Context(absent_is_zero=True))
                iso, _note = rule_isochrones(area, rule, options.isochrones,
                                             sources[sources.intersects(near)],
                                             straight_line=options.straight_line or None)
                isochrone_layers.append(iso)
            fmap = assessment_map(assessment, area, rule, lang=options.lang,
                                  tiles=options.tiles, offline=options.offline,
                                  proposals=proposals, isochrones=iso,
                                  straight_line=options.straight_line or None)
        except SitingError as exc:
            # a rule the study area cannot measure (its assessment row says why): no map,
            # and the page says so instead of failing the whole district
            maps.append({"rule_id": rule.id, "file": "",
                         "caption": problem_text(exc.problem, options.lang)})
            continue
        file = f"map_{slugify(rule.id)}.html"
        save_map(fmap, folder / file, offline=options.offline)
        maps.append({"rule_id": rule.id, "file": file,
                     "caption": rule_requirement(rule, options.lang),
                     "png": f"map_{slugify(rule.id)}.png" if options.static else ""})
    static_files: list[str] = []
    if options.static:
        from .static import district_static

        static_files = district_static(assessment, area, folder,
                                       [(m["rule_id"], m["png"]) for m in maps if m["file"]],
                                       lang=options.lang, proposals=proposals)

    # a batch district is its own study area: its "(study area)" row of a city-wide rule would
    # repeat the district (the city-wide verdict needs all districts: siting.report.area_rows)
    table = assessment.table[assessment.table["level"] != "area"].copy()
    table["note"] = [batch_scope_note(n, inputs.batch_districts) for n in table["note"]]
    failures = assessment.failures
    cells_gap = failures[failures["what"] == "cell"] if len(failures) else None
    areas_gap = failures[failures["what"] != "cell"] if len(failures) else None
    # composite parts keep their uncovered cells in the results tree: map-relevant, so kept
    for rule in _map_rules(assessment, options.maps):
        if cells_gap is None or rule.id not in set(cells_gap["rule_id"]):
            extra = rule_failures(assessment, rule.id)
            if extra is not None and len(extra) and (extra["what"] == "cell").all():
                cells_gap = extra if cells_gap is None else pd.concat([cells_gap, extra])
    iso_all = pd.concat(isochrone_layers, ignore_index=True) if isochrone_layers else None
    gaps = {"uncovered_cells": cells_gap, "failing_areas": areas_gap,
            "isochrones": iso_all if iso_all is not None and len(iso_all) else None,
            "proposed_sites": proposals}
    for layer in gaps.values():
        if layer is not None and len(layer) and "district" not in layer.columns:
            layer.insert(0, "district", name)
    _write_gaps(folder / "gaps.gpkg", {k: (gpd.GeoDataFrame(v, crs=v.crs) if v is not None
                                           else None) for k, v in gaps.items()})
    table.to_parquet(folder / "assessment.parquet", index=False)
    site_files: list[str] = []
    if proposals is not None and len(proposals):
        from .proposal_table import write_site_files

        site_files = write_site_files(proposals, folder, options.lang)

    figures = _district_figures(area, table, options.lang)
    rules_by_id = {r.id: r for top in rules for r in top.walk()}
    page = render_district_page(
        district=name, title=options.title, lang=options.lang, table=table, rules=rules_by_id,
        figures=figures | {"population": f"{figures['population']:,.0f}",
                           "cells": f"{figures['cells']:,}"},
        maps=maps, proposals=proposals, proposal_note=proposal_note, site_files=site_files,
        proposals_asked=options.proposals is not None,
        warnings=area.residents_warnings(lang=options.lang))
    (folder / "index.html").write_text(page, encoding="utf-8")
    seconds = time.perf_counter() - start
    info = {k: v for k, v in figures.items()} | {
        "maps": [m["file"] for m in maps if m["file"]], "static": static_files + site_files,
        "out_of_scope": out_of_scope,
        "proposed_sites": 0 if proposals is None else len(proposals),
        "proposal_note": proposal_note}
    return DistrictOutcome(name, folder, "ok", seconds, None, table, info)


# ---------------------------------------------------------------------------------------------
# the batch
# ---------------------------------------------------------------------------------------------
class _Progress:
    """tqdm when available and wanted, else one line per district on stderr."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None
        self.done = 0
        self.total = total
        if enabled:
            try:
                from tqdm import tqdm

                self.bar = tqdm(total=total, desc="districts", unit="district",
                                file=sys.stderr, dynamic_ncols=True)
            except ImportError:  # tqdm is a dependency; a bare env still gets a progress line
                self.bar = None

    def step(self, name: str, status: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.set_postfix_str(f"{name}: {status}")
            self.bar.update(1)
        else:
            print(f"[{self.done}/{self.total}] {name}: {status}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


Executor = Callable[..., Iterable[tuple["DistrictOutcome", "str | None"]]]


def run_district_safely(name: str, folder: Path, inputs: BatchInputs, rules: Sequence[Rule],
                        options: ReportOptions) -> tuple[DistrictOutcome, str | None]:
    """:func:`run_district`, turning any failure into an ``error`` outcome and its traceback.

    Runs wherever the executor sends it (this process, a worker process, a Dask worker), so
    it returns plain picklable values and never raises for a broken district.
    """
    t0 = time.perf_counter()
    try:
        return run_district(name, folder, inputs, rules, options), None
    except Exception as exc:  # noqa: BLE001  one broken district must not stop the batch
        # in the report's language: the index lists it for the planner
        text = exc.message(options.lang) if isinstance(exc, SitingError) else str(exc)
        return (DistrictOutcome(name, folder, "error", time.perf_counter() - t0,
                                f"{type(exc).__name__}: {text}"), traceback.format_exc())


def district_inputs(inputs: BatchInputs, name: str, rules: Sequence[Rule],
                    options: ReportOptions) -> BatchInputs:
    """What a district's task receives: :meth:`BatchInputs.slice_for`, or the whole inputs
    when the slice cannot be made (the district's own data is broken in a way the slicing
    meets first: its task then reports the error exactly as it always has)."""
    try:
        return inputs.slice_for(name, rules, options)
    except Exception as exc:  # noqa: BLE001  one broken district must not stop the batch
        warnings.warn(f"district {name!r}: its slice of the inputs could not be made "
                      f"({type(exc).__name__}: {exc}); its task gets the whole inputs",
                      stacklevel=2)
        return dataclasses.replace(inputs, _hashes={})


def run_serially(task: Callable, jobs: Sequence[tuple[str, Path]], inputs: BatchInputs,
                 rules: Sequence[Rule], options: ReportOptions
                 ) -> Iterable[tuple[DistrictOutcome, str | None]]:
    """The default executor: one district after another in this process, each on its slice
    of the inputs (as on a worker, so every executor computes the same thing)."""
    for name, folder in jobs:
        yield task(name, folder, district_inputs(inputs, name, rules, options), rules, options)


def _record(outcome: DistrictOutcome, trace: str | None, fingerprint: str) -> DistrictOutcome:
    """Write a district's done.json (reruns skip it) or error.json (the index lists it).

    Inside the per-district guard: a folder that cannot be written (disk full, read-only,
    a name the filesystem refuses) makes this district an ``error``, not the batch a crash.
    """
    folder = outcome.folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if outcome.status == "error":
            _write_atomic(folder / _ERROR_FILE, json.dumps(
                {"district": outcome.district, "error": outcome.error, "traceback": trace},
                ensure_ascii=False, indent=1))
        else:
            files = _district_files(folder, outcome.info)
            _write_atomic(folder / _STATUS_FILE, json.dumps(
                {"district": outcome.district, "fingerprint": fingerprint,
                 "seconds": outcome.seconds, "info": outcome.info,
                 "files": _digests(folder, files)},
                ensure_ascii=False, indent=1, default=_json_default))
    except OSError as exc:
        earlier = f"{outcome.error}; then " if outcome.status == "error" else ""
        return dataclasses.replace(
            outcome, status="error", table=None,
            error=f"{earlier}{type(exc).__name__}: cannot write {exc.filename or folder}: "
                  f"{exc.strerror or exc}")
    return outcome


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through :func:`_replace_atomically`."""
    _replace_atomically(path, lambda temp: temp.write_text(text, encoding="utf-8"))


def _replace_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """``write(temp)`` a file beside ``path`` (same suffix), then rename: never half a file.

    On a full disk the old file (if any) stays whole and no partial file is left.
    """
    temp = path.with_name(f".{path.stem}.part{path.suffix}")
    try:
        write(temp)
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)


def write_reports(inputs: BatchInputs | StudyArea, rules: Iterable[Rule] | object,
                  out: str | Path, *, options: ReportOptions | None = None,
                  force: bool = False, progress: bool = True,
                  districts: Iterable[str] | None = None,
                  executor: Executor | None = None) -> BatchResult:
    """Assess every district and write the report folder (see the module notes).

    Parameters
    ----------
    inputs
        :func:`prepare_inputs` output, or a :class:`~siting.StudyArea`.
    rules
        Rules, or anything :func:`siting.rules.load_rules` takes.
    out
        Output folder (created).
    options
        :class:`ReportOptions`.
    force
        Redo districts already done with the same inputs, rules and options.
    progress
        Show a progress bar on stderr.
    districts
        Run only these districts (default all); the summary files still include the other
        districts' results from earlier runs with the same inputs, rules and options.
    executor
        How districts run: :func:`run_serially` (default), or an executor from
        :mod:`siting.batch` (process pool, Dask cluster). Results are the same either way.

    Returns
    -------
    BatchResult
        Per-district outcomes (``ok`` / ``skipped`` / ``error`` with the message), the summary
        table, the ranking and the files written.
    """
    from ..rules import Rule, load_rules
    from ..study_area import StudyArea
    from .html import render_index
    from .tables import rank_districts, spreadsheet_safe, summary_table, write_workbook

    start = time.perf_counter()
    check_out_dir(out)  # first: a folder that cannot be written fails before any work
    options = options or ReportOptions()
    check_lang(options.lang)
    if isinstance(inputs, StudyArea):
        inputs = BatchInputs.from_area(inputs)
    if isinstance(rules, Rule):
        rule_list = [rules]
    elif isinstance(rules, (list, tuple)) and all(isinstance(r, Rule) for r in rules):
        rule_list = list(rules)
    else:
        rule_list = list(load_rules(rules))  # type: ignore[arg-type]
    ids = [r.id for r in rule_list]
    if len(set(ids)) != len(ids):
        raise SitingError("rules", sorted({i for i in ids if ids.count(i) > 1}),
                          "rule ids must be unique", "drop the duplicates")
    names = inputs.names
    selected = set(names)
    if districts is not None:
        wanted = [str(d) for d in districts]
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            raise SitingError("districts", unknown, "no such districts",
                              f"use names from {names[:10]}")
        selected = set(wanted)
    out = check_out_dir(out)
    out.mkdir(parents=True, exist_ok=True)
    folders = _folders(names)
    from .. import __version__

    base_print = json.dumps({"rules": _rules_fingerprint(rule_list),
                             "options": options.fingerprint(), "siting": __version__},
                            sort_keys=True, default=str)

    results: dict[str, DistrictOutcome] = {}
    pending: list[tuple[str, Path, str]] = []
    bar = _Progress(len(selected), progress)
    try:
        for name in names:
            folder = out / "districts" / folders[name]
            fingerprint = hashlib.sha256((base_print + inputs.district_hash(name)).encode()
                                         ).hexdigest()
            done = _load_done(folder, fingerprint)
            if name not in selected:
                # not asked for this time: its earlier result still belongs in the summary
                if done is not None:
                    results[name] = done
                continue
            if done is not None and not force:
                results[name] = done
                bar.step(name, "skipped (done)")
                continue
            pending.append((name, folder, fingerprint))
        fingerprints = {name: fp for name, _, fp in pending}
        run = executor or run_serially
        for outcome, trace in run(run_district_safely,
                                  [(name, folder) for name, folder, _ in pending],
                                  inputs, rule_list, options):
            outcome = _record(outcome, trace, fingerprints[outcome.district])
            results[outcome.district] = outcome
            bar.step(outcome.district, outcome.status if outcome.status == "ok" else "ERROR")
    finally:
        bar.close()
    outcomes = [results[name] for name in names if name in results]

    # the deciding rows of rules stated for the whole area (全市): one assess() over every
    # district; the district rows of those rules stay diagnostics (siting.report.area_rows)
    from .area_rows import area_fingerprint, study_area_rows

    area_rows = study_area_rows(inputs, rule_list, options, out, area_fingerprint(
        base_print, [inputs.district_hash(n) for n in names]))
    summary = summary_table([o.table for o in outcomes if o.table is not None] + [area_rows])
    rows = []
    for o in outcomes:
        row = {"district": o.district, "status": o.status, "error": o.error,
               "population": o.info.get("population", _district_population(inputs, o.district))}
        row.update({k: o.info.get(k) for k in ("rules_evaluated", "rules_failed",
                                                "rules_passed", "uncovered_population",
                                                "worst_rule", "worst_attainment")})
        rows.append(row)
    ranking = rank_districts(rows)

    files = [out / "summary.csv", out / "summary.xlsx", out / "gaps.gpkg", out / "folders.csv",
             out / "index.html"]
    links = {o.district: f"districts/{folders[o.district]}/index.html" for o in outcomes}
    review = inputs.facility_review
    extra: list[Path] = []
    if review is not None and len(review):
        extra.append(out / "facility_review.csv")
    if options.static:
        extra.append(out / "report.pdf")
    folder_table = pd.DataFrame({"district": names,
                                 "folder": [f"districts/{folders[n]}" for n in names]})
    writers: list[tuple[Path, Callable[[Path], object]]] = [
        # names come from data: a cell "=HYPERLINK(...)" must stay text in every spreadsheet
        (files[0], lambda p: spreadsheet_safe(summary).to_csv(p, index=False)),
        # which folder holds which district: names were made safe for every filesystem
        (files[3], lambda p: spreadsheet_safe(folder_table).to_csv(p, index=False)),
        (files[4], lambda p: p.write_text(render_index(
            title=options.title, lang=options.lang, ranking=ranking, summary=summary,
            links=links, rules=rule_list, files=[f.name for f in files[:4] + extra],
            outside_population=inputs.outside_population, review=review,
            area_rows=area_rows), encoding="utf-8")),
        (files[1], lambda p: write_workbook(summary, ranking, p, rule_list, review=review,
                                            lang=options.lang)),
        (files[2], lambda p: _merge_gaps(p, inputs, outcomes, ranking)),
    ]
    if review is not None and len(review):
        writers.append((out / "facility_review.csv",
                        lambda p: spreadsheet_safe(review).to_csv(p, index=False)))
    if options.static:
        from .static import summary_pdf

        writers.append((out / "report.pdf", lambda p: summary_pdf(
            summary, p, lang=options.lang, title=options.title)))
    from pyogrio.errors import DataSourceError  # GDAL's word for a full disk in a GPKG

    unwritten = []
    for path, write in writers:  # the small ones first: on a full disk the index still fits
        try:
            _replace_atomically(path, write)
        except (OSError, DataSourceError) as exc:
            unwritten.append(f"{path.name} ({getattr(exc, 'strerror', None) or exc})"[:120])
    if unwritten:
        raise SitingError("out", str(out), "could not write " + ", ".join(unwritten),
                          "free some space (or fix the folder) and run again: finished "
                          "districts are kept and skipped")
    return BatchResult(out, outcomes, summary, ranking, files + extra,
                       time.perf_counter() - start,
                       inputs.outside_population)


def check_out_dir(out: str | Path, field: str = "out") -> Path:
    """Refuse an output folder that cannot be written, before anything is read or written.

    Nothing is created: the folder (or its nearest existing parent) must be a folder, be
    writable and have some room.

    Parameters
    ----------
    out
        The output folder.
    field
        Name of the option in messages (``"--out"`` for the command line).

    Returns
    -------
    pathlib.Path
        ``out`` as a path.

    Raises
    ------
    SitingError
        ``out`` (or a parent) is a file, the place is read-only, or the disk is full.

    Examples
    --------
    >>> check_out_dir("report")  # doctest: +SKIP
    PosixPath('report')
    """
    import os
    import shutil

    path = Path(out)
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        what = "is a file" if existing == path else f"lies under a file ({existing})"
        raise SitingError(field, str(out), f"the output folder {what}",
                          "give a folder path (a new or an existing folder)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise SitingError(field, str(out), f"cannot write in {existing} (read-only or no "
                          "permission)", "choose a folder you can write to")
    free = shutil.disk_usage(existing).free
    if free < MIN_FREE_BYTES:
        raise SitingError(field, str(out), f"the disk holding {existing} is full "
                          f"({free:,} bytes free)", "free some space or choose another disk")
    return path


def _json_default(value: object) -> object:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if not np.isfinite(value) else float(value)
    return str(value)


def _district_population(inputs: BatchInputs, name: str) -> float:
    if inputs.cells is not None:
        values = pd.to_numeric(inputs.cells.loc[inputs.cells["_district"] == name, "population"],
                               errors="coerce")
        return float(values.sum())
    row = inputs.districts[inputs.districts["district"] == name]
    return float(pd.to_numeric(row.get("population"), errors="coerce").sum()) if len(row) else 0.0


def _load_done(folder: Path, fingerprint: str) -> DistrictOutcome | None:
    """A previous run's outcome when its fingerprint matches and its files are all there."""
    status = folder / _STATUS_FILE
    if not status.exists():
        return None
    try:
        data = json.loads(status.read_text(encoding="utf-8"))
        if data.get("fingerprint") != fingerprint:
            return None
        # every file as it was written: a truncated map or an emptied page is redone
        written = data.get("files")
        if not isinstance(written, dict) or _digests(folder, list(written)) != written:
            return None
        table = pd.read_parquet(folder / "assessment.parquet")
        return DistrictOutcome(data["district"], folder, "skipped", 0.0, None, table,
                               data.get("info", {}))
    except Exception:  # noqa: BLE001  anything unreadable is redone, never trusted
        return None


def _district_files(folder: Path, info: Mapping[str, Any]) -> list[str]:
    return ["index.html", "assessment.parquet", "gaps.gpkg"] + list(info.get("maps", [])) \
        + list(info.get("static", []))


def _digests(folder: Path, files: Sequence[str]) -> dict[str, str]:
    """sha256 of each file (missing or unreadable files get ``""``)."""
    out = {}
    for name in files:
        try:
            out[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        except OSError:
            out[name] = ""
    return out


def _merge_gaps(path: Path, inputs: BatchInputs, outcomes: Sequence[DistrictOutcome],
                ranking: pd.DataFrame) -> None:
    """``gaps.gpkg``: the districts with their standing, then each district's gap layers."""
    import pyogrio

    districts = inputs.districts[["district", "geometry"]].merge(
        ranking.drop(columns=["population"]), on="district", how="left")
    for column in ("rank",):
        districts[column] = districts[column].astype("float")
    layers: dict[str, list[gpd.GeoDataFrame]] = {name: [] for name in GAP_LAYERS[1:]}
    for o in outcomes:
        source = o.folder / "gaps.gpkg"
        if o.status == "error" or not source.exists():
            continue
        present = {row[0] for row in pyogrio.list_layers(source)}
        for name in layers:
            if name in present:
                layers[name].append(gpd.read_file(source, layer=name))
    merged = {"districts": gpd.GeoDataFrame(districts, geometry="geometry", crs=inputs.crs)}
    for name, parts in layers.items():
        if parts:
            merged[name] = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True),
                                            geometry="geometry", crs=parts[0].crs)
    _write_gaps(path, merged)


__all__ = ["BatchInputs", "BatchResult", "DistrictOutcome", "GAP_LAYERS", "ReportOptions",
           "district_inputs", "prepare_inputs", "proposals_by_propose", "rule_failures",
           "run_district", "slugify", "write_reports"]
