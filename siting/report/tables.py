"""Tables of a batch: the summary (district × rule rows), the district ranking, the workbook.

``summary.csv`` holds the assessment rows unchanged (same columns as
:attr:`siting.assess.Assessment.table`), so a planner's spreadsheet and ``assess()`` in a
notebook show the same numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..assess import ASSESSMENT_COLUMNS

#: Columns of the district ranking (index.html, the "ranking" sheet).
RANKING_COLUMNS = ["rank", "district", "status", "population", "rules_evaluated",
                   "rules_failed", "rules_passed", "uncovered_population", "worst_rule",
                   "worst_attainment", "error"]


def summary_table(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Stack per-district assessment tables into one, columns in assessment order."""
    tables = [t for t in tables if t is not None and len(t)]
    if not tables:
        return pd.DataFrame(columns=ASSESSMENT_COLUMNS)
    out = pd.concat(tables, ignore_index=True)
    return out.reindex(columns=ASSESSMENT_COLUMNS + [c for c in out.columns
                                                     if c not in ASSESSMENT_COLUMNS])


def district_figures(table: pd.DataFrame) -> dict[str, object]:
    """Key figures of one district from its assessment rows (top-level rules only)."""
    top = table[table["part_of"].isna()] if "part_of" in table else table
    passed = top["passed"]
    evaluated = top[passed.notna()]
    att = pd.to_numeric(evaluated["attainment"], errors="coerce")
    worst_rule, worst = None, np.nan
    if att.notna().any():
        i = att.idxmin()
        worst_rule, worst = str(evaluated.loc[i, "rule_id"]), float(att.loc[i])
    uncovered = pd.to_numeric(top["uncovered_population"], errors="coerce")
    return {
        "rules_evaluated": int(passed.notna().sum()),
        "rules_failed": int((passed == False).sum()),  # noqa: E712
        "rules_passed": int((passed == True).sum()),  # noqa: E712
        # people short of the most demanding access rule: not a sum (rules overlap)
        "uncovered_population": float(uncovered.max()) if uncovered.notna().any() else np.nan,
        "worst_rule": worst_rule,
        "worst_attainment": worst,
    }


