"""Basemaps for siting maps, and the coordinate system each one's tiles are drawn in.

Amap (高德) tiles are drawn in **GCJ-02**, so WGS-84 overlays (OSM streets, census grids,
GPS points) look shifted by 100–700 m on them inside China. A map on an Amap basemap
therefore converts every overlay WGS-84 → GCJ-02 (:func:`siting.china.wgs84_to_gcj02`) before
drawing; the data itself stays WGS-84. Tianditu (天地图) publishes CGCS2000, which agrees with
WGS-84 to well under a metre, and OpenStreetMap / CARTO are WGS-84: no shift.

Tianditu needs a (free) key: pass ``tianditu_key=`` or set ``TIANDITU_KEY`` in the
environment; siting never ships one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import folium

from ..errors import SitingError

OSM_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                   "contributors")


@dataclass(frozen=True)
class Basemap:
    """A tile source: URL template (``{lang}`` and ``{key}`` filled in), attribution, system."""

    name: str
    url: str
    attribution: str
    system: str = "wgs84"          # coordinate system the tiles are drawn in
    subdomains: str = "abc"
    max_zoom: int = 19
    needs_key: bool = False


_TDT = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
        "&TILECOL={x}&tk={key}")
_TDT_ATTR = '&copy; <a href="https://www.tianditu.gov.cn/">天地图 Tianditu</a>'
_AMAP_ATTR = '&copy; <a href="https://www.amap.com/">高德地图 Amap</a>'
_CARTO_ATTR = OSM_ATTRIBUTION + ' &copy; <a href="https://carto.com/attributions">CARTO</a>'

#: Known basemaps by lower-case name (aliases included).
BASEMAPS: dict[str, Basemap] = {
    "openstreetmap": Basemap("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                             OSM_ATTRIBUTION, subdomains="", max_zoom=19),
    "cartodb": Basemap("CartoDB Positron",
                       "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",
                       _CARTO_ATTR,
                       subdomains="abcd", max_zoom=20),
    "cartodb dark": Basemap("CartoDB Dark Matter",
                            "https://{s}.basemaps.cartocdn.com/dark_all/{z}/{x}/{y}.png",
                            _CARTO_ATTR,
                            subdomains="abcd", max_zoom=20),
    # Amap web tiles: style=8 roads and labels, style=6 imagery; lang=zh_cn or en
    "amap": Basemap("高德地图 Amap", "https://webrd0{s}.is.autonavi.com/appmaptile?lang={lang}"
                    "&size=1&scale=1&style=8&x={x}&y={y}&z={z}", _AMAP_ATTR, system="gcj02",
                    subdomains="1234", max_zoom=18),
    "amap satellite": Basemap("高德影像 Amap imagery", "https://webst0{s}.is.autonavi.com/"
                              "appmaptile?style=6&x={x}&y={y}&z={z}", _AMAP_ATTR,
                              system="gcj02", subdomains="1234", max_zoom=18),
    "tianditu": Basemap("天地图 Tianditu", _TDT.replace("{layer}", "vec"), _TDT_ATTR,
                        subdomains="01234567", max_zoom=18, needs_key=True),
    "tianditu satellite": Basemap("天地图影像 Tianditu imagery",
                                  _TDT.replace("{layer}", "img"), _TDT_ATTR,
                                  subdomains="01234567", max_zoom=18, needs_key=True),
}
_ALIASES = {"osm": "openstreetmap", "cartodbpositron": "cartodb", "cartodb positron": "cartodb",
            "carto": "cartodb", "cartodbdark_matter": "cartodb dark", "gaode": "amap",
            "高德": "amap", "autonavi": "amap", "天地图": "tianditu", "tdt": "tianditu"}
# Tianditu label overlays (roads and places are unlabelled without them), by language
_TDT_LABELS = {"zh": "cva", "en": "eva"}


def resolve(name: str) -> Basemap:
    """The :class:`Basemap` called ``name`` (case-insensitive; aliases such as ``"gaode"``)."""
    key = str(name).strip().lower().replace("_", " ")
    key = _ALIASES.get(key, _ALIASES.get(key.replace(" ", ""), key))
    if key not in BASEMAPS:
        raise SitingError("tiles", name, "unknown basemap",
                          "use one of " + ", ".join(repr(k) for k in BASEMAPS)
                          + ", or None for no basemap")
    return BASEMAPS[key]


def tiles_system(tiles: str | Sequence[str] | None) -> str:
    """``"gcj02"`` when the basemaps are Amap's, else ``"wgs84"``.

    Raises when GCJ-02 and WGS-84 basemaps are mixed: overlays can only be drawn in one system.
    """
    names = [] if tiles is None else [tiles] if isinstance(tiles, str) else list(tiles)
    systems = {resolve(n).system for n in names}
    if len(systems) > 1:
        raise SitingError("tiles", names, "these basemaps use different coordinate systems "
                          "(Amap is GCJ-02, the others WGS-84): overlays cannot sit right on both",
                          "pick Amap basemaps only, or WGS-84 ones only")
    return systems.pop() if systems else "wgs84"


def add_basemaps(fmap: folium.Map, tiles: str | Sequence[str] | None, *, lang: str = "zh",
                 tianditu_key: str | None = None) -> str:
    """Add base tile layers to ``fmap``; returns the coordinate system of the tiles.

    The first basemap is shown; the others can be switched to in the layer control.
    """
    names = [] if tiles is None else [tiles] if isinstance(tiles, str) else list(tiles)
    system = tiles_system(names)
    for i, name in enumerate(names):
        base = resolve(name)
        key = ""
        if base.needs_key:
            key = tianditu_key or os.environ.get("TIANDITU_KEY", "")
            if not key:
                raise SitingError("tianditu_key", None, "Tianditu tiles need a key",
                                  "get a free browser key at console.tianditu.gov.cn and pass "
                                  "tianditu_key=... or set TIANDITU_KEY")
        url = base.url.replace("{lang}", "zh_cn" if lang == "zh" else "en").replace("{key}", key)
        layer = folium.TileLayer(url, attr=base.attribution, name=base.name,
                                 subdomains=base.subdomains or "abc", max_zoom=base.max_zoom,
                                 overlay=False, control=True, show=i == 0)
        layer.add_to(fmap)
        if base.needs_key:
            labels = _TDT.replace("{layer}", _TDT_LABELS.get(lang, "cva")).replace("{key}", key)
            folium.TileLayer(labels, attr=base.attribution, name=f"{base.name} labels",
                             subdomains=base.subdomains, max_zoom=base.max_zoom, overlay=True,
                             control=False, show=i == 0).add_to(fmap)
    return system


__all__ = ["BASEMAPS", "Basemap", "OSM_ATTRIBUTION", "add_basemaps", "resolve", "tiles_system"]
