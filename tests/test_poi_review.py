"""Facility review: POIs with the right head noun that are not the facility a standard counts.

The expected outcomes come from what the names say (the Shanghai planner's trial, F6), not
from the code: an animal rescue station is no 120 station; a hospital's burn or cardiac
"急救中心" is a hospital department; "XX社区卫生服务中心星秀服务站" is a station of a centre;
"XX社区卫生服务中心门诊" is the centre itself again.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from conftest import shared_path
from siting.china import classify_pois, read_poi_table
from siting.errors import SitingError
from siting.poi_review import REVIEW_STATUSES, load_review_rules, review_pois


def _pois(names: list[str], kinds: list[str], xy: list[tuple[float, float]] | None = None):
    xy = xy or [(121.40 + 0.01 * i, 31.20) for i in range(len(names))]  # ~950 m apart
    return gpd.GeoDataFrame({"name": names, "kind": kinds},
                            geometry=[Point(x, y) for x, y in xy], crs="EPSG:4326")


@pytest.mark.parametrize("name, kind, status, new_kind", [
    ("明珠湖公园-动物救护站", "emergency_station", "excluded", "emergency_station"),
    ("上海市烧伤急救中心", "emergency_station", "excluded", "emergency_station"),
    ("上海市心脏病急救中心(海宁路)", "emergency_station", "excluded", "emergency_station"),
    ("脑卒中急救", "emergency_station", "excluded", "emergency_station"),
    ("上海长海医院-急救中心", "emergency_station", "excluded", "emergency_station"),
    ("海军军医大学第一附属医院虹口院区急救中心", "emergency_station", "excluded",
     "emergency_station"),
    # a station of the city's 120 network housed in a hospital is a station
    ("上海市医疗急救中心市二医院分站", "emergency_station", "ok", "emergency_station"),
    ("崇明区医疗急救中心庙镇分站", "emergency_station", "ok", "emergency_station"),
    ("应急救援中心", "emergency_station", "doubtful", "emergency_station"),
    ("长桥街道社区卫生服务中心星秀服务站", "community_health_centre", "reclassified",
     "community_health_station"),
    ("南翔镇社区卫生服务中心龚荧韵工作室", "community_health_centre", "reclassified",
     "community_health_station"),
    ("田林街道社区卫生服务中心住院部", "community_health_centre", "excluded",
     "community_health_centre"),
    ("瑞金二路街道社区卫生服务中心儿童保健门诊", "community_health_centre", "excluded",
     "community_health_centre"),
    ("外滩街道社区卫生服务中心金陵分中心", "community_health_centre", "ok",
     "community_health_centre"),
    ("长桥街道社区卫生服务中心", "community_health_centre", "ok", "community_health_centre"),
])
def test_each_name_gets_the_review_its_words_call_for(name, kind, status, new_kind):
    reviewed = review_pois(_pois([name], [kind]), drop=())
    assert reviewed["review"].iloc[0] == status
    assert reviewed["kind"].iloc[0] == new_kind
    assert reviewed["kind_classified"].iloc[0] == kind
    if status != "ok":
        assert reviewed["review_reason_zh"].iloc[0] and reviewed["review_reason_en"].iloc[0]


def test_dropped_rows_are_listed_and_nothing_is_lost():
    names = ["崇明区医疗急救中心庙镇分站", "明珠湖公园-动物救护站", "应急救援中心",
             "长桥街道社区卫生服务中心", "长桥街道社区卫生服务中心门诊", "长桥街道社区卫生服务中心星秀服务站"]
    kinds = ["emergency_station"] * 3 + ["community_health_centre"] * 3
    kept = review_pois(_pois(names, kinds))
    assert kept["name"].tolist() == [names[0], names[2], names[3], names[5]]
    flagged = kept.attrs["review"]
    assert flagged["name"].tolist() == names[1:3] + names[4:]
    assert flagged["dropped"].tolist() == [True, False, True, False]
    counts = kept.attrs["review_counts"]
    assert sum(counts.values()) == len(names)
    assert counts == {"ok": 2, "reclassified": 1, "doubtful": 1, "duplicate": 0, "excluded": 2}
    # the switch: keep excluded rows too
    assert len(review_pois(_pois(names, kinds), drop=("duplicate",))) == len(names)


def test_one_centre_entered_twice_counts_once_and_hospitals_are_not_merged():
    # two entries 5 m apart (1 degree of latitude ≈ 111 km); two hospitals as close are kept
    near = [(121.4, 31.2), (121.4, 31.2 + 5 / 111_000), (121.5, 31.2),
            (121.5, 31.2 + 5 / 111_000), (121.6, 31.2), (121.6, 31.2 + 45 / 111_000)]
    pois = _pois(["斜土街道社区卫生服务中心", "上海市示范社区卫生服务中心", "A医院", "B医院",
                  "C社区卫生服务中心", "D社区卫生服务中心"],
                 ["community_health_centre", "community_health_centre", "hospital", "hospital",
                  "community_health_centre", "community_health_centre"], near)
    kept = review_pois(pois)
    assert kept["name"].tolist() == ["斜土街道社区卫生服务中心", "A医院", "B医院",
                                     "C社区卫生服务中心", "D社区卫生服务中心"]
    dup = kept.attrs["review"].iloc[0]
    assert dup["review"] == "duplicate" and dup["duplicate_of"] == 0
    assert dup["duplicate_m"] == pytest.approx(5.0, abs=0.1)
    assert "斜土街道社区卫生服务中心" in dup["review_reason_zh"]
    assert len(review_pois(pois, duplicates_within=None)) == 6
    assert len(review_pois(pois, duplicates_within="50 m")) == 4


def test_bad_arguments_name_the_field():
    pois = _pois(["x"], ["clinic"])
    with pytest.raises(SitingError, match="drop"):
        review_pois(pois, drop=("gone",))
    with pytest.raises(SitingError, match="kind_col"):
        review_pois(pois, kind_col="type")
    with pytest.raises(SitingError, match="duplicates_within"):
        review_pois(pois, duplicates_within="-3 m")


def test_review_file_is_checked(tmp_path):
    rules = load_review_rules()
    assert set(rules["status"]) <= set(REVIEW_STATUSES)
    assert (rules["reason_zh"] != "").all() and (rules["reason_en"] != "").all()
    bad = tmp_path / "review.yaml"
    bad.write_text("rules:\n  - {kind: clinic, name_re: x, action: burn, reason_zh: a, "
                   "reason_en: b}\n", encoding="utf-8")
    with pytest.raises(SitingError, match="action"):
        load_review_rules(bad)
    bad.write_text("rules:\n  - {kind: clinic, name_re: '(', action: exclude, reason_zh: a, "
                   "reason_en: b}\n", encoding="utf-8")
    with pytest.raises(SitingError, match="regular expression"):
        load_review_rules(bad)


@pytest.fixture(scope="module")
def shanghai_health():
    pois = read_poi_table(shared_path("china", "shanghai_poi", "shanghai_hospital.csv"), "wgs84")
    return classify_pois(pois)


def test_shanghai_trial_examples(shanghai_health):
    classified = shanghai_health
    assert {"kind_rule", "kind_confidence"} <= set(classified.columns)
    assert classified.loc[classified["kind"].notna(), "kind_confidence"].isin(
        ["high", "medium", "low"]).all()
    kept = review_pois(classified)
    flagged = kept.attrs["review"]
    ems = kept[kept["kind"] == "emergency_station"]
    # 崇明 had six "stations", one of them an animal rescue station in a park
    chongming = ems[ems["adname"] == "崇明区"]["name"].tolist()
    assert len(chongming) == 5 and not any("动物" in n for n in chongming)
    # no hospital specialty centre is left among the stations
    specialty = ems["name"].str.contains("烧伤|心脏病|脑卒中|创伤")
    assert not specialty.any()
    excluded = flagged[(flagged["review"] == "excluded")
                       & (flagged["kind_classified"] == "emergency_station")]
    assert len(excluded) >= 10
    # every city 120 分站 survives
    network = classified["name"].str.contains(r"医疗急救中心.*分站$", na=False) & (
        classified["kind"] == "emergency_station")
    kept_or_dup = kept.index.union(flagged.index[flagged["review"] == "duplicate"])
    assert network[network].index.isin(kept_or_dup).all()
    # no kept community health centre is a station, a studio or a department by its ending
    core = kept["name"].str.replace(r"[\(（][^\)）]*[\)）]", "", regex=True)
    chc = core[kept["kind"] == "community_health_centre"]
    assert not chc.str.contains(r"(?:服务站|服务点|工作站|工作室|门诊|住院部)$").any()
    assert 35 <= (flagged["kind"] == "community_health_station").sum()


def test_no_two_kept_centres_within_30_m(shanghai_health):
    kept = review_pois(shanghai_health)
    for kind in ("community_health_centre", "emergency_station"):
        pts = kept[kept["kind"] == kind].to_crs(32651)
        xy = np.column_stack([pts.geometry.x, pts.geometry.y])
        gaps = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        np.fill_diagonal(gaps, np.inf)
        assert gaps.min() > 30, kind
    everything = review_pois(shanghai_health, drop=())
    assert len(everything) == len(shanghai_health)
    assert (everything["review"] != "ok").sum() == len(kept.attrs["review"])
    assert set(pd.unique(everything["review"])) <= set(REVIEW_STATUSES)
