"""folium maps of an assessment: where a rule passes, who is far from a facility, where to build.

:func:`assessment_map` draws one rule of an :class:`~siting.assess.Assessment`:

* districts coloured by the rule's verdict (passes / fails / not decided);
* population cells coloured by travel time or distance to the nearest facility of the rule's
  kind, in classes around the rule's threshold, with a legend in minutes or metres;
* the cells the assessment found uncovered, outlined in red;
* facilities by kind (popups: name, capacity), isochrones as toggleable layers, proposed
  sites when given;
* layer control, scale bar, labels in Chinese or English, a choice of basemaps (OSM, CARTO,
  Amap, Tianditu) with the GCJ-02 shift applied to every overlay on Amap tiles;
* ``offline=True``: Leaflet inlined, no CDN, the page opens with no internet.

Every layer is one ``folium.GeoJson`` (one JSON feature collection), never a Python-built
marker per cell, and styles travel as feature properties, so a map of tens of thousands of
cells is built without a Python loop over the cells.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from jinja2 import Template
from pyproj import CRS, Transformer
from branca.element import MacroElement

from ..errors import SitingError
from ..rules.base import STUDY_AREA
from ..units import Quantity
from .basemaps import OSM_ATTRIBUTION, add_basemaps, tiles_system
from .wording import note_text, rule_name, rule_requirement, unit_word
from .labels import check_lang, labels
from .offline import RawHtml, make_offline

if TYPE_CHECKING:
    from ..assess import Assessment
    from ..rules.base import Rule
    from ..study_area import StudyArea

#: Colours of travel classes: three greens inside the threshold, three warm colours beyond.
CLASS_COLOURS = ["#1a9850", "#66bd63", "#a6d96a", "#fdae61", "#f46d43", "#d73027"]
UNREACHABLE_COLOUR = "#9e9e9e"
VERDICT_COLOURS = {True: "#1a9850", False: "#d73027", None: "#9e9e9e"}
UNCOVERED_COLOUR = "#b2182b"
ISOCHRONE_COLOURS = ["#08519c", "#3182bd", "#6baed6", "#9ecae1"]
PROPOSAL_COLOUR = "#ffd700"
FACILITY_COLOURS = ["#1f77b4", "#9467bd", "#e377c2", "#17becf", "#8c564b", "#ff7f0e",
                    "#bcbd22", "#7f7f7f", "#2ca02c", "#d62728"]
#: Multiples of the threshold where the travel classes break: 3 steps inside, 2 beyond.
CLASS_BREAKS = (1 / 3, 2 / 3, 1.0, 4 / 3, 2.0)
# Speed used to turn a drive-time margin into metres when a network has no constant speed.
_DRIVE_MPS = 60 / 3.6
_COORD_DECIMALS = 6  # ~0.1 m: plenty for a map, halves the page size
SIMPLIFY_M = 5.0     # tolerance for isochrone outlines (metres)

_LEGEND_CSS = """
<style>
.siting-legend{background:rgba(255,255,255,.94);padding:8px 10px;font:12px/1.45 -apple-system,
 "Segoe UI","Noto Sans CJK SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;
 box-shadow:0 1px 5px rgba(0,0,0,.4);
 border-radius:5px;max-width:290px;color:#222}
.siting-legend h4{margin:0 0 4px;font-size:13px}
.siting-legend .row{display:flex;align-items:center;gap:6px;white-space:nowrap}
.siting-legend .sw{display:inline-block;width:14px;height:12px;border:1px solid #777;flex:none}
.siting-legend .dot{display:inline-block;width:11px;height:11px;border-radius:50%;
 border:2px solid #fff;box-shadow:0 0 0 1px #555;flex:none}
.siting-legend .note{color:#8a5a00;white-space:normal;margin-top:4px}
/* metric only: Chinese planning (and every rule here) is in metres; Leaflet's second,
   imperial, scale line would be the one English-only thing on a Chinese map */
.leaflet-control-scale-line+.leaflet-control-scale-line{display:none}
.siting-title{background:rgba(255,255,255,.94);padding:6px 10px;font:14px/1.3 -apple-system,
 "Segoe UI","Noto Sans CJK SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;
 box-shadow:0 1px 5px rgba(0,0,0,.4);
 border-radius:5px;max-width:min(480px,60%)}
/* long layer names (proposed sites with people per rule) wrap instead of widening the
   control over the title: title <= 60 % on the left, layers <= 35 % on the right */
.leaflet-control-layers-expanded{max-width:35%}
.leaflet-control-layers label{white-space:normal}
</style>
"""


class HtmlControl(MacroElement):
    """A Leaflet control holding fixed HTML (legend, title), drawn inside the map frame."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, html: str, position: str = "bottomright",
                 css_class: str = "siting-legend") -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.html = html
        self.position = position
        self.css_class = css_class


# ---------------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------------
def _esc(text: object) -> str:
    import html

    return html.escape(str(text))


def _css(text: object) -> str:
    """``text`` as one CSS class token: a kind from data must not add classes or quotes."""
    return re.sub(r"[^0-9A-Za-z_-]", "_", str(text))


def nice(value: float) -> float:
    """``value`` rounded to two significant digits (166.7 → 170), for legend breaks."""
    if not np.isfinite(value) or value == 0:
        return float(value)
    digits = int(np.floor(np.log10(abs(value)))) - 1
    return float(round(value, -digits))


def _fmt(value: float) -> str:
    """Map labels: whole numbers from 100 up, one decimal below (siting.units formats)."""
    from ..units import format_number

    v = float(value)
    return format_number(v, 0 if abs(v) >= 100 or v.is_integer() else 1)


@functools.lru_cache(maxsize=32)
def _to_wgs84(crs_wkt: str) -> Transformer:
    # one transformer per CRS for the run: building it (pyproj) costs more than moving a
    # district's cells; the same options as GeoDataFrame.to_crs, so the same coordinates
    return Transformer.from_crs(CRS.from_wkt(crs_wkt), CRS.from_epsg(4326), always_xy=True)


def _display_geometry(geometry: gpd.GeoSeries, system: str) -> np.ndarray:
    """Geometries of ``geometry`` in WGS-84 lon/lat (GCJ-02 for Amap tiles), rounded."""
    geoms = geometry.to_numpy()
    crs = geometry.crs
    if crs is not None and not crs.equals(CRS.from_epsg(4326)):
        transformer = _to_wgs84(crs.to_wkt())

        def project(xy: np.ndarray) -> np.ndarray:
            x, y = transformer.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

        geoms = shapely.transform(geoms, project)
    if system == "gcj02":
        from ..china import wgs84_to_gcj02

        def move(xy: np.ndarray) -> np.ndarray:
            x, y = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
            return np.round(np.column_stack([x, y]), _COORD_DECIMALS)
    else:
        def move(xy: np.ndarray) -> np.ndarray:
            return np.round(xy, _COORD_DECIMALS)
    return shapely.transform(geoms, move)


def _display(gdf: gpd.GeoDataFrame, system: str) -> gpd.GeoDataFrame:
    """``gdf`` in WGS-84 longitude/latitude, shifted to GCJ-02 for Amap tiles, rounded."""
    return gpd.GeoDataFrame(gdf.drop(columns=gdf.geometry.name),
                            geometry=_display_geometry(gdf.geometry, system), crs=4326,
                            index=gdf.index)


def _property_values(column: pd.Series) -> list[object]:
    """A column as JSON-ready Python values: missing → ``None``, strings escaped."""
    missing = column.isna().to_numpy()
    values = column.astype(object).tolist()
    # folium's GeoJsonTooltip / GeoJsonPopup put property values into innerHTML: names and
    # kinds come from OSM / POI exports anyone can edit, so every string is escaped here
    return [None if gone else (_esc(v) if isinstance(v, str) else
                               (v.item() if isinstance(v, np.generic) else v))
            for v, gone in zip(values, missing)]


def _collection(gdf: gpd.GeoDataFrame, columns: Sequence[str], system: str) -> dict:
    """A GeoJSON FeatureCollection of ``columns`` (NaN → null) in display coordinates.

    Built from arrays: geometries projected and serialised by shapely in vectorised calls,
    properties column by column; only the final zip into feature dicts runs per row (no
    GeoDataFrame is built: geopandas' ``to_json`` builds a pandas Series per row, and a
    reprojected copy of the frame costs more than the map layer on a district's cells).
    """
    geometries = shapely.to_geojson(_display_geometry(gdf.geometry, system))
    names = list(columns)
    props = [_property_values(gdf[c]) for c in names]
    features = [{"type": "Feature", "properties": dict(zip(names, row)),
                 "geometry": json.loads(g)}
                for row, g in zip(zip(*props) if names else ([()] * len(gdf)), geometries)]
    return {"type": "FeatureCollection", "features": features}


def _kind_names(lang: str) -> dict[str, str]:
    from ..rules.facility_kinds import FACILITY_KINDS

    return {k: (zh if lang == "zh" else en) for k, (zh, en) in FACILITY_KINDS.items()}


def _capacity_columns() -> dict[str, str]:
    """Kind id → the attribute that measures its capacity (beds, vehicles...)."""
    from ..facility_kinds import load_facility_kinds

    table = load_facility_kinds()
    return {k: v for k, v in table["capacity_attribute"].items() if isinstance(v, str) and v}


def _rule_of(assessment: Assessment, rule: str | Rule | None) -> Rule:
    """The rule to draw: by id, the object itself, or the first evaluated rule with a threshold."""
    from ..rules.base import Rule as RuleClass

    if isinstance(rule, RuleClass):
        return rule
    candidates = [r for top in assessment.rules for r in top.walk()]
    if rule is None:
        evaluated = [r for r in assessment.rules if r.id in assessment.results]
        with_threshold = [r for r in evaluated if _travel_threshold(r) is not None]
        chosen = (with_threshold or evaluated or [r for r in assessment.rules if r.checkable])
        if not chosen:
            raise SitingError("rule", None, "the assessment has no checkable rule to map",
                              "assess at least one checkable rule")
        return chosen[0]
    for r in candidates:
        if r.id == rule:
            return r
    raise SitingError("rule", rule, "no such rule in this assessment",
                      f"use one of {[r.id for r in assessment.rules]}")


def _verdicts(assessment: Assessment, rule: Rule) -> pd.DataFrame:
    rows = assessment.table[assessment.table["rule_id"] == rule.id]
    return rows.drop_duplicates("district").set_index("district")


def _travel_threshold(rule: Rule) -> Quantity | None:
    # each rule kind says which travel its map measures (Rule.map_travel)
    travel = rule.map_travel()
    if travel is None or not travel.bounded or not travel.kinds:
        return None
    threshold = travel.limit
    if isinstance(threshold, Quantity) and threshold.dimension in ("time", "length"):
        return threshold
    return None


def _travel_mode(rule: Rule) -> str | None:
    travel = rule.map_travel()
    return None if travel is None else travel.mode


def margin_m(area: StudyArea, rule: Rule) -> float:
    """How far beyond a district facilities still matter for ``rule``: its threshold in metres.

    Time thresholds become distances at the network's speed (60 km/h when the network has
    no single speed); rules without a travel threshold get 1,000 m.
    """
    threshold = _travel_threshold(rule)
    if threshold is None:
        return 1000.0
    return _metres(threshold, area, _travel_mode(rule))  # type: ignore[arg-type]


def _metres(q: Quantity, area: StudyArea, mode: str) -> float:
    """A travel threshold as a distance (time × the network speed) for map margins."""
    if q.dimension == "length":
        return q.value
    network = area.networks.get(mode)
    speed = network.speed_mps if network is not None and network.constant_speed else _DRIVE_MPS
    return q.value * 60.0 * speed


def cell_travel(area: StudyArea, rule: Rule, *, straight_line: bool | None = None,
                reach: float = 2.0) -> tuple[pd.DataFrame | None, str]:
    """Travel from each cell to the nearest facility of ``rule``'s kind, for colouring.

    Searches up to ``reach`` × the rule's threshold (beyond that a cell is "more than 2 ×
    threshold" on the map). Uses the rule's network; without one, straight lines for length
    thresholds unless ``straight_line=False``.

    Returns
    -------
    (table, note): ``area.nearest``-like table (``cost`` in the threshold's unit, ``status``)
    or ``None`` when travel cannot be measured, and a note saying what was done.
    """
    from ..rules.base import Context, straight_line_nearest

    threshold = _travel_threshold(rule)
    if threshold is None:
        return None, ""
    mode = _travel_mode(rule)
    by = "time" if threshold.dimension == "time" else "length"
    column = "time_min" if by == "time" else "distance_m"
    sources = rule.facilities(area, Context(absent_is_zero=True))
    limit = Quantity(threshold.value * reach, threshold.dimension)
    note = ""
    if len(sources) == 0:
        table = area.cells[["population", "district"]].copy()
        table[column] = np.inf
        table["status"] = "beyond_cutoff"
    elif mode in area.networks:
        table = area.nearest(sources, mode, limit, by=by)
    elif by == "length" and straight_line is not False:
        table = straight_line_nearest(area, sources, limit)
        note = "straight_line"
    else:
        return None, f"no {mode} network"
    out = table[["population", "district", "status"]].copy()
    out["cost"] = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
    out.attrs.update(unit="min" if by == "time" else "m", threshold=threshold.to(
        "min" if by == "time" else "m"))
    return out, note


def travel_classes(cost: np.ndarray, status: np.ndarray, threshold: float
                   ) -> tuple[np.ndarray, list[float]]:
    """Class of each cell: 0–5 by :data:`CLASS_BREAKS` × threshold, 6 = unreachable.

    Returns the codes and the (rounded) break values.
    """
    breaks = [nice(threshold * b) for b in CLASS_BREAKS]
    breaks[2] = float(threshold)  # the rule's own threshold is never rounded away
    codes = np.digitize(np.where(np.isfinite(cost), cost, np.inf), breaks, right=True)
    unreachable = (status == "unsnapped") | ~np.isfinite(cost) & (status != "beyond_cutoff")
    codes = np.where(unreachable, len(CLASS_COLOURS), codes)
    return codes, breaks


def _class_labels(breaks: list[float], unit: str, lab: dict[str, str]) -> list[str]:
    u = lab["minutes"] if unit == "min" else lab["metres"]
    out = [f"≤ {_fmt(breaks[0])} {u}"]
    out += [f"{_fmt(a)}–{_fmt(b)} {u}" for a, b in zip(breaks[:-1], breaks[1:])]
    out.append(f"> {_fmt(breaks[-1])} {u}")
    out.append(lab["unreachable"])
    return out


# ---------------------------------------------------------------------------------------------
# layers
# ---------------------------------------------------------------------------------------------
def _district_layer(fmap: folium.Map, districts: gpd.GeoDataFrame, verdicts: pd.DataFrame,
                    lab: dict[str, str], system: str, rule_id: str) -> int:
    shown = districts[["district", "geometry"]].copy()
    passed = shown["district"].map(verdicts["passed"]) if "passed" in verdicts else None
    state = pd.Series([None] * len(shown), index=shown.index, dtype=object)
    if passed is not None:
        known = passed.notna()
        state[known] = passed[known].astype(bool)
    word = state.map({True: lab["passes"], False: lab["fails"]}).fillna(lab["undecided"])
    reading = shown["district"].map(_reading_text(verdicts, lab.get("lang", "en"))).astype(object)
    reading = reading.where(reading.notna(), "")
    shown["verdict"] = (rule_id + ": " + word).to_numpy()
    shown["reading"] = reading.to_numpy()
    colour = state.map(lambda s: VERDICT_COLOURS[s])  # one value per district: tiny
    shown["style"] = [{"color": c, "weight": 3, "fillColor": c, "fillOpacity": 0.18,
                       "opacity": 0.9} for c in colour]
    data = _collection(shown, ["district", "verdict", "reading", "style"], system)
    folium.GeoJson(
        data, name=_esc(lab["districts"]), class_name="siting-district",
        tooltip=folium.GeoJsonTooltip(["district", "verdict", "reading"],
                                      aliases=[lab["district"], lab["verdict"], lab["reading"]]),
    ).add_to(fmap)
    return len(shown)


def _reading_text(verdicts: pd.DataFrame, lang: str = "en") -> pd.Series:
    if not len(verdicts):
        return pd.Series(dtype=object)

    def one(row: pd.Series) -> str:
        if pd.isna(row.get("reading")):
            return note_text(row.get("note"), lang)[:120]
        reading, required = float(row["reading"]), row.get("required")
        unit = row.get("unit") or ""
        unit = unit if unit == "share" else unit_word(unit, lang)
        if unit == "share":
            text = f"{reading * 100:.1f} % {row['op']} {float(required) * 100:g} %"
        else:
            text = f"{_fmt(reading)} {row['op']} {_fmt(float(required))} {unit}"
        return text

    return verdicts.apply(one, axis=1)  # one row per district, not per cell


def _cells_layer(fmap: folium.Map, cells: gpd.GeoDataFrame, travel: pd.DataFrame | None,
                 lab: dict[str, str], system: str) -> tuple[str, list[tuple[str, str]]]:
    """Cells coloured by travel class (or population); returns legend title and rows."""
    if len(cells) == 0:  # a district without residents: nothing to colour
        return lab["cells"], []
    shown = cells[["population", "geometry"]].copy()
    shown["population"] = shown["population"].round(0)
    if travel is not None:
        unit, threshold = travel.attrs["unit"], float(travel.attrs["threshold"])
        cost = travel["cost"].reindex(cells.index).to_numpy(dtype=float)
        status = travel["status"].reindex(cells.index).astype(str).to_numpy()
        codes, breaks = travel_classes(cost, status, threshold)
        palette = np.array(CLASS_COLOURS + [UNREACHABLE_COLOUR], dtype=object)
        u = lab["minutes"] if unit == "min" else lab["metres"]
        rounded = pd.Series(cost).round(1).astype(str) + " " + u
        shown["travel"] = np.where(np.isfinite(cost), rounded, "> " + _fmt(breaks[-1]) + " " + u)
        shown.loc[status == "unsnapped", "travel"] = lab["unsnapped"]
        shown["status"] = pd.Series(status).map(
            {"reached": lab["reached"], "beyond_cutoff": lab["beyond_cutoff"],
             "unsnapped": lab["unsnapped"]}).fillna(pd.Series(status)).to_numpy()
        styles = [{"fillColor": c, "color": "#ffffff", "weight": 0.3, "fillOpacity": 0.72}
                  for c in palette]
        shown["style"] = pd.Series(codes).map(dict(enumerate(styles))).to_numpy()
        title = lab["travel_time"] if unit == "min" else lab["distance"]
        rows = list(zip(palette.tolist(), _class_labels(breaks, unit, lab)))
        name = lab["cells_by_time"] if unit == "min" else lab["cells_by_distance"]
        fields, aliases = (["population", "travel", "status"],
                           [lab["population"], title, lab["status"]])
    else:
        # no travel measure for this rule: shade by residents in quantile classes
        people = shown["population"].to_numpy(dtype=float)
        qs = np.unique(np.quantile(people, [0.25, 0.5, 0.75])) if len(people) else np.array([])
        codes = np.digitize(people, qs, right=True)
        palette = ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#6a51a3"][:len(qs) + 1]
        styles = [{"fillColor": c, "color": "#ffffff", "weight": 0.3, "fillOpacity": 0.7}
                  for c in palette]
        shown["style"] = pd.Series(codes).map(dict(enumerate(styles))).to_numpy()
        edges = [0.0] + [float(q) for q in qs]
        labels_ = [f"≤ {_fmt(edges[1])}" if i == 0 else
                   (f"{_fmt(edges[i])}–{_fmt(edges[i + 1])}" if i + 1 < len(edges)
                    else f"> {_fmt(edges[i])}") for i in range(len(palette))] \
            if len(qs) else [lab["population"]]
        title, rows, name = lab["residents_per_cell"], list(zip(palette, labels_)), \
            lab["cells_by_population"]
        fields, aliases = ["population"], [lab["population"]]
    data = _collection(shown, fields + ["style"], system)
    folium.GeoJson(data, name=_esc(name), class_name="siting-cell",
                   tooltip=folium.GeoJsonTooltip(fields, aliases=aliases)).add_to(fmap)
    return title, rows


def _uncovered_layer(fmap: folium.Map, failures: gpd.GeoDataFrame, lab: dict[str, str],
                     system: str) -> int:
    shown = failures[["population", "geometry"]].copy()
    total = float(shown["population"].sum())
    shown["population"] = shown["population"].round(0)
    shown["style"] = [{"color": UNCOVERED_COLOUR, "weight": 2.2, "fill": False,
                       "opacity": 0.95}] * len(shown)
    data = _collection(shown, ["population", "style"], system)
    folium.GeoJson(data, name=_esc(f"{lab['uncovered']} ({_fmt(total)} {lab['people']})"),
                   class_name="siting-uncovered",
                   tooltip=folium.GeoJsonTooltip(["population"],
                                                 aliases=[lab["uncovered_people"]])).add_to(fmap)
    return len(shown)


def rule_isochrones(area: StudyArea, rule: Rule, thresholds: Sequence[Quantity] | str = "auto",
                    sources: gpd.GeoDataFrame | None = None, *,
                    straight_line: bool | None = None) -> tuple[gpd.GeoDataFrame, str]:
    """Areas within each threshold of the rule's facilities, one (multi)polygon per threshold.

    On the rule's network these are street isochrones (:meth:`StudyArea.isochrones`, merged
    over facilities); without one, length thresholds become straight-line radii.

    Returns
    -------
    (layer, note): GeoDataFrame in the area's CRS with ``rule_id``, ``threshold`` (label such
    as ``"10 min"``), ``value`` and ``unit`` (``min`` or ``m``), ``method`` (``"network"`` or
    ``"straight_line"``), largest threshold first; and a note when none could be drawn.
    """
    from ..rules.base import Context

    columns = ["rule_id", "threshold", "value", "unit", "method"]
    empty = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in columns},
                             geometry=gpd.GeoSeries([], crs=area.crs), crs=area.crs)
    quantities = _parse_isochrones(thresholds, rule) if not isinstance(thresholds, list) or \
        not all(isinstance(q, Quantity) for q in thresholds) else thresholds
    if not quantities:
        return empty, ""
    if sources is None:
        sources = rule.facilities(area, Context(absent_is_zero=True))
    if len(sources) == 0:
        return empty, ""
    mode = _travel_mode(rule)
    if mode in area.networks:
        try:
            polygons = area.isochrones(sources, mode, quantities)
        except SitingError as exc:  # e.g. a facility beyond the snap distance
            return empty, f"isochrones not drawn: {exc.problem}"
        limits = polygons["cost_limit"].to_numpy()
        groups = [(q, polygons.geometry.to_numpy()[np.isclose(
            limits, q.to("m") if q.dimension == "length" else q.to("min") * 60.0)])
            for q in quantities]
        method = "network"
    elif all(q.dimension == "length" for q in quantities) and straight_line is not False:
        groups = [(q, sources.geometry.buffer(q.value, quad_segs=8).to_numpy())
                  for q in quantities]
        method = "straight_line"
    else:
        return empty, f"isochrones not drawn: no {mode} network"
    rows = []
    for q, geoms in sorted(groups, key=lambda g: g[0].value, reverse=True):
        merged = shapely.union_all(geoms) if len(geoms) else None
        if merged is None or merged.is_empty:
            continue
        unit = "min" if q.dimension == "time" else "m"
        value = q.to(unit)
        # street isochrones are 30 m buffers: 5 m simplification is invisible on a map and
        # cuts the page and GeoPackage size several-fold
        rows.append({"rule_id": rule.id, "threshold": f"{value:g} {unit}", "value": value,
                     "unit": unit, "method": method,
                     "geometry": merged if method != "network" else
                     shapely.simplify(merged, SIMPLIFY_M, preserve_topology=True)})
    if not rows:
        return empty, ""
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=area.crs), ""


