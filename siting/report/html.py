"""HTML report pages from jinja2 templates: one page per district and an index ranking them.

Templates live in ``siting/report/templates`` (package data). Pages carry their styles
inline and link only to files beside them, so a report folder can be zipped, copied to an
intranet share or opened from a USB stick.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from ..rules.base import STUDY_AREA
from ..units import (MISSING, format_number, format_requirement, format_value,
                     format_verdict)
from .charts import bar_chart_svg, verdict_colour
from .labels import labels
from .wording import caveats as rule_caveats
from .wording import cite as cite_in
from .wording import (note_text, problem_text, reading_flags, rule_name, rule_requirement,
                      strength_word, unit_word)

ATTRIBUTION = "Map data © OpenStreetMap contributors (ODbL) where OSM extracts are used"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The jinja2 environment over the package templates (autoescaped)."""
    return jinja2.Environment(loader=jinja2.PackageLoader("siting.report", "templates"),
                              autoescape=True, trim_blocks=True, lstrip_blocks=True,
                              undefined=jinja2.StrictUndefined)


def _common(lang: str) -> dict[str, Any]:
    from .. import __version__

    return {"lang": lang, "L": labels(lang), "version": __version__,
            "attribution": labels(lang)["attribution"],
            "generated": _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")}


def _finite(value: object) -> float | None:
    """``value`` as a finite float, or ``None`` (missing, text, NaN, inf)."""
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def fmt_number(value: object, digits: int = 0) -> str:
    """``12,345`` style, ``—`` for missing values (:func:`siting.units.format_number`)."""
    return format_number(value, digits)


def fmt_value(value: object, unit: object) -> str:
    """A reading or requirement with its unit (:func:`siting.units.format_value`)."""
    return format_value(value, unit)


def verdict(passed: object, lab: Mapping[str, str], evaluated: bool = True) -> tuple[str, str]:
    """(word, css class) of a verdict."""
    if passed is None or passed is pd.NA or (isinstance(passed, float) and np.isnan(passed)):
        return (lab["undecided"] if evaluated else lab["not_evaluated"]), "undecided"
    return (lab["passes"], "pass") if bool(passed) else (lab["fails"], "fail")


def cite(provenance: Any) -> str:
    """Title (number), issuer, year, clause — the quote is shown on its own."""
    if provenance is None:
        return ""
    title = provenance.title or provenance.document
    number = provenance.number if provenance.number not in title else ""  # GB numbers repeat
    parts = [p for p in (title, number, provenance.issuer,
                         str(provenance.year) if provenance.year else "", provenance.line) if p]
    return ", ".join(dict.fromkeys(parts))


def rule_rows(table: pd.DataFrame, rules: Mapping[str, Any], lab: Mapping[str, str]
              ) -> list[dict[str, Any]]:
    """One display row per assessment row of a district (parts after their parent).

    Names, requirements, units, strength words, notes and caveats are in the language of
    ``lab``; a straight-line reading carries its flag in the verdict itself.
    """
    lang = lab.get("lang", "en")

    def unit_of(unit: object) -> object:
        return unit if unit == "share" else unit_word(unit, lang)

    rows = []
    for _, row in table.iterrows():  # a handful of rules per district
        rule = rules.get(row["rule_id"])
        evaluated = not str(row.get("note") or "").startswith("not evaluated")
        word, css = verdict(row["passed"], lab, evaluated)
        p = getattr(rule, "provenance", None)
        shortfall = MISSING
        if pd.notna(row.get("shortfall")) and float(row["shortfall"]) > 0:
            digits = 0 if float(row["shortfall"]) >= 10 else 2
            shortfall = f"{fmt_number(row['shortfall'], digits)} " \
                        f"{unit_word(row.get('shortfall_unit'), lang) or ''}".strip()
        elif pd.notna(row.get("shortfall")):
            shortfall = "0"
        rows.append({
            "id": row["rule_id"], "part_of": row.get("part_of"),
            "name": rule_name(rule, lang) if rule is not None else "",
            "requirement": rule_requirement(rule, lang) if rule is not None else "",
            "verdict": word, "css": css,
            "flags": reading_flags(row.get("note"), lang),
            "reading": fmt_value(row.get("reading"), unit_of(row.get("unit"))),
            "required": format_requirement(row.get("op"), row.get("required"),
                                           unit_of(row.get("unit"))),
            "shortfall": shortfall,
            "quote": getattr(p, "quote", "") or "", "cite": cite_in(p, lang),
            "strength": strength_word(getattr(rule, "strength", ""), lang),
            "verify": bool(getattr(p, "verify", False)),
            "caveats": rule_caveats(rule, lang, row.get("note")),
            "area_level": getattr(rule, "check_at", "district") == "area",
            "note": note_text(row.get("note"), lang),
            "attainment": pd.to_numeric(row.get("attainment"), errors="coerce"),
            "ratio": _ratio(row.get("reading"), row.get("required")),
            "op": str(row.get("op") or "") if isinstance(row.get("op"), str) else "",
            "passed": row["passed"],
        })
    return rows


def _ratio(reading: object, required: object) -> float:
    """reading ÷ requirement (NaN when either is missing or the requirement is 0)."""
    a, b = _finite(reading), _finite(required)
    return a / b if a is not None and b not in (None, 0.0) else np.nan


def attainment_chart(rows: Sequence[Mapping[str, Any]], lab: Mapping[str, str]) -> str:
    """Bars of reading ÷ requirement per rule (现状 ÷ 标准, as the title says), with the line
    at 100 %: a "≥" rule passes at or right of it, a "≤" rule (a radius, people per
    facility) at or left of it, which each bar's text states. (``attainment`` is the other
    way round for "≤" rules — requirement ÷ reading — so it is not what is drawn.)"""
    top = [r for r in rows if not r.get("part_of")]
    values = [float(r["ratio"]) if pd.notna(r.get("ratio", np.nan)) else np.nan for r in top]
    texts = [(MISSING if not np.isfinite(v) else f"{format_number(v * 100, 0)} %")
             + (f" ({r['op']} 100 %)" if np.isfinite(v) and r.get("op") else "")
             + f" {r['verdict']}" for v, r in zip(values, top)]
    return bar_chart_svg([r["id"] for r in top], values,
                         [verdict_colour(None if r["css"] == "undecided" else r["css"] == "pass")
                          for r in top], texts=texts, reference=1.0, reference_label="100 %",
                         max_value=2.0, title=lab["chart"])


def render_district_page(*, district: str, title: str, lang: str, table: pd.DataFrame,
                         rules: Mapping[str, Any], figures: Mapping[str, Any],
                         maps: Sequence[Mapping[str, str]], proposals: Any = None,
                         proposal_note: str = "", proposals_asked: bool = False,
                         warnings: Sequence[str] = (), site_files: Sequence[str] = ()) -> str:
    """The HTML page of one district; ``warnings`` (e.g. no residents) shown on top.

    ``proposals`` are the sites of :func:`siting.report.proposal_table.site_table` (other
    points with ``kinds`` and ``newly_covered`` are read through it): listed with their
    order, coordinates, address and people newly covered per rule, identical rows merged.
    """
    from .maps import _kind_names
    from .proposal_table import COVERED, merged_rows, site_table

    lab = labels(lang)
    rows = rule_rows(table, rules, lab)
    names = _kind_names(lang)
    sites: list[dict[str, Any]] = []
    site_rules: list[str] = []
    if proposals is not None and len(proposals):
        if "map_lon" not in proposals.columns:
            proposals = site_table(proposals, None, list(rules.values()))
        merged = merged_rows(proposals)
        site_rules = [c[len(COVERED):] for c in merged.columns if c.startswith(COVERED)]
        for site in merged.to_dict("records"):
            sites.append({
                "site": site["site"], "count": int(site["count"]),
                "kinds": " + ".join(names.get(k, k) for k in site["kinds"]),
                "rules": ", ".join(site["rules"] or []),
                "lonlat": f"{site['lon']:.6f}, {site['lat']:.6f}",
                "map_lonlat": f"{site['map_lon']:.6f}, {site['map_lat']:.6f}"
                if site["map_system"] != "WGS-84" else "",
                "address": site["address"] or site.get("nearest_street") or "—",
                "covered": [fmt_number(site[COVERED + r]) if r in site["rules"] else ""
                            for r in site_rules]})
    shows_map_system = any(s["map_lonlat"] for s in sites)
    context = _common(lang) | {
        "site_rules": site_rules, "shows_map_system": shows_map_system,
        "site_files": list(site_files),
        "title": title, "district": district, "rules": rows, "figures": figures,
        "chart": attainment_chart(rows, lab), "maps": list(maps), "sites": sites,
        "proposal_note": problem_text(proposal_note, lang),
        "proposals_asked": proposals_asked,
        "warnings": list(warnings)}
    return environment().get_template("district.html.j2").render(**context)


def _grid(summary: pd.DataFrame, districts: Sequence[str],
          lab: Mapping[str, str] | None = None) -> dict[str, Any]:
    if not len(summary):
        return {"rules": [], "rows": []}
    top = summary[summary["part_of"].isna()]
    rule_ids = list(dict.fromkeys(top["rule_id"]))
    lookup = top.drop_duplicates(["district", "rule_id"]).set_index(["district", "rule_id"])
    rows = []
    for d in districts:
        cells = []
        for rid in rule_ids:
            if (d, rid) not in lookup.index:
                cells.append({"mark": "", "css": "", "title": ""})
                continue
            passed = lookup.loc[(d, rid), "passed"]
            mark, css = ("·", "undecided") if pd.isna(passed) else \
                (("✓", "pass") if bool(passed) else ("✗", "fail"))
            cells.append({"mark": mark, "css": css,
                          "title": fmt_value(lookup.loc[(d, rid), "reading"],
                                             lookup.loc[(d, rid), "unit"])})
        shown = lab["study_area"] if lab is not None and d == STUDY_AREA else d
        rows.append({"district": shown, "cells": cells, "area": d == STUDY_AREA})
    return {"rules": rule_ids, "rows": rows}


def render_index(*, title: str, lang: str, ranking: pd.DataFrame, summary: pd.DataFrame,
                 links: Mapping[str, str], rules: Sequence[Any], files: Sequence[str],
                 outside_population: float = 0.0, review: pd.DataFrame | None = None,
                 area_rows: pd.DataFrame | None = None) -> str:
    """The index page: districts ranked by shortfall, errors, the district × rule grid.

    ``area_rows`` are the study-area (全市) rows of the rules stated for the whole area
    (:func:`siting.report.area_rows.study_area_rows`): shown in their own table, as a card
    and as the last row of the grid; they are not part of the district ranking.

    ``review`` is the facility review (``attrs["review"]`` of
    :func:`siting.poi_review.review_pois`): every POI excluded, reclassified, doubtful or
    duplicate is listed with its reason, so the planner sees what decided the counts.
    """
    lab = labels(lang)
    rows = []
    readings = {} if not len(summary) else {
        (d, i): row for d, i, row in zip(summary["district"], summary["rule_id"],
                                         summary.to_dict("records"))}
    for _, r in ranking.iterrows():
        status = r["status"]
        css = "error" if status == "error" else ("fail" if (r["rules_failed"] or 0) > 0
                                                  else "pass")
        worst = ""
        if isinstance(r["worst_rule"], str) and pd.notna(r["worst_attainment"]):
            # the reading beside its requirement ("14,570 m (要求 ≤ 3,500 m)"): an attainment
            # percentage reads like a coverage share
            hit = readings.get((r["district"], r["worst_rule"]))
            worst = f"{r['worst_rule']}: " + format_verdict(
                hit["reading"], hit["op"], hit["required"], hit["unit"], lab["requires"]) \
                if hit is not None else \
                f"{r['worst_rule']} ({float(r['worst_attainment']) * 100:.0f} %)"
        rows.append({
            "rank": "" if pd.isna(r["rank"]) else int(r["rank"]), "district": r["district"],
            "status": status, "css": css,
            "link": links.get(r["district"]) if status != "error" else None,
            "population": fmt_number(r["population"]),
            "rules_failed": "" if status == "error" else fmt_number(r["rules_failed"]),
            "rules_evaluated": "" if status == "error" else fmt_number(r["rules_evaluated"]),
            "uncovered": fmt_number(r["uncovered_population"]), "worst": worst,
            "error": r["error"] if isinstance(r["error"], str) else ""})
    good = ranking[ranking["status"] != "error"]
    chart = bar_chart_svg(
        good["district"].astype(str).tolist(), good["rules_failed"].astype(float).tolist(),
        ["#d73027" if v > 0 else "#1a9850" for v in good["rules_failed"].astype(float)],
        texts=[f"{int(f)} / {int(e)}" for f, e in zip(good["rules_failed"],
                                                       good["rules_evaluated"])],
        max_value=max(float(good["rules_evaluated"].max()) if len(good) else 1.0, 1.0),
        title=lab["rules_failed"])
    sources = [{"id": r.id, "name": rule_name(r, lang), "requirement": rule_requirement(r, lang),
                "quote": r.provenance.quote, "cite": cite_in(r.provenance, lang),
                "strength": strength_word(r.strength, lang), "verify": r.provenance.verify}
               for r in rules]
    by_id = {r.id: r for top in rules for r in top.walk()}
    area = rule_rows(area_rows, by_id, lab) if area_rows is not None and len(area_rows) \
        else []
    area = [r for r in area if not r.get("part_of")] + [r for r in area if r.get("part_of")]
    top = summary[summary["part_of"].isna()] if len(summary) else summary
    failed_rules = sorted(set(top.loc[top["passed"].eq(False).fillna(False).astype(bool),
                                      "rule_id"])) if len(top) else []
    totals = {
        "districts": len(ranking),
        "rules_failed": len(failed_rules),
        "rules": len(set(top["rule_id"])) if len(top) else 0,
        "population": fmt_number(pd.to_numeric(ranking["population"], errors="coerce").sum()),
        "failing": int((pd.to_numeric(good["rules_failed"], errors="coerce") > 0).sum()),
        "errors": int((ranking["status"] == "error").sum()),
        "outside": fmt_number(outside_population) if outside_population > 0 else "",
        "no_residents": not pd.to_numeric(ranking["population"], errors="coerce").fillna(0).gt(0)
        .any(),
    }
    context = _common(lang) | {
        "title": title, "ranking": rows, "chart": chart,
        "grid": _grid(summary, good["district"].astype(str).tolist()
                      + ([STUDY_AREA] if area else []), lab),
        "area": area,
        "sources": sources, "files": list(files), "totals": totals,
        "review": review_section(review, lab, lang)}
    return environment().get_template("index.html.j2").render(**context)


REVIEW_ROWS_SHOWN = 300  # the rest is in facility_review.csv


def review_section(review: pd.DataFrame | None, lab: Mapping[str, str], lang: str
                   ) -> dict[str, Any] | None:
    """Rows and counts of the facility review for a page (``None`` when there is none)."""
    if review is None or len(review) == 0:
        return None
    from ..facility_kinds import load_facility_kinds

    kinds = load_facility_kinds()["name_zh" if lang == "zh" else "name_en"].to_dict()
    reason = "review_reason_zh" if lang == "zh" else "review_reason_en"
    rows = [{"name": str(r.get("name", "")), "kind": kinds.get(r["kind"], r["kind"]),
             "status": lab.get(f"review_{r['review']}", r["review"]),
             "reason": str(r.get(reason, "")),
             "dropped": lab["yes"] if bool(r.get("dropped")) else lab["no"]}
            for r in review.head(REVIEW_ROWS_SHOWN).to_dict("records")]
    counts = review["review"].value_counts()
    text = lab["review_counts"].format(total=len(review), **{
        s: int(counts.get(s, 0)) for s in ("excluded", "reclassified", "doubtful", "duplicate")})
    more = lab["review_more"].format(n=len(review) - REVIEW_ROWS_SHOWN) \
        if len(review) > REVIEW_ROWS_SHOWN else ""
    return {"rows": rows, "counts": text, "more": more}


__all__ = ["attainment_chart", "review_section", "environment", "fmt_number", "fmt_value", "render_district_page",
           "render_index", "rule_rows", "verdict"]
