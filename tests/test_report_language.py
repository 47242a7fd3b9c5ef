"""Every page type in Chinese and in English, checked for untranslated text.

A report is rendered for two districts of the example town in each language, with the
static outputs and proposed sites, and each output a planner reads is checked: the index,
the district pages, the workbook (sheet names, headings, every word cell), the PDFs, the
PNG figures' text and ``siting check``. In Chinese no English word may remain outside ids,
units, identifiers and proper names; in English no Chinese outside the plans' quotes,
citations and glosses (tests/lang_check.py says exactly what is allowed). The maps are read
in a browser by tests/test_browser_language.py. The catalogue test covers every rule of
every catalogue, not only the demo's three.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import openpyxl
import pypdf
import pytest

import siting
from siting.cli import DEMO_RULES, main
from siting.config import rules_from_spec
from siting.datasets import load_example
from siting.report import ReportOptions, write_reports
from siting.report.batch import proposals_by_propose
from siting.report.labels import LABELS
from siting.report.wording import (
    caveat_text,
    caveats,
    cite,
    note_text,
    rule_name,
    rule_requirement,
    strength_word,
)
from siting.rules.catalog import load_rules

sys.path.insert(0, str(Path(__file__).parent))
from lang_check import chinese_runs, english_words, html_text, offending_lines

PROJECT = Path(__file__).resolve().parents[1]
TITLES = {"zh": "示例城镇：幼儿园、学校和运动场", "en": "Example town: kindergartens, schools, sports"}


@pytest.fixture(scope="module")
def area():
    return load_example()


def data_names(area) -> list[str]:
    """The data's own names: they are shown as the data gives them, in any language."""
    names = set(area.districts["district"].astype(str))
    names |= set(area.facilities["name"].dropna().astype(str)) if "name" in area.facilities \
        else set()
    for network in area.networks.values():  # street names: a proposed site's nearest street
        if network.street_name is not None:
            names |= {n for n in network.street_name if n is not None}
    return sorted(names | set(TITLES.values()))


@pytest.fixture(scope="module", params=["zh", "en"])
def report(request, area, tmp_path_factory):
    lang = request.param
    out = tmp_path_factory.mktemp(f"report-{lang}")
    write_reports(area, rules_from_spec(DEMO_RULES), out, progress=False,
                  districts=["B2", "A2"],
                  options=ReportOptions(title=TITLES[lang], lang=lang, tiles=None, static=True,
                                        proposals=proposals_by_propose(time_limit=5)))
    return lang, out, data_names(area)


def assert_translated(text: str, lang: str, data, where: str) -> None:
    bad = offending_lines(text, lang, data)
    assert not bad, f"{where} ({lang}): untranslated text\n" + "\n".join(bad[:20])


# ---------------------------------------------------------------------------------------------
def test_label_tables_are_in_their_language():
    assert LABELS["zh"].keys() == LABELS["en"].keys()
    for key, text in LABELS["zh"].items():
        assert key == "lang" or not english_words(text), (key, text)
    for key, text in LABELS["en"].items():
        assert not chinese_runs(text), (key, text)


def test_every_catalogue_rule_reads_in_both_languages():
    """Names, requirements, strength words, citations and caveats of all 123 rules."""
    rules = [part for rule in load_rules() for part in rule.walk()]
    assert len(rules) >= 123
    for rule in rules:
        assert rule.name_zh, f"{rule.id} has no name_zh"
        zh = [rule_name(rule, "zh"), rule_requirement(rule, "zh"),
              strength_word(rule.strength, "zh"), cite(rule.provenance, "zh"),
              *caveats(rule, "zh")]
        en = [rule_name(rule, "en"), rule_requirement(rule, "en"),
              strength_word(rule.strength, "en"), cite(rule.provenance, "en"),
              *caveats(rule, "en")]
        for text in zh:
            assert not english_words(text), (rule.id, text, english_words(text))
        for text in en:
            assert not chinese_runs(text), (rule.id, text, chinese_runs(text))
        for caveat in rule.provenance.caveats:
            assert caveat_text(caveat, "zh") != caveat, f"{rule.id}: no Chinese for {caveat!r}"