def _isochrone_layers(fmap: folium.Map, layer: gpd.GeoDataFrame, lab: dict[str, str],
                      system: str) -> list[tuple[str, str]]:
    """One toggleable, outline-only layer per threshold (largest first)."""
    rows: list[tuple[str, str]] = []
    for i, (_, row) in enumerate(layer.iterrows()):  # a few thresholds, not cells
        colour = ISOCHRONE_COLOURS[min(i, len(ISOCHRONE_COLOURS) - 1)]
        prefix = lab["isochrone"] if row["method"] == "network" else lab["radius"]
        unit = lab["minutes"] if row["unit"] == "min" else lab["metres"]
        label = f"{prefix} {_fmt(float(row['value']))} {unit}"
        one = gpd.GeoDataFrame({"label": [label], "style": [{
            "color": colour, "weight": 2, "dashArray": "6 4", "fill": True,
            "fillColor": colour, "fillOpacity": 0.04}]}, geometry=[row.geometry], crs=layer.crs)
        folium.GeoJson(_collection(one, ["label", "style"], system), name=_esc(label),
                       class_name="siting-isochrone",
                       tooltip=folium.GeoJsonTooltip(["label"], labels=False)).add_to(fmap)
        rows.append((colour, label))
    return rows


# streets drawn as the base layer when there are no tiles: (km/h at least, line weight, colour)
_STREET_CLASSES = ((50.0, 3.0, "#5f5f5f"), (30.0, 2.0, "#7f7f7f"), (0.0, 1.0, "#a6a6a6"))
_MAX_BASE_STREETS = 40_000  # beyond this the page gets heavy: only faster roads are drawn


