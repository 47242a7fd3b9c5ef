"""Screenshots in headless Chromium of every page type, in Chinese and in English.

The index, a district page and each map type (distance and time thresholds with proposed
sites, a straight-line reading, the quick-look coverage map, an accessibility-score map)
are opened in both languages, offline and without tiles, and checked for

* untranslated text: everything a reader sees — the page, the title and legend boxes, the
  layer control, and every tooltip and popup of every layer (rendered by calling the
  layers' own tooltip/popup functions, so nothing needs hovering) — through
  tests/lang_check.py;
* overlapping boxes: the title, the legend and the layer control, compared with
  ``getBoundingClientRect``, both in a full window and inside the district page's iframe;
* console errors and network requests: none.

Screenshots are saved under ``tmp_path`` (``--basetemp`` keeps them for a look).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

import siting
import siting.network as sn
from siting import scores as sc
from siting.cli import DEMO_RULES
from siting.config import rules_from_spec
from siting.datasets import load_example
from siting.report import (
    ReportOptions,
    assessment_map,
    coverage_map,
    save_map,
    write_reports,
)
from siting.report.batch import proposals_by_propose
from siting.report.score_maps import score_map

sys.path.insert(0, str(Path(__file__).parent))
from browser import console_errors, headless_chromium, network_requests, open_page
from lang_check import html_text, offending_lines

pytestmark = pytest.mark.browser

TITLES = {"zh": "示例城镇", "en": "Example town"}
BOXES = (".siting-title", ".siting-legend", ".leaflet-control-layers")

# every tooltip and popup of every layer, from the layers' own content functions
COLLECT_JS = """
const out = [];
const seen = new Set();
function content(bound, layer) {
  if (!bound) return null;
  const c = bound._content;
  try { return typeof c === 'function' ? c(layer) : c; } catch (e) { return 'ERROR ' + e; }
}
function text(c) {
  if (c == null) return;
  if (typeof c === 'string') out.push(c);
  else if (c.outerHTML) out.push(c.outerHTML);
  else if (c.textContent) out.push(c.textContent);
}
for (const key of Object.keys(window)) {
  const g = window[key];
  if (!(g instanceof L.Layer) || seen.has(g)) continue;
  seen.add(g);
  const t = g.getTooltip ? g.getTooltip() : null, p = g.getPopup ? g.getPopup() : null;
  const subs = g.eachLayer ? [] : [g];
  if (g.eachLayer) g.eachLayer(l => { if (subs.length < 300) subs.push(l); });
  for (const l of subs) {
    text(content(t, l)); text(content(p, l));
    if (l !== g && l.getTooltip) {
      text(content(l.getTooltip(), l)); text(content(l.getPopup(), l));
    }
  }
}
return out;
"""


@pytest.fixture(scope="module")
def driver():
    yield from headless_chromium("--lang=zh-CN")


def boxes(driver) -> dict[str, dict]:
    """Bounding boxes of the title, legend and layer control that are shown."""
    found = {}
    for css in BOXES:
        rect = driver.execute_script(
            "const e = document.querySelector(arguments[0]); if (!e) return null;"
            "const r = e.getBoundingClientRect(); return r.width && r.height ? "
            "{left: r.left, top: r.top, right: r.right, bottom: r.bottom} : null;", css)
        if rect:
            found[css] = rect
    return found


def overlaps(rects: dict[str, dict]) -> list[tuple[str, str]]:
    names = list(rects)
    out = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            p, q = rects[a], rects[b]
            if p["left"] < q["right"] and q["left"] < p["right"] and \
                    p["top"] < q["bottom"] and q["top"] < p["bottom"]:
                out.append((a, b))
    return out


def map_text(driver) -> str:
    from bs4 import BeautifulSoup

    shown = driver.execute_script("return document.body.innerText")
    pieces = driver.execute_script(COLLECT_JS)
    assert not [p for p in pieces if str(p).startswith("ERROR")], pieces[:3]
    return "\n".join([shown] + [BeautifulSoup(str(p), "html.parser").get_text("\n")
                                for p in pieces])


def check_map(driver, page: Path, lang: str, data, shot: Path, titled: bool = True) -> str:
    driver.get_log("browser")
    open_page(driver, page, ".siting-legend")
    driver.save_screenshot(str(shot))
    text = map_text(driver)
    bad = offending_lines(text, lang, data)
    assert not bad, f"{page.name} ({lang}): untranslated\n" + "\n".join(bad[:20])
    rects = boxes(driver)
    assert ".siting-legend" in rects and (".siting-title" in rects or not titled), rects
    assert overlaps(rects) == [], (page.name, rects)
    assert console_errors(driver) == []
    assert network_requests(driver) == []
    return text


# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def town():
    return load_example()


def names_of(area) -> list[str]:
    names = set(area.districts["district"].astype(str)) | set(TITLES.values())
    if "name" in area.facilities:
        names |= set(area.facilities["name"].dropna().astype(str))
    for network in area.networks.values():  # street names: a proposed site's nearest street
        if network.street_name is not None:
            names |= {n for n in network.street_name if n is not None}
    return sorted(names)


@pytest.fixture(scope="module", params=["zh", "en"])
def pages(request, town, tmp_path_factory):
    """One language's report for district B2 plus the other map types."""
    lang = request.param
    out = tmp_path_factory.mktemp(f"browser-{lang}")
    write_reports(town, rules_from_spec(DEMO_RULES), out / "report", progress=False,
                  districts=["B2"],
                  options=ReportOptions(title=TITLES[lang], lang=lang, tiles=None,
                                        proposals=proposals_by_propose(time_limit=5)))
    # straight lines: the town without its walk network
    no_walk = siting.StudyArea(town.districts, town.cells[["population", "geometry"]],
                               town.facilities[["kind", "name", "geometry"]],
                               {"drive": town.networks["drive"]})
    result = siting.assess(no_walk, siting.load_rules("GB50180-KG"), straight_line=True)
    straight = save_map(assessment_map(result, no_walk, "GB50180-KG", lang=lang, tiles=None,
                                       offline=True), out / "straight.html", offline=True)
    quick = save_map(coverage_map(town, town.nearest("kindergarten", "walk", "600 m"),
                                  threshold=300.0, tiles=None, lang=lang, offline=True),
                     out / "coverage.html", offline=True)
    return lang, out, straight, quick


