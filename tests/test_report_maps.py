"""Maps of an assessment: every layer drawn from the data, labels, basemaps, offline pages.

The layers are checked against the data (one feature per cell, per uncovered cell, per
facility), the colours against distances computed here with ``area.nearest``, and the GCJ-02
shift against :func:`siting.china.wgs84_to_gcj02`. What a browser shows is checked in
``test_browser_maps.py``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

from siting import StudyArea
from siting.assess import assess
from siting.china import wgs84_to_gcj02
from siting.cli import DEMO_RULES
from siting.config import rules_from_spec
from siting.datasets import load_example
from siting.errors import SitingError
from siting.report import (LABELS, assessment_map, bar_chart_svg, coverage_map, external_assets,
                           make_offline, rule_failures, save_map)
from siting.report.maps import CLASS_COLOURS, nice, travel_classes
from siting.rules import AccessRule


@pytest.fixture(scope="module")
def town():
    area = load_example()
    rules = rules_from_spec(DEMO_RULES)
    return area, assess(area, rules)


def layers(fmap: folium.Map) -> dict[str, folium.GeoJson]:
    """GeoJson layers of a map by name."""
    return {child.layer_name: child for child in fmap._children.values()
            if isinstance(child, folium.GeoJson)}


def features(layer: folium.GeoJson) -> list[dict]:
    return layer.data["features"]


def test_layers_hold_the_data(town):
    area, assessment = town
    fmap = assessment_map(assessment, area, "GB50180-KG", lang="en", tiles=None)
    by_name = layers(fmap)
    cells = by_name["Population cells (distance to nearest facility)"]
    assert len(features(cells)) == len(area.cells)
    uncovered = rule_failures(assessment, "GB50180-KG")
    name = next(n for n in by_name if n.startswith("Uncovered cells"))
    assert len(features(by_name[name])) == len(uncovered)
    assert f"{uncovered['population'].sum():,.0f} people" in name
    districts = by_name["Districts"]
    assert len(features(districts)) == len(area.districts)
    verdict = assessment.table[assessment.table["rule_id"] == "GB50180-KG"].set_index(
        "district")["passed"]
    for f in features(districts):
        colour = f["properties"]["style"]["color"]
        assert colour == ("#1a9850" if verdict[f["properties"]["district"]] else "#d73027")
    kinder = [n for n in by_name if n.startswith("Facilities: kindergarten")]
    assert len(kinder) == 1 and len(features(by_name[kinder[0]])) == 1
    assert by_name[kinder[0]].show is True
    others = [n for n in by_name if n.startswith("Facilities:") and n not in kinder]
    assert others and not any(by_name[n].show for n in others)   # listed, switched off
    iso = sorted(n for n in by_name if n.startswith("Isochrone"))
    assert iso == ["Isochrone 100 m", "Isochrone 200 m", "Isochrone 300 m"]
    # no tiles: the town's own drive streets within the rule's reach (300 m) of the
    # districts are the base layer
    west, south, east, north = area.districts.total_bounds
    drive = area.networks["drive"]
    near = shapely.box(west - 300, south - 300, east + 300, north + 300)
    n_streets = int(shapely.intersects(drive.street_geometry, near).sum())
    streets = by_name["Streets (by road class)"]
    assert len(features(streets)) == n_streets > 100
    weights = {f["properties"]["style"]["weight"] for f in features(streets)}
    assert len(weights) >= 2  # more than one road class drawn
    assert fmap._siting_counts == {"districts": 9, "cells": len(area.cells),
                                   "uncovered": len(uncovered), "facilities": 1,
                                   "isochrones": 3, "proposals": 0, "streets": n_streets}
    with_tiles = assessment_map(assessment, area, "GB50180-KG", lang="en")
    assert "Streets (by road class)" not in layers(with_tiles)
    assert with_tiles._siting_counts["streets"] == 0


def test_cell_colours_follow_the_distance_to_the_nearest_facility(town):
    area, assessment = town
    fmap = assessment_map(assessment, area, "GB50180-KG", lang="en", tiles=None)
    cells = layers(fmap)["Population cells (distance to nearest facility)"]
    got = [f["properties"]["style"]["fillColor"] for f in features(cells)]
    distance = area.nearest("kindergarten", "walk")["distance_m"].to_numpy()
    # classes: ≤100, 100–200, 200–300 (the rule), 300–400, 400–600, >600 m
    edges = np.array([100, 200, 300, 400, 600])
    want = np.array(CLASS_COLOURS)[np.searchsorted(edges, distance, side="left")]
    assert got == want.tolist()


def test_travel_classes_edges():
    cost = np.array([0.0, 5.0, 5.01, 15.0, 15.1, 30.0, 31.0, np.inf, np.inf])
    status = np.array(["reached"] * 7 + ["beyond_cutoff", "unsnapped"])
    codes, breaks = travel_classes(cost, status, 15.0)
    assert breaks == [5.0, 10.0, 15.0, 20.0, 30.0]
    assert codes.tolist() == [0, 0, 1, 2, 3, 4, 5, 5, 6]
    assert nice(166.666) == 170 and nice(1333.3) == 1300 and nice(0.0) == 0.0
    _, breaks = travel_classes(np.array([1.0]), np.array(["reached"]), 500.0)
    assert breaks[2] == 500.0   # the rule's threshold is never rounded away


def test_labels_follow_the_language(town):
    area, assessment = town
    assert set(LABELS["zh"]) == set(LABELS["en"])
    zh = assessment_map(assessment, area, "SH21-02-sports", lang="zh", tiles=None)
    en = assessment_map(assessment, area, "SH21-02-sports", lang="en", tiles=None)
    zh_names, en_names = set(layers(zh)), set(layers(en))
    assert "人口网格（按到最近设施的步行/车行时间）" in zh_names
    assert "Population cells (time to nearest facility)" in en_names
    assert {"等时圈 5 分钟", "等时圈 10 分钟", "等时圈 15 分钟"} <= zh_names
    zh_html = zh.get_root().render()
    for text in ("图例", "未覆盖网格", "规则阈值: 15 分钟", "达标", "未达标"):
        assert json.dumps(text)[1:-1] in zh_html, text
    assert "Uncovered cells" in en.get_root().render()
    with pytest.raises(SitingError, match="lang"):
        assessment_map(assessment, area, "GB50180-KG", lang="fr")


def test_rule_choice_and_errors(town):
    area, assessment = town
    default = assessment_map(assessment, area, tiles=None, isochrones=None)
    assert "GB50180-KG" in default.get_root().render()            # first rule with a threshold
    with pytest.raises(SitingError, match="no such rule"):
        assessment_map(assessment, area, "SH16-18")
    with pytest.raises(SitingError, match="none of these districts"):
        assessment_map(assessment, area, "GB50180-KG", districts=["Z9"])
    one = assessment_map(assessment, area, "GB50180-KG", districts=["B2"], tiles=None,
                         isochrones=["100 m"])
    assert one._siting_counts["districts"] == 1
    assert one._siting_counts["cells"] == int((area.cells["district"] == "B2").sum())
    assert one._siting_counts["isochrones"] == 1
    with pytest.raises(SitingError, match="isochrones"):
        assessment_map(assessment, area, "GB50180-KG", isochrones=["5 min"])


def test_proposals_are_drawn(town):
    """Sites from siting.propose for one district: the kindergarten ones on its map."""
    from siting.propose import propose
    from siting.report import BatchInputs

    area, _ = town
    b2 = BatchInputs.from_area(area).area_for("B2")
    rules = rules_from_spec(DEMO_RULES)
    before = assess(b2, rules)
    proposal = propose(b2, rules, assessment=before, time_limit=10)
    sites = proposal.sites
    kg = sites[["kindergarten" in kinds for kinds in sites["kinds"]]]
    assert 0 < len(kg) <= len(sites)
    fmap = assessment_map(before, b2, "GB50180-KG", tiles=None, proposals=proposal, lang="en")
    name = next(n for n in layers(fmap) if n.startswith("Proposed sites"))
    assert name == f"Proposed sites ({len(kg)}, +{kg['newly_covered'].sum():,.0f} people)"
    assert len(features(layers(fmap)[name])) == len(kg)
    after = proposal.after.table
    assert after.set_index(["district", "rule_id"]).loc[("B2", "GB50180-KG"), "passed"]
    # a plain table of points with a kind column works too
    plain = gpd.GeoDataFrame({"kind": ["kindergarten"], "newly_covered": [12.0],
                              "name": ["new kindergarten"]},
                             geometry=[b2.cells.geometry.iloc[0].centroid], crs=b2.crs)
    fmap = assessment_map(before, b2, "GB50180-KG", tiles=None, proposals=plain, lang="en")
    assert "Proposed sites (1, +12 people)" in layers(fmap)
    with pytest.raises(SitingError, match="newly_covered"):
        assessment_map(before, b2, "GB50180-KG", proposals=plain.drop(columns=["newly_covered"]))


# ---------------------------------------------------------------------------------------------
# basemaps and the GCJ-02 shift
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shanghai_block():
    """Four 500 m cells and a kindergarten in Shanghai's Huangpu district (no network)."""
    utm = "EPSG:32651"
    x0, y0 = 353_000.0, 3_453_000.0
    boxes = [shapely.box(x0 + i * 500, y0 + j * 500, x0 + (i + 1) * 500, y0 + (j + 1) * 500)
             for i in range(2) for j in range(2)]
    districts = gpd.GeoDataFrame({"district": ["黄浦区"]}, geometry=[shapely.box(
        x0, y0, x0 + 1000, y0 + 1000)], crs=utm)
    cells = gpd.GeoDataFrame({"population": [100.0, 200.0, 300.0, 400.0]}, geometry=boxes,
                             crs=utm)
    facilities = gpd.GeoDataFrame({"kind": ["kindergarten"], "name": ["思南路幼儿园"]},
                                  geometry=[shapely.Point(x0 + 200, y0 + 200)], crs=utm)
    area = StudyArea(districts, cells, facilities, crs=utm)
    rule = AccessRule(id="T-KG", facility="kindergarten", threshold="300 m", mode="walk")
    return area, assess(area, [rule], straight_line=True)