def test_chinese_names_follow_the_plan_quotes():
    """Spot checks written from the seed quotes, not from what the code returns."""
    kg = load_rules("GB50180-KG")[0]
    assert rule_name(kg, "zh") == "幼儿园服务半径不宜大于300米"      # 幼儿园服务半径不宜大于300m
    assert "300米" in rule_requirement(kg, "zh") and "步行" in rule_requirement(kg, "zh")
    ems = load_rules("SH16-18")[0]
    assert "平均服务半径" in rule_name(ems, "zh") and "3.5公里" in rule_name(ems, "zh")
    assert strength_word(ems.strength, "zh") == "未说明"           # the plan marks no strength
    share = load_rules("SH21-02-sports")[0]
    assert "85%" in rule_requirement(share, "zh") and "15分钟" in rule_requirement(share, "zh")
    ratio = load_rules("SH16-19")[0]
    assert "每30,000名常住人口不少于1辆" in rule_requirement(ratio, "zh")


def test_adapted_threshold_relabels_the_rule():
    """A run that moves the kindergarten radius to 500 m must not keep "300 m" labels."""
    (rule,) = rules_from_spec([{"id": "GB50180-KG", "threshold": "500 m"}])
    for lang, want, old in (("zh", "500米", "300米"), ("en", "500 m", "300 m")):
        assert want in rule_name(rule, lang) and old not in rule_name(rule, lang)
        assert want in rule_requirement(rule, lang)
    note = caveats(rule, "zh")[-1]
    assert note.startswith("本次运行配置调整了") and "阈值" in note
    # a new name given with the override is kept, in its language
    (named,) = rules_from_spec([{"id": "GB50180-KG", "threshold": "500 m",
                                 "name": "Kindergarten within 500 m", "name_zh": "幼儿园500米"}])
    assert rule_name(named, "zh") == "幼儿园500米"
    assert rule_name(named, "en") == "Kindergarten within 500 m"


def test_notes_are_translated_and_units_are_words():
    text = ("straight-line distance (no walk network, detour × 1.3); diagnostic: decided for the "
            "whole study area (see its row); alone this district would fail")
    zh = note_text(text, "zh")
    assert "直线距离" in zh and "高估可达性" in zh and "1.3" in zh and "单看本区未达标" in zh
    assert not english_words(zh)
    # the notes of the Shanghai report (SH16-18 on straight lines, rules the data cannot read)
    radius = ("decisive: area equivalent; area equivalent polygon 11,510 m, straight line mean "
              "10,675 m, straight line max 31,934 m, straight line p85 18,469 m; area: inhabited "
              "cells (population > 0)")
    zh = note_text(radius, "zh")
    assert zh.startswith("判定依据：按面积折算半径") and "直线距离最大值 31,934米" in zh
    missing = ("not evaluated: the rule applies only in 'main_urban_area' districts and the "
               "districts carry no such marking (districts.main_urban_area=None). Fix: add a "
               "boolean column 'main_urban_area' (or a column area_type equal to "
               "'main_urban_area') to the districts")
    for text in (radius, missing):
        assert not english_words(note_text(text, "zh")), note_text(text, "zh")
    from siting.report.wording import unit_word

    assert unit_word("people per facility", "zh") == "人/处"
    assert unit_word("vehicles per 30,000 people", "zh") == "辆/30000人"
    assert unit_word("m2/person", "en") == "m²/person"