@pytest.fixture(scope="module")
def scored():
    """A street with two clinics: the accessibility-score map's inputs."""
    crs = "EPSG:32651"
    xs = np.arange(12) * 150.0
    cells = gpd.GeoDataFrame({"population": np.linspace(100, 1200, 12)},
                             geometry=[shapely.Point(x, 0).buffer(60) for x in xs], crs=crs)
    facilities = gpd.GeoDataFrame({"kind": "clinic", "beds": [10.0, 30.0], "name": ["甲", "乙"]},
                                  geometry=gpd.points_from_xy([0.0, 900.0], [0.0, 0.0]), crs=crs)
    road = gpd.GeoDataFrame(geometry=[shapely.LineString([(-200, 0), (2_000, 0)])], crs=crs)
    districts = gpd.GeoDataFrame({"district": ["东区", "西区"]},
                                 geometry=[shapely.box(-300, -300, 800, 300),
                                           shapely.box(800, -300, 2_100, 300)], crs=crs)
    area = siting.StudyArea(districts, cells, facilities,
                            {"walk": sn.from_lines(road, mode="walk")})
    return area, sc.accessibility(area, "clinic", method="g2sfca", cutoff="8 min", supply="beds")


def test_index_page(driver, pages, town):
    lang, out, _, _ = pages
    driver.get_log("browser")
    open_page(driver, out / "report" / "index.html", "table.ranking")
    driver.save_screenshot(str(out / f"index_{lang}.png"))
    text = driver.execute_script("return document.body.innerText")
    bad = offending_lines(text, lang, names_of(town))
    assert not bad, "\n".join(bad)
    assert driver.execute_script("return document.documentElement.lang") == \
        ("zh-CN" if lang == "zh" else "en")
    assert console_errors(driver) == [] and network_requests(driver) == []


def test_district_page_and_its_maps_in_place(driver, pages, town):
    lang, out, _, _ = pages
    page = out / "report" / "districts" / "B2" / "index.html"
    driver.get_log("browser")
    open_page(driver, page, "iframe.map")
    driver.save_screenshot(str(out / f"district_{lang}.png"))
    text = driver.execute_script("return document.body.innerText")
    bad = offending_lines(text, lang, names_of(town))
    assert not bad, "\n".join(bad)
    # the static check of the same page sees the same (collapsed caveats included)
    assert not offending_lines(html_text(page.read_text(encoding="utf-8")), lang,
                               names_of(town))
    frames = driver.find_elements("css selector", "iframe.map")
    assert len(frames) == 3
    for i, frame in enumerate(frames):
        driver.switch_to.frame(frame)
        deadline = time.time() + 20
        while not driver.find_elements("css selector", ".siting-legend") and \
                time.time() < deadline:
            time.sleep(0.1)
        rects = boxes(driver)
        assert ".siting-title" in rects and ".siting-legend" in rects, rects
        assert overlaps(rects) == [], (i, rects)       # the map is 620 px tall in the page
        driver.switch_to.default_content()
    assert console_errors(driver) == [] and network_requests(driver) == []


@pytest.mark.parametrize("rule_id", ["GB50180-KG", "SH21-02-sports"])
def test_rule_maps(driver, pages, town, rule_id):
    lang, out, _, _ = pages
    page = out / "report" / "districts" / "B2" / f"map_{rule_id}.html"
    text = check_map(driver, page, lang, names_of(town), out / f"{rule_id}_{lang}.png")
    if lang == "zh":
        assert "图例" in text and ("分钟" in text or "米" in text) and "拟新建设施" in text
    else:
        assert "Legend" in text and "Proposed sites" in text


def test_straight_line_map_says_so(driver, pages, town):
    lang, out, straight, _ = pages
    text = check_map(driver, straight, lang, names_of(town), out / f"straight_{lang}.png")
    assert ("直线" in text) if lang == "zh" else ("straight line" in text.lower()
                                                  or "straight-line" in text.lower())
    assert "network walking distance" not in text and "路网步行距离" not in text


def test_coverage_map(driver, pages, town):
    lang, out, _, quick = pages
    check_map(driver, quick, lang, names_of(town), out / f"coverage_{lang}.png", titled=False)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_score_map(driver, scored, lang, tmp_path):
    area, scores = scored
    page = save_map(score_map(scores, area, reference="1 per 200 people", lang=lang, tiles=None,
                              offline=True), tmp_path / "scores.html", offline=True)
    check_map(driver, page, lang, ["甲", "乙", "东区", "西区"], tmp_path / f"scores_{lang}.png",
              titled=False)