def facility_lonlat(fmap: folium.Map) -> tuple[float, float]:
    layer = next(v for k, v in layers(fmap).items() if "幼儿园" in k or "kindergarten" in k)
    return tuple(features(layer)[0]["geometry"]["coordinates"])  # type: ignore[return-value]


def test_amap_tiles_shift_overlays_to_gcj02(shanghai_block):
    area, assessment = shanghai_block
    wgs = area.facilities.to_crs(4326).geometry.iloc[0]
    plain = assessment_map(assessment, area, tiles="OpenStreetMap")
    amap = assessment_map(assessment, area, tiles="Amap")
    assert facility_lonlat(plain) == pytest.approx((wgs.x, wgs.y), abs=1e-6)
    gx, gy = wgs84_to_gcj02(wgs.x, wgs.y)
    assert facility_lonlat(amap) == pytest.approx((float(gx), float(gy)), abs=1e-6)
    shift = gpd.GeoSeries([shapely.Point(wgs.x, wgs.y), shapely.Point(float(gx), float(gy))],
                          crs=4326).to_crs(32651)
    assert 100 < shift.iloc[0].distance(shift.iloc[1]) < 700   # the GCJ-02 offset in Shanghai
    # cells move too: every vertex of every overlay
    cells = next(v for k, v in layers(amap).items() if k.startswith("人口网格"))
    first = np.array(features(cells)[0]["geometry"]["coordinates"][0])
    raw = np.array(area.cells.to_crs(4326).geometry.iloc[0].exterior.coords)
    sx, sy = wgs84_to_gcj02(raw[:, 0], raw[:, 1])
    np.testing.assert_allclose(first, np.column_stack([sx, sy]), atol=1e-6)
    html = amap.get_root().render()
    assert "autonavi.com" in html and "lang=zh_cn" in html
    assert json.dumps("叠加图层已由 WGS-84 转换为 GCJ-02 以匹配高德底图")[1:-1] in html
    # straight-line radius instead of isochrones: there is no network
    assert any(k.startswith("服务半径（直线）") for k in layers(amap))


