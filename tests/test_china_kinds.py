"""The facility-kind catalogue and the classification of Chinese POIs into kinds."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import shared_path
from siting.china import classify_pois, read_poi_table
from siting.errors import SitingError
from siting.facility_kinds import (
    CATALOGUE_PATH,
    classify_names,
    classify_osm,
    load_classification_rules,
    load_facility_kinds,
    osm_filter_for,
)

REQUIRED = ["community_health_centre", "township_health_centre", "village_clinic",
            "emergency_station", "hospital", "clinic", "pharmacy", "kindergarten", "childcare",
            "primary_school", "middle_school", "school", "elderly_daycare", "nursing_home",
            "cultural_station", "fitness_point", "sports_ground"]


def test_catalogue_has_the_required_kinds():
    kinds = load_facility_kinds()
    assert set(REQUIRED) <= set(kinds.index)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in kinds.index)
    assert kinds["name_zh"].notna().all() and kinds["name_en"].notna().all()
    assert kinds.loc[list(REQUIRED), "osm"].map(len).gt(0).all()  # rule-only kinds may lack tags
    # a capacity default or per-class figure always comes with its source
    cited = kinds["capacity_default"].notna() | kinds["capacity_per_class"].notna()
    assert kinds.loc[cited, "capacity_source"].notna().all()
    assert kinds.loc["kindergarten", "capacity_per_class"] == 30
    assert kinds.loc["primary_school", "capacity_per_class"] == 45


def test_osm_filter():
    f = osm_filter_for(["kindergarten", "primary_school", "hospital", "emergency_station"])
    assert f == {"amenity": ["kindergarten", "school", "hospital"],
                 "healthcare": ["hospital"], "emergency": ["ambulance_station"]}
    assert "leisure" in osm_filter_for()
    with pytest.raises(SitingError, match="unknown facility kinds"):
        osm_filter_for(["library"])


@pytest.mark.parametrize("name, poi_type, kind", [
    ("上海市浦东新区潍坊社区卫生服务中心", "医疗保健服务;综合医院;卫生院", "community_health_centre"),
    ("上海市徐汇区斜土街道社区卫生服务中心上影社区卫生服务站", None, "community_health_station"),
    ("上海市医疗急救中心天山分站", "医疗保健服务;急救中心;急救中心", "emergency_station"),
    ("松江区医疗急救中心叶榭急救站", None, "emergency_station"),
    ("上海市松江区中心医院急诊", "医疗保健服务;急救中心;急救中心", "hospital"),
    ("上海急救", "医疗保健服务;急救中心;急救中心", "emergency_station"),
    ("泗泾镇卫生院", None, "township_health_centre"),
    ("金山区廊下镇光明村卫生室", "医疗保健服务;综合医院;卫生院", "village_clinic"),
    ("上海悠奈宠物医院", "医疗保健服务;动物医疗场所;宠物诊所", "veterinary"),
    ("复旦大学附属肿瘤医院住院部", "医疗保健服务;综合医院;三级甲等医院", "hospital"),
    ("弘德堂中医门诊部", "医疗保健服务;诊所;诊所", "clinic"),
    ("雷允上药房(四川北路店)", "医疗保健服务;医药保健销售店;药房", "pharmacy"),
    ("上海市虹口区凉城第四幼儿园", "科教文化服务;学校;幼儿园", "kindergarten"),
    ("XX小学附属幼儿园", None, "kindergarten"),
    ("XX医院幼儿园", None, "kindergarten"),
    ("贝贝托儿所", "科教文化服务;学校;幼儿园", "childcare"),
    ("蓬莱路第二小学", "科教文化服务;学校;小学", "primary_school"),
    ("华东师范大学第二附属中学附属小学", None, "primary_school"),
    ("上海音乐学院附小", None, "primary_school"),
    ("上海市卢湾高级中学", "科教文化服务;学校;中学", "high_school"),
    ("上海市民办新竹园初级中学", "科教文化服务;学校;中学", "middle_school"),
    ("市南中学", "科教文化服务;学校;中学", "middle_school"),
    ("上海市黄浦学校", "科教文化服务;学校;中学", "middle_school"),
    ("上海市裘锦秋实验学校", None, "school"),
    ("上海财经大学", "科教文化服务;学校;高等院校", "university"),
    ("震旦益智早教中心", "科教文化服务;学校;幼儿园", np.nan),
    ("长寿路街道社区综合为老服务中心", None, "elderly_daycare"),
    ("XX老年人日间照料中心", None, "elderly_daycare"),
    ("上海市第一社会福利院", None, "nursing_home"),
    ("XX镇敬老院", None, "nursing_home"),
    ("XX街道社区文化活动中心", None, "cultural_station"),
    ("XX镇综合文化站", None, "cultural_station"),
    ("XX社区健身苑点", None, "fitness_point"),
    ("XX健身房", None, np.nan),
    ("XX区体育馆", None, "indoor_sports_facility"),
    ("XX体育场", None, "sports_ground"),
    ("XX高尔夫球场", None, np.nan),
    ("ABC Kindergarten", None, "kindergarten"),
])
def test_names_and_types(name, poi_type, kind):
    got = classify_names([name], [poi_type])[0]
    if isinstance(kind, float):
        assert pd.isna(got)
    else:
        assert got == kind


def _reference_kind(name: str, poi_type: str, rules: list[dict]) -> object:
    """Row-by-row reading of the rules in kinds.yaml, written independently of the library."""
    full = (name or "").lower()
    core = re.sub(r"[\(（\[【][^\)）\]】]*[\)）\]】]", "", full)

    def blocked(rule: dict) -> bool:
        return (any(w.lower() in full for w in rule.get("name_none", []))
                or any(w.lower() in (poi_type or "").lower() for w in rule.get("type_none", [])))

    def by_name(field: str) -> object:
        best = None  # ((end, keyword length, -rule order), kind)
        for order, rule in enumerate(rules):
            if blocked(rule):
                continue
            for word in rule.get(field, []):
                w = word.lower()
                pos = core.rfind(w)
                if pos >= 0:
                    key = (pos + len(w), len(w), -order)
                    if best is None or key > best[0]:
                        best = (key, rule["kind"])
        return best[1] if best else None

    kind = by_name("name_any")
    if kind is not None:
        return kind
    for segment in (poi_type or "").lower().split("|"):
        for rule in rules:
            if not blocked(rule) and any(w.lower() in segment for w in rule.get("type_any", [])):
                return rule["kind"]
    kind = by_name("name_weak")
    return kind if kind is not None else np.nan


SHANGHAI_FILES = ["shanghai_hospital.csv", "shanghai_school.csv", "kindergarten.csv",
                  "primary_school.csv", "middle_school.csv"]


@pytest.mark.parametrize("file", SHANGHAI_FILES)
def test_shanghai_kinds_per_district_match_an_independent_count(file):
    pois = read_poi_table(shared_path("china", "shanghai_poi", file), "wgs84")
    classified = classify_pois(pois)
    rules = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))["rules"]
    expected = pd.Series([_reference_kind(n, t, rules)
                          for n, t in zip(pois["name"].fillna(""), pois["type"].fillna(""))],
                         index=pois.index)
    got = classified.groupby(["adname", "kind"]).size()
    want = pois.assign(kind=expected).groupby(["adname", "kind"]).size()
    pd.testing.assert_series_equal(got, want, check_names=False)
    assert classified.attrs["unclassified"] == int(expected.isna().sum())
    # what is left is mostly commercial early-education (早教) and disease-control offices
    assert classified.attrs["unclassified"] / len(pois) < 0.025


def test_shanghai_headline_kinds_with_plain_pandas():
    health = pd.read_csv(shared_path("china", "shanghai_poi", "shanghai_hospital.csv"))
    kinds = classify_names(health["name"], health["type"])
    core = health["name"].str.replace(r"\([^)]*\)|（[^）]*）", "", regex=True)
    # a name ending in 社区卫生服务中心 is a community health centre, in every district
    chc = core.str.contains(r"社区卫生服务中心$")
    assert chc.sum() > 300
    assert (kinds[chc] == "community_health_centre").all()
    per_district = health[chc].groupby("adname").size()
    classified = health[kinds == "community_health_centre"].groupby("adname").size()
    assert (classified.reindex(per_district.index) >= per_district).all()
    assert health["adname"][chc].nunique() == 16
    # names ending in an ambulance-station word are emergency stations
    ems = core.str.contains(r"(?:急救中心|急救.*分站|急救站|救护站)$")
    assert (kinds[ems] == "emergency_station").all() and ems.sum() > 60
    # so is Amap's emergency type when the name says nothing of a hospital department
    typed = health["type"].str.contains("急救中心") & ~health["name"].str.contains(
        "医院|急诊|临床|会诊|网络|宠物")
    assert (kinds[typed] == "emergency_station").all() and typed.sum() > 60
    # pet clinics never count as clinics or hospitals for people
    pets = health["type"].str.contains("动物医疗场所") | health["name"].str.contains("宠物")
    assert (kinds[pets] == "veterinary").all()
    # every kindergarten-file name ending in 幼儿园 is a kindergarten
    kg = pd.read_csv(shared_path("china", "shanghai_poi", "kindergarten.csv"))
    ends = kg["name"].str.replace(r"\([^)]*\)|（[^）]*）", "", regex=True).str.endswith("幼儿园")
    assert (classify_names(kg["name"], kg["type"])[ends] == "kindergarten").all()


def test_osm_tags_refined_by_names():
    features = pd.DataFrame({
        "amenity": ["clinic", "clinic", "school", "school", "hospital", "kindergarten",
                    None, "school", "social_facility"],
        "name": ["潍坊社区卫生服务中心", "Dr Li clinic", "XX小学", "Lycée", "泗泾镇卫生院",
                 "XX幼儿园", "fitness", "XX幼儿园", "XX敬老院"],
        "tags": [None, None, '{"isced:level": "1"}', '{"isced:level": "3"}', None, None,
                 None, None, '{"social_facility": "nursing_home"}'],
        "leisure": [None, None, None, None, None, None, "fitness_station", None, None],
    })
    kinds = classify_osm(features).tolist()
    assert kinds == ["community_health_centre", "clinic", "primary_school", "high_school",
                     "township_health_centre", "kindergarten", "fitness_point", "school",
                     "nursing_home"]


def test_rules_reference_known_kinds_and_bad_catalogues_fail(tmp_path):
    rules = load_classification_rules()
    assert set(rules["kind"]) <= set(load_facility_kinds().index)
    bad = tmp_path / "kinds.yaml"
    bad.write_text("kinds:\n  - {id: Bad-Id, name_zh: x, name_en: x, osm: [{amenity: x}]}\n"
                   "rules: []\n", encoding="utf-8")
    with pytest.raises(SitingError, match="snake_case"):
        load_facility_kinds(bad)
    bad.write_text("kinds:\n  - {id: ok, name_zh: x, name_en: x, osm: [{amenity: x}]}\n"
                   "rules:\n  - {kind: missing, name_any: [x]}\n", encoding="utf-8")
    with pytest.raises(SitingError, match="not a kind of the catalogue"):
        load_facility_kinds(bad)