def _street_base_layer(fmap: folium.Map, area: StudyArea, box: np.ndarray,
                       lab: dict[str, str], system: str) -> int:
    """The study's own streets under the overlays, for maps that have no tiles (intranets).

    Road class comes from the drive network's speeds, which follow the OSM highway class
    (CJJ 37-2012 lower bounds); a walk network has one class. Returns the streets drawn.
    """
    network = area.networks.get("drive") or area.networks.get("walk")
    if network is None or not len(network.street_geometry):
        return 0
    view = shapely.box(*box)
    keep = np.flatnonzero(shapely.intersects(network.street_geometry, view))
    if not len(keep):
        return 0
    edge = np.where(network.street_fwd[keep] >= 0, network.street_fwd[keep],
                    network.street_bwd[keep])
    kmh = 3.6 * network.edge_length[edge] / np.maximum(network.edge_time[edge], 1e-9)
    if network.constant_speed:
        kmh = np.zeros(len(keep))
    if len(keep) > _MAX_BASE_STREETS and not network.constant_speed:
        fast = kmh >= _STREET_CLASSES[1][0]
        keep, kmh = keep[fast], kmh[fast]
    code = np.select([kmh >= c[0] for c in _STREET_CLASSES[:-1]],
                     list(range(len(_STREET_CLASSES) - 1)), len(_STREET_CLASSES) - 1)
    styles = [{"color": colour, "weight": weight, "opacity": 0.9}
              for _, weight, colour in _STREET_CLASSES]
    streets = gpd.GeoDataFrame(
        {"style": [styles[c] for c in code]},
        geometry=shapely.simplify(network.street_geometry[keep], 2.0), crs=network.crs)
    folium.GeoJson(_collection(streets, ["style"], system), name=lab["streets"],
                   class_name="siting-street", overlay=True, control=True).add_to(fmap)
    return len(streets)


