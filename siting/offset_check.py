"""Catch map-provider points (GCJ-02 / BD-09) that are labelled WGS-84.

Amap and Tencent publish GCJ-02, Baidu BD-09: WGS-84 plus an offset of a few hundred metres
(485 m in Shanghai). A POI export labelled EPSG:4326 without conversion puts every facility
in the wrong block, and nothing in its numbers shows it. The street network is the only
WGS-84 reference a study area always has, so the check asks it: undo the offset and see
whether the facilities then sit on the streets (or on junctions) far more often than
chance allows. Chance is measured, not assumed: each point is also moved by its own offset
turned to other directions and scaled (up to 189 positions a point), and the share of those
positions that land on a street is the probability ``p`` of a chance fit. The converted
positions must beat it at a binomial tail below :data:`MAX_P_VALUE` (points treated as
independent), hold at least half the facilities, and at least twice as many as given.

What it can and cannot see, measured: facilities that were placed on streets (geocoded
entrances, junction candidates, OSM-derived sites) are caught; POIs scattered inside blocks
are not — on the 49 Shanghai kindergartens, health centres and schools inside the two real
Shanghai networks the nearest-street distance is no smaller as given than after a 485 m move
in any direction, so no statistic on street distance can tell (tests/test_offset_check.py).
The check therefore only ever raises on strong evidence and never on its absence; the
reliable safeguard stays the declaration: read provider tables with
``read_poi_table(path, coordinate_system="gcj02")`` or convert with
:func:`siting.china.to_wgs84`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely

from .china import convert_coordinates, in_china
from .errors import CRSError

if TYPE_CHECKING:
    from .network.graph import Network

__all__ = ["OffsetEvidence", "offset_evidence", "check_provider_offsets"]

#: A point this close to a street or junction (metres) sits on it.
ON_STREET_M = 2.0
#: The converted positions must hold this many times as many points as given.
MIN_RATIO = 2.0
#: Largest binomial tail accepted as evidence (four tests: two systems, two references).
MAX_P_VALUE = 1e-5
#: Directions of the chance positions (degrees from the conversion's own; not within 20°,
#: whose positions lie too near the converted ones to be independent of them).
ANGLES = tuple(range(25, 340, 5))
#: Scales of the offset for the chance positions.
SCALES = (0.75, 1.0, 1.25)
#: At most this many chance positions in all (fewer directions for large layers).
MAX_CHANCE_POSITIONS = 60_000
#: At most this many facilities are tested (evenly spaced: the answer does not need more).
MAX_POINTS = 2000


@dataclass(frozen=True)
class OffsetEvidence:
    """How well the facilities fit the streets as given, converted and moved at random.

    Attributes
    ----------
    system
        The provider system tested: ``"gcj02"`` or ``"bd09"``.
    points
        Facilities tested (those inside China).
    shift_m
        Median distance the conversion moves them (metres).
    on_street_given, on_street_converted
        How many lie within :data:`ON_STREET_M` of the reference as given and after
        converting ``system`` → WGS-84.
    chance
        Share of the chance positions (the same points moved as far in other directions)
        that lie on the reference.
    p_value
        Probability of at least ``on_street_converted`` of ``points`` on the reference by
        chance (binomial tail with ``chance``).
    detected
        The converted positions fit beyond chance: ``p_value`` below :data:`MAX_P_VALUE`,
        at least half the points (and at least two) on the reference, and
        :data:`MIN_RATIO` times as many as given.
    reference
        ``"streets"`` or ``"junctions"`` (street ends shared by three or more streets): the
        reference the counts are for, the one that decided when ``detected``.
    """

    system: str
    points: int
    shift_m: float
    on_street_given: int
    on_street_converted: int
    chance: float
    p_value: float
    detected: bool
    reference: str = "streets"


def _junctions(network: Network) -> shapely.STRtree:
    ends = np.bincount(np.r_[network.street_u, network.street_v], minlength=len(network.x))
    nodes = np.flatnonzero(ends >= 3)
    return shapely.STRtree(shapely.points(network.x[nodes], network.y[nodes]))


def _near(tree: shapely.STRtree, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether each point lies within :data:`ON_STREET_M` of a geometry of ``tree``."""
    hits = tree.query(shapely.points(x, y), predicate="dwithin", distance=ON_STREET_M)
    near = np.zeros(len(x), dtype=bool)
    near[hits[0]] = True
    return near


