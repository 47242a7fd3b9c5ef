"""Sheet names, column headings and cell words of ``summary.xlsx`` in Chinese or English.

The workbook is read by planners, so its headings are words (区域、规则、现状值、标准值、缺口、
是否达标 …), verdicts are 是 / 否, units and strength words are translated and notes are
the page's notes. ``summary.csv`` keeps the machine column names of ``Assessment.table``:
it is the table programs read.
"""

from __future__ import annotations

import pandas as pd

from ..rules.base import STUDY_AREA
from .labels import check_lang
from .wording import kind_name, note_text, strength_word, unit_word

SHEETS = {
    "zh": {"ranking": "排名", "study_area": "全市", "sources": "规则来源",
           "facility_review": "设施核查"},
    "en": {"ranking": "ranking", "study_area": "study area", "sources": "sources",
           "facility_review": "facility_review"},
}

COLUMNS = {
    "zh": {
        "rank": "排名", "district": "区域", "status": "运行状态", "population": "常住人口",
        "rules_evaluated": "已评估规则数", "rules_failed": "未达标规则数",
        "rules_passed": "达标规则数", "uncovered_population": "未覆盖人口",
        "worst_rule": "最差规则", "worst_attainment": "最差达标程度", "error": "错误",
        "rule_id": "规则", "part_of": "所属规则", "reading": "现状值", "op": "比较",
        "required": "标准值", "unit": "单位", "passed": "是否达标", "covered_share": "覆盖率",
        "shortfall": "缺口", "shortfall_unit": "缺口单位", "attainment": "达标程度",
        "strength": "约束强度", "note": "备注", "name": "名称", "requirement": "要求",
        "document": "文件", "source": "依据", "quote": "原文", "caveats": "说明与假设",
        "verify": "需核对原文", "address": "地址", "nearest_street": "最近道路",
        "street_m": "距道路（米）", "adname": "所在区", "kind": "类型",
        "kind_classified": "初分类型", "kind_rule": "分类依据", "kind_confidence": "分类可信度",
        "review": "核查结果", "review_reason_zh": "原因", "review_reason_en": "原因（英文）",
        "duplicate_of": "重复于", "duplicate_m": "重复距离（米）", "dropped": "是否剔除",
        "level": "层级",
    },
    "en": {
        "rank": "Rank", "district": "District", "status": "Run status", "population": "Residents",
        "rules_evaluated": "Rules evaluated", "rules_failed": "Rules failed",
        "rules_passed": "Rules passed", "uncovered_population": "People not covered",
        "worst_rule": "Worst rule", "worst_attainment": "Worst attainment", "error": "Error",
        "rule_id": "Rule", "part_of": "Part of", "reading": "Reading", "op": "Comparison",
        "required": "Required", "unit": "Unit", "passed": "Passes",
        "covered_share": "Covered share",
        "shortfall": "Shortfall", "shortfall_unit": "Shortfall unit", "attainment": "Attainment",
        "strength": "Strength", "note": "Note", "name": "Name", "requirement": "Requirement",
        "document": "Document", "source": "Source", "quote": "Quote", "caveats": "Caveats",
        "verify": "Check the official text", "address": "Address",
        "nearest_street": "Nearest street", "street_m": "To the street (m)", "adname": "District (POI)",
        "kind": "Kind", "kind_classified": "Kind first classified", "kind_rule": "Classified by",
        "kind_confidence": "Confidence", "review": "Review", "review_reason_zh": "Reason (zh)",
        "review_reason_en": "Reason", "duplicate_of": "Duplicate of",
        "duplicate_m": "Duplicate distance (m)", "dropped": "Dropped", "level": "Level",
    },
}

SHARE_UNIT = {"zh": "比例（0–1）", "en": "share (0–1)"}
#: the "(study area)" row's name in a sheet (the index's 全市 figure)
STUDY_AREA_WORD = {"zh": "全市", "en": "study area"}

_YES_NO = {"zh": ("是", "否"), "en": ("yes", "no")}
_STATUS = {"zh": {"ok": "完成", "error": "出错", "skipped": "跳过"},
           "en": {"ok": "ok", "error": "error", "skipped": "skipped"}}
_CONFIDENCE = {"zh": {"high": "高", "medium": "中", "low": "低"}}
_REVIEW = {"zh": {"excluded": "剔除", "reclassified": "重分类", "doubtful": "存疑",
                  "duplicate": "重复", "kept": "保留"}}


def sheet_title(name: str, lang: str) -> str:
    """A sheet's title in ``lang`` (rule sheets keep the rule id)."""
    return SHEETS[check_lang(lang)].get(name, name)


def _yes_no(value: object, lang: str) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    yes, no = _YES_NO[lang]
    if isinstance(value, str):
        return yes if value.strip().lower() in ("true", "1", "yes") else no
    return yes if bool(value) else no


def localise_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with words in ``lang``: headings, yes/no, units, strength, notes."""
    check_lang(lang)
    out = frame.copy()
    for column in ("passed", "verify", "dropped"):
        if column in out.columns:
            out[column] = out[column].astype(object).map(lambda v: _yes_no(v, lang))
    for column in ("unit", "shortfall_unit"):
        if column in out.columns:
            # shares stay fractions in the sheet: their unit says so (not "%")
            out[column] = out[column].map(
                lambda v: SHARE_UNIT[lang] if v == "share" else
                (unit_word(v, lang) if isinstance(v, str) else v))
    if "strength" in out.columns:
        out["strength"] = out["strength"].map(
            lambda v: strength_word(v, lang) if isinstance(v, str) and v else v)
    if "note" in out.columns:
        out["note"] = out["note"].map(lambda v: note_text(v, lang) if isinstance(v, str) else v)
    if "district" in out.columns:  # the deciding row of a rule stated for the whole area
        out["district"] = out["district"].map(
            lambda v: STUDY_AREA_WORD[lang] if v == STUDY_AREA else v)
    if "status" in out.columns:
        out["status"] = out["status"].map(lambda v: _STATUS[lang].get(v, v))
    for column in ("kind", "kind_classified"):
        if column in out.columns:
            out[column] = out[column].map(lambda v: kind_name(v, lang) if isinstance(v, str) else v)
    if lang == "zh":
        if "kind_confidence" in out.columns:
            out["kind_confidence"] = out["kind_confidence"].map(
                lambda v: _CONFIDENCE["zh"].get(v, v))
        if "review" in out.columns:
            out["review"] = out["review"].map(lambda v: _REVIEW["zh"].get(v, v))
    return out.rename(columns=COLUMNS[lang])


__all__ = ["COLUMNS", "SHEETS", "localise_frame", "sheet_title"]