def _facility_layers(fmap: folium.Map, facilities: gpd.GeoDataFrame, shown_kinds: set[str],
                     lab: dict[str, str], lang: str, system: str) -> list[tuple[str, str, bool]]:
    """One layer per kind; the rule's kinds shown, the others listed but switched off."""
    names = _kind_names(lang)
    capacity = _capacity_columns()
    rows = []
    kinds = sorted(facilities["kind"].unique(), key=lambda k: (k not in shown_kinds, k))
    for i, kind in enumerate(kinds):
        group = facilities[facilities["kind"] == kind]
        colour = FACILITY_COLOURS[i % len(FACILITY_COLOURS)]
        data = gpd.GeoDataFrame({"name": group["name"].fillna("").astype(str)
                                 if "name" in group else "",
                                 "kind": names.get(kind, kind)}, index=group.index,
                                geometry=group.geometry,
                                crs=facilities.crs)
        fields, aliases = ["name", "kind"], [lab["name"], lab["kind"]]
        column = capacity.get(kind, "capacity")
        for col in dict.fromkeys([column, "capacity"]):
            if col in group.columns and pd.to_numeric(group[col], errors="coerce").notna().any():
                data["capacity"] = pd.to_numeric(group[col], errors="coerce").to_numpy()
                fields.append("capacity")
                aliases.append(lab.get(col, lab["capacity"]))
                break
        show = kind in shown_kinds
        label = f"{lab['facilities']}: {names.get(kind, kind)} ({len(group)})"
        folium.GeoJson(
            _collection(data, fields, system), name=_esc(label), show=show,
            marker=folium.CircleMarker(radius=7, color="#ffffff", weight=2, fill=True,
                                       fill_color=colour, fill_opacity=0.95,
                                       class_name=f"siting-facility siting-kind-{_css(kind)}"),
            popup=folium.GeoJsonPopup(fields, aliases=aliases),
            tooltip=folium.GeoJsonTooltip(["name", "kind"], labels=False),
        ).add_to(fmap)
        rows.append((colour, f"{names.get(kind, kind)} ({len(group)})", show))
    return rows


