"""Catch map-provider points (GCJ-02 / BD-09) that are labelled WGS-84.

Amap and Tencent publish GCJ-02, Baidu BD-09: WGS-84 plus an offset of a few hundred metres
(485 m in Shanghai). A POI export labelled EPSG:4326 without conversion puts every facility
in the wrong block, and nothing in its numbers shows it. The street network is the only
WGS-84 reference a study area always has, so the check asks it: undo the offset and see
whether the facilities then sit on the streets, far more often than as given and than when
moved by the same distance in any other direction (eleven rotations of each point's own
offset, the null a chance fit is measured against).

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

import geopandas as gpd
import numpy as np
import shapely

from .china import convert_coordinates, in_china
from .errors import CRSError
from .network.graph import Network

__all__ = ["OffsetEvidence", "offset_evidence", "check_provider_offsets"]

#: A point this close to a street (metres) sits on it.
ON_STREET_M = 2.0
#: The converted positions must sit on streets this many times as often as any other.
MIN_RATIO = 2.0
#: Rotations of each point's offset that make the null (degrees).
ROTATIONS = tuple(range(30, 360, 30))
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
    on_street_given, on_street_converted, on_street_rotated
        How many lie within :data:`ON_STREET_M` of the reference as given, after converting
        ``system`` → WGS-84, and at most after any rotation of the same offsets.
    detected
        The converted positions fit clearly better than every other: at least half the
        points (and at least two) on streets, and :data:`MIN_RATIO` times as many as given
        or rotated.
    reference
        ``"streets"`` or ``"junctions"`` (street ends shared by three or more streets): the
        reference the counts are for, the one that decided when ``detected``.
    """

    system: str
    points: int
    shift_m: float
    on_street_given: int
    on_street_converted: int
    on_street_rotated: int
    detected: bool
    reference: str = "streets"


def _junctions(network: Network) -> shapely.STRtree:
    ends = np.bincount(np.r_[network.street_u, network.street_v], minlength=len(network.x))
    nodes = np.flatnonzero(ends >= 3)
    return shapely.STRtree(shapely.points(network.x[nodes], network.y[nodes]))


def _count_near(tree: shapely.STRtree, x: np.ndarray, y: np.ndarray) -> int:
    hits = tree.query(shapely.points(x, y), predicate="dwithin", distance=ON_STREET_M)
    return int(len(np.unique(hits[0])))


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
    has no streets.

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
    # two references: the streets (points at entrances) and the junctions (points at
    # crossings; on a regular grid a shift can land a junction point on another street)
    best = None
    for reference, tree in (("streets", network.street_tree()),
                            ("junctions", _junctions(network))):
        given = _count_near(tree, gx, gy)
        converted = _count_near(tree, cx, cy)
        rotated = 0
        for degrees in ROTATIONS:
            a = np.radians(degrees)
            rx = dx * np.cos(a) - dy * np.sin(a)
            ry = dx * np.sin(a) + dy * np.cos(a)
            rotated = max(rotated, _count_near(tree, gx + rx, gy + ry))
        detected = (converted >= max(2, n / 2)
                    and converted >= MIN_RATIO * max(given, rotated, 1))
        if best is None or detected:
            best = (given, converted, rotated, bool(detected), reference)
        if detected:
            break
    return OffsetEvidence(system, n, float(np.median(np.hypot(dx, dy))), *best)


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
                f"network's {evidence.reference}, against {evidence.on_street_given} as given and at most "
                f"{evidence.on_street_rotated} when moved as far in any other direction",
                f"convert them first: siting.china.to_wgs84({layer}, {system!r}), or read the "
                f"export with read_poi_table(path, coordinate_system={system!r}) (config: "
                f"coordinate_system: {system}); if they really are WGS-84, set "
                f"{layer}.attrs['coordinate_system'] = 'wgs84'",
            )
