"""Rule catalogues: every file loads, every checkable rule of the research notes is encoded or
explained, quotes are short simplified verbatim text, and broken entries fail with errors that
name the file and the field."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from conftest import PROJECT, shared_path
from siting.errors import RuleError, UnitError
from siting.rules import (CATALOGS, FACILITY_KINDS, RULE_KINDS, AccessRule, AnyOf,
                          AreaPerCapitaRule, CapacityPerPopulationRule,
                          FacilitiesPerPopulationRule, PerUnitRule, ServiceCircleRule,
                          ServiceRadiusRule, Strength, format_rule, list_rules_table, load_rules,
                          read_catalog)
from siting.rules.facility_kinds import is_snake_case

EXPECTED_COUNTS = {  # (checkable, recorded only)
    "shanghai-2016": (10, 6), "shanghai-2021": (4, 1), "qingdao-2021": (14, 5),  # + SH16-19-catchment, SH21-02-joint
    # GS17-51 (加快…建设, "speed up building") is a principle: no count is stated
    "gansu-2017": (24, 6), "chongqing-2015": (0, 29), "gb50180-2018": (4, 3),  # + GB50180-TIERS
}
SEED_NOTES = {"SH": "shanghai_2016_2021.md", "QD": "qingdao_2021_chongqing_2015.md",
              "CQ": "qingdao_2021_chongqing_2015.md", "GS": "gansu_2017.md"}


@pytest.fixture(scope="module")
def everything():
    return load_rules()


def _all_ids(rules) -> set[str]:
    return {r.id for top in rules for r in top.walk()}


def test_every_catalogue_loads_with_expected_counts(everything):
    table = list_rules_table(everything)
    for name in CATALOGS:
        part = table[table["document"] == name]
        assert (int(part["checkable"].sum()), int((~part["checkable"]).sum())) == \
            EXPECTED_COUNTS[name], name
    assert len(everything) == sum(a + b for a, b in EXPECTED_COUNTS.values())


def test_ids_unique_and_provenance_complete(everything):
    ids = [r.id for top in everything for r in top.walk()]
    assert len(ids) == len(set(ids))
    for top in everything:
        for rule in top.walk():
            p = rule.provenance
            assert p.document in CATALOGS and p.title and p.issuer and p.year
            assert p.line and p.quote and len(p.quote) <= 50, rule.id
            assert isinstance(p.strength, Strength)
            assert rule.domain


def test_facility_ids_are_known_snake_case(everything):
    for top in everything:
        for rule in top.walk():
            for kind in rule.facility:
                assert is_snake_case(kind) and kind in FACILITY_KINDS, (rule.id, kind)


def test_quotes_are_verbatim_simplified_text_of_the_research_notes(everything):
    notes = {key: shared_path("..", "rules", name).read_text(encoding="utf-8")
             for key, name in SEED_NOTES.items()}
    for top in everything:
        for rule in top.walk():
            prefix = rule.id[:2]
            if prefix not in notes:  # GB 50180 is not among the seeds: marked verify instead
                assert rule.provenance.verify, rule.id
                continue
            assert rule.provenance.quote in notes[prefix], (rule.id, rule.provenance.quote)


def _checkable_ids(text: str) -> set[str]:
    """Rule ids whose table row says spatially checkable yes / partly."""
    ids = set()
    for line in text.splitlines():
        match = re.match(r"^\|\s*\*{0,2}((?:SH16|SH21|QD21|GS17|CQ15)-[0-9A-Z]+)\*{0,2}", line)
        if not match:
            continue
        cells = [c.strip().lower() for c in line.strip().strip("|").split("|")]
        if any(re.match(r"^\**(yes|partly)\b", c) for c in cells[-3:]):
            ids.add(match.group(1))
    return ids


def _covers(encoded: set[str]) -> set[str]:
    """Research ids covered by encoded ids; "SH16-28-29" covers SH16-28 and SH16-29."""
    out = set(encoded)
    for rid in encoded:
        match = re.match(r"^([A-Z]{2}\d\d)-(\d\d)-(\d\d)$", rid)
        if match:
            out |= {f"{match.group(1)}-{match.group(2)}", f"{match.group(1)}-{match.group(3)}"}
    return out


def test_every_checkable_rule_is_encoded_or_explained(everything):
    docs = (PROJECT / "docs" / "rules.md").read_text(encoding="utf-8")
    covered = _covers(_all_ids(everything))
    wanted = set()
    for name in set(SEED_NOTES.values()):
        wanted |= _checkable_ids(shared_path("..", "rules", name).read_text(encoding="utf-8"))
    assert {"SH16-16", "SH16-18", "SH21-02", "QD21-20", "GS17-43", "CQ15-08"} <= wanted
    missing = [rid for rid in sorted(wanted)
               if rid not in covered and not re.search(rf"\b{re.escape(rid)}\b", docs)]
    assert not missing, f"neither encoded nor explained in docs/rules.md: {missing}"


def test_docs_list_every_catalogue_rule(everything):
    docs = (PROJECT / "docs" / "rules.md").read_text(encoding="utf-8")
    absent = [r.id for r in everything if r.id not in docs]
    assert not absent


# -- selecting rules --------------------------------------------------------------------------
def test_load_by_document_id_list_domain_and_facility():
    sh = load_rules("shanghai-2016")
    assert {r.document for r in sh} == {"shanghai-2016"} and "SH16-18" in sh.ids
    two = load_rules(["SH16-18", "QD21-20"])
    assert two.ids == ["SH16-18", "QD21-20"]
    emergency = load_rules(domain="emergency", checkable=True)
    assert {"SH16-18", "SH16-19", "SH16-20", "QD21-20", "QD21-21", "QD21-22", "QD21-23"} <= \
        set(emergency.ids)
    assert all(r.domain == "emergency" for r in emergency)
    chc = load_rules(facility="community_health_centre")
    assert "SH16-16" in chc.ids and "SH21-02" in chc.ids  # a composite kept via its part
    part = load_rules("SH21-02-elderly")
    assert part.ids == ["SH21-02-elderly"] and isinstance(part[0], AccessRule)
    assert load_rules("shanghai-2016", kind="service_radius").ids == ["SH16-18"]
    assert all(not r.checkable for r in load_rules("chongqing-2015"))


def test_loaded_rules_are_independent_copies():
    a = load_rules("SH16-18")[0]
    a.name = "changed"
    assert load_rules("SH16-18")[0].name != "changed"


def test_unknown_selector_names_the_choices():
    with pytest.raises(RuleError, match="catalogue id"):
        load_rules("SH99-99")


def test_catalogue_numbers_are_the_sources_numbers():
    r = {rule.id: rule for top in load_rules() for rule in top.walk()}
    assert r["SH16-18"].threshold.value == 3500
    assert (r["SH16-16"].per.low.value, r["SH16-16"].per.high.value) == (50_000, 100_000)
    assert r["SH16-16"].basis == "new_residents"
    assert (r["SH16-19"].rate.units, r["SH16-19"].rate.per) == (1, 30_000)
    assert r["SH16-28"].threshold.value == 0.3 and r["SH16-29"].threshold.value == 0.1
    assert isinstance(r["SH16-28-29"], AnyOf)
    assert r["SH21-02-health"].share == 0.85 and r["SH21-02-health"].threshold.value == 15
    assert r["SH21-02-health"].mode == "walk"
    assert r["SH21-02"].scope.area_type == "main_urban_area"
    circle = r["SH21-06-07"]
    assert (circle.time.low.value, circle.time.high.value) == (30, 45)
    assert (circle.population.low.value, circle.population.high.value) == (300_000, 500_000)
    assert r["QD21-20"].threshold.value == 2000 and r["QD21-21"].threshold.value == 7000
    assert set(r["QD21-21"].scope.exclude) == set(r["QD21-20"].scope.districts)
    assert r["QD21-23"].share == 0.40 and r["SH21-08"].share == 0.60
    assert (r["QD21-36"].rate.units, r["QD21-36"].rate.per) == (4.5, 1000)
    assert (r["GS17-19"].rate.units, r["GS17-19"].rate.per, r["GS17-19"].basis) == \
        (35, 1000, "elderly")
    assert r["GS17-50"].threshold.value == 0.1
    assert r["GS17-43"].level == "village" and r["GS17-42"].level == "township"
    assert r["GB50180-KG"].threshold.value == 300 and r["GB50180-PS"].threshold.value == 500
    assert r["GB50180-MS"].threshold.value == 1000 and r["GB50180-MS"].provenance.verify
    assert r["SH16-17"].sites == 44
    assert r["SH16-19"].check_at == "area"


def test_format_rule_shows_provenance():
    text = format_rule(load_rules("SH16-18")[0])
    for piece in ("SH16-18", "沪府发〔2016〕104号", "急救站点平均服务半径≤3.5公里", "L91",
                  "strength:     unknown", "target year:  2020", "area-equivalent"):
        assert piece in text
    assert "VERIFY" in format_rule(load_rules("GB50180-KG")[0])


def test_list_rules_table_columns():
    table = list_rules_table(load_rules("qingdao-2021"))
    assert list(table.columns)[:5] == ["id", "document", "kind", "domain", "facility"]
    assert table.loc[table["id"] == "QD21-20", "requirement"].iloc[0].startswith(
        "average service radius")


# -- rules in Python: units and values are checked on construction ---------------------------
def test_radius_in_minutes_is_a_unit_error_naming_the_rule():
    with pytest.raises(UnitError) as info:
        ServiceRadiusRule(id="MY-R", facility="emergency_station", threshold="15 min")
    assert info.value.field == "MY-R.threshold" and "length" in info.value.problem


def test_units_are_converted():
    rule = ServiceRadiusRule(id="R", facility="emergency_station", threshold="3.5 公里")
    assert rule.threshold.value == 3500
    assert AccessRule(id="A", facility="kindergarten", threshold="0.25 h").threshold.value == 15
    assert FacilitiesPerPopulationRule(id="F", facility="x", per="5-10万人").per.high.value == 1e5
    assert CapacityPerPopulationRule(id="C", facility="x", rate="1 per 30,000 people").rate.per \
        == 30_000
    assert AreaPerCapitaRule(id="P", facility="x", threshold="0.3 m2/person").threshold.value \
        == 0.3


@pytest.mark.parametrize("make, field", [
    (lambda: AccessRule(id="A", facility="k", threshold="-5 min"), "A.threshold"),
    (lambda: AccessRule(id="A", facility="k", threshold="15 min", share=85), "A.share"),
    (lambda: AccessRule(id="A", facility="k", threshold="15 min", mode="bus"), "A.mode"),
    (lambda: AreaPerCapitaRule(id="P", facility="k", threshold="0.3 km"), "P.threshold"),
    (lambda: ServiceCircleRule(id="S", facility="k", time="45-30 min"), "S.time"),
    (lambda: ServiceCircleRule(id="S", facility="k", population="30-45 min"), "S.population.min"),
    (lambda: PerUnitRule(id="U", facility="k", level="street"), "U.level"),
    (lambda: PerUnitRule(id="U", facility="k", min_count=0), "U.min_count"),
    (lambda: CapacityPerPopulationRule(id="C", facility="k", rate="two per 30000"), "C.rate"),
])
def test_bad_values_name_rule_and_field(make, field):
    with pytest.raises((RuleError, UnitError)) as info:
        make()
    assert info.value.field == field


# -- broken catalogue files -------------------------------------------------------------------
GOOD = """\
document:
  id: test-doc
  title: 测试规划
  issuer: 测试市人民政府
  year: 2020
