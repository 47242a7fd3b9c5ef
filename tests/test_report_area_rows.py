"""The study-area (全市) row of a batch on a planted case.

Two 10 km × 10 km districts; SH16-18 "全市 … 急救站点平均服务半径≤3.5公里" is stated for the whole
city (``check_at: area``) and decided by the area-equivalent radius √(A / (π N)) (the
catalogue's ``decisive: area_equivalent``). Planted: district A holds 5 stations, B one.

- A alone: √(100 km² / 5π) = 2,523 m, B alone: √(100 km² / π) = 5,642 m (B would fail alone);
- the whole city: √(200 km² / 6π) = 3,257 m ≤ 3,500 m: the city passes.

So summary.csv carries a "(study area)" row that passes at 3,257 m, the district rows are
diagnostics (no verdict), and neither district counts the rule as failed in the ranking.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from siting import StudyArea
from siting.assess import assess
from siting.config import rules_from_spec
from siting.report import ReportOptions, write_reports

CRS = "EPSG:32651"
X0, Y0 = 350_000.0, 3_450_000.0


def planted():
    districts = gpd.GeoDataFrame(
        {"name": ["A", "B"]},
        geometry=[shapely.box(X0, Y0, X0 + 10_000, Y0 + 10_000),
                  shapely.box(X0 + 10_000, Y0, X0 + 20_000, Y0 + 10_000)], crs=CRS)
    xs = np.arange(500, 20_000, 1000.0)
    ys = np.arange(500, 10_000, 1000.0)
    gx, gy = np.meshgrid(xs, ys)
    cells = gpd.GeoDataFrame(
        {"population": np.full(gx.size, 1000.0)},
        geometry=[shapely.box(X0 + x - 500, Y0 + y - 500, X0 + x + 500, Y0 + y + 500)
                  for x, y in zip(gx.ravel(), gy.ravel())], crs=CRS)
    stations = [(2000, 2000), (8000, 2000), (5000, 5000), (2000, 8000), (8000, 8000),
                (15000, 5000)]
    facilities = gpd.GeoDataFrame(
        {"kind": "emergency_station", "name": [f"站{i}" for i in range(6)]},
        geometry=[shapely.Point(X0 + x, Y0 + y) for x, y in stations], crs=CRS)
    return districts, cells, facilities


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    districts, cells, facilities = planted()
    rules = rules_from_spec(["SH16-18"])
    area = StudyArea(districts, cells, facilities, district_col="name", crs=CRS)
    out = tmp_path_factory.mktemp("area_rows")
    result = write_reports(area, rules, out, progress=False,
                           options=ReportOptions(lang="zh", tiles=None, maps=None))
    return result, area, rules


def test_summary_has_the_study_area_row_from_the_plan(report):
    result, _, _ = report
    summary = pd.read_csv(result.out / "summary.csv")
    row = summary[summary["district"] == "(study area)"]
    assert len(row) == 1
    row = row.iloc[0]
    assert row["rule_id"] == "SH16-18" and row["level"] == "area"
    assert row["reading"] == pytest.approx(math.sqrt(200e6 / (6 * math.pi)), rel=1e-9)  # 3,257 m
    assert row["required"] == pytest.approx(3500.0)
    assert str(row["passed"]) == "True"
    districts = summary[summary["district"].isin(["A", "B"])].set_index("district")
    assert districts.loc["A", "reading"] == pytest.approx(math.sqrt(100e6 / (5 * math.pi)))
    assert districts.loc["B", "reading"] == pytest.approx(math.sqrt(100e6 / math.pi))
    assert districts["level"].tolist() == ["diagnostic", "diagnostic"]
    assert districts["passed"].isna().all()                 # a district cannot fail it alone


def test_area_row_equals_assess_on_the_whole_area(report):
    result, area, rules = report
    want = assess(area, rules).table
    want = want[want["level"] == "area"].iloc[0]
    got = result.summary[result.summary["level"] == "area"].iloc[0]
    for column in ("reading", "required", "shortfall", "attainment", "population"):
        assert float(got[column]) == pytest.approx(float(want[column]), rel=1e-12), column
    assert bool(got["passed"]) == bool(want["passed"])


def test_district_ranking_does_not_count_the_city_wide_rule(report):
    result, _, _ = report
    ranking = result.ranking.set_index("district")
    assert ranking.loc["B", "rules_failed"] == 0      # B alone reads 5,642 m: a diagnostic
    assert ranking.loc["A", "rules_failed"] == 0


def test_index_and_workbook_show_the_city_figure(report):
    import openpyxl

    result, _, _ = report
    index = (result.out / "index.html").read_text(encoding="utf-8")
    assert "全市" in index and "3,257 m" in index
    assert 'data-level="area"' in index
    book = openpyxl.load_workbook(result.out / "summary.xlsx", read_only=True)
    sheet = next(s for s in book.worksheets if "SH16-18" in s.title)
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert any("全市" in [str(v) for v in row] for row in values[1:])
    city = [list(r) for r in book["全市"].iter_rows(values_only=True)]
    assert len(city) == 2 and city[1][:2] == ["全市", "SH16-18"]
    header = city[0]
    assert city[1][header.index("现状值")] == pytest.approx(math.sqrt(200e6 / (6 * math.pi)))


def test_a_city_that_fails_fails_at_the_area_row(tmp_path):
    districts, cells, facilities = planted()
    facilities = facilities.iloc[[0, 5]]  # 2 stations: √(200 km² / 2π) = 5,642 m > 3.5 km
    area = StudyArea(districts, cells, facilities, district_col="name", crs=CRS)
    result = write_reports(area, rules_from_spec(["SH16-18"]), tmp_path, progress=False,
                           options=ReportOptions(lang="en", tiles=None, maps=None))
    row = result.summary[result.summary["level"] == "area"].iloc[0]
    assert row["reading"] == pytest.approx(math.sqrt(200e6 / (2 * math.pi)))
    assert row["passed"] is False or bool(row["passed"]) is False
    assert (result.ranking["rules_failed"] == 0).all()
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Whole study area" in index and "5,642 m" in index


# ---------------------------------------------------------------------------------------------
# proposed sites: where, for which rule, how many people
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def proposed(tmp_path_factory):
    from siting.report import proposals_by_propose

    districts, cells, facilities = planted()
    facilities = facilities.iloc[[0, 5]]   # B: one station, A: one station
    area = StudyArea(districts, cells, facilities, district_col="name", crs=CRS)
    out = tmp_path_factory.mktemp("proposed")
    result = write_reports(area, rules_from_spec(["SH16-18"]), out, progress=False,
                           options=ReportOptions(lang="zh", tiles="Amap", maps=None,
                                                 proposals=proposals_by_propose(seed=0)))
    return result, area


def brute_force_radius_gains(sites: pd.DataFrame, cells, existing, radius: float) -> list[float]:
    """People first within ``radius`` (straight line) of each site in order: all pairs."""
    points = cells.geometry.representative_point()
    cx, cy = points.x.to_numpy(), points.y.to_numpy()
    pop = cells["population"].to_numpy()
    covered = np.zeros(len(cx), bool)
    for p in existing.geometry:
        covered |= np.hypot(cx - p.x, cy - p.y) <= radius
    gains = []
    for p in sites.geometry:
        new = (np.hypot(cx - p.x, cy - p.y) <= radius) & ~covered
        gains.append(float(pop[new].sum()))
        covered |= new
    return gains


def test_proposed_sites_files_have_coordinates_and_people_per_rule(proposed):
    from siting.china import wgs84_to_gcj02

    result, area = proposed
    for name in ("A", "B"):
        folder = result.out / "districts" / name
        table = pd.read_csv(folder / "proposed_sites.csv")
        for column in ("site", "count", "district", "kinds", "rules", "lon", "lat",
                       "map_system", "map_lon", "map_lat", "address", "covered:SH16-18"):
            assert column in table.columns, column
        # the district alone: √(100 km² / π · 1) = 5,642 m; it needs ⌈100 km² / π 3.5²⌉ − 1 = 2
        assert len(table) == math.ceil(100e6 / (math.pi * 3500 ** 2)) - 1 == 2
        assert table["site"].tolist() == [1, 2] and (table["rules"] == "SH16-18").all()
        assert (table["map_system"] == "GCJ-02").all()
        gpkg = gpd.read_file(folder / "gaps.gpkg", layer="proposed_sites").to_crs(CRS)
        wgs = gpkg.to_crs(4326)
        np.testing.assert_allclose(table["lon"], wgs.geometry.x, atol=2e-6)
        np.testing.assert_allclose(table["lat"], wgs.geometry.y, atol=2e-6)
        gx, gy = wgs84_to_gcj02(table["lon"].to_numpy(), table["lat"].to_numpy())
        np.testing.assert_allclose(table["map_lon"], gx, atol=2e-6)
        assert (np.abs(table["map_lon"] - table["lon"]) > 1e-3).all()   # Amap's shift is real
        # people newly within 3.5 km, by brute force over all pairs
        mine = area.cells[area.cells["district"] == name]
        want = brute_force_radius_gains(gpkg, mine, area.facilities, 3500.0)
        np.testing.assert_allclose(table["covered:SH16-18"], want, rtol=1e-9)
        assert sum(want) > 0
        # no access rule: no "0 people" total
        assert table["newly_covered"].isna().all()
        import openpyxl

        sheet = openpyxl.load_workbook(folder / "proposed_sites.xlsx").worksheets[0]
        header = [c.value for c in sheet[1]]
        assert "经度（WGS-84）" in header and "新增覆盖人口 · SH16-18" in header
        page = (folder / "index.html").read_text(encoding="utf-8")
        assert f"{table['lon'].iloc[0]:.6f}, {table['lat'].iloc[0]:.6f}" in page
        assert f"{table['map_lon'].iloc[0]:.6f}" in page
        assert f"{want[0]:,.0f}" in page


def test_identical_rows_are_merged_with_a_count():
    from siting.report.proposal_table import merged_rows, site_table

    pts = [shapely.Point(X0 + 100, Y0 + 100)] * 3 + [shapely.Point(X0 + 900, Y0 + 100)]
    sites = gpd.GeoDataFrame({"kinds": [["kindergarten"]] * 4, "newly_covered": [0.0] * 4,
                              "rules": [["R"]] * 4, "district": "A", "address": "",
                              "newly_covered_by_rule": [{"R": 5.0}] * 4},
                             geometry=pts, crs=CRS)
    merged = merged_rows(site_table(sites))
    assert merged["count"].tolist() == [3, 1] and merged["site"].tolist() == [1, 4]
    assert merged["covered:R"].tolist() == [5.0, 5.0]


def test_batch_scope_note_keeps_only_districts_outside_the_batch():
    from siting.report.batch import batch_scope_note

    note = "scope districts not in the study area: 徐汇区, 长宁区/长宁, 外区; other"
    assert batch_scope_note(note, ["徐汇区", "长宁"]) == \
        "scope districts not in the study area: 外区; other"
    assert batch_scope_note("scope districts not in the study area: 徐汇区", ["徐汇区"]) is None


def test_run_pdf_carries_the_study_area_row(tmp_path):
    import pypdf

    districts, cells, facilities = planted()
    area = StudyArea(districts, cells, facilities, district_col="name", crs=CRS)
    result = write_reports(area, rules_from_spec(["SH16-18"]), tmp_path, progress=False,
                           options=ReportOptions(lang="zh", tiles=None, maps=None, static=True))
    pdf = pypdf.PdfReader(tmp_path / "report.pdf")
    assert len(pdf.pages) == 1                         # 3 rows: A, B and the city
    text = pdf.pages[0].extract_text()
    assert "全市" in text and "3,257 m" in text and "≤ 3,500 m" in text
    assert "nan" not in text.lower()
    assert len(result.summary) == 3


def test_chinese_png_text_has_every_glyph(tmp_path):
    """The setup step's CJK font is found by matplotlib: no glyph of a zh map is missing."""
    import warnings

    import matplotlib.image as mpimg

    from siting.report.static import CJK_FONTS, _font_family, save_png, static_map

    family = _font_family("zh")
    if family[0] not in CJK_FONTS:
        pytest.skip("no CJK font installed (make demo / scripts/install-fonts.sh installs one)")
    districts, cells, facilities = planted()
    area = StudyArea(districts, cells, facilities, district_col="name", crs=CRS)
    result = assess(area, rules_from_spec(["SH16-18"]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = static_map(result, area, "SH16-18", lang="zh")
        out = save_png(fig, tmp_path / "sh16_18.png", dpi=60)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []
    assert mpimg.imread(out).shape[0] > 200


def test_average_radius_map_shows_the_reading_not_rings():
    """SH16-18 is an average (平均) radius: no 3.5 km rings, the legend gives the readings."""
    import json

    from siting.propose import propose
    from siting.report.maps import assessment_map
    from siting.report.proposal_table import site_table

    districts, cells, facilities = planted()
    area = StudyArea(districts, cells, facilities.iloc[[0, 5]], district_col="name", crs=CRS)
    rules = rules_from_spec(["SH16-18"])
    result = assess(area, rules)
    sites = site_table(propose(area, rules, assessment=result, infeasible="relax").sites,
                       area, rules)
    fmap = assessment_map(result, area, "SH16-18", lang="zh", tiles=None, proposals=sites)
    html = fmap.get_root().render()
    assert fmap._siting_counts["isochrones"] == 0
    assert "服务半径（直线）" not in html and "规则阈值" not in html

    def shown(text: str) -> bool:
        return text in html or json.dumps(text)[1:-1] in html

    # B alone √(100 km²/π) = 5,642 m; the city √(200 km²/2π) = 5,642 m too; required ≤ 3,500 m
    assert shown("B 平均服务半径: 5,642 m") and shown("全市 平均服务半径: 5,642 m")
    assert shown("为平均值，不是最大服务距离")
    # the proposals layer names the people newly within the radius, not "+0 人"
    total = float(sites["covered:SH16-18"].sum())
    assert total > 0 and shown(f"SH16-18 +{total:,.0f} 人")


def test_batch_pages_carry_no_scope_note_for_the_batch_own_districts(tmp_path):
    districts, cells, facilities = planted()
    facilities = pd.concat([facilities, facilities.assign(kind="kindergarten")],
                           ignore_index=True)
    area = StudyArea(districts, cells, facilities, district_col="name", crs=CRS)
    rules = rules_from_spec([{"id": "GB50180-KG", "scope": {"districts": ["A", "B", "外区"]}}])
    alone = assess(StudyArea(districts.iloc[[0]], cells, facilities, district_col="name",
                             crs=CRS, clip=False), rules, straight_line=True).table
    assert "scope districts not in the study area: B, 外区" in alone["note"].iloc[0]
    result = write_reports(area, rules, tmp_path, progress=False, options=ReportOptions(
        lang="en", tiles=None, maps=None, straight_line=True))
    notes = result.summary.loc[result.summary["district"] == "A", "note"].iloc[0]
    assert "scope districts not in the study area: 外区" in notes and ", B" not in notes
    page = (tmp_path / "districts" / "A" / "index.html").read_text(encoding="utf-8")
    assert "not in the study area: 外区" in page and "not in the study area: B" not in page


def test_attainment_chart_draws_reading_over_requirement(report):
    """"达标程度（现状 ÷ 标准）": for a "≤" rule the bar is reading ÷ requirement, 5,642 ÷ 3,500
    = 161 %, passing left of 100 % — not requirement ÷ reading (62 %)."""
    result, _, _ = report
    page = (result.out / "districts" / "B" / "index.html").read_text(encoding="utf-8")
    chart = page[page.index("<svg"):page.index("</svg>")]
    assert "161 % (≤ 100 %)" in chart and "62 %" not in chart
    import re

    text = re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", page, flags=re.S))
    assert re.search(r"\bnan\b", text, re.IGNORECASE) is None


def test_a_broken_district_leaves_the_city_row_undecided(tmp_path):
    """One district's broken data must not let the city be decided on the others."""
    from siting.report import prepare_inputs

    districts, cells, facilities = planted()
    cells = cells.copy()
    cells.loc[cells.index[-1], "population"] = -5.0          # in district B
    inputs = prepare_inputs(districts, cells, facilities, district_col="name", crs=CRS)
    result = write_reports(inputs, rules_from_spec(["SH16-18"]), tmp_path, progress=False,
                           options=ReportOptions(lang="en", tiles=None, maps=None))
    assert [o.status for o in result.outcomes] == ["ok", "error"]
    row = result.summary[result.summary["district"] == "(study area)"].iloc[0]
    assert pd.isna(row["passed"]) and pd.isna(row["reading"])
    assert row["note"].startswith("not evaluated: the whole study area could not be built")