def proposal_sites(proposals: object) -> gpd.GeoDataFrame:
    """Proposed sites as points with ``kinds`` (list) and ``newly_covered``.

    Accepts a :class:`siting.propose.Proposal` (its ``sites``), or a GeoDataFrame with either
    a ``kinds`` column (lists, as ``propose`` writes: one site can host several kinds) or a
    ``kind`` column, and ``newly_covered`` people.
    """
    sites = getattr(proposals, "sites", proposals)
    if not isinstance(sites, gpd.GeoDataFrame):
        raise SitingError("proposals", type(proposals).__name__, "not proposed sites",
                          "pass a Proposal from siting.propose or a GeoDataFrame of points")
    if "kinds" not in sites.columns and "kind" in sites.columns:
        sites = sites.assign(kinds=[[k] for k in sites["kind"].astype(str)])
    missing = [c for c in ("kinds", "newly_covered") if c not in sites.columns]
    if missing:
        raise SitingError("proposals", missing,
                          "proposed sites need a 'kind' (or 'kinds') and a 'newly_covered' column",
                          "pass a GeoDataFrame of points with those columns")
    return sites


def _proposal_layer(fmap: folium.Map, sites: gpd.GeoDataFrame, lab: dict[str, str],
                    lang: str, system: str) -> int:
    names = _kind_names(lang)
    data = gpd.GeoDataFrame({
        "kind": [" + ".join(names.get(k, k) for k in kinds) for kinds in sites["kinds"]],
        "newly_covered": pd.to_numeric(sites["newly_covered"]).round(0).to_numpy()},
        geometry=sites.geometry.to_numpy(), crs=sites.crs)
    fields, aliases = ["kind", "newly_covered"], [lab["kind"], lab["newly_covered"]]
    label = "name" if "name" in sites.columns else ("site" if "site" in sites.columns else None)
    if label:
        data["name"] = sites[label].astype(str).to_numpy()
        fields, aliases = ["name"] + fields, [lab["name"]] + aliases
    total = float(pd.to_numeric(sites["newly_covered"]).sum())  # before rounding per site
    # people newly covered per rule (siting.report.proposal_table): a count rule's sites
    # cover nobody by the access measure, a radius rule's people within its radius
    per_rule = [c for c in sites.columns if str(c).startswith("covered:")]
    for i, column in enumerate(per_rule):
        values = pd.to_numeric(sites[column], errors="coerce")
        data[f"c{i}"] = [_fmt(v) if pd.notna(v) else "—" for v in values]
        fields, aliases = fields + [f"c{i}"], aliases + [
            f"{lab['newly_covered']} · {column[len('covered:'):]}"]
    if per_rule:
        parts = "; ".join(
            f"{c[len('covered:'):]} +{_fmt(float(pd.to_numeric(sites[c]).sum()))} {lab['people']}"
            for c in per_rule if pd.to_numeric(sites[c], errors="coerce").notna().any())
        title = f"{lab['proposed']} ({len(data)}{'; ' + parts if parts else ''})"
    else:
        title = f"{lab['proposed']} ({len(data)}, +{_fmt(total)} {lab['people']})"
    folium.GeoJson(
        _collection(data, fields, system),
        name=_esc(title),
        marker=folium.CircleMarker(radius=9, color="#000000", weight=3, fill=True,
                                   fill_color=PROPOSAL_COLOUR, fill_opacity=1.0,
                                   class_name="siting-proposal"),
        popup=folium.GeoJsonPopup(fields, aliases=aliases),
    ).add_to(fmap)
    return len(data)