defaults:
  strength: target
rules:
  - id: T-01
    kind: service_radius
    facility: emergency_station
    threshold: 3.5 km
    line: L1
    quote: 急救站点平均服务半径≤3.5公里
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_user_catalogue_loads(tmp_path):
    rules = load_rules(_write(tmp_path, GOOD))
    assert rules.ids == ["T-01"] and rules[0].provenance.issuer == "测试市人民政府"
    assert rules[0].strength == Strength.TARGET


@pytest.mark.parametrize("old, new, error, field, words", [
    ("kind: service_radius", "kind: service_radiuss", RuleError, "rules[0] T-01.kind",
     "unknown rule kind"),
    ("threshold: 3.5 km", "threshold: -3.5 km", RuleError, "T-01.threshold", "positive"),
    ("threshold: 3.5 km", "threshold: 15 min", UnitError, "T-01.threshold", "length"),
    ("threshold: 3.5 km", "threshold: 3.5 furlongs", UnitError, "T-01.threshold",
     "unknown unit"),
    ("    quote: 急救站点平均服务半径≤3.5公里\n", "", RuleError, "T-01.quote",
     "missing provenance"),
    ("    line: L1\n", "", RuleError, "T-01.line", "missing provenance"),
    ("  issuer: 测试市人民政府\n", "", RuleError, "document.issuer", "missing provenance"),
    ("defaults:\n  strength: target\n", "", RuleError, "T-01.strength", "missing provenance"),
    ("    line: L1\n", "    line: L1\n    radius: 3 km\n", RuleError, "T-01.radius",
     "unknown key"),
    ("rules:", "rulez: []\nrules:", RuleError, "rulez", "unknown top-level key"),
    ("  year: 2020\n", "  year: 2020\n  author: me\n", RuleError, "document.author",
     "unknown document key"),
    ("quote: 急救站点平均服务半径≤3.5公里", "quote: 急救站點平均服務半徑≤3.5公里", RuleError,
     "T-01.quote", "traditional"),
    ("quote: 急救站点平均服务半径≤3.5公里", "quote: " + "急救" * 26, RuleError, "T-01.quote",
     "at most 50"),
    ("quote: 急救站点平均服务半径≤3.5公里", "quote: average radius", RuleError, "T-01.quote",
     "no Chinese"),
    ("facility: emergency_station", "facility: Emergency Station", RuleError, "T-01.facility",
     "snake_case"),
    ("strength: target", "strength: mandatory", RuleError, "strength", "unknown strength"),
    ("    line: L1\n", "    line: L1\n    domain: healthcare\n", RuleError, "T-01.domain",
     "unknown domain"),
])
def test_broken_entries_name_file_and_field(tmp_path, old, new, error, field, words):
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(error) as info:
        read_catalog(path)
    assert info.value.field.startswith("broken.yaml: "), info.value.field
    assert field in info.value.field
    assert words in str(info.value)


