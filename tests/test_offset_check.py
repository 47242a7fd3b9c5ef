"""GCJ-02 / BD-09 points labelled WGS-84 (hostile class 7): caught on the streets they fit.

Expected outcomes come from the construction: facilities placed on a street network's
junctions and then moved by the published WGS-84 → GCJ-02 (or → BD-09) formula must be
recognised, and the same facilities left in WGS-84 must not be. The real half uses the
OpenStreetMap drive network around People's Square (黄浦区) with junctions as facilities, and
the Shanghai POI tables (WGS-84 per their README) to show the check stays silent on them.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import shared_path

import siting.network as sn
from siting import StudyArea
from siting.china import to_wgs84, wgs84_to_bd09, wgs84_to_gcj02
from siting.errors import CRSError
from siting.offset_check import check_provider_offsets, offset_evidence

UTM51 = "EPSG:32651"
X0, Y0 = 350_000.0, 3_500_000.0  # near Shanghai: the GCJ-02 offset here is about 485 m


def grid() -> sn.Network:
    lines = []
    for k in range(0, 1001, 100):
        lines.append(shapely.LineString([(X0, Y0 + k), (X0 + 2000, Y0 + k)]))
    for k in range(0, 2001, 100):
        lines.append(shapely.LineString([(X0 + k, Y0), (X0 + k, Y0 + 1000)]))
    return sn.from_lines(gpd.GeoDataFrame(geometry=lines, crs=UTM51), "walk",
                         split_at_crossings=True)


def at(points_xy, crs=UTM51) -> gpd.GeoDataFrame:
    xy = np.asarray(points_xy, float)
    return gpd.GeoDataFrame({"kind": ["kindergarten"] * len(xy)},
                            geometry=shapely.points(xy), crs=crs)


def shifted(facilities: gpd.GeoDataFrame, forward=wgs84_to_gcj02) -> gpd.GeoDataFrame:
    """The provider's numbers for ``facilities``, labelled EPSG:4326 as a careless export is."""
    deg = facilities.to_crs(4326)
    lon, lat = forward(deg.geometry.x.to_numpy(), deg.geometry.y.to_numpy())
    return deg.set_geometry(gpd.points_from_xy(lon, lat), crs=4326)


@pytest.fixture(scope="module")
def walk():
    return grid()


def area(facilities, walk):
    districts = gpd.GeoDataFrame({"district": ["town"]},
                                 geometry=[shapely.box(X0, Y0, X0 + 2000, Y0 + 1000)], crs=UTM51)
    cells = gpd.GeoDataFrame({"population": [10.0, 10.0]},
                             geometry=shapely.points([(X0 + 530, Y0 + 540),
                                                      (X0 + 1530, Y0 + 540)]), crs=UTM51)
    return StudyArea(districts, cells, facilities, {"walk": walk})


JUNCTIONS = [(X0 + 500, Y0 + 500), (X0 + 1500, Y0 + 500), (X0 + 1000, Y0 + 300)]


def test_gcj02_labelled_wgs84_is_refused_naming_the_fix(walk):
    with pytest.raises(CRSError, match="GCJ-02") as err:
        area(shifted(at(JUNCTIONS)), walk)
    assert err.value.field == "facilities.crs" and err.value.value == "EPSG:4326"
    assert "3 of 3" in err.value.problem and "against 0 as given" in err.value.problem
    assert "to_wgs84(facilities, 'gcj02')" in err.value.fix
    assert "coordinate_system" in err.value.fix


def test_bd09_labelled_wgs84_is_refused(walk):
    with pytest.raises(CRSError, match="BD-09"):
        area(shifted(at(JUNCTIONS), wgs84_to_bd09), walk)


