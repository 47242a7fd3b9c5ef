"""Static outputs for written reports: a PNG per map and a PDF per district or run.

A planning bureau's report is a Word or PDF document, and government intranets have no tile
server: an HTML map cannot be pasted in, and a web map without tiles has no streets under it.
These figures are drawn with matplotlib from the same readings as the folium maps
(:func:`siting.report.maps.cell_travel`, the same travel classes and colours), over the study
area's own streets, with a legend, a scale bar in metres, a north arrow, a title and the
data's attribution, in Chinese or English. Chinese text needs a CJK font: the setup step
installs WenQuanYi Micro Hei; without any CJK font a warning says the labels will not render.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")  # figures are written to files; never open a window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyArrow, Patch  # noqa: E402

from ..assess import Assessment  # noqa: E402
from ..errors import SitingError  # noqa: E402
from ..rules.base import Rule  # noqa: E402
from ..study_area import StudyArea  # noqa: E402
from .html import fmt_value, verdict  # noqa: E402
from .labels import check_lang, labels  # noqa: E402
from .wording import rule_name, rule_requirement  # noqa: E402
from .maps import (CLASS_COLOURS, PROPOSAL_COLOUR, UNREACHABLE_COLOUR,  # noqa: E402
                   VERDICT_COLOURS, cell_travel, kind_names, margin_m, proposal_sites, rule_of,
                   travel_classes)

__all__ = ["CJK_FONTS", "district_pdf", "district_static", "run_pdf", "save_png", "static_map",
           "summary_pdf"]

#: Fonts tried, in order, for Chinese text (the first two come from Debian packages).
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
             "SimHei", "Microsoft YaHei", "PingFang SC")
_WORDS = {
    "zh": {"north": "北", "streets": "路网", "straight": "直线距离估算，高估可达性",
           "attribution": "路网与设施数据：{source}；siting 绘制", "page": "第 {n} 页",
           "study_area": "全域", "no_rows": "无评估结果", "people_reached": "人口网格"},
    "en": {"north": "N", "streets": "streets", "straight":
           "straight-line estimate: overstates access", "attribution":
           "streets and facilities: {source}; drawn by siting", "page": "page {n}",
           "study_area": "study area", "no_rows": "no assessment rows",
           "people_reached": "population cells"},
}
_SOURCE = {"zh": "OpenStreetMap 贡献者及用户数据", "en": "© OpenStreetMap contributors and user data"}


def _style(lang: str) -> dict[str, object]:
    """matplotlib settings for one figure: CJK fonts, TrueType in PDFs (text stays text)."""
    return {"font.family": _font_family(lang), "axes.unicode_minus": False,
            "pdf.fonttype": 42}


#: Font files the setup step installs (scripts/install-fonts.sh), registered by path when
#: matplotlib's font cache predates them (a cache built before the font was installed).
CJK_FONT_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                  "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
                  "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                  "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc")


def _font_family(lang: str) -> list[str]:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    if not any(name in installed for name in CJK_FONTS):
        import os

        for path in CJK_FONT_FILES:
            if os.path.exists(path):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # an unreadable file: try the next
                    continue
        installed = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [name for name in CJK_FONTS if name in installed]
    if lang == "zh" and not cjk:
        warnings.warn("no CJK font is installed, so Chinese labels will not render in PNG/PDF "
                      "outputs. Fix: install one (Debian: apt-get install fonts-wqy-microhei)",
                      stacklevel=3)
    return cjk + ["DejaVu Sans"]


def _nice_length(span: float) -> float:
    """A round scale-bar length near a fifth of the map's width."""
    target = max(span / 5.0, 1.0)
    magnitude = 10 ** np.floor(np.log10(target))
    for step in (5, 2, 1):
        if step * magnitude <= target:
            return float(step * magnitude)
    return float(magnitude)


def _scale_bar(ax: plt.Axes, box: Sequence[float], lang: str) -> None:
    west, south, east, north = box
    length = _nice_length(east - west)
    x0, y0 = west + 0.04 * (east - west), south + 0.04 * (north - south)
    ax.plot([x0, x0 + length], [y0, y0], color="black", lw=3, solid_capstyle="butt", zorder=9)
    if length >= 1000:
        text = f"{length / 1000:g} {'公里' if lang == 'zh' else 'km'}"
    else:
        text = f"{length:g} {'米' if lang == 'zh' else 'm'}"
    ax.text(x0 + length / 2, y0 + 0.012 * (north - south), text, ha="center", va="bottom",
            fontsize=8, zorder=9)