def test_duplicate_ids_and_bad_yaml(tmp_path):
    twice = GOOD + textwrap.indent(GOOD.split("rules:\n")[1], "")
    with pytest.raises(RuleError, match="duplicate rule id"):
        read_catalog(_write(tmp_path, twice))
    with pytest.raises(RuleError, match="not valid YAML"):
        read_catalog(_write(tmp_path, "document: [unclosed\n"))


def test_package_catalogues_refuse_unknown_facility_kinds(tmp_path):
    text = GOOD.replace("facility: emergency_station", "facility: ambulance_depot")
    assert read_catalog(_write(tmp_path, text))[0].facility == ("ambulance_depot",)
    with pytest.raises(RuleError, match="unknown facility kind"):
        read_catalog(_write(tmp_path, text), strict=True)


def test_composite_parts_inherit_and_report_their_own_field(tmp_path):
    text = GOOD.split("rules:\n")[0] + textwrap.dedent("""\
        rules:
          - id: T-02
            kind: any_of
            line: L2
            quote: 按照人均用地不低于0.3平方米
            parts:
              - id: T-02a
                kind: area_per_capita
                facility: sports_ground
                threshold: 0.3 m2/person
              - id: T-02b
                kind: area_per_capita
                facility: indoor_sports_facility
                threshold: 0.1 m2
        """)
    with pytest.raises(UnitError) as info:
        read_catalog(_write(tmp_path, text))
    assert "T-02b.threshold" in info.value.field and info.value.field.startswith("broken.yaml")
    fixed = text.replace("threshold: 0.1 m2\n", "threshold: 0.1 m2/person\n")
    rule = read_catalog(_write(tmp_path, fixed))[0]
    assert [p.provenance.line for p in rule.parts] == ["L2", "L2"]
    assert rule.parts[1].strength == Strength.TARGET


