"""What ``siting check`` prints, in Chinese or English.

Both languages are written here from the assessment's tables, rule by rule, with the
rules' names, strength words, units and notes in the chosen language, and straight-line
readings flagged (直线距离估算，高估可达性). :meth:`siting.assess.Assessment.summary`
stays the notebook's English summary.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from .labels import check_lang
from .wording import note_text, reading_flags, rule_name, strength_word, unit_word


def _num(value: object) -> str:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(v):
        return "–"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}".rstrip("0").rstrip(".")


def _reading(row: pd.Series, lang: str) -> str:
    """现状 46.1%，标准 ≥ 85% / reading 46.1 %, required ≥ 85 %: the reading and the
    standard, never one inequality that could be read as a true statement."""
    unit = row.get("unit")
    if unit == "share":
        got, want = _num(float(row["reading"]) * 100), _num(float(row["required"]) * 100)
        u = "%" if lang == "zh" else " %"
    else:
        got, want, u = _num(row["reading"]), _num(row["required"]), " " + unit_word(unit, lang)
    if lang == "zh":
        return f"现状 {got}{u}，标准 {row['op']} {want}{u}"
    return f"reading {got}{u}, required {row['op']} {want}{u}"


def area_line(area: Any, lang: str) -> str:
    """The study area in one line: districts, cells, residents, facilities, networks."""
    from .wording import kind_name

    check_lang(lang)
    kinds = area.facilities["kind"].value_counts()
    if lang == "en":
        facilities = ", ".join(f"{n} {kind_name(k, 'en')}" for k, n in kinds.items())
        text = (f"Study area: {len(area.districts)} districts, {len(area.cells):,} population "
                f"cells, {area.population:,.0f} residents; facilities: {facilities or 'none'}; "
                f"networks: {', '.join(sorted(area.networks)) or 'none'}")
    else:
        facilities = "、".join(f"{kind_name(k, 'zh')} {n} 处" for k, n in kinds.items())
        modes = "、".join({"walk": "步行", "drive": "车行"}.get(m, m) for m in sorted(area.networks))
        text = (f"研究区：{len(area.districts)} 个区域，{len(area.cells):,} 个人口网格，"
                f"常住人口 {area.population:,.0f} 人；设施：{facilities or '无'}；"
                f"路网：{modes or '无'}")
    for w in area.residents_warnings(lang):
        text += ("\n警告：" if lang == "zh" else "\nWARNING: ") + w
    return text


PHRASES = {
    "zh": {
        "head": "评估 {rules} 条可判定规则，覆盖 {districts} 个区域（常住人口 {people} 人）。",
        "counts": "达标 {passed} 条，未达标 {failed} 条，未判定或未评估 {undecided} 条。",
        "not_evaluated": "未评估", "area": "全域{state}（{reading}）",
        "states": {True: "达标", False: "未达标"}, "undecided": "未判定",
        "short": "，缺口 {n} {unit}", "all_pass": "全部 {n} 个区域达标",
        "no_data": "未判定（{k} / {n} 个区域缺少数据）",
        "fails": "{k} / {n} 个区域未达标；最差为 {worst}（{reading}）",
        "total": "，合计缺口 {n} {unit}",
        "skipped": "已记录但不作判定：{n} 条原则性要求和建设计划（{ids}）。",
        "sep": "、", "colon": "：", "brackets": "［{}］", "paren": "（{}）", "flags_sep": "；",
    },
    "en": {
        "head": "Assessment of {rules} checkable rules over {districts} districts "
                "({people} residents).",
        "counts": "Passed: {passed}, failed: {failed}, not decided or not evaluated: "
                  "{undecided}.",
        "not_evaluated": "NOT EVALUATED", "area": "{state} for the study area ({reading})",
        "states": {True: "passes", False: "FAILS"}, "undecided": "not decided",
        "short": "; short by {n} {unit}", "all_pass": "passes in all {n} districts",
        "no_data": "not decided ({k} of {n} districts lack data)",
        "fails": "FAILS in {k} of {n} districts; worst {worst} ({reading})",
        "total": "; total shortfall {n} {unit}",
        "skipped": "Recorded but not checkable: {n} principles and site budgets ({ids}).",
        "sep": ", ", "colon": ": ", "brackets": " [{}]", "paren": " ({})", "flags_sep": "; ",
    },
}


def summary_text(assessment: Any, lang: str) -> str:
    """The assessment in plain words: what passes, what fails, where, by how much.

    Rule names, strength words, units and notes are in ``lang``; a rule read on straight
    lines says so on its line.
    """
    w = PHRASES[check_lang(lang)]
    verdicts = assessment.verdicts()
    info = assessment.district_info
    people = float(info["population"].sum()) if len(info) else 0.0
    lines = [w["head"].format(rules=len(verdicts), districts=len(info), people=_num(people))]
    if assessment.area is not None:
        lines += [f"{'警告' if lang == 'zh' else 'WARNING'}{w['colon']}{x}"
                  for x in assessment.area.residents_warnings(lang)]
    if len(verdicts):
        passed = verdicts["passed"]
        lines.append(w["counts"].format(passed=int((passed == True).sum()),
                                        failed=int((passed == False).sum()),
                                        undecided=int(passed.isna().sum())))
    rows = assessment.district_rows
    for _, v in verdicts.iterrows():
        rule = next(r for r in assessment.rules if r.id == v["rule_id"])
        head = (f"- {rule.id} {rule_name(rule, lang)}"
                + w["brackets"].format(strength_word(rule.strength, lang)) + w["colon"])
        if not v["evaluated"]:
            err = assessment.errors[assessment.errors["rule_id"] == rule.id]
            reason = note_text(err["message"].iloc[0], lang) if len(err) else ""
            lines.append(head + w["not_evaluated"] + (w["paren"].format(reason) if reason else ""))
            continue
        mine = rows[rows["rule_id"] == rule.id]
        flags = sorted({f for n in mine.get("note", pd.Series(dtype=object))
                        for f in reading_flags(n, lang)})
        flag = w["paren"].format(w["flags_sep"].join(flags)) if flags else ""
        if rule.check_at == "area":
            o = assessment.overall[assessment.overall["rule_id"] == rule.id].iloc[0]
            state = w["states"].get(v["passed"], w["undecided"])
            text = w["area"].format(state=state, reading=_reading(o, lang))
            if v["passed"] is False and float(o.get("shortfall") or 0) > 0:
                text += w["short"].format(n=_num(o["shortfall"]),
                                          unit=unit_word(o["shortfall_unit"], lang))
            lines.append(head + text + flag)
            continue
        failed = mine[mine["passed"] == False]
        n = len(mine)
        if v["passed"] is True:
            lines.append(head + w["all_pass"].format(n=n) + flag)
        elif len(failed) == 0:
            lines.append(head + w["no_data"].format(k=int(mine["passed"].isna().sum()), n=n)
                         + flag)
        else:
            worst = failed.sort_values("attainment").iloc[0]
            units = set(failed["shortfall_unit"].dropna())
            total = failed["shortfall"].sum()
            short = w["total"].format(n=_num(total), unit=unit_word(units.pop(), lang)) \
                if len(units) == 1 and total > 0 else ""
            lines.append(head + w["fails"].format(k=len(failed), n=n, worst=worst["district"],
                                                  reading=_reading(worst, lang)) + short + flag)
    clipped = assessment.area.clip_summary(lang) if hasattr(assessment.area, "clip_summary") \
        else ""
    if clipped:  # facilities outside the districts: kept for access, or dropped — said
        lines.append(clipped[0].upper() + clipped[1:] + ("。" if lang == "zh" else "."))
    if assessment.skipped:
        ids = w["sep"].join(r.id for r in assessment.skipped[:6])
        lines.append(w["skipped"].format(n=len(assessment.skipped),
                                         ids=ids + (" …" if len(assessment.skipped) > 6 else "")))
    return "\n".join(lines)


def rule_text(rule: Any, lang: str) -> str:
    """A rule with its provenance as plain text (``siting rules show ID --lang zh``)."""
    from ..rules import format_rule
    from .wording import (
        basis_word,
        caveats,
        cite,
        facility_words,
        kind_word,
        rule_requirement,
    )

    if check_lang(lang) == "en":
        return format_rule(rule)
    p = rule.provenance
    lines = [f"{rule.id} — {rule_name(rule, 'zh')}",
             f"  类型：    {kind_word(rule.kind, 'zh')}" + ("" if rule.checkable else "（仅记录，不作判定）"),
             f"  要求：    {rule_requirement(rule, 'zh')}"]
    if rule.facility:
        lines.append(f"  设施：    {facility_words(rule, 'zh')}")
    lines += [
        f"  人口口径：{basis_word(rule.basis, 'zh')}",
        f"  判定层级：{'各区域' if rule.check_at == 'district' else '全域（全市/全省）'}",
        f"  约束强度：{strength_word(rule.strength, 'zh')}",
        f"  目标年份：{p.target_year or '未说明'}",
        f"  出处：    {cite(p, 'zh')}：「{p.quote}」",
    ]
    if p.verify:
        lines.append("  待核对：  数值未经官方原文核对")
    lines += [f"  说明：    {c}" for c in caveats(rule, "zh")]
    for part in getattr(rule, "parts", ()):
        lines.append(f"  分项：    {part.id}：{rule_requirement(part, 'zh')}")
    return "\n".join(lines)


HEADINGS = {
    "zh": {"grid": "区域 × 规则（✓ 达标，✗ 未达标，· 未判定）", "errors": "未评估：",
           "district": "区域"},
    "en": {"grid": "District × rule (✓ passes, ✗ fails, · not decided)", "errors": "Not evaluated:",
           "district": "district"},
}


__all__ = ["HEADINGS", "PHRASES", "area_line", "rule_text", "summary_text"]