def test_basemap_choices(shanghai_block, monkeypatch):
    area, assessment = shanghai_block
    with pytest.raises(SitingError, match="different coordinate systems"):
        assessment_map(assessment, area, tiles=["Amap", "OpenStreetMap"])
    with pytest.raises(SitingError, match="unknown basemap"):
        assessment_map(assessment, area, tiles="Bing")
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(SitingError, match="Tianditu tiles need a key"):
        assessment_map(assessment, area, tiles="Tianditu")
    html = assessment_map(assessment, area, tiles="Tianditu", tianditu_key="abc123",
                          lang="en").get_root().render()
    assert "tianditu.gov.cn/vec_w" in html and "tk=abc123" in html and "eva_w" in html
    both = assessment_map(assessment, area, tiles=["CartoDB", "OpenStreetMap"]).get_root()
    html = both.render()
    assert "basemaps.cartocdn.com" in html and "tile.openstreetmap.org" in html


# ---------------------------------------------------------------------------------------------
# offline pages
# ---------------------------------------------------------------------------------------------
def test_offline_page_needs_no_network(town, tmp_path):
    area, assessment = town
    online = assessment_map(assessment, area, "GB50180-KG", tiles=None)
    online_html = online.get_root().render()
    assert any("leaflet" in url for url in external_assets(online_html))
    offline = assessment_map(assessment, area, "GB50180-KG", tiles=None, offline=True)
    path = save_map(offline, tmp_path / "kg.html", offline=True)
    html = path.read_text(encoding="utf-8")
    assert external_assets(html) == []
    assert "jquery" not in html.lower() and "bootstrap" not in html.lower()
    assert '"1.9.4"' in html                               # Leaflet's version string, inlined
    assert "url(data:image/png;base64," in html            # layer-control icons inlined
    # the notebook view is offline too
    assert external_assets(offline._repr_html_()) == []