def rank_districts(rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """Districts ordered by shortfall: most rules failed first, then lowest attainment.

    ``rows`` carry ``district``, ``status`` (``"ok"``, ``"skipped"``, ``"error"``),
    ``population``, ``error`` and the :func:`district_figures`. Districts that could not be
    assessed come last, unranked, with their error.
    """
    frame = pd.DataFrame(list(rows)).reindex(columns=RANKING_COLUMNS[1:])
    ok = frame["status"] != "error"
    good = frame[ok].copy()
    good["_att"] = pd.to_numeric(good["worst_attainment"], errors="coerce").fillna(np.inf)
    good["_unc"] = pd.to_numeric(good["uncovered_population"], errors="coerce").fillna(0)
    good = good.sort_values(["rules_failed", "_att", "_unc", "district"],
                            ascending=[False, True, False, True], kind="stable")
    good.insert(0, "rank", np.arange(1, len(good) + 1))
    bad = frame[~ok].copy()
    bad.insert(0, "rank", pd.NA)
    out = pd.concat([good.drop(columns=["_att", "_unc"]), bad], ignore_index=True)
    out["rank"] = out["rank"].astype("Int64")
    return out[RANKING_COLUMNS]


_SHEET_BAD = re.compile(r"[\[\]\:\*\?\/\\]")


# characters XML 1.0 (and so openpyxl) cannot hold; shown as U+FFFD instead of failing
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# a spreadsheet reads a cell starting with one of these as a formula (CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A spreadsheet cell that stays data: control characters replaced, formulas quoted.

    Text starting with ``= + - @`` (or a tab / carriage return) gets a leading ``'``, which
    Excel, LibreOffice and WPS show as text rather than run; numbers pass unchanged.

    Parameters
    ----------
    value
        A cell value.

    Returns
    -------
    object
        ``value``, or the safe text.

    Examples
    --------
    >>> safe_cell('=HYPERLINK("http://x")'), safe_cell("a\x00b"), safe_cell(-3)
    ('\'=HYPERLINK("http://x")', 'a\ufffdb', -3)
    """
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("\ufffd", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell (and column name) passed through :func:`safe_cell`.

    Parameters
    ----------
    frame
        A table about to be written to CSV or Excel.

    Returns
    -------
    pandas.DataFrame
        A copy; numeric columns are untouched.

    Examples
    --------
    >>> spreadsheet_safe(pd.DataFrame({"district": ["=1+1"]}))["district"].tolist()
    ["'=1+1"]
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(safe_cell, na_action="ignore")
    out.columns = [safe_cell(c) for c in out.columns]
    return out


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", _CONTROL.sub("_", name)).strip("'")[:31] or "sheet"
    candidate, i = base, 2
    while candidate.lower() in used:
        suffix = f"~{i}"
        candidate, i = base[:31 - len(suffix)] + suffix, i + 1
    used.add(candidate.lower())
    return candidate


RULE_SHEET_COLUMNS = ["district", "rule_id", "part_of", "population", "reading", "op",
                      "required", "unit", "passed", "covered_share", "uncovered_population",
                      "shortfall", "shortfall_unit", "attainment", "strength", "note"]


def write_workbook(summary: pd.DataFrame, ranking: pd.DataFrame, path: str | Path,
                   rules: Sequence[object] = (), review: pd.DataFrame | None = None,
                   lang: str = "en") -> Path:
    """``summary.xlsx``: a ranking sheet, one sheet per rule, and a sheet of the rules' sources.

    A rule's sheet lists its row in every district (composite parts below their parent);
    ``review`` (the facility review of :func:`siting.poi_review.review_pois`) gets its own
    sheet with every excluded, reclassified, doubtful and duplicate POI and its reason.
    Sheet names, headings and words are in ``lang`` (排名、区域、规则、现状值、标准值、缺口、
    是否达标 … in Chinese; see :mod:`siting.report.sheets`); rule sheets keep the rule id.
    """
    from .sheets import localise_frame, sheet_title
    from .wording import caveat_text, cite, rule_name, rule_requirement, strength_word

    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    used: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        sheets: list[tuple[str, pd.DataFrame]] = [(_sheet_name(sheet_title("ranking", lang),
                                                                used), ranking)]
        if "level" in summary.columns and (summary["level"] == "area").any():
            # the study-area (全市) rows of rules stated for the whole area, beside the ranking
            sheets.append((_sheet_name(sheet_title("study_area", lang), used),
                           summary[summary["level"] == "area"].reindex(
                               columns=RULE_SHEET_COLUMNS)))
        order = list(dict.fromkeys(summary["part_of"].where(summary["part_of"].notna(),
                                                            summary["rule_id"])))
        for rule_id in order:
            rows = summary[(summary["rule_id"] == rule_id) | (summary["part_of"] == rule_id)]
            sheets.append((_sheet_name(str(rule_id), used),
                           rows.reindex(columns=RULE_SHEET_COLUMNS)))
        if rules:
            sources = pd.DataFrame([{  # type: ignore[attr-defined]
                "rule_id": r.id, "name": rule_name(r, lang),
                "requirement": rule_requirement(r, lang),
                "document": (r.provenance.title if lang == "zh" else
                             r.provenance.title_en or r.provenance.title) or r.document,
                "source": cite(r.provenance, lang),
                "quote": r.provenance.quote, "strength": strength_word(r.strength, lang),
                "caveats": ("；" if lang == "zh" else "; ").join(
                    caveat_text(c, lang) for c in r.provenance.caveats),
                "verify": r.provenance.verify} for r in rules])
            sheets.append((_sheet_name(sheet_title("sources", lang), used), sources))
        if review is not None and len(review):
            columns = [c for c in REVIEW_SHEET_COLUMNS if c in review.columns]
            sheets.append((_sheet_name(sheet_title("facility_review", lang), used),
                           review[columns]))
        for name, frame in sheets:
            shown = localise_frame(spreadsheet_safe(frame), lang)
            for column in shown.columns:  # Excel has no NA: blank cells
                if isinstance(shown[column].dtype, (pd.BooleanDtype, pd.Int64Dtype)):
                    shown[column] = shown[column].astype(object).where(shown[column].notna(),
                                                                       None)
            shown.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "B2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for i, column in enumerate(shown.columns, start=1):
                width = max([len(str(column))] + [len(str(v)) for v in shown[column].head(200)])
                sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    return path


REVIEW_SHEET_COLUMNS = ["name", "address", "adname", "kind_classified", "kind", "kind_rule",
                        "kind_confidence", "review", "review_reason_zh", "review_reason_en",
                        "duplicate_of", "duplicate_m", "dropped"]

__all__ = ["REVIEW_SHEET_COLUMNS", "RANKING_COLUMNS", "district_figures", "rank_districts", "safe_cell",
           "spreadsheet_safe", "summary_table", "write_workbook"]
