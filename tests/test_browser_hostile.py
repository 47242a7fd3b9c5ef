"""No script from data runs in a report: headless Chromium on every page type.

District names, facility kinds and names, rule names, titles and proposed-site names all
carry an ``onerror`` payload that would set ``window.__xss`` and raise an alert. Each page is
opened, every drawn path hovered and clicked, and then: no alert is open, ``window.__xss``
is unset, no ``<img src=x>`` element exists, and the payload is shown as text where a
planner reads it (layer control, tooltip, popup). Classes 93–96 of tests/test_hostile.py.
"""

from __future__ import annotations

import time
import warnings

import geopandas as gpd
import pytest
import shapely
from test_browser_maps import count, driver, open_page  # noqa: F401  (driver is a fixture)
from test_hostile import UTM, X0, Y0, cells_layer, grid_lines

import siting.network as sn
from siting import StudyArea
from siting.assess import assess
from siting.config import rules_from_spec
from siting.report import (
    ReportOptions,
    assessment_map,
    coverage_map,
    prepare_inputs,
    save_map,
    write_reports,
)

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="window.__xss=(window.__xss||0)+1;alert(1)">'
ALERT_HOOK = "window.alert = function () { window.__xss = (window.__xss || 0) + 1; };"


def hostile_layers():
    districts = gpd.GeoDataFrame({"district": [XSS + "West", XSS + "East"]}, crs=UTM,
                                 geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000),
                                           shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)])
    facilities = gpd.GeoDataFrame(
        {"kind": ["kindergarten", XSS + "kind"], "name": [XSS + "name", XSS + "other"],
         "capacity": [90, 30]}, crs=UTM,
        geometry=[shapely.Point(X0 + 500, Y0 + 500), shapely.Point(X0 + 1500, Y0 + 500)])
    return districts, cells_layer(), facilities, {"walk": sn.from_lines(grid_lines(), "walk")}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("xss")
    districts, cells, facilities, networks = hostile_layers()
    rules = rules_from_spec([{"id": "GB50180-KG", "name": XSS + "rule"}])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        inputs = prepare_inputs(districts, cells, facilities, networks)
    write_reports(inputs, rules, out / "report", progress=False,
                  options=ReportOptions(title=XSS + "title", lang="en", tiles=None))
    area = StudyArea(districts, cells, facilities, networks)
    assessment = assess(area, rules)
    sites = gpd.GeoDataFrame({"kinds": [["kindergarten"]], "newly_covered": [120.0],
                              "name": [XSS + "site"]}, crs=UTM,
                             geometry=[shapely.Point(X0 + 1800, Y0 + 800)])
    proposal = save_map(assessment_map(assessment, area, "GB50180-KG", lang="en", tiles=None,
                                       offline=True, proposals=sites, title=XSS + "map"),
                        out / "proposal.html", offline=True)
    coverage = save_map(coverage_map(area, area.nearest("kindergarten", "walk", "300 m"),
                                     threshold=300, title=XSS + "coverage", tiles=None,
                                     offline=True), out / "coverage.html", offline=True)
    report = out / "report"
    district_pages = sorted(report.glob("districts/*/index.html"))
    maps = sorted(report.glob("districts/*/map_*.html"))
    assert len(district_pages) == 2 and len(maps) == 2
    return {"index": report / "index.html", "district": district_pages[0],
            "district map": maps[0], "proposal map": proposal, "coverage map": coverage}


def assert_nothing_ran(driver, where: str) -> None:  # noqa: F811
    from selenium.common.exceptions import NoAlertPresentException

    try:
        text = driver.switch_to.alert.text
        raise AssertionError(f"{where}: an alert opened ({text!r})")
    except NoAlertPresentException:
        pass
    assert driver.execute_script("return window.__xss === undefined"), where
    assert driver.execute_script("return document.querySelectorAll('img[src=\"x\"]').length") \
        == 0, where


def hover_and_click_everything(driver) -> None:  # noqa: F811
    driver.execute_script("""
        for (const el of document.querySelectorAll('path.leaflet-interactive')) {
            for (const type of ['mouseover', 'mousemove', 'click', 'mouseout']) {
                el.dispatchEvent(new MouseEvent(type, {bubbles: true, clientX: 10, clientY: 10}));
            }
        }""")
    time.sleep(0.3)


@pytest.mark.parametrize("kind", ["index", "district", "district map", "proposal map",
                                  "coverage map"])
def test_no_injected_script_runs(driver, pages, kind):  # noqa: F811
    page = pages[kind]
    is_map = "map" in kind
    open_page(driver, page, "path.leaflet-interactive" if is_map else "table")
    assert_nothing_ran(driver, f"{kind}: on load")
    driver.execute_script(ALERT_HOOK)  # from here on, an alert() would count, not block
    if is_map:
        hover_and_click_everything(driver)
        assert_nothing_ran(driver, f"{kind}: on hover and click")
        control = driver.find_element("css selector", ".leaflet-control-layers").text
        assert "<img src=x" in control  # the kind, as text
    else:
        for link in driver.find_elements("css selector", "a"):
            driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('mouseover', "
                                  "{bubbles: true}))", link)
        assert_nothing_ran(driver, f"{kind}: on hover")
        assert "<img src=x" in driver.find_element("css selector", "body").text


def test_payload_is_shown_as_text_in_tooltips_and_popups(driver, pages):  # noqa: F811
    open_page(driver, pages["proposal map"], "path.siting-facility")
    driver.execute_script(ALERT_HOOK)
    driver.execute_script("""
        const el = document.querySelector('path.siting-facility');
        el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
        el.dispatchEvent(new MouseEvent('click', {bubbles: true}));""")
    deadline, text = time.time() + 5, ""
    while "<img" not in text and time.time() < deadline:
        found = driver.find_elements("css selector", ".leaflet-popup-content, .leaflet-tooltip")
        text = " ".join(e.text for e in found)
        time.sleep(0.1)
    assert "<img src=x" in text
    assert_nothing_ran(driver, "popup")