# ---------------------------------------------------------------------------------------------
def test_index_page(report):
    lang, out, data = report
    html = (out / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html
    assert_translated(html_text(html), lang, data, "index.html")


def test_district_pages(report):
    lang, out, data = report
    for district in ("B2", "A2"):
        html = (out / "districts" / district / "index.html").read_text(encoding="utf-8")
        text = html_text(html)
        assert_translated(text, lang, data, f"{district}/index.html")
        # the rules are named in the page's language
        assert ("幼儿园服务半径不宜大于300米" if lang == "zh" else "Kindergarten within 300 m walk") \
            in text
        assert ("约束强度: 原则性" if lang == "zh" else "Strength: in principle") in text


def test_workbook(report):
    lang, out, data = report
    book = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)
    # SH21-02-sports is decided town-wide: its row has a sheet of its own beside the ranking
    want = ["排名", "全市", "GB50180-KG", "GB50180-PS", "SH21-02-sports", "规则来源"] \
        if lang == "zh" else \
        ["ranking", "study area", "GB50180-KG", "GB50180-PS", "SH21-02-sports", "sources"]
    assert book.sheetnames == want
    headings = [c for c in next(book[want[1]].iter_rows(max_row=1, values_only=True))]
    if lang == "zh":
        for word in ("区域", "规则", "现状值", "标准值", "缺口", "是否达标"):
            assert word in headings, (word, headings)
    else:
        assert {"District", "Rule", "Reading", "Required", "Shortfall", "Passes"} <= set(headings)
    # the quote column holds the plan's own words; everything else is checked
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        heads = list(rows[0])
        skip = {i for i, h in enumerate(heads) if h in ("原文", "Quote")}
        cells = [str(sheet.title)] + [str(h) for h in heads]
        for row in rows[1:]:
            cells += [str(v) for i, v in enumerate(row) if v is not None and i not in skip
                      and isinstance(v, str)]
        assert_translated("\n".join(cells), lang, data, f"summary.xlsx[{sheet.title}]")
    ranking = list(book[want[0]].iter_rows(values_only=True))
    yes_no = {"是", "否"} if lang == "zh" else {"yes", "no"}
    kg = list(book["GB50180-KG"].iter_rows(values_only=True))
    col = kg[0].index("是否达标" if lang == "zh" else "Passes")
    assert {r[col] for r in kg[1:]} <= yes_no | {None}
    assert len(ranking) == 3


def test_pdfs(report):
    lang, out, data = report
    pdfs = [out / "report.pdf", *sorted((out / "districts").glob("*/report.pdf"))]
    assert len(pdfs) == 3
    for path in pdfs:
        reader = pypdf.PdfReader(path)
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        assert text.strip(), path
        assert_translated(text, lang, data, str(path.relative_to(out)))