def average_radius_notes(assessment: Assessment, rule: Rule, verdicts: pd.DataFrame,
                         lang: str) -> list[str]:
    """Legend lines of an average-radius rule: the reading of each district shown (and of
    the study area when the assessment has its row) against the average it must not pass."""
    from ..units import format_requirement, format_value

    words = {"zh": ("平均服务半径", "要求", "为平均值，不是最大服务距离", "全市"),
             "en": ("average service radius", "required", "an average, not a maximum distance",
                    "study area")}[lang]
    lines = []
    table = assessment.table[assessment.table["rule_id"] == rule.id]
    area_rows = table[table["level"] == "area"] if "level" in table else table.iloc[:0]
    for name, row in list(verdicts.iterrows())[:6]:
        if name == STUDY_AREA:
            continue
        lines.append(f"{name} {words[0]}: {format_value(row['reading'], row['unit'])}")
    for _, row in area_rows.iterrows():
        lines.append(f"{words[3]} {words[0]}: {format_value(row['reading'], row['unit'])}")
    if len(table):
        row = table.iloc[0]
        lines.append(f"{words[1]} {format_requirement(row['op'], row['required'], row['unit'])}"
                     f"（{words[2]}）" if lang == "zh" else
                     f"{words[1]} {format_requirement(row['op'], row['required'], row['unit'])}"
                     f" ({words[2]})")
    return lines


def _legend_html(lab: dict[str, str], rule: Rule, cells_title: str,
                 cell_rows: list[tuple[str, str]], iso_rows: list[tuple[str, str]],
                 facility_rows: list[tuple[str, str, bool]], n_uncovered: int,
                 n_proposals: int, notes: list[str]) -> str:
    parts = [f"<h4>{_esc(lab['legend'])}</h4>", f"<b>{_esc(cells_title)}</b>"]
    # an average radius has no threshold to draw (its reading is in the notes)
    threshold = None if getattr(rule, "kind", "") == "service_radius" else _travel_threshold(rule)
    for colour, text in cell_rows:
        parts.append(f"<div class='row'><span class='sw' style='background:{colour}'></span>"
                     f"{_esc(text)}</div>")
    if threshold is not None:
        value = threshold.to("min") if threshold.dimension == "time" else threshold.to("m")
        unit = lab["minutes"] if threshold.dimension == "time" else lab["metres"]
        parts.append(f"<div>{_esc(lab['rule_threshold'])}: {_fmt(value)} {_esc(unit)}</div>")
    parts.append("<b>" + _esc(lab["districts"]) + "</b>")
    for state, word in ((True, lab["passes"]), (False, lab["fails"]), (None, lab["undecided"])):
        colour = VERDICT_COLOURS[state]
        parts.append(f"<div class='row'><span class='sw' style='background:{colour}33;"
                     f"border:3px solid {colour}'></span>{_esc(word)}</div>")
    if n_uncovered:
        parts.append(f"<div class='row'><span class='sw' style='background:transparent;"
                     f"border:2px solid {UNCOVERED_COLOUR}'></span>{_esc(lab['uncovered'])} "
                     f"({n_uncovered})</div>")
    for colour, text in iso_rows:
        parts.append(f"<div class='row'><span class='sw' style='background:transparent;"
                     f"border:2px dashed {colour}'></span>{_esc(text)}</div>")
    if facility_rows:
        parts.append("<b>" + _esc(lab["facilities"]) + "</b>")
    for colour, text, _shown in facility_rows:
        parts.append(f"<div class='row'><span class='dot' style='background:{colour}'></span>"
                     f"{_esc(text)}</div>")
    if n_proposals:
        parts.append(f"<div class='row'><span class='dot' style='background:{PROPOSAL_COLOUR};"
                     f"box-shadow:0 0 0 2px #000'></span>{_esc(lab['proposed'])} "
                     f"({n_proposals})</div>")
    for note in notes:
        parts.append(f"<div class='note'>{_esc(note)}</div>")
    return "".join(parts)


