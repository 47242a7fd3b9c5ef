"""Score maps: classes in the score's unit, zh/en legends, data strings escaped."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

import siting.network as sn
from siting import StudyArea
from siting import scores as sc
from siting.errors import SitingError
from siting.report.maps import HtmlControl
from siting.report.score_maps import score_classes, score_map

CRS = "EPSG:32651"
EVIL = '<img src=x onerror="alert(1)">'


@pytest.fixture(scope="module")
def scored():
    xs = np.arange(12) * 150.0
    cells = gpd.GeoDataFrame({"population": np.linspace(100, 1200, 12)},
                             geometry=[shapely.Point(x, 0).buffer(60) for x in xs], crs=CRS)
    cells.loc[11, "geometry"] = shapely.Point(xs[11], 3_000).buffer(60)  # off the street
    facilities = gpd.GeoDataFrame({"kind": "clinic", "beds": [10.0, 30.0], "name": [EVIL, "乙"]},
                                  geometry=gpd.points_from_xy([0.0, 900.0], [0.0, 0.0]), crs=CRS)
    road = gpd.GeoDataFrame(geometry=[shapely.LineString([(-200, 0), (2_000, 0)])], crs=CRS)
    districts = gpd.GeoDataFrame({"district": [EVIL, "西区"]},
                                 geometry=[shapely.box(-300, -300, 800, 3_300),
                                           shapely.box(800, -300, 2_100, 3_300)], crs=CRS)
    area = StudyArea(districts, cells, facilities, {"walk": sn.from_lines(road, mode="walk")})
    return area, sc.accessibility(area, "clinic", method="g2sfca", cutoff="8 min",
                                  supply="beds")


@pytest.mark.parametrize("lang,words", [("zh", ["每1,000人床位", "截止范围内无设施", "参照标准"]),
                                        ("en", ["beds per 1,000 people",
                                                "no facility within the cut-off", "Reference"])])
def test_score_map_legend_and_escaping(scored, lang, words):
    area, scores = scored
    assert set(scores.cells["status"]) == {"scored", "no_facility", "unsnapped"}
    fmap = score_map(scores, area, reference="1 per 200 people", lang=lang)
    page = fmap.get_root().render()
    assert EVIL not in page and "onerror=\\\"" not in page
    legend = " ".join(c.html for c in fmap._children.values() if isinstance(c, HtmlControl))
    for word in words:
        assert word in legend
    # the reference (1 per 200 = 5 per 1,000) is a class break
    assert "≤ 2.5" in legend and "2.5–5" in legend and "&gt; 10" in legend
    names = [f["properties"].get("name") or f["properties"].get("district")
             for c in fmap._children.values() if isinstance(c, folium.GeoJson)
             for f in c.data["features"] if "name" in f["properties"] or
             "district" in f["properties"]]
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in names and EVIL not in names


def test_quantile_classes_and_bad_input(scored):
    area, scores = scored
    values = np.array([0.0, 1.0, 2.0, 3.0, 4.0, np.nan])
    breaks = score_classes(values, np.ones(6), classes=4)
    assert breaks == sorted(breaks) and len(breaks) == 3 and breaks[0] >= 1.0
    with pytest.raises(SitingError, match="classes"):
        score_classes(values, np.ones(6), classes=9)
    with pytest.raises(SitingError, match="per"):
        score_map(scores, area, per=-5)
    other = StudyArea(area.districts, area.cells.iloc[:5], area.facilities, area.networks)
    with pytest.raises(SitingError, match="not of this study"):
        score_map(scores, other)