def test_static_figures_text(report, area):
    """The words drawn into each PNG: titles, legends, scale bar, north arrow, attribution."""
    import matplotlib.pyplot as plt
    import matplotlib.text

    from siting.assess import assess
    from siting.report.static import static_map

    lang, _, data = report
    result = assess(area, rules_from_spec(DEMO_RULES))
    for rule_id in ("GB50180-KG", "GB50180-PS", "SH21-02-sports"):
        fig = static_map(result, area, rule_id, lang=lang)
        texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
        plt.close(fig)
        assert texts
        assert_translated("\n".join(texts), lang, data, f"static map {rule_id}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_check_output(lang, capsys, area):
    assert main(["check", str(PROJECT / "examples" / "town.yaml"), "--lang", lang]) == 0
    text = capsys.readouterr().out
    assert_translated(text, lang, data_names(area), "siting check")
    if lang == "zh":
        assert "评估 3 条可判定规则，覆盖 9 个区域" in text and "区域 × 规则" in text
        assert "现状 0%，标准 ≥ 100%" in text
    else:
        assert "Assessment of 3 checkable rules over 9 districts" in text
        assert "reading 0 %, required ≥ 100 %" in text


# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def straight(area, tmp_path_factory):
    """The kindergarten rule on a town without a walk network: straight-line readings."""
    no_walk = siting.StudyArea(area.districts, area.cells[["population", "geometry"]],
                               area.facilities[["kind", "name", "geometry"]],
                               {"drive": area.networks["drive"]})
    outs = {}
    for lang in ("zh", "en"):
        out = tmp_path_factory.mktemp(f"straight-{lang}")
        write_reports(no_walk, load_rules("GB50180-KG"), out, progress=False, districts=["B2"],
                      options=ReportOptions(title=TITLES[lang], lang=lang, tiles=None,
                                            straight_line=True, maps=["GB50180-KG"]))
        outs[lang] = out
    return outs


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_straight_line_reading_is_flagged_in_the_verdict(straight, lang, area):
    from bs4 import BeautifulSoup

    html = (straight[lang] / "districts" / "B2" / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    row = soup.select_one('table.rules tr[data-rule="GB50180-KG"]')
    verdict_cell = row.find_all("td")[2].get_text(" ")
    flag = "直线距离估算，高估可达性" if lang == "zh" else "straight-line estimate, overstates access"
    assert flag in verdict_cell
    # the caveat that would contradict it is not shown
    text = html_text(html)
    assert "network walking distance" not in text and "路网步行距离" not in text
    assert_translated(text, lang, data_names(area), "straight-line district page")


def test_caveats_table_is_keyed_by_real_caveats():
    """No stale entry: every key of caveats_zh.yaml is a caveat of some catalogue rule."""
    from siting.report.wording import caveats_zh_table

    used = {c.strip() for rule in load_rules() for part in rule.walk()
            for c in part.provenance.caveats}
    stale = set(caveats_zh_table()) - used
    assert not stale, stale
    for zh in caveats_zh_table().values():
        assert re.search(r"[\u4e00-\u9fff]", zh) and not english_words(zh), zh


def test_cli_rules_list_and_show_in_chinese(capsys):
    assert main(["rules", "list", "--lang", "zh", "--width", "200"]) == 0
    text = capsys.readouterr().out
    assert_translated(text, "zh", [], "siting rules list --lang zh")
    assert "急救站（院前急救站点）" in text and "emergency_station" not in text
    assert main(["rules", "show", "SH16-18", "GB50180-KG", "--lang", "zh"]) == 0
    text = capsys.readouterr().out
    assert_translated(text, "zh", [], "siting rules show --lang zh")
    assert "急救站点平均服务半径不大于3.5公里" in text and "「急救站点平均服务半径≤3.5公里」" in text


def test_proposal_problems_are_translated():
    from siting.report.wording import problem_text

    text = ("3 targets cannot be met by any choice of the candidate sites (GB50180-KG; SH21-02)."
            " Fix: add candidate sites (parcels, public buildings) where those people live, or "
            "lower the rule's share for now")
    zh = problem_text(text, "zh")
    assert zh.startswith("有 3 项目标无论怎样选址都无法满足（GB50180-KG; SH21-02）")
    assert not english_words(zh)
    assert problem_text(text, "en") == text


def test_proposal_summary_in_both_languages(area):
    """``Proposal.summary(lang)`` (what ``siting propose`` prints): the sites, people newly
    covered per rule, and the rules that now pass, with no English in Chinese and back."""
    proposal = siting.propose(area, rules_from_spec(DEMO_RULES), time_limit=10,
                              infeasible="relax")
    data = data_names(area)
    zh, en = proposal.summary("zh"), proposal.summary("en")
    assert not offending_lines(zh, "zh", data, allowed=["HiGHS"]), offending_lines(
        zh, "zh", data, allowed=["HiGHS"])[:5]
    assert not offending_lines(en, "en", data)
    n = len(proposal.sites)
    assert zh.startswith(f"新增 {n} 处设施") and en.startswith(f"{n} new sites")
    first = proposal.sites.iloc[0]
    people = next(iter(first["newly_covered_by_rule"].values()))
    assert f"{people:,.0f} 人" in zh and f"{people:,.0f} people" in en