def _new_map(bounds: np.ndarray, tiles: str | Sequence[str] | None, lang: str,
             tianditu_key: str | None) -> tuple[folium.Map, str]:
    (minx, miny, maxx, maxy) = bounds
    fmap = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=13,
                      tiles=None, control_scale=True)
    system = add_basemaps(fmap, tiles, lang=lang, tianditu_key=tianditu_key)
    fmap.get_root().header.add_child(RawHtml(_LEGEND_CSS), name="siting_legend_css")
    return fmap, system


def _parse_isochrones(isochrones: object, rule: Rule) -> list[Quantity]:
    from ..units import parse_cutoff

    threshold = _travel_threshold(rule)
    if isochrones is None or isochrones is False or threshold is None:
        return []
    if isinstance(isochrones, str) and isochrones == "auto":
        steps = [nice(threshold.value * f) for f in (1 / 3, 2 / 3)] + [threshold.value]
        return [Quantity(v, threshold.dimension) for v in steps]
    values = [isochrones] if isinstance(isochrones, (str, int, float, Quantity)) \
        else list(isochrones)  # type: ignore[arg-type]
    out = [parse_cutoff(v, field="isochrones") for v in values]
    if {q.dimension for q in out} != {threshold.dimension}:
        raise SitingError("isochrones", [str(q) for q in out],
                          f"the rule's threshold is a {threshold.dimension}",
                          f"give isochrones in the same dimension, e.g. '{threshold}'")
    return out


# ---------------------------------------------------------------------------------------------
# public
# ---------------------------------------------------------------------------------------------
def assessment_map(
    assessment: Assessment,
    area: StudyArea,
    rule: str | Rule | None = None,
    *,
    lang: str = "zh",
    tiles: str | Sequence[str] | None = "OpenStreetMap",
    offline: bool = False,
    proposals: object | None = None,
    isochrones: str | Iterable[str | float | Quantity] | gpd.GeoDataFrame | None = "auto",
    districts: Iterable[str] | None = None,
    straight_line: bool | None = None,
    title: str | None = None,
    tianditu_key: str | None = None,
) -> folium.Map:
    """A folium map of one rule of an assessment.

    Parameters
    ----------
    assessment
        The :class:`~siting.assess.Assessment` (from ``assess(area, rules)``).
    area
        The study area it was made from.
    rule
        Rule id (or rule) to draw; default the first evaluated rule with a travel threshold.
    lang
        ``"zh"`` or ``"en"``: layer names, legend, tooltips and popups.
    tiles
        A basemap name or a list of them (the first shown): ``"OpenStreetMap"``,
        ``"CartoDB"``, ``"CartoDB dark"``, ``"Amap"``, ``"Amap satellite"``, ``"Tianditu"``,
        ``"Tianditu satellite"``; ``None`` for none. On Amap basemaps (GCJ-02) every overlay
        is shifted WGS-84 → GCJ-02 so it sits on the tiles' streets.
    offline
        Inline Leaflet so the saved page opens with no internet. Offline, or with
        ``tiles=None``, the study's own streets (by road class) are drawn under the overlays,
        since tiles stay blank where there is no tile server.
    proposals
        Proposed sites: a :class:`siting.propose.Proposal`, or points with ``kind`` (or
        ``kinds``, lists) and ``newly_covered`` (people), optionally ``name``. Sites serving
        the rule's kinds are drawn (all of them when none does).
    isochrones
        ``"auto"`` (a third, two thirds and all of the rule's threshold, e.g. 5/10/15 min),
        a list such as ``["5 min", "10 min", "15 min"]``, a layer from
        :func:`rule_isochrones` (computed once, drawn here), or ``None``. Without a network
        for the rule's mode, length thresholds are drawn as straight-line radii.
    districts
        Draw only these districts (and their cells); facilities within reach of them stay.
    straight_line
        Colour cells by straight-line distance where the area has no network for the rule's
        mode (default: yes for length thresholds). ``False`` never does.
    title
        Title shown on the map (default: the rule id and requirement).
    tianditu_key
        Key for Tianditu tiles (else ``$TIANDITU_KEY``).

    Returns
    -------
    folium.Map
        Save it with :func:`siting.report.save_map` (``offline=True`` checks no CDN is left)
        or ``.save()``.
    """
    lab = labels(check_lang(lang))
    rule = _rule_of(assessment, rule)
    tiles_system(tiles)  # fail on mixed coordinate systems before any work
    wanted = None if districts is None else [str(d) for d in districts]
    shown_districts = area.districts if wanted is None else \
        area.districts[area.districts["district"].isin(wanted)]
    if wanted is not None and len(shown_districts) == 0:
        raise SitingError("districts", wanted, "none of these districts is in the study area",
                          f"use names from {area.districts['district'].tolist()[:10]}")
    cells = area.cells if wanted is None else area.cells[area.cells["district"].isin(wanted)]

    threshold = _travel_threshold(rule)
    margin = margin_m(area, rule)
    box = shown_districts.total_bounds
    near = shapely.box(box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)
    # the rule's own facilities within reach of the districts; other kinds (switched off on
    # the map) only inside the districts' box, so a city-wide POI table does not bloat a page
    inside = shapely.box(*box)
    facilities = area.facilities[area.facilities.intersects(near) & (
        area.facilities["kind"].isin(rule.facility) | area.facilities.intersects(inside))]

    fmap, system = _new_map(shown_districts.to_crs(4326).total_bounds, tiles, lang, tianditu_key)
    notes: list[str] = []
    verdicts = _verdicts(assessment, rule)
    n_streets = 0
    if offline or tiles is None:
        n_streets = _street_base_layer(fmap, area, near.bounds, lab, system)
    _district_layer(fmap, shown_districts, verdicts, lab, system, rule.id)

    # an average radius (SH16-18 "急救站点平均服务半径≤3.5公里") is not a maximum distance: no
    # rings at the threshold, no colour ramp around it; the legend states the average read
    average = getattr(rule, "kind", "") == "service_radius"
    if average:
        travel, how = None, ""
        notes.extend(average_radius_notes(assessment, rule, verdicts, lang))
    else:
        travel, how = cell_travel(area, rule, straight_line=straight_line)
    if how == "straight_line":
        notes.append({"zh": "无路网：按直线距离着色（高估可达性）",
                      "en": "no network: coloured by straight-line distance (overstates access)"}
                     [lang])
    elif how:
        notes.append(how)
    cells_title, cell_rows = _cells_layer(fmap, cells, travel, lab, system)

    iso_rows: list[tuple[str, str]] = []
    if average:
        pass
    elif isinstance(isochrones, gpd.GeoDataFrame):
        iso_layer = isochrones[isochrones["rule_id"] == rule.id] if "rule_id" in isochrones \
            else isochrones
        iso_rows = _isochrone_layers(fmap, iso_layer, lab, system)
    elif threshold is not None:
        from ..rules.base import Context

        kind_sources = rule.facilities(area, Context(absent_is_zero=True))
        kind_sources = kind_sources[kind_sources.intersects(near)]
        iso_layer, note = rule_isochrones(area, rule, _parse_isochrones(isochrones, rule),
                                          kind_sources, straight_line=straight_line)
        iso_rows = _isochrone_layers(fmap, iso_layer, lab, system)
        if note:
            notes.append(note)

    failures = assessment.failures
    uncovered = failures[(failures["rule_id"] == rule.id) & (failures["what"] == "cell")] \
        if len(failures) else failures
    if wanted is not None and len(uncovered):
        uncovered = uncovered[uncovered["district"].isin(wanted)]
    n_uncovered = _uncovered_layer(fmap, uncovered, lab, system) if len(uncovered) else 0

    facility_rows = _facility_layers(fmap, facilities, set(rule.facility), lab, lang, system) \
        if len(facilities) else []
    n_proposals = 0
    if proposals is not None:
        sites = proposal_sites(proposals)
        # sites proposed only for other kinds would confuse this rule's map
        mine = np.array([bool(set(kinds) & set(rule.facility)) for kinds in sites["kinds"]],
                        dtype=bool)
        if mine.any():
            sites = sites[mine]
        if len(sites):
            n_proposals = _proposal_layer(fmap, sites, lab, lang, system)

    if system == "gcj02":
        notes.append({"zh": "叠加图层已由 WGS-84 转换为 GCJ-02 以匹配高德底图",
                      "en": "overlays shifted WGS-84 → GCJ-02 to match the Amap tiles"}[lang])
    HtmlControl(_legend_html(lab, rule, cells_title, cell_rows, iso_rows, facility_rows,
                             n_uncovered, n_proposals, notes), position="bottomleft").add_to(fmap)
    heading = title if title is not None else f"{rule.id} · {rule_name(rule, lang)}"
    HtmlControl(f"<b>{_esc(heading)}</b><br><span style='font-size:12px'>"
                f"{_esc(rule_requirement(rule, lang))}</span>", position="topleft",
                css_class="siting-title").add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    west, south, east, north = _display(shown_districts[["geometry"]], system).total_bounds
    fmap.fit_bounds([[south, west], [north, east]])
    if offline:
        make_offline(fmap)
    fmap._siting_counts = {  # type: ignore[attr-defined]  # what was drawn, for tests and reports
        "districts": len(shown_districts), "cells": len(cells), "uncovered": n_uncovered,
        "facilities": int(facilities["kind"].isin(rule.facility).sum()) if len(facilities)
        else 0, "isochrones": len(iso_rows), "proposals": n_proposals,
        "streets": n_streets}
    return fmap


