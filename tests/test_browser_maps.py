"""What a person sees: offline maps and report pages opened in headless Chromium.

Debian's chromium + chromium-driver (``scripts/install-browser.sh``), driven by selenium; no
browser is downloaded. Pages are the self-contained offline HTML with no basemap, so nothing
is fetched and any console error is a real one. Each test counts what is drawn (SVG paths
carry a class per layer) against the data, reads the legend, and saves a screenshot under
``tmp_path``.
"""

from __future__ import annotations

import time

import pytest

from siting.assess import assess
from siting.cli import DEMO_RULES
from siting.config import rules_from_spec
from siting.datasets import load_example
from siting.report import (BatchInputs, ReportOptions, assessment_map, rule_failures, save_map,
                           write_reports)

from browser import console_errors, headless_chromium, network_requests, open_page  # tests/ helper

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def driver():
    yield from headless_chromium()


@pytest.fixture(scope="module")
def town():
    area = load_example()
    return area, assess(area, rules_from_spec(DEMO_RULES))


def count(driver, css: str) -> int:
    return len(driver.find_elements("css selector", css))


def test_offline_map_draws_every_layer(driver, town, tmp_path):
    """District B2's kindergarten map with the sites siting.propose suggests for it."""
    from siting.propose import propose

    area, _ = town
    b2 = BatchInputs.from_area(area).area_for("B2")
    rules = rules_from_spec(DEMO_RULES)
    assessment = assess(b2, rules)
    sites = propose(b2, rules, assessment=assessment, time_limit=10).sites
    kg_sites = sum("kindergarten" in kinds for kinds in sites["kinds"])
    fmap = assessment_map(assessment, b2, "GB50180-KG", lang="en", tiles=None, offline=True,
                          proposals=sites)
    page = save_map(fmap, tmp_path / "kindergartens.html", offline=True)
    driver.get_log("browser")  # start clean
    open_page(driver, page, "path.siting-cell")
    driver.save_screenshot(str(tmp_path / "kindergartens.png"))

    assert driver.execute_script("return L.version") == "1.9.4"
    assert count(driver, "path.siting-cell") == len(b2.cells) > 0
    assert count(driver, "path.siting-uncovered") == len(rule_failures(assessment, "GB50180-KG"))
    assert count(driver, "path.siting-district") == 1
    assert count(driver, "path.siting-facility") == int((b2.facilities["kind"] ==
                                                        "kindergarten").sum())
    assert count(driver, "path.siting-proposal") == kg_sites > 0
    assert count(driver, "path.siting-isochrone") == 3
    assert count(driver, ".leaflet-control-scale-line") >= 1

    legend = driver.find_element("css selector", ".siting-legend").text
    for text in ("Distance to nearest facility", "≤ 100 m", "200–300 m", "> 600 m",
                 "rule threshold: 300 m", "passes", "fails", f"Proposed sites ({kg_sites})"):
        assert text in legend, text
    control = driver.find_element("css selector", ".leaflet-control-layers").text
    assert "Isochrone 300 m" in control and "Uncovered cells" in control
    assert console_errors(driver) == []
    assert network_requests(driver) == []

    # switching a layer off removes it from the page, as the planner expects
    label = next(e for e in driver.find_elements("css selector", ".leaflet-control-layers label")
                 if e.text.startswith("Population cells"))
    label.find_element("css selector", "input").click()
    assert count(driver, "path.siting-cell") == 0
    # a facility popup shows the name and kind
    driver.execute_script("document.querySelector('path.siting-facility')"
                          ".dispatchEvent(new MouseEvent('click', {bubbles: true}))")
    popup, deadline = "", time.time() + 5
    while "kindergarten" not in popup and time.time() < deadline:
        found = driver.find_elements("css selector", ".leaflet-popup-content")
        popup = found[0].text if found else ""
        time.sleep(0.1)
    assert "Name" in popup and "kindergarten" in popup


def test_chinese_map_on_time_thresholds(driver, town, tmp_path):
    area, assessment = town
    fmap = assessment_map(assessment, area, "SH21-02-sports", lang="zh", tiles=None,
                          offline=True)
    page = save_map(fmap, tmp_path / "sports.html", offline=True)
    driver.get_log("browser")
    open_page(driver, page, "path.siting-cell")
    driver.save_screenshot(str(tmp_path / "sports_zh.png"))
    legend = driver.find_element("css selector", ".siting-legend").text
    for text in ("图例", "到最近设施时间", "≤ 5 分钟", "10–15 分钟", "规则阈值: 15 分钟", "未覆盖网格",
                 "等时圈 15 分钟"):
        assert text in legend, text
    assert count(driver, "path.siting-isochrone") == 3
    assert count(driver, "path.siting-uncovered") == len(rule_failures(assessment,
                                                                       "SH21-02-sports"))
    assert count(driver, "path.siting-facility") == 2
    assert console_errors(driver) == []


def test_report_pages_open_offline(driver, town, tmp_path):
    area, _ = town
    out = tmp_path / "report"
    result = write_reports(area, rules_from_spec(DEMO_RULES), out, progress=False,
                           districts=["B2", "A2"],
                           options=ReportOptions(title="Town", lang="en", tiles=None))
    driver.get_log("browser")
    open_page(driver, out / "index.html", "table.ranking")
    driver.save_screenshot(str(tmp_path / "index.png"))
    rows = driver.find_elements("css selector", "table.ranking tbody tr")
    assert [r.get_attribute("data-district") for r in rows] == \
        result.ranking["district"].tolist() == ["B2", "A2"]
    assert count(driver, "svg.siting-chart rect.bar") == 2
    assert console_errors(driver) == []

    driver.find_element("link text", "B2").click()
    open_page(driver, out / "districts" / "B2" / "index.html", "iframe.map")
    driver.save_screenshot(str(tmp_path / "district_B2.png"))
    rules = driver.find_elements("css selector", "table.rules tbody tr")
    assert [r.get_attribute("data-rule") for r in rules] == \
        ["GB50180-KG", "GB50180-PS", "SH21-02-sports"]
    assert "幼儿园服务半径不宜大于300m" in rules[0].text
    assert count(driver, "svg.siting-chart rect.bar") == 3
    frames = driver.find_elements("css selector", "iframe.map")
    assert len(frames) == 3
    cells_b2 = int((area.cells["district"] == "B2").sum())
    driver.switch_to.frame(frames[0])
    deadline = time.time() + 15
    while count(driver, "path.siting-cell") < cells_b2 and time.time() < deadline:
        time.sleep(0.1)
    assert count(driver, "path.siting-cell") == cells_b2
    assert count(driver, "path.siting-district") == 1
    driver.switch_to.default_content()
    assert console_errors(driver) == []
    assert network_requests(driver) == []