def _chance_offsets(n: int) -> list[tuple[float, float]]:
    """(angle in radians, scale) of the chance positions, fewer when ``n`` is large."""
    pairs = [(np.radians(a), s) for a in ANGLES for s in SCALES]
    keep = max(len(SCALES), min(len(pairs), MAX_CHANCE_POSITIONS // max(n, 1)))
    return [pairs[i] for i in np.linspace(0, len(pairs) - 1, keep).astype(int)]


def _tail(n: int, k: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    from scipy.stats import binom

    return float(binom.sf(k - 1, n, p))


def offset_evidence(points: gpd.GeoSeries, network: Network,
                    system: str = "gcj02") -> OffsetEvidence | None:
    """Test whether ``points`` (labelled WGS-84, any CRS) are really in ``system``.

    Parameters
    ----------
    points
        Point geometries with a CRS; only those inside China are tested.
    network
        A street network (WGS-84 based, as OpenStreetMap is) in any metric CRS.
    system
        ``"gcj02"`` (Amap, Tencent) or ``"bd09"`` (Baidu).

    Returns
    -------
    OffsetEvidence, or ``None`` when fewer than two points lie in China or the network
    has no streets. Of the two references, the evidence of the one that detects (else of
    the streets) is returned.

    Examples
    --------
    >>> offset_evidence(area.facilities.geometry, area.network("walk")).detected  # doctest: +SKIP
    False
    """
    if len(network.street_geometry) == 0 or len(points) < 2:
        return None
    lonlat = points.to_crs(4326)
    lon, lat = lonlat.x.to_numpy(), lonlat.y.to_numpy()
    keep = in_china(lon, lat)
    if keep.sum() < 2:
        return None
    index = np.flatnonzero(keep)
    if len(index) > MAX_POINTS:
        index = index[np.linspace(0, len(index) - 1, MAX_POINTS).astype(int)]
    lon, lat = lon[index], lat[index]
    wx, wy = convert_coordinates(lon, lat, system, "wgs84")
    metric = gpd.GeoSeries(gpd.points_from_xy(np.r_[lon, wx], np.r_[lat, wy]), crs=4326
                           ).to_crs(network.crs)
    n = len(lon)
    gx, gy = metric.x.to_numpy()[:n], metric.y.to_numpy()[:n]
    cx, cy = metric.x.to_numpy()[n:], metric.y.to_numpy()[n:]
    dx, dy = cx - gx, cy - gy
    moves = _chance_offsets(n)
    ox = np.concatenate([s * (dx * np.cos(a) - dy * np.sin(a)) for a, s in moves])
    oy = np.concatenate([s * (dx * np.sin(a) + dy * np.cos(a)) for a, s in moves])
    shift = float(np.median(np.hypot(dx, dy)))
    # two references: the streets (points at entrances) and the junctions (points at
    # crossings; on a regular grid a shift can land a junction point on another street)
    found = None
    for reference, tree in (("streets", network.street_tree()),
                            ("junctions", _junctions(network))):
        given = int(_near(tree, gx, gy).sum())
        converted = int(_near(tree, cx, cy).sum())
        hits = int(_near(tree, np.tile(gx, len(moves)) + ox, np.tile(gy, len(moves)) + oy).sum())
        chance = (hits + 0.5) / (len(ox) + 1.0)  # never 0: a finite sample bounds it
        p_value = _tail(n, converted, chance)
        detected = (p_value < MAX_P_VALUE and converted >= max(2, n / 2)
                    and converted >= MIN_RATIO * max(given, 1))
        evidence = OffsetEvidence(system, n, shift, given, converted, chance, p_value,
                                  bool(detected), reference)
        if found is None or detected:
            found = evidence
        if detected:
            break
    return found


def check_provider_offsets(facilities: gpd.GeoDataFrame, networks: Mapping[str, Network],
                           layer: str = "facilities", label: object = None) -> None:
    """Raise when ``facilities`` look like GCJ-02 / BD-09 points labelled WGS-84.

    ``label`` is the CRS the layer was given with (before any reprojection), for the
    message. Skipped when ``facilities.attrs["coordinate_system"]`` says what the coordinates are
    (``read_poi_table`` and the config's ``coordinate_system:`` set it; set it to
    ``"wgs84"`` yourself to declare points that really are WGS-84).

    Raises
    ------
    CRSError
        Naming the layer, the provider system, how many facilities fit the streets after
        conversion against as given, and the conversion to apply.
    """
    if facilities.attrs.get("coordinate_system") or len(facilities) < 2 or not networks:
        return
    mode = "walk" if "walk" in networks else sorted(networks)[0]
    for system, provider in (("gcj02", "GCJ-02 (Amap/高德, Tencent)"), ("bd09", "BD-09 (Baidu)")):
        evidence = offset_evidence(facilities.geometry, networks[mode], system)
        if evidence is None:
            return
        if evidence.detected:
            raise CRSError(
                f"{layer}.crs", str(label if label is not None else facilities.crs),
                f"the {layer} look like {provider} coordinates labelled WGS-84: moved back "
                f"{evidence.shift_m:,.0f} m by the {system} → WGS-84 conversion, "
                f"{evidence.on_street_converted} of {evidence.points} lie on the {mode} "
                f"network's {evidence.reference}, against {evidence.on_street_given} as given; "
                f"moved as far in other directions {evidence.chance:.1%} of them would "
                f"(chance of this fit {evidence.p_value:.0e})",
                f"convert them first: siting.china.to_wgs84({layer}, {system!r}), or read the "
                f"export with read_poi_table(path, coordinate_system={system!r}) (config: "
                f"coordinate_system: {system}); if they really are WGS-84, set "
                f"{layer}.attrs['coordinate_system'] = 'wgs84'",
            )