def coverage_map(area: StudyArea, nearest: pd.DataFrame, *, threshold: float,
                 title: str | None = None, tiles: str | Sequence[str] | None = "OpenStreetMap",
                 lang: str = "en", offline: bool = False) -> folium.Map:
    """Cells coloured by distance (m) or time (min) to the nearest facility of one kind.

    The quick look before any rule: ``area.nearest(kind, mode)`` in, map out.

    Parameters
    ----------
    area
        The study area.
    nearest
        Output of :meth:`StudyArea.nearest`.
    threshold
        Cells beyond it are outlined in red as uncovered (same unit as the colouring).
    title
        Shown on the map.
    tiles, lang, offline
        As for :func:`assessment_map`.
    """
    lab = labels(check_lang(lang))
    by_time = nearest.attrs.get("by") == "time"
    column, unit = ("time_min", "min") if by_time else ("distance_m", "m")
    travel = nearest[["population", "district", "status"]].copy()
    travel["cost"] = pd.to_numeric(nearest[column], errors="coerce").to_numpy(dtype=float)
    travel.attrs.update(unit=unit, threshold=float(threshold))
    fmap, system = _new_map(area.districts.to_crs(4326).total_bounds, tiles, lang, None)
    _district_layer(fmap, area.districts, pd.DataFrame(), lab, system, "")
    cells_title, rows = _cells_layer(fmap, area.cells, travel, lab, system)
    cost = travel["cost"].to_numpy()
    beyond = ~(cost <= threshold) & (area.cells["population"].to_numpy() > 0)
    n = _uncovered_layer(fmap, area.cells[beyond], lab, system) if beyond.any() else 0
    kinds = set(area.facilities["kind"])
    facility_rows = _facility_layers(fmap, area.facilities, kinds, lab, lang, system) \
        if len(area.facilities) else []
    parts = [f"<h4>{_esc(lab['legend'])}</h4><b>{_esc(cells_title)}</b>"]
    parts += [f"<div class='row'><span class='sw' style='background:{c}'></span>{_esc(t)}</div>"
              for c, t in rows]
    parts.append(f"<div class='row'><span class='sw' style='background:transparent;border:2px "
                 f"solid {UNCOVERED_COLOUR}'></span>{_esc(lab['uncovered'])} ({n})</div>")
    parts += [f"<div class='row'><span class='dot' style='background:{c}'></span>{_esc(t)}</div>"
              for c, t, _ in facility_rows]
    HtmlControl("".join(parts), position="bottomleft").add_to(fmap)
    if title:
        HtmlControl(f"<b>{_esc(title)}</b>", position="topleft",
                    css_class="siting-title").add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    west, south, east, north = _display(area.districts[["geometry"]], system).total_bounds
    fmap.fit_bounds([[south, west], [north, east]])
    if offline:
        make_offline(fmap)
    return fmap


# public names for the other map modules (siting.report.score_maps)
feature_collection = _collection
new_map = _new_map
rule_of = _rule_of
kind_names = _kind_names

__all__ = ["HtmlControl", "OSM_ATTRIBUTION", "assessment_map", "cell_travel", "coverage_map",
           "margin_m", "nice", "proposal_sites", "rule_isochrones", "travel_classes"]