def test_offline_refuses_an_unvendored_plugin(town, tmp_path):
    from folium.plugins import Fullscreen

    area, assessment = town
    fmap = assessment_map(assessment, area, "GB50180-KG", tiles=None, offline=True)
    Fullscreen().add_to(fmap)
    with pytest.raises(SitingError, match="network"):
        save_map(fmap, tmp_path / "x.html", offline=True)
    assert not (tmp_path / "x.html").exists()


def test_make_offline_on_any_folium_map(tmp_path):
    fmap = folium.Map(location=[60.5, 26.9], tiles=None)
    folium.Marker([60.5, 26.9], popup="x").add_to(fmap)
    make_offline(fmap)
    assert external_assets(fmap.get_root().render()) == []


def test_coverage_map_for_the_demo_quick_look(town):
    area, _ = town
    nearest = area.nearest("school", "walk")
    fmap = coverage_map(area, nearest, threshold=500.0, title="School", tiles=None,
                        offline=True)
    by_name = layers(fmap)
    cells = by_name["Population cells (distance to nearest facility)"]
    assert len(features(cells)) == len(area.cells)
    beyond = int(((nearest["distance_m"] > 500) & (area.cells["population"] > 0)).sum())
    name = next(n for n in by_name if n.startswith("Uncovered cells"))
    assert len(features(by_name[name])) == beyond
    assert external_assets(fmap.get_root().render()) == []


def test_empty_district_renders(town):
    area, assessment = town
    empty = StudyArea(area.districts[area.districts["district"] == "A1"],
                      area.cells.iloc[0:0].drop(columns=["district"]),
                      area.facilities.drop(columns=["district"]), area.networks, crs=area.crs,
                      clip=False)
    result = assess(empty, rules_from_spec(["GB50180-KG"]))
    fmap = assessment_map(result, empty, tiles=None)
    assert fmap._siting_counts["cells"] == 0
    assert "GB50180-KG" in fmap.get_root().render()


def test_rule_failures_of_a_composite_part():
    from siting.rules import AllOf

    area = load_example()
    parts = [AccessRule(id="P-KG", facility="kindergarten", threshold="300 m"),
             AccessRule(id="P-SC", facility="school", threshold="500 m")]
    both = AllOf(id="P-ALL", parts=parts)
    result = assess(area, [both])
    part = rule_failures(result, "P-KG")
    want = result.results["P-ALL"].parts[0].failures
    assert len(part) == len(want) > 0 and set(part["rule_id"]) == {"P-KG"}
    assert rule_failures(result, "P-NONE").empty


# ---------------------------------------------------------------------------------------------
def test_bar_chart_svg_is_valid_and_scaled():
    svg = bar_chart_svg(["A", "B <x>", "C"], [0.5, 2.5, np.nan], ["#1", "#2", "#3"],
                        reference=1.0, reference_label="100 %", max_value=2.0, title="t & u")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    bars = root.findall(f"{ns}rect")
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] == pytest.approx(widths[1] / 4)    # 0.5 of an axis clipped at 2.0
    assert widths[2] == 0.0
    texts = [t.text for t in root.findall(f"{ns}text")]
    assert "B <x>" in texts and any(t.endswith("▶") for t in texts if t)
    assert len(root.findall(f"{ns}line")) == 1


def test_map_of_facilities_without_names():
    """Facilities from a plain point file often have no `name` column."""
    from siting import StudyArea, assess
    from siting.datasets import load_example
    from siting.report import assessment_map

    area = load_example()
    bare = StudyArea(area.districts, area.cells.drop(columns=["district"]),
                     area.facilities[["kind", "geometry"]], area.networks, crs=area.crs)
    result = assess(bare, ["GB50180-KG"])
    fmap = assessment_map(result, bare, "GB50180-KG", lang="en", tiles=None)
    assert "kindergarten" in fmap.get_root().render()
