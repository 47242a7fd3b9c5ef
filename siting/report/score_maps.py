"""folium maps of accessibility scores: cells in classes, the legend in the score's unit.

:func:`score_map` draws a :class:`siting.scores.Scores`: population cells classed by their
score (supply per N residents; around a reference ratio such as "1 per 30000 people" when one
is given, else at population-weighted quantiles), the cells that reach nothing and those off
the network in their own colours, district outlines, and the facilities with their supply and
catchment ratio. Labels in Chinese or English; every string that comes from data (district and
facility names) is escaped before it reaches the page. It uses the map machinery of
:mod:`siting.report.maps` (basemaps with the GCJ-02 shift on Amap tiles, offline pages).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import SitingError
from ..scores import weighted_percentile
from .labels import check_lang
from .maps import HtmlControl, feature_collection, new_map, nice
from .offline import make_offline

if TYPE_CHECKING:
    from ..scores import Scores
    from ..study_area import StudyArea

#: Low scores warm, high scores cool: the reader looks for the red.
SCORE_COLOURS = ["#d73027", "#fc8d59", "#fee08b", "#d9ef8b", "#91cf60", "#1a9850"]
NONE_COLOUR = "#67001f"      # on the network, no facility within the cut-off
UNSNAPPED_COLOUR = "#9e9e9e"
FACILITY_COLOUR = "#2166ac"
#: Multiples of the reference ratio where classes break.
REFERENCE_BREAKS = (0.5, 1.0, 1.5, 2.0)

SCORE_LABELS = {
    "zh": {"legend": "图例", "score": "可达性得分", "per": "每{per}人{supply}",
           "none": "截止范围内无设施", "unsnapped": "不在路网附近（未评估）",
           "population": "人口", "status": "状态", "scored": "已评估",
           "facilities": "设施", "name": "名称", "supply": "供给", "ratio": "服务范围内每{per}人",
           "reference": "参照标准", "districts": "区", "district": "区", "method": "方法",
           "cutoff": "截止", "notes": "说明"},
    "en": {"legend": "Legend", "score": "Accessibility score", "per": "{supply} per {per} people",
           "none": "no facility within the cut-off", "unsnapped": "off the network (not scored)",
           "population": "Population", "status": "Status", "scored": "scored",
           "facilities": "Facilities", "name": "Name", "supply": "Supply",
           "ratio": "per {per} people in catchment", "reference": "Reference",
           "districts": "Districts", "district": "District", "method": "Method",
           "cutoff": "Cut-off", "notes": "Notes"},
}
SUPPLY_ZH = {"facilities": "设施", "beds": "床位", "places": "学位", "vehicles": "车辆",
             "schools": "学校"}


def _fmt(value: float) -> str:
    if not np.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def score_classes(values: np.ndarray, weights: np.ndarray, *, classes: int = 5,
                  reference: float | None = None) -> list[float]:
    """Upper class breaks (ascending) for scores already scaled to the shown unit.

    With ``reference`` the breaks are 0.5, 1, 1.5 and 2 times it (below / around / above the
    standard); otherwise population-weighted quantiles of the positive scores, rounded to two
    significant digits.

    Examples
    --------
    >>> score_classes(np.array([1.0, 2.0]), np.array([1.0, 1.0]), reference=1.0)
    [0.5, 1.0, 1.5, 2.0]
    """
    if reference is not None:
        return [reference * f for f in REFERENCE_BREAKS]
    if classes < 2 or classes > len(SCORE_COLOURS):
        raise SitingError("classes", classes, "a score map has 2 to 6 classes",
                          "give classes=5")
    positive = np.isfinite(values) & (values > 0)
    if not positive.any():
        return []
    qs = [weighted_percentile(values[positive], weights[positive], 100 * k / classes)
          for k in range(1, classes)]
    return sorted({nice(q) for q in qs if q > 0})


def score_map(scores: Scores, area: StudyArea, *, per: float = 1000,
              reference: object | None = None, classes: int = 5, lang: str = "zh",
              tiles: str | Sequence[str] | None = "OpenStreetMap", title: str | None = None,
              offline: bool = False) -> folium.Map:
    """Map of accessibility scores per cell, classed, with the legend in the score's unit.

    Parameters
    ----------
    scores
        From :func:`siting.scores.accessibility` on ``area``.
    area
        The study area the scores were made on (cells, districts, facilities).
    per
        Show scores as supply per this many residents (1000: "beds per 1,000 people").
    reference
        A ratio such as ``"1 per 30000 people"``: classes break around it and the legend
        names it. ``None`` classes at population-weighted quantiles.
    classes
        Number of quantile classes without a reference (2–6).
    lang
        ``"zh"`` or ``"en"``.
    tiles, offline
        As for :func:`siting.report.assessment_map`.

    Returns
    -------
    folium.Map

    Raises
    ------
    SitingError
        Scores of another study area, or a bad ``per`` / ``reference``.
    """
    lang = check_lang(lang)
    lab = SCORE_LABELS[lang]
    if len(scores.cells) != len(area.cells) or not scores.cells.index.equals(area.cells.index):
        raise SitingError("scores", len(scores.cells), "the scores are not of this study "
                          f"area's {len(area.cells)} cells",
                          "pass the StudyArea the scores were computed on")
    if not (isinstance(per, (int, float)) and per > 0):
        raise SitingError("per", per, "must be a positive number of people",
                          "give per=1000 or per=30000")
    ref_value = None
    ref_text = ""
    if reference is not None:
        from ..rules.base import parse_ratio

        ratio = parse_ratio(reference, rule_id="score_map", field_name="reference")
        ref_value = ratio.units / ratio.per * per
        ref_text = str(ratio) if lang == "en" else \
            f"每{ratio.per:,.0f}人{ratio.units:,.6g}（{supply_word(scores, lang)}）"
    supply = scores.supply if lang == "en" else SUPPLY_ZH.get(scores.supply, scores.supply)
    unit = lab["per"].format(per=f"{per:,.0f}", supply=supply)
    if scores.method == "potential":
        unit = f"{supply} ({scores.method})"
    shown_score = scores.cells["score"].to_numpy(dtype=float) * (1.0 if scores.method ==
                                                                    "potential" else per)
    status = scores.cells["status"].to_numpy()
    people = scores.cells["population"].to_numpy(dtype=float)
    breaks = score_classes(shown_score, people, classes=classes, reference=ref_value)
    code = np.digitize(shown_score, breaks, right=True)
    palette = SCORE_COLOURS[-(len(breaks) + 1):] if len(breaks) + 1 < len(SCORE_COLOURS) \
        else SCORE_COLOURS
    colours = np.array(palette, dtype=object)[np.minimum(code, len(palette) - 1)]
    colours = np.where(status == "no_facility", NONE_COLOUR, colours)
    colours = np.where(status == "unsnapped", UNSNAPPED_COLOUR, colours)
    words = {"scored": lab["scored"], "no_facility": lab["none"], "unsnapped": lab["unsnapped"]}

    fmap, system = new_map(area.districts.to_crs(4326).total_bounds, tiles, lang, None)
    # feature_collection escapes every string property (names come from data)
    districts = gpd.GeoDataFrame({"district": [str(d) for d in area.districts["district"]]},
                                 geometry=area.districts.geometry.to_numpy(), crs=area.crs)
    districts["style"] = [{"color": "#333333", "weight": 2, "fillOpacity": 0.0}] * len(districts)
    folium.GeoJson(feature_collection(districts, ["district", "style"], system),
                   name=lab["districts"], class_name="siting-district",
                   tooltip=folium.GeoJsonTooltip(["district"], aliases=[lab["district"]])
                   ).add_to(fmap)

    cells = gpd.GeoDataFrame({
        "population": np.round(people, 0),
        "score": [_fmt(v) + " " + unit if s != "unsnapped" else "–"
                  for v, s in zip(shown_score, status)],
        "status": [words.get(s, str(s)) for s in status],
        "style": [{"fillColor": c, "color": "#ffffff", "weight": 0.3, "fillOpacity": 0.75}
                  for c in colours]}, geometry=area.cells.geometry.to_numpy(), crs=area.crs)
    folium.GeoJson(feature_collection(cells, ["population", "score", "status", "style"], system),
                   name=lab["score"], class_name="siting-cell",
                   tooltip=folium.GeoJsonTooltip(["population", "score", "status"],
                                                 aliases=[lab["population"], lab["score"],
                                                          lab["status"]])).add_to(fmap)

    fac = area.facilities.loc[scores.facilities.index]
    names = fac["name"].fillna("").astype(str) if "name" in fac.columns else \
        pd.Series("", index=fac.index)
    ratio_label = lab["ratio"].format(per=f"{per:,.0f}")
    points = gpd.GeoDataFrame({
        "name": list(names),
        "supply": scores.facilities["supply"].to_numpy(),
        "ratio": [_fmt(r * per) for r in scores.facilities["ratio"].to_numpy(dtype=float)]},
        geometry=fac.geometry.to_numpy(), crs=area.crs)
    folium.GeoJson(
        feature_collection(points, ["name", "supply", "ratio"], system),
        name=f"{lab['facilities']} ({len(points)})",
        marker=folium.CircleMarker(radius=6, color="#ffffff", weight=2, fill=True,
                                   fill_color=FACILITY_COLOUR, fill_opacity=0.95,
                                   class_name="siting-facility"),
        popup=folium.GeoJsonPopup(["name", "supply", "ratio"],
                                  aliases=[lab["name"], lab["supply"], ratio_label]),
    ).add_to(fmap)

    HtmlControl(legend_html(lab, unit, breaks, palette, ref_text, ref_value, scores, lang),
                position="bottomleft").add_to(fmap)
    if title:
        HtmlControl(f"<b>{html.escape(title)}</b>", position="topleft",
                    css_class="siting-title").add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    bounds = area.districts.to_crs(4326).total_bounds
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    if offline:
        make_offline(fmap)
    return fmap


#: accessibility methods in words (the abbreviation kept: it is how the literature names them)
METHOD_NAMES = {
    "zh": {"2sfca": "两步移动搜索法（2SFCA）", "e2sfca": "增强两步移动搜索法（E2SFCA）",
           "g2sfca": "高斯两步移动搜索法（G2SFCA）", "kd2sfca": "核密度两步移动搜索法（KD2SFCA）",
           "gravity": "重力模型", "3sfca": "三步移动搜索法（3SFCA）", "potential": "潜能模型"},
    "en": {"2sfca": "2SFCA", "e2sfca": "enhanced 2SFCA (E2SFCA)",
           "g2sfca": "Gaussian 2SFCA (G2SFCA)",
           "kd2sfca": "kernel-density 2SFCA (KD2SFCA)", "gravity": "gravity model",
           "3sfca": "3SFCA", "potential": "potential model"},
}


def supply_word(scores: Scores, lang: str) -> str:
    """What the score counts (beds, places …) in ``lang``."""
    return scores.supply if lang == "en" else SUPPLY_ZH.get(scores.supply, scores.supply)


def legend_html(lab: dict[str, str], unit: str, breaks: list[float], palette: list[str],
                ref_text: str, ref_value: float | None, scores: Scores,
                lang: str = "en") -> str:
    """The legend: one row per class in the score's unit, then the special states."""
    from .wording import note_text, quantity

    esc = html.escape
    method = METHOD_NAMES[lang].get(scores.method, scores.method)
    cutoff = quantity(scores.cutoff, lang) if hasattr(scores.cutoff, "dimension") else \
        str(scores.cutoff)
    parts = [f"<h4>{esc(lab['legend'])}</h4>",
             f"<b>{esc(lab['score'])} ({esc(unit)})</b>",
             f"<div>{esc(lab['method'])}: {esc(method)}, {esc(lab['cutoff'])} "
             f"{esc(cutoff)}</div>"]
    edges = [0.0] + list(breaks)
    for i, colour in enumerate(palette[:len(edges)]):
        if i + 1 < len(edges):
            text = f"≤ {_fmt(edges[1])}" if i == 0 else f"{_fmt(edges[i])}–{_fmt(edges[i + 1])}"
        else:
            text = f"> {_fmt(edges[i])}" if len(edges) > 1 else lab["scored"]
        parts.append(f"<div class='row'><span class='sw' style='background:{colour}'></span>"
                     f"{esc(text)}</div>")
    for colour, word in ((NONE_COLOUR, lab["none"]), (UNSNAPPED_COLOUR, lab["unsnapped"])):
        parts.append(f"<div class='row'><span class='sw' style='background:{colour}'></span>"
                     f"{esc(word)}</div>")
    if ref_value is not None:
        parts.append(f"<div>{esc(lab['reference'])}: {esc(ref_text)} = {_fmt(ref_value)} "
                     f"{esc(unit)}</div>")
    parts.append(f"<div class='row'><span class='dot' style='background:{FACILITY_COLOUR}'>"
                 f"</span>{esc(lab['facilities'])}</div>")
    for note in scores.notes:
        parts.append(f"<div class='note'>{esc(note_text(note, lang))}</div>")
    return "".join(parts)


__all__ = ["SCORE_COLOURS", "SCORE_LABELS", "legend_html", "score_classes", "score_map"]
