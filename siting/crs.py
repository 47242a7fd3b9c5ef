"""Coordinate reference systems: one metric CRS per study area, and checks that teach.

Chinese map providers publish offset coordinates (GCJ-02, BD-09); their conversions live in
:mod:`siting.china`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from pyproj import CRS

from .errors import CRSError


def require_crs(gdf: gpd.GeoDataFrame, layer: str) -> None:
    """Raise if ``gdf`` has no CRS, or if its coordinates do not fit the CRS it claims."""
    if gdf.crs is None:
        raise CRSError(
            f"{layer}.crs", None, "the layer has no coordinate reference system",
            f"set it, for example {layer} = {layer}.set_crs('EPSG:4326') for longitude/latitude "
            "or the EPSG code of the projected system the file was made in",
        )
    if len(gdf) == 0:
        return
    if CRS.from_user_input(gdf.crs).is_geographic:
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (np.isfinite([minx, miny, maxx, maxy]).all()
                and -180.5 <= minx <= maxx <= 360.5 and -90.5 <= miny <= maxy <= 90.5):
            raise CRSError(
                f"{layer}.crs", str(gdf.crs),
                f"the CRS is geographic (degrees) but coordinates reach {minx:.0f}..{maxx:.0f}, "
                f"{miny:.0f}..{maxy:.0f}, which look like metres",
                f"set the projected CRS the data was made in with {layer}.set_crs(..., "
                "allow_override=True)",
            )


def require_metric(crs: object, field: str = "crs") -> CRS:
    """Return ``crs`` as a pyproj CRS, refusing geographic (degree) systems."""
    try:
        parsed = CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises CRSError of its own with little context
        raise CRSError(field, crs, f"not a coordinate reference system ({exc})",
                       "give an EPSG code such as 'EPSG:32651'") from exc
    if parsed.is_geographic:
        raise CRSError(
            field, str(crs), "the CRS is geographic: distances would be in degrees, not metres",
            "use a projected metric CRS such as the local UTM zone, or leave crs=None and "
            "siting picks one",
        )
    unit = parsed.axis_info[0].unit_name if parsed.axis_info else "metre"
    if unit not in ("metre", "meter", "m"):
        raise CRSError(field, str(crs), f"the CRS measures in {unit}, not metres",
                       "use a projected CRS in metres such as the local UTM zone")
    return parsed


def choose_metric_crs(*layers: gpd.GeoDataFrame) -> CRS:
    """The UTM zone of the layers' combined centre (the first non-empty layer decides)."""
    for layer in layers:
        if layer is not None and len(layer) > 0:
            return layer.estimate_utm_crs()
    raise CRSError("layers", [], "no layer has any geometry to choose a CRS from",
                   "pass districts, cells or facilities with at least one geometry")