def test_converted_declared_and_true_wgs84_pass(walk):
    converted = to_wgs84(shifted(at(JUNCTIONS)), "gcj02")
    built = area(converted, walk)
    got = built.facilities.geometry
    assert np.allclose(np.c_[got.x, got.y], JUNCTIONS, atol=0.01)  # back on the junctions
    assert len(area(at(JUNCTIONS), walk).facilities) == 3
    assert len(area(at(JUNCTIONS).to_crs(4326), walk).facilities) == 3
    declared = shifted(at(JUNCTIONS))
    declared.attrs["coordinate_system"] = "wgs84"   # the user's word, kept through to_crs
    assert len(area(declared, walk).facilities) == 3


def test_evidence_counts(walk):
    ev = offset_evidence(shifted(at(JUNCTIONS)).geometry, walk)
    assert ev.detected and ev.reference == "junctions"
    assert 400 < ev.shift_m < 600
    assert (ev.on_street_given, ev.on_street_converted) == (0, 3)
    # a junction within 2 m by chance: the share of 2 m discs round junctions 100 m apart,
    # 4π/100² ≈ 0.13 %; the measured chance must be of that order, and the tail tiny
    assert ev.chance < 0.01 and ev.p_value < 1e-5
    ev = offset_evidence(at(JUNCTIONS).geometry, walk)
    assert not ev.detected
    # on the streets reference the grid's lines are 7.8 % of the area (1 − 0.96²): chance
    # fits of 3 of 3 happen, so that reference alone must not decide
    streets = offset_evidence(shifted(at(JUNCTIONS)).geometry, walk)
    assert streets.reference == "junctions"
    # outside China no provider offset exists: nothing is tested
    assert offset_evidence(at(JUNCTIONS).set_crs("EPSG:32631", allow_override=True).geometry,
                           walk.to_crs("EPSG:32631")) is None


def test_no_network_or_one_point_is_not_judged(walk):
    check_provider_offsets(shifted(at(JUNCTIONS)), {})          # no reference: silent
    check_provider_offsets(shifted(at(JUNCTIONS[:1])), {"walk": walk})


@pytest.mark.shared
def test_real_network_junctions_shifted_are_caught_and_pois_are_not():
    path = shared_path("china", "shanghai_osm", "peoples_square_drive.osm")
    drive = sn.from_osm_xml(path, "drive", crs=UTM51)
    ends = np.bincount(np.r_[drive.street_u, drive.street_v], minlength=len(drive.x))
    junctions = np.flatnonzero(ends >= 3)
    rng = np.random.default_rng(7)
    pick = rng.choice(junctions, 20, replace=False)
    sites = at(np.c_[drive.x[pick], drive.y[pick]])
    ev = offset_evidence(shifted(sites).geometry, drive)
    assert ev.detected and ev.on_street_converted == 20, ev
    with pytest.raises(CRSError, match="GCJ-02"):
        check_provider_offsets(shifted(sites), {"drive": drive})
    check_provider_offsets(sites.to_crs(4326), {"drive": drive})   # the truth passes

    # the real POIs (WGS-84 per the data README) inside the extract: no false alarm
    frames = [pd.read_csv(shared_path("china", "shanghai_poi", name))[["lon", "lat"]]
              for name in ("kindergarten.csv", "shanghai_hospital.csv", "shanghai_school.csv")]
    poi = pd.concat(frames).drop_duplicates()
    inside = poi["lon"].between(121.468, 121.479) & poi["lat"].between(31.226, 31.234)
    pois = gpd.GeoDataFrame(geometry=gpd.points_from_xy(poi.lon[inside], poi.lat[inside]),
                            crs=4326)
    assert len(pois) >= 10
    assert not offset_evidence(pois.geometry, drive).detected
    # small layers are where chance fits live: no alarm on 100 random subsets of 2–5
    for k in (2, 3, 4, 5) * 25:
        sub = pois.iloc[rng.choice(len(pois), k, replace=False)]
        assert not offset_evidence(sub.geometry, drive).detected
    # and, measured: the same POIs given GCJ-02 numbers are not caught either (they sit
    # inside blocks, not on streets): the declaration stays the safeguard (see the module)
    assert not offset_evidence(shifted(pois).geometry, drive).detected