def _north_arrow(ax: plt.Axes, box: Sequence[float], lang: str) -> None:
    west, south, east, north = box
    x, y = east - 0.05 * (east - west), north - 0.13 * (north - south)
    height = 0.07 * (north - south)
    ax.add_patch(FancyArrow(x, y, 0, height, width=0.012 * (east - west),
                            head_width=0.035 * (east - west), head_length=0.035 * (north - south),
                            length_includes_head=True, color="black", zorder=9))
    ax.text(x, y - 0.01 * (north - south), _WORDS[lang]["north"], ha="center", va="top",
            fontsize=10, zorder=9)


def _streets(ax: plt.Axes, area: StudyArea, mode: str | None, view: shapely.Geometry) -> bool:
    network = area.networks.get(mode) if mode else None
    if network is None and area.networks:
        network = next(iter(area.networks.values()))
    if network is None or not len(network.street_geometry):
        return False
    lines = gpd.GeoSeries(network.street_geometry, crs=network.crs)
    if network.crs != area.crs:
        lines = lines.to_crs(area.crs)
    lines = lines[lines.intersects(view)]
    if len(lines):
        lines.plot(ax=ax, color="#8c8c8c", linewidth=0.35, zorder=1)
    return bool(len(lines))


def static_map(assessment: Assessment, area: StudyArea, rule: str | Rule, *, lang: str = "zh",
               districts: Iterable[str] | None = None, proposals: object | None = None,
               straight_line: bool | None = None, title: str | None = None,
               width_in: float = 8.0) -> Figure:
    """A printable map of one rule: cells by travel class, verdicts, facilities, streets.

    Parameters
    ----------
    assessment
        The :class:`~siting.assess.Assessment` holding ``rule``.
    area
        The study area it was made from.
    rule
        Rule id or rule.
    lang
        ``"zh"`` or ``"en"``.
    districts
        Draw only these districts (default: all).
    proposals
        Proposed sites (a :class:`siting.propose.Proposal` or points with ``kind``/``kinds``
        and ``newly_covered``), drawn as stars.
    straight_line
        As for :func:`siting.report.assessment_map`: colour cells by straight-line distance
        where the rule's network is missing (flagged in the legend).
    title
        Title (default: rule id, name and requirement).
    width_in
        Figure width in inches (A4 portrait text width is about 6.3 in).

    Returns
    -------
    matplotlib.figure.Figure
        Write it with :func:`save_png` or add it to a PDF.

    Raises
    ------
    SitingError
        When the rule or a district is not in the assessment.

    Examples
    --------
    >>> import siting
    >>> from siting.datasets import load_example
    >>> area = load_example()
    >>> result = siting.assess(area, ["GB50180-KG"])
    >>> fig = static_map(result, area, "GB50180-KG", lang="en")
    >>> fig.axes[0].get_title(loc="left").startswith("GB50180-KG")
    True
    """
    lang = check_lang(lang)
    lab, words = labels(lang), _WORDS[lang]
    rule = rule_of(assessment, rule)
    shown = area.districts
    if districts is not None:
        wanted = [str(d) for d in districts]
        shown = shown[shown["district"].isin(wanted)]
        if len(shown) == 0:
            raise SitingError("districts", wanted, "none of these districts is in the study area",
                              f"use names from {area.districts['district'].tolist()[:10]}")
    cells = area.cells[area.cells["district"].isin(shown["district"])]
    box = shown.total_bounds
    pad = 0.04 * max(box[2] - box[0], box[3] - box[1], 1.0)
    view_box = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
    view = shapely.box(*view_box)
    aspect = (view_box[3] - view_box[1]) / max(view_box[2] - view_box[0], 1.0)

    with plt.rc_context(_style(lang)):
        fig, ax = plt.subplots(figsize=(width_in, max(4.0, min(width_in * aspect, 11.0)) + 1.6),
                               layout="constrained")
        handles: list[object] = []
        travel_of = rule.map_travel()
        if _streets(ax, area, travel_of.mode if travel_of is not None else None, view):
            handles.append(Line2D([], [], color="#8c8c8c", lw=0.8, label=words["streets"]))

        travel, how = cell_travel(area, rule, straight_line=straight_line)
        if "travel" not in rule.map_layers:
            # e.g. an average radius is not a maximum: distance classes around it would
            # suggest one, so cells are shaded by residents and the reading goes in the title
            travel, how = None, ""
        if travel is not None and len(cells):
            cost = travel["cost"].reindex(cells.index).to_numpy(dtype=float)
            status = travel["status"].reindex(cells.index).astype(str).to_numpy()
            codes, breaks = travel_classes(cost, status, float(travel.attrs["threshold"]))
            palette = np.array(CLASS_COLOURS + [UNREACHABLE_COLOUR], dtype=object)
            cells.plot(ax=ax, color=palette[codes].tolist(), alpha=0.75, linewidth=0, zorder=2)
            unit = lab["minutes"] if travel.attrs["unit"] == "min" else lab["metres"]
            texts = [f"≤ {breaks[0]:g} {unit}"]
            texts += [f"{a:g}–{b:g} {unit}" for a, b in zip(breaks[:-1], breaks[1:])]
            texts += [f"> {breaks[-1]:g} {unit}", lab["unreachable"]]
            present = set(codes.tolist())
            handles += [Patch(color=c, alpha=0.75, label=t)
                        for i, (c, t) in enumerate(zip(palette, texts)) if i in present]
        elif len(cells):
            cells.plot(ax=ax, color="#cbc9e2", alpha=0.7, linewidth=0, zorder=2)
            handles.append(Patch(color="#cbc9e2", label=words["people_reached"]))

        table = assessment.table[assessment.table["rule_id"] == rule.id]
        passed = table.drop_duplicates("district").set_index("district")["passed"]
        for state in (True, False, None):
            mask = shown["district"].map(
                lambda d, s=state: (None if d not in passed.index or pd.isna(passed[d])
                                    else bool(passed[d])) is s)
            if mask.any():
                shown[mask.to_numpy()].boundary.plot(ax=ax, color=VERDICT_COLOURS[state],
                                                     linewidth=1.6, zorder=4)
                word = {True: lab["passes"], False: lab["fails"], None: lab["undecided"]}[state]
                handles.append(Line2D([], [], color=VERDICT_COLOURS[state], lw=2,
                                      label=f"{lab['districts']}: {word}"))

        facilities = area.facilities[area.facilities["kind"].isin(rule.facility)]
        near = shapely.box(box[0] - margin_m(area, rule), box[1] - margin_m(area, rule),
                           box[2] + margin_m(area, rule), box[3] + margin_m(area, rule))
        facilities = facilities[facilities.intersects(near)]
        if len(facilities):
            facilities.plot(ax=ax, color="#2b5fad", markersize=22, edgecolor="white",
                            linewidth=0.8, zorder=6)
            label = kind_names(lang)
            names = " / ".join(label.get(k, k) for k in rule.facility)
            handles.append(Line2D([], [], marker="o", ls="", color="#2b5fad", markersize=6,
                                  label=f"{names} ({len(facilities)})"))
        if proposals is not None:
            sites = proposal_sites(proposals).to_crs(area.crs)
            sites = sites[[bool(set(k) & set(rule.facility)) for k in sites["kinds"]]]
            if len(sites):
                sites.plot(ax=ax, marker="*", color=PROPOSAL_COLOUR, edgecolor="black",
                           markersize=160, linewidth=0.8, zorder=7)
                handles.append(Line2D([], [], marker="*", ls="", color=PROPOSAL_COLOUR,
                                      markeredgecolor="black", markersize=12,
                                      label=f"{lab['proposed']} ({len(sites)})"))

        ax.set_xlim(view_box[0], view_box[2])
        ax.set_ylim(view_box[1], view_box[3])
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.xaxis.get_offset_text().set_visible(False)
        ax.yaxis.get_offset_text().set_visible(False)
        _scale_bar(ax, view_box, lang)
        _north_arrow(ax, view_box, lang)
        heading = title if title is not None else f"{rule.id} · {rule_name(rule, lang)}"
        readings = _reading_line(table, shown["district"].tolist(), lang)
        ax.set_title(f"{heading}\n{rule_requirement(rule, lang)}"
                     + (f"\n{readings}" if readings else ""),
                     loc="left", fontsize=11)
        notes = [words["straight"]] if how == "straight_line" else []
        legend = fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=8,
                            frameon=False, title=" · ".join(notes) or None,
                            title_fontsize=9)
        if notes:
            legend.get_title().set_color("#b2182b")
        ax.text(0.995, 0.005, words["attribution"].format(source=_SOURCE[lang]),
                transform=ax.transAxes, ha="right", va="bottom", fontsize=6, color="#555555",
                zorder=10, bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none",
                                 "pad": 1.5})
    return fig