def test_every_rule_kind_has_a_catalogue_entry(everything):
    used = {r.kind for top in everything for r in top.walk()}
    # kinds defined by tests (tests/test_rules_interface.py) register too; packaged ones count
    packaged = {k for k, cls in RULE_KINDS.items() if cls.__module__.startswith("siting.")}
    assert used == packaged


def test_gs17_indicator_rows_cite_the_value_line_of_the_seed(everything):
    # seed 002's indicator table puts each label and its 2020 value on separate lines: the
    # citation is the value line (the label line is named beside it)
    seed = shared_path("..", "seeds", "002_7046461d4dd42db8.txt").read_text(
        encoding="utf-8").splitlines()
    values = {"GS17-01": ">85", "GS17-04": "95", "GS17-14": "6", "GS17-15": ">6.1",
              "GS17-16": "2.25", "GS17-17": "30", "GS17-19": "35", "GS17-26": "1.8"}
    by_id = {r.id: r for top in everything for r in top.walk()}
    for rid, value in values.items():
        match = re.match(r"^L(\d+) \(value; label L(\d+)\)$", by_id[rid].provenance.line)
        assert match, (rid, by_id[rid].provenance.line)
        assert seed[int(match.group(1)) - 1].strip() == value, rid
        assert seed[int(match.group(2)) - 1].strip(), rid  # the label line is not empty


def test_qd21_20_quote_names_all_six_districts(everything):
    (rule,) = [r for r in everything if r.id == "QD21-20"]
    for name in ("市南区", "市北区", "李沧区", "崂山区", "青岛西海岸新区", "城阳区"):
        assert name in rule.provenance.quote
