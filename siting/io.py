"""Reading layers from the files planners keep: GeoPackage, GeoJSON, Shapefile, GeoParquet, CSV."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from .errors import SitingError

LON_NAMES = ("lon", "lng", "longitude", "x", "经度")
LAT_NAMES = ("lat", "latitude", "y", "纬度")
VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".fgb", ".gml", ".kml", ".zip")


def _find_column(columns: pd.Index, names: tuple[str, ...]) -> str | None:
    lower = {str(c).lower(): c for c in columns}
    for name in names:
        if name in lower:
            return lower[name]
    return None


def points_from_table(table: pd.DataFrame, *, layer: str = "table", lon: str | None = None,
                      lat: str | None = None, crs: object = "EPSG:4326") -> gpd.GeoDataFrame:
    """Points from a table with longitude/latitude (or x/y) columns.

    Rows without coordinates raise an error naming them: nothing is dropped silently.
    """
    lon = lon or _find_column(table.columns, LON_NAMES)
    lat = lat or _find_column(table.columns, LAT_NAMES)
    if lon is None or lat is None or lon not in table.columns or lat not in table.columns:
        raise SitingError(
            f"{layer} columns", list(table.columns)[:12], "no longitude/latitude columns found",
            "name them lon/lat (or x/y), or pass lon= and lat= with the column names",
        )
    x = pd.to_numeric(table[lon], errors="coerce")
    y = pd.to_numeric(table[lat], errors="coerce")
    missing = x.isna() | y.isna()
    if missing.any():
        raise SitingError(
            f"{layer}.{lon}/{lat}", list(table.index[missing][:10]),
            f"{int(missing.sum())} rows have no usable coordinates",
            "fill in or drop those rows before loading",
        )
    return gpd.GeoDataFrame(table.drop(columns=[lon, lat]),
                            geometry=gpd.points_from_xy(x, y), crs=crs)


def read_layer(source: object, *, layer: str = "layer", crs: object | None = None,
               **kwargs) -> gpd.GeoDataFrame:
    """Read a vector layer or a CSV/Excel table of points into a GeoDataFrame.

    Parameters
    ----------
    source
        Path to a GeoPackage, GeoJSON, Shapefile, FlatGeobuf, GeoParquet, CSV or Excel file,
        or a pandas DataFrame with lon/lat columns.
    layer
        Name used in error messages (``"cells"``, ``"facilities"``...).
    crs
        CRS of CSV coordinates (default WGS-84 longitude/latitude).
    kwargs
        Passed to :func:`geopandas.read_file` (e.g. ``layer=`` of a GeoPackage is
        ``gpkg_layer=`` here to avoid the name clash).
    """
    if isinstance(source, gpd.GeoDataFrame):
        return source.copy()
    if isinstance(source, pd.DataFrame):
        return points_from_table(source, layer=layer, crs=crs or "EPSG:4326")
    if not isinstance(source, (str, Path)):
        raise SitingError(layer, type(source).__name__, "cannot read this kind of input",
                          "pass a GeoDataFrame, a DataFrame with lon/lat, or a file path")
    path = Path(source)
    if not path.exists():
        raise SitingError(layer, str(path), "no such file", "check the path and the file name")
    name = path.name.lower()
    try:
        if name.endswith((".parquet", ".geoparquet")):
            return gpd.read_parquet(path)
        if name.endswith((".csv", ".txt", ".tsv")):
            table = pd.read_csv(path, sep="\t" if name.endswith(".tsv") else ",")
            return points_from_table(table, layer=layer, crs=crs or "EPSG:4326")
        if name.endswith((".xlsx", ".xls")):
            return points_from_table(pd.read_excel(path), layer=layer, crs=crs or "EPSG:4326")
        if "gpkg_layer" in kwargs:
            kwargs["layer"] = kwargs.pop("gpkg_layer")
        return gpd.read_file(path, **kwargs)
    except SitingError:
        raise
    except Exception as exc:
        raise SitingError(layer, str(path), f"cannot read the file ({type(exc).__name__}: {exc})",
                          "check that it is a complete GeoPackage, GeoJSON, Shapefile, "
                          "GeoParquet or CSV file") from exc