def _reading_line(table: pd.DataFrame, districts: list[str], lang: str) -> str:
    """"黄浦区：现状值 2.1 km（标准值 ≤ 3.5 km），达标" for a map of one district."""
    if len(districts) != 1:
        return ""
    rows = table[table["district"] == districts[0]]
    if not len(rows):
        return ""
    row = rows.iloc[0]
    lab = labels(lang)
    required = f"{row['op'] or ''} {fmt_value(row['required'], row['unit'])}".strip()
    colon = "：" if lang == "zh" else ": "
    return (f"{districts[0]}{colon}{lab['reading']} {fmt_value(row['reading'], row['unit'])}"
            f"（{lab['required']} {required}），{verdict(row['passed'], lab)[0]}"
            if lang == "zh" else
            f"{districts[0]}{colon}{lab['reading']} {fmt_value(row['reading'], row['unit'])} "
            f"({lab['required']} {required}), {verdict(row['passed'], lab)[0]}")


def save_png(fig: Figure, path: str | Path, *, dpi: int = 200) -> Path:
    """Write a figure as PNG (and close it, so batch runs do not accumulate figures).

    Parameters
    ----------
    fig
        A figure from :func:`static_map`.
    path
        Output file; its folder must exist.
    dpi
        Resolution (200 prints sharply at A4 text width).

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import siting, tempfile, pathlib
    >>> from siting.datasets import load_example
    >>> area = load_example()
    >>> fig = static_map(siting.assess(area, ["GB50180-KG"]), area, "GB50180-KG")
    >>> out = save_png(fig, pathlib.Path(tempfile.mkdtemp()) / "kg.png", dpi=60)
    >>> out.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    path = Path(path)
    fig.savefig(path, dpi=dpi, format="png")
    plt.close(fig)
    return path


def _table_page(title: str, rows: pd.DataFrame, lang: str, footer: str) -> Figure:
    with plt.rc_context(_style(lang)):
        fig = plt.figure(figsize=(8.27, 11.69))  # A4 portrait
        fig.text(0.06, 0.95, title, fontsize=15, va="top")
        ax = fig.add_axes((0.06, 0.08, 0.88, 0.82))
        ax.axis("off")
        if len(rows):
            cells = rows.astype(str).to_numpy().tolist()
            table = ax.table(cellText=cells, colLabels=list(rows.columns), loc="upper left",
                             cellLoc="left", colLoc="left")
            table.auto_set_font_size(False)
            table.set_fontsize(8)
            table.scale(1, 1.4)
        else:
            ax.text(0, 1, _WORDS[lang]["no_rows"], va="top")
        fig.text(0.06, 0.03, footer, fontsize=7, color="#555555")
    return fig


def _verdict_rows(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    lab = labels(lang)
    from ..rules.base import STUDY_AREA
    from ..units import format_requirement

    out = pd.DataFrame({
        # the study-area (全市) row of a rule stated for the whole area, in the page's words
        lab["district"]: table["district"].astype(str).replace(STUDY_AREA, lab["study_area"]),
        lab["rule"]: table["rule_id"].astype(str),
        lab["reading"]: [fmt_value(v, u) for v, u in zip(table["reading"], table["unit"])],
        lab["required"]: [format_requirement(op, v, u)
                          for op, v, u in zip(table["op"], table["required"], table["unit"])],
        lab["verdict"]: [verdict(p, lab)[0] for p in table["passed"]],
    })
    return out


def _maps_for(assessment: Assessment, area: StudyArea, lang: str, districts: list[str] | None,
              proposals: object | None, rules: Iterable[str] | None) -> list[Figure]:
    ids = list(rules) if rules is not None else [
        r.id for r in assessment.rules if r.id in assessment.results and r.facility]
    return [static_map(assessment, area, rule_id, lang=lang, districts=districts,
                       proposals=proposals) for rule_id in ids]


def district_pdf(assessment: Assessment, area: StudyArea, district: str, path: str | Path, *,
                 lang: str = "zh", proposals: object | None = None,
                 rules: Iterable[str] | None = None) -> Path:
    """A PDF for one district: its verdict table, then one map page per rule.

    Parameters
    ----------
    assessment, area
        The assessment and its study area.
    district
        The district's name.
    path
        Output file.
    lang
        ``"zh"`` or ``"en"``.
    proposals
        Proposed sites to draw on the maps.
    rules
        Rule ids to map (default: every evaluated rule with facilities; a rule that could
        not be evaluated has nothing to draw and is listed in the verdict table only).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    SitingError
        When the district is not in the study area.
    """
    lang = check_lang(lang)
    if district not in set(area.districts["district"]):
        raise SitingError("district", district, "not a district of the study area",
                          f"use one of {area.districts['district'].tolist()[:10]}")
    lab = labels(lang)
    table = assessment.table[assessment.table["district"] == district]
    figures = [_table_page(f"{district} · {lab['district_report']}", _verdict_rows(table, lang),
                           lang, "siting")]
    figures += _maps_for(assessment, area, lang, [district], proposals, rules)
    return _write_pdf(figures, path, f"{district} · {lab['district_report']}")


def run_pdf(assessment: Assessment, area: StudyArea, path: str | Path, *, lang: str = "zh",
            proposals: object | None = None, rules: Iterable[str] | None = None) -> Path:
    """A PDF for the whole run: every district's verdicts, then one study-area map per rule.

    Parameters
    ----------
    assessment, area
        The assessment and its study area.
    path
        Output file.
    lang
        ``"zh"`` or ``"en"``.
    proposals
        Proposed sites to draw on the maps.
    rules
        Rule ids to map (default: every evaluated rule with facilities).

    Returns
    -------
    Path
        The file written.
    """
    lang = check_lang(lang)
    lab = labels(lang)
    figures = _summary_pages(assessment.table, lang, lab["index_title"])
    figures += _maps_for(assessment, area, lang, None, proposals, rules)
    return _write_pdf(figures, path, lab["index_title"])


def district_static(assessment: Assessment, area: StudyArea, folder: str | Path,
                    maps: Sequence[tuple[str, str]], *, lang: str = "zh",
                    proposals: object | None = None) -> list[str]:
    """A district folder's static files: a PNG per mapped rule and ``report.pdf``.

    Parameters
    ----------
    assessment, area
        The district's assessment and study area (a batch task's slice).
    folder
        The district's output folder.
    maps
        ``(rule id, PNG file name)`` of each rule to draw (those with web maps).
    lang
        ``"zh"`` or ``"en"``.
    proposals
        Proposed sites to draw.

    Returns
    -------
    list of str
        File names written, relative to ``folder``.
    """
    folder = Path(folder)
    written = []
    for rule_id, name in maps:
        save_png(static_map(assessment, area, rule_id, lang=lang, proposals=proposals),
                 folder / name)
        written.append(name)
    districts = area.districts["district"].tolist()
    if len(districts) == 1:
        district_pdf(assessment, area, districts[0], folder / "report.pdf", lang=lang,
                     proposals=proposals, rules=[rule_id for rule_id, _ in maps])
        written.append("report.pdf")
    return written


def summary_pdf(summary: pd.DataFrame, path: str | Path, *, lang: str = "zh",
                title: str | None = None) -> Path:
    """The verdicts of a whole batch run (its ``summary.csv`` table) as an A4 PDF.

    Parameters
    ----------
    summary
        The batch summary: one row per district × rule, with ``district``, ``rule_id``,
        ``reading``, ``op``, ``required``, ``unit`` and ``passed``.
    path
        Output file.
    lang
        ``"zh"`` or ``"en"``.
    title
        Title of the first page (default: the index title).

    Returns
    -------
    Path
        The file written.
    """
    lang = check_lang(lang)
    heading = title or labels(lang)["index_title"]
    return _write_pdf(_summary_pages(summary, lang, heading), path, heading)


def _summary_pages(table: pd.DataFrame, lang: str, heading: str,
                   per_page: int = 40) -> list[Figure]:
    rows = _verdict_rows(table, lang)
    return [_table_page(heading, rows.iloc[i:i + per_page], lang,
                        _WORDS[lang]["page"].format(n=i // per_page + 1))
            for i in range(0, max(len(rows), 1), per_page)]


def _write_pdf(figures: list[Figure], path: str | Path, title: str) -> Path:
    path = Path(path)
    with PdfPages(path, metadata={"Title": title, "Creator": "siting"}) as pdf:
        for fig in figures:
            pdf.savefig(fig)
            plt.close(fig)
    return path
