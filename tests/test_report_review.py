"""A raw POI export through `siting report`: kinds from names, the facility review on the index
and in the workbook, and the static PNG / PDF outputs — on Shanghai's real POIs and census."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pypdf
import pytest

from conftest import shared_path
from siting.china import load_district_boundaries
from siting.cli import main


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("review")
    districts = load_district_boundaries("shanghai")
    districts = districts[districts["name"].isin(["崇明区", "黄浦区"])]
    census = pd.read_csv(shared_path("china", "county_population_2020.csv"),
                         dtype={"CODE": str})
    districts = districts.merge(census[["CODE", "POPU"]], left_on="code", right_on="CODE")
    districts = districts.rename(columns={"POPU": "population"})[["name", "population",
                                                                   "geometry"]]
    districts.to_file(tmp / "districts.gpkg")
    hospitals = shared_path("china", "shanghai_poi", "shanghai_hospital.csv")
    (tmp / "run.yaml").write_text(f"""
title: 崇明与黄浦
inputs:
  districts: districts.gpkg
  district_col: name
  facilities: {{path: "{hospitals}", coordinate_system: wgs84, classify: true, review: true}}
modes: []
rules: [SH16-18]
assess: {{straight_line: true}}
outputs: {{dir: out, lang: zh, tiles: null, static: true, isochrones: null, maps: [SH16-18]}}
""", encoding="utf-8")
    code = main(["report", str(tmp / "run.yaml"), "--quiet"])
    return code, tmp / "out"


def test_the_review_is_listed_where_the_planner_reads(report):
    code, out = report
    assert code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    # the animal rescue station that was one of 崇明's six "EMS stations", with its reason
    assert "明珠湖公园-动物救护站" in index and "动物救护站，不是院前急救站点" in index
    assert "设施核查" in index and "facility_review.csv" in index
    review = pd.read_csv(out / "facility_review.csv")
    animal = review[review["name"] == "明珠湖公园-动物救护站"].iloc[0]
    assert animal["review"] == "excluded" and bool(animal["dropped"])
    book = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)
    assert "设施核查" in book.sheetnames       # the zh report's sheet (sheets.SHEETS)
    sheet_names = [row[0] for row in book["设施核查"].iter_rows(min_row=2,
                                                                       values_only=True)]
    assert len(sheet_names) == len(review)
    # 崇明 is counted with its five 120 stations, not six
    summary = pd.read_csv(out / "summary.csv")
    chongming = summary[(summary["district"] == "崇明区") & (summary["rule_id"] == "SH16-18")]
    assert int(chongming["provided"].iloc[0]) == 5


def test_static_outputs_for_a_written_report(report):
    _, out = report
    run = pypdf.PdfReader(out / "report.pdf")
    assert len(run.pages) >= 1 and "崇明区" in run.pages[0].extract_text()
    folders = pd.read_csv(out / "folders.csv")
    for folder in folders["folder"]:
        pdf = pypdf.PdfReader(out / folder / "report.pdf")
        assert len(pdf.pages) == 2                   # verdict table + the SH16-18 map
        assert "SH16-18" in pdf.pages[1].extract_text()
        png = (out / folder / "map_SH16-18.png").read_bytes()
        assert png[:4] == b"\x89PNG"
        page = (out / folder / "index.html").read_text(encoding="utf-8")
        assert 'href="map_SH16-18.png"' in page


def test_a_report_on_nobody_says_so(tmp_path):
    import warnings

    import siting
    from siting.datasets import load_example
    from siting.report import ReportOptions, write_reports

    town = load_example()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the warning is the point: checked below
        empty = siting.StudyArea(town.districts, town.cells.assign(population=0.0),
                                 town.facilities, town.networks)
    result = write_reports(empty, siting.load_rules("GB50180-KG"), tmp_path, progress=False,
                           options=ReportOptions(lang="zh", tiles=None, maps=None,
                                                 isochrones=None))
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "本次评估的区域内没有常住人口" in index
    folder = pd.read_csv(tmp_path / "folders.csv")["folder"].iloc[0]
    page = (tmp_path / folder / "index.html").read_text(encoding="utf-8")
    assert "⚠" in page and len(result.outcomes) == len(town.districts)
