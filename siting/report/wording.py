"""Rule names, requirements, units, strength words, notes and caveats in Chinese or English.

Pages, maps, workbooks and the command line show a rule through these functions, so that a
``lang="zh"`` report carries no English sentence and an ``"en"`` report no Chinese one
outside the plans' own quotes and the data's names.

* names: ``name_zh`` / ``name`` from the catalogue (written from the plan quote); a rule a
  run configuration adapted (a new threshold or facility kind) has its stale names emptied
  by :mod:`siting.config` and is then called by its requirement, written here from the
  rule's *current* values, so an adapted threshold never keeps its old label;
* requirements: one template per rule kind, filled from the rule's fields;
* notes: the rules write their notes in English; :func:`note_text` translates them phrase
  by phrase (:data:`NOTE_PATTERNS`) and flags straight-line and detour readings;
* caveats: catalogue caveats have Chinese versions in ``catalog/caveats_zh.yaml``, keyed by
  the English sentence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from .labels import check_lang

#: rule strength (``Strength`` values) -> words
STRENGTH = {
    "zh": {"binding": "约束性", "target": "目标（明确表述）", "expected": "预期性",
           "in principle": "原则性（宜/不宜）", "unknown": "未说明"},
    "en": {"binding": "binding", "target": "target (firm wording)", "expected": "expected",
           "in principle": "in principle (should / should not)", "unknown": "not stated"},
}

#: rule kinds (``kind:`` in the catalogues) in words
KINDS = {
    "zh": {"access": "可达覆盖率", "service_radius": "平均服务半径", "mean_travel": "平均出行时间",
           "service_circle": "服务圈", "facilities_per_population": "按人口配置设施数",
           "capacity_per_population": "千人指标", "area_per_capita": "人均面积",
           "per_unit": "单元全覆盖", "attribute_share": "占比", "any_of": "任一项达标",
           "all_of": "各项均达标", "principle": "原则", "site_budget": "建设计划",
           "joint_access": "合并可达覆盖率", "catchment_ratio": "服务范围配比",
           "capacity_target": "总量目标", "life_circle": "生活圈分级"},
    "en": {},
}


def kind_word(kind: str, lang: str) -> str:
    """A rule kind in words (access -> 可达覆盖率)."""
    return KINDS[check_lang(lang)].get(kind, kind.replace("_", " "))


MODES = {"zh": {"walk": "步行", "drive": "车行", "bike": "骑行"},
         "en": {"walk": "walk", "drive": "drive", "bike": "bike"}}

BASIS = {
    "zh": {"population": "常住人口", "new_residents": "新增人口", "planned": "规划人口",
           "elderly": "老年人口", "children_3_5": "3-5岁儿童", "age_15_17": "15-17岁人口"},
    "en": {"population": "residents", "new_residents": "new residents",
           "planned": "planned residents", "elderly": "elderly people",
           "children_3_5": "children aged 3-5", "age_15_17": "people aged 15-17"},
}

LEVELS = {
    "zh": {"county": "县(区)", "district": "区", "prefecture": "地市", "township": "街镇",
           "village": "村(社区)"},
    "en": {"county": "county", "district": "district", "prefecture": "prefecture",
           "township": "sub-district or town", "village": "village or community"},
}

#: units as the rules write them in the assessment table -> words
UNITS = {
    "zh": {"share": "%", "people": "人", "people per facility": "人/处", "facilities": "处",
           "m": "米", "km": "公里", "min": "分钟", "m2/person": "平方米/人", "m2": "平方米",
           "m above threshold": "米（超出标准）", "min above threshold": "分钟（超出标准）",
           "share of districts with one": "有设施的区占比", "districts lacking": "个区缺少",
           "beds": "张床位", "vehicles": "辆车", "places": "个托位/学位",
           "physicians": "名医师", "health technicians": "名卫生技术人员"},
    "en": {"share": "%", "m2/person": "m²/person", "m2": "m²",
           "people per facility": "people per facility"},
}

UNIT_NAMES = {"zh": {"beds": "张床位", "vehicles": "辆", "places": "个", "facilities": "处",
                     "physicians": "名医师",
                     "health technicians": "名卫生技术人员"}}


def _num(value: float) -> str:
    """12,000 / 3.5 / 0.25: thousands separators, no trailing zeros, never scientific."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def quantity(q: Any, lang: str) -> str:
    """A :class:`~siting.units.Quantity` in words: 300米 / 300 m, 15分钟 / 15 min, 3.5公里."""
    dim, v = getattr(q, "dimension", None), float(getattr(q, "value", q))
    if dim == "length":
        if v >= 1000 and (v / 1000) * 10 == int((v / 1000) * 10):
            return f"{_num(v / 1000)}公里" if lang == "zh" else f"{_num(v / 1000)} km"
        return f"{_num(v)}米" if lang == "zh" else f"{_num(v)} m"
    if dim == "time":
        return f"{_num(v)}分钟" if lang == "zh" else f"{_num(v)} min"
    if dim == "share":
        return f"{_num(v * 100)}%" if lang == "zh" else f"{_num(v * 100)} %"
    if dim == "people":
        return f"{_num(v)}人" if lang == "zh" else f"{_num(v)} people"
    if dim == "area_per_person":
        return f"{_num(v)}平方米/人" if lang == "zh" else f"{_num(v)} m²/person"
    return f"{_num(v)}"


def _range(r: Any, lang: str) -> str:
    """30至45分钟 / 30–45 min (the low end in the high end's unit)."""
    low, high = r.low, r.high
    if low.value == high.value:
        return quantity(high, lang)
    hi = quantity(high, lang)
    scale = 1000.0 if re.search(r"公里|km", hi) else 1.0
    return f"{_num(low.value / scale)}{'至' if lang == 'zh' else '–'}{hi}"


@lru_cache(maxsize=1)
def _kinds() -> dict[str, tuple[str, str]]:
    from ..rules.facility_kinds import FACILITY_KINDS

    return dict(FACILITY_KINDS)


def kind_name(kind: str, lang: str) -> str:
    """A facility kind id in words (``sports_ground`` -> 体育场地 / sports ground)."""
    names = _kinds().get(kind)
    if names is None:
        return kind.replace("_", " ")
    return names[0] if lang == "zh" else names[1]


def facility_words(rule: Any, lang: str) -> str:
    kinds = tuple(getattr(rule, "facility", ()) or ())
    joiner = "或" if lang == "zh" else " or "
    return joiner.join(kind_name(k, lang) for k in kinds)


def basis_word(basis: str, lang: str) -> str:
    return BASIS[lang].get(basis, basis.replace("_", " "))


def strength_word(strength: object, lang: str) -> str:
    """约束性 / 预期性 … for a rule's strength."""
    text = str(strength)
    return STRENGTH[check_lang(lang)].get(text, text)


def unit_word(unit: object, lang: str) -> str:
    """A unit of the assessment table in words ("people per facility" -> 人/处)."""
    if unit is None or (isinstance(unit, float) and math.isnan(unit)):
        return ""
    text = str(unit)
    table = UNITS[check_lang(lang)]
    if text in table:
        return table[text]
    if lang == "zh":
        m = re.fullmatch(r"(.+) per ([\d,.]+) people", text)
        if m:
            return f"{UNIT_NAMES['zh'].get(m.group(1), m.group(1))}/{m.group(2).replace(',', '')}人"
        m = re.fullmatch(r"share of (\w+)s with one", text)
        if m:
            return f"有设施的{LEVELS['zh'].get(m.group(1), m.group(1))}占比"
        m = re.fullmatch(r"(\w+)s lacking", text)
        if m:
            return f"个{LEVELS['zh'].get(m.group(1), m.group(1))}缺少"
    return text


def rule_requirement(rule: Any, lang: str) -> str:
    """The requirement in one line, written from the rule's current values."""
    check_lang(lang)
    kind = getattr(rule, "kind", "")
    zh = lang == "zh"
    fac = facility_words(rule, lang)
    basis = basis_word(getattr(rule, "basis", "population"), lang)
    mode = MODES[lang].get(getattr(rule, "mode", ""), getattr(rule, "mode", ""))
    if kind in ("access", "joint_access"):
        share = _num(rule.share * 100)
        t = quantity(rule.threshold, lang)
        who = (f"全部{basis}" if rule.share >= 1 else f"不少于{share}%的{basis}") if zh else \
            (f"every one of the {basis}" if rule.share >= 1 else f"≥ {share} % of {basis}")
        if kind == "joint_access":
            fac = ("、" if zh else ", ").join(kind_name(k, lang) for k in
                                              _service_kinds(rule))
            return (f"{who}{mode}{t}内可达全部服务：{fac}" if zh else
                    f"{who} reach all of {fac} within {t} {mode}")
        return (f"{who}{mode}{t}内可达{fac}" if zh else f"{who} within {t} {mode} of {fac}")
    if kind == "service_radius":
        t = quantity(rule.threshold, lang)
        return (f"{fac}平均服务半径不大于{t}（按面积折算：√(面积 ÷ π ÷ 设施数)）" if zh else
                f"average service radius of {fac} ≤ {t} (area-equivalent: √(area ÷ π ÷ count))")
    if kind == "mean_travel":
        t = quantity(rule.threshold, lang)
        return (f"{basis}到最近{fac}的平均{mode}时间不超过{t}" if zh else
                f"mean {mode} time between {basis} and the nearest {fac} ≤ {t}")
    if kind == "service_circle":
        return (f"每处{fac}{mode}{_range(rule.time, lang)}内服务{_range(rule.population, lang)}"
                if zh else f"each {fac} serves {_range(rule.population, lang)} within "
                           f"{_range(rule.time, lang)} {mode}")
    if kind == "facilities_per_population":
        return (f"每{_range(rule.per, lang)}（{basis}）至少1处{fac}" if zh else
                f"1 {fac} per {_range(rule.per, lang)} ({basis})")
    if kind in ("capacity_per_population", "catchment_ratio"):
        unit = rule.unit_name
        unit_zh = UNIT_NAMES["zh"].get(unit, unit)
        text = (f"{fac}：每{_num(rule.rate.per)}名{basis}不少于{_num(rule.rate.units)}{unit_zh}"
                if zh else f"≥ {_num(rule.rate.units)} {unit} per {_num(rule.rate.per)} "
                           f"{basis} ({fac})")
        if kind == "catchment_ratio":
            c = quantity(rule.catchment, lang)
            text += (f"，按每处设施{c}服务范围计" if zh else f", within each facility's {c}")
        return text
    if kind == "area_per_capita":
        v = _num(rule.threshold.value)
        return (f"{fac}人均面积不少于{v}平方米" if zh else f"≥ {v} m² of {fac} per person")
    if kind == "per_unit":
        level = LEVELS[lang].get(rule.level, rule.level)
        n = getattr(rule, "min_count", 1)
        return (f"每个{level}至少{n}处{fac}" if zh else
                f"≥ {n} {fac} in every {level}")
    if kind == "attribute_share":
        share = _num(rule.share * 100)
        return (f"{fac}中符合要求（{_attribute_zh(rule.attribute)}）的比例不低于{share}%" if zh
                else f"≥ {share} % of {fac} are {rule.attribute.replace('_', ' ')}")
    if kind == "site_budget":
        n = getattr(rule, "sites", None)
        return (f"新建或改扩建{_num(n)}处{fac}（建设计划，不作判定）" if zh else
                f"{_num(n)} new or expanded {fac} (a building budget, not a verdict)")
    if kind == "capacity_target":
        unit = getattr(rule, "unit_name", "") or "facilities"
        unit_zh = UNIT_NAMES["zh"].get(unit, unit)
        n = _num(rule.target)
        if rule.increment:
            base = getattr(rule, "baseline", None)
            base_zh = f"（基数{_num(base)}{unit_zh}）" if base is not None else ""
            base_en = f" over {_num(base)}" if base is not None else ""
            return (f"全域{fac}新增不少于{n}{unit_zh}{base_zh}" if zh else
                    f"+{n} {unit} of {fac}{base_en} (study area)")
        return (f"全域{fac}不少于{n}{unit_zh}" if zh else f"≥ {n} {unit} of {fac} (study area)")
    if kind == "life_circle":
        tiers = []
        for tier in rule.tiers:
            kinds = ("、" if zh else " and ").join(
                ("或" if zh else " or ").join(kind_name(k, lang) for k in group)
                for group in tier.services)
            t = quantity(tier.threshold, lang)
            name = re.sub(r"^(\d+) ?min$", r"\1分钟生活圈", tier.name) if zh else tier.name
            tiers.append(f"{name}：{t}内{kinds}" if zh else f"{name}: {kinds} within {t}")
        share = _num(rule.share * 100)
        return (f"不少于{share}%的{basis}在每一级生活圈内均可达本级设施（" + "；".join(tiers) + "）"
                if zh else f"≥ {share} % of {basis} served at every tier ({'; '.join(tiers)})")
    if kind == "principle":
        return "原则性要求，不作判定" if zh else "a principle: recorded, not checked"
    if kind in ("all_of", "any_of"):
        parts = getattr(rule, "parts", ())
        ids = ("、" if zh else ", ").join(p.id for p in parts)
        if kind == "all_of":
            return f"以下各项均须达标：{ids}" if zh else f"every part must pass: {ids}"
        return f"以下任一项达标即可：{ids}" if zh else f"any one part passing suffices: {ids}"
    # a kind with no template here (a user's own kind): its own words; never rule_name(),
    # which falls back on this function when a rule has no name
    own = getattr(rule, "describe_zh", None) if zh else None
    return own() if callable(own) else rule.describe()


_ATTRIBUTES_ZH = {"disability_equipment": "配有残疾人健身器材", "inclusive": "普惠性",
                  "negative_pressure_vehicles": "负压救护车", "nursing_beds": "护理型床位"}


def _attribute_zh(attribute: str) -> str:
    return _ATTRIBUTES_ZH.get(attribute, attribute)


def _service_kinds(rule: Any) -> list[str]:
    kinds: list[str] = []
    for service in getattr(rule, "services", ()) or ():
        items = service if isinstance(service, (list, tuple)) else [service]
        kinds.append(str(items[0]) if items else "")
    return [k for k in kinds if k] or list(getattr(rule, "facility", ()) or ())


def rule_name(rule: Any, lang: str) -> str:
    """The rule's short name in ``lang``; its requirement when it has no name (adapted)."""
    check_lang(lang)
    if rule is None:
        return ""
    name = (getattr(rule, "name_zh", "") if lang == "zh" else getattr(rule, "name", "")) or ""
    return name or rule_requirement(rule, lang)


# ---------------------------------------------------------------------------------------------
# notes written by the rules (English) -> Chinese, phrase by phrase
# ---------------------------------------------------------------------------------------------
STRAIGHT_LINE = {"zh": "直线距离估算，高估可达性", "en": "straight-line estimate: overstates access"}

#: (regex on one "; "-separated phrase, Chinese replacement with \\1 … groups)
NOTE_PATTERNS: list[tuple[str, str]] = [
    (r"straight-line distance \(no (\w+) network, detour × ([\d.]+)\)(?:: overstates access)?",
     "直线距离 × 绕行系数 \\2 估算（无路网），高估可达性"),
    (r"straight-line distance \(no (\w+) network\)(?:: overstates access)?",
     "直线距离估算（无路网），高估可达性"),
    (r"diagnostic: decided for the whole study area \(see its row\)",
     "诊断值：该规则按全域判定（见全域行）"),
    (r"alone this district would pass", "单看本区可达标"),
    (r"alone this district would fail", "单看本区未达标"),
    (r"alone this district is undecided", "单看本区无法判定"),
    (r"checked for the whole study area \(see the study-area row\)", "按全域判定（见全域行）"),
    (r"scope districts not in the study area: (.+)", "适用范围中不在研究区的区域：\\1"),
    (r"not evaluated: (.+)", "未评估：\\1"),
    (r"([\d,.]+) people off the (\w+) network.*", "\\1 人未接入路网"),
    (r"([\d,.]+) people unreachable.*", "\\1 人无法到达（不计入平均值）"),
    (r"no (\w+) network: the area-equivalent radius decides", "无路网：按面积折算半径判定"),
    (r"area: whole district polygons", "面积：整个行政区多边形"),
    (r"joint reading: a resident counts only when every service is reached",
     "合并读数：居民须可达全部服务才计入"),
    (r"new residents = planned − current", "新增人口 = 规划人口 − 现状人口"),
    (r"new residents = planned − population \(no 'current' column\)",
     "新增人口 = 规划人口 − 常住人口（无现状人口列）"),
    (r"districts/cells losing population count 0 new residents", "人口减少的区域按新增0人计"),
    (r"planned or current population missing: those rows are undecided",
     "缺少规划或现状人口：相应行无法判定"),
    (r"(\d+) facilities without a (\w+) value.*", "\\1 处设施缺少 \\2 数值"),
    (r"no resident in any catchment: nothing to share", "服务范围内没有居民"),
    (r"(\d+) (\w+)s here", "本区 \\1 个单元"),
    (r"one cell per district.*", "每区仅一个网格：网格读数从区内代表点计算"),
]

#: the readings a service-radius rule reports beside the deciding one
RADIUS_READINGS = {
    "area equivalent": "按面积折算半径", "area equivalent polygon": "按行政区多边形面积折算半径",
    "network mean": "路网距离平均值", "network max": "路网距离最大值",
    "network p85": "路网距离85%分位值", "straight line mean": "直线距离平均值",
    "straight line max": "直线距离最大值", "straight line p85": "直线距离85%分位值",
}
NOTE_PATTERNS[:0] = [  # before the generic "not evaluated: …"
    (r"decisive: (.+)", "判定依据：\\1"),
    (r"area: inhabited cells \(population > 0\)", "面积：有人居住的网格（人口 > 0）"),
    (r"([\d,.]+) facilities on ([\d,.]+) km²", "\\1 处设施，面积 \\2 平方公里"),
    (r"short by ([\d,.]+) to bring the average to ([\d,.]+) ?km, by ([\d,.]+) to make every "
     r"district pass", "平均半径达到 \\2 公里还缺 \\1 处，各区均达标还缺 \\3 处"),
    (r"short by ([\d,.]+) to bring the average to ([\d,.]+) ?m, by ([\d,.]+) to make every "
     r"district pass", "平均半径达到 \\2 米还缺 \\1 处，各区均达标还缺 \\3 处"),
    (r"no facility in the district", "区内无设施"),
    ((r"not evaluated: the rule applies only in '(\w+)' districts and the districts carry no "
      r"such marking.*"),
     ("未评估：本规则只适用于标记为“\\1”的区域，而区划数据没有该标记。请在区划数据中"
      "添加布尔列“\\1”（或取值为“\\1”的“area_type”列）")),
    ((r"not evaluated: the (\w+) facilities have no such column.*?Fix: add column '(\w+)' to "
      r"the facilities.*"), "未评估：设施缺少所需的列。请为设施数据添加“\\2”列"),
]

_COMPILED = [(re.compile(p), r) for p, r in NOTE_PATTERNS]
_RADIUS_NAMES = "|".join(sorted(map(re.escape, RADIUS_READINGS), key=len, reverse=True))
_RADIUS_ITEM = re.compile(rf"({_RADIUS_NAMES}) ([\d,.]+) m")


def _radius_items(phrase: str) -> str | None:
    """"area equivalent polygon 828.8 m, straight line mean 957.9 m" in Chinese, or None."""
    # the readings are joined by ", " and each number may itself hold thousands commas
    text = re.sub(r"(\d),(\d{3})", r"\1\2", phrase)
    items = [i.strip() for i in text.split(",")]
    out = []
    for item in items:
        m = _RADIUS_ITEM.fullmatch(item)
        if not m:
            return None
        out.append(f"{RADIUS_READINGS[m.group(1)]} {float(m.group(2)):,.0f}米")
    return "，".join(out)


def note_text(note: object, lang: str) -> str:
    """A note of the assessment table in ``lang`` (phrases no pattern knows stay as written)."""
    check_lang(lang)
    if note is None or (isinstance(note, float) and math.isnan(note)):
        return ""
    text = str(note).strip()
    if lang == "en" or not text:
        return text
    out = []
    for phrase in re.split(r";\s*", text):
        radius = _radius_items(phrase)
        if radius is not None:
            out.append(radius)
            continue
        for pattern, repl in _COMPILED:
            if pattern.fullmatch(phrase):
                phrase = pattern.sub(repl, phrase)
                if phrase.startswith("判定依据："):
                    name = phrase[len("判定依据："):]
                    phrase = "判定依据：" + RADIUS_READINGS.get(name, name)
                break
        out.append(phrase)
    return "；".join(p for p in out if p)


#: whole messages (not split on ";") of the proposal step and of maps that cannot be drawn
PROBLEM_PATTERNS: list[tuple[str, str]] = [
    ((r"(\d+) targets cannot be met by any choice of the candidate sites(?: \((.*?)\))?"
      r"(?:\. Fix: .*)?"),
     ("有 \\1 项目标无论怎样选址都无法满足（\\2）。建议：在这些居民所在处增加候选用地"
      "（地块、公共建筑），或暂时降低规则的覆盖率要求")),
    (r"the solver found no way to meet the targets with these candidates.*",
     "求解器无法用这些候选用地满足目标。建议：增加候选用地或放宽规则"),
    (r"no candidate sites.*", "没有候选用地。建议：提供候选点（地块、公共建筑）"),
]
_PROBLEMS = [(re.compile(p, re.DOTALL), r) for p, r in PROBLEM_PATTERNS]


def problem_text(text: object, lang: str) -> str:
    """A whole problem message (proposals, maps) in ``lang``; unknown ones as notes."""
    check_lang(lang)
    message = "" if text is None else str(text).strip()
    if lang == "en" or not message:
        return message
    for pattern, repl in _PROBLEMS:
        if pattern.fullmatch(message):
            return pattern.sub(repl, message).replace("（）", "")
    return note_text(message, lang)


def reading_flags(note: object, lang: str) -> list[str]:
    """Flags the verdict must carry: straight-line or detour readings (直线距离估算…)."""
    text = "" if note is None or (isinstance(note, float) and math.isnan(note)) else str(note)
    if "straight-line distance" in text:
        m = re.search(r"detour × ([\d.]+)", text)
        if lang == "zh":
            return ["直线距离估算，高估可达性" + (f"（绕行系数 {m.group(1)}）" if m else "")]
        return ["straight-line estimate, overstates access" + (f" (detour × {m.group(1)})"
                                                              if m else "")]
    return []


# caveats that a reading contradicts: not shown when the reading was made another way
_NETWORK_CAVEAT = re.compile(r"network (walking|driving|travel) (distance|time)", re.IGNORECASE)


@lru_cache(maxsize=1)
def caveats_zh_table() -> dict[str, str]:
    from ..safe_yaml import load_yaml as load_yaml_file

    path = Path(__file__).resolve().parents[1] / "rules" / "catalog" / "caveats_zh.yaml"
    if not path.exists():
        return {}
    data = load_yaml_file(path) or {}
    return {str(k).strip(): str(v).strip() for k, v in data.items()}


_ADAPTED = re.compile(r"adapted in the run configuration: (.*)")
_FIELDS_ZH = {"facility": "设施类型", "threshold": "阈值", "share": "覆盖率", "scope": "适用范围",
              "name": "名称", "name_zh": "中文名称", "per": "服务人口", "rate": "配置标准",
              "mode": "出行方式", "basis": "人口口径", "check_at": "判定层级",
              "level": "单元层级"}


def _value_zh(field: str, value: str) -> str:
    """An overridden value in Chinese where it is a word (kind, basis, mode, scope)."""
    if field == "facility":
        return "或".join(kind_name(k.strip(" []'\""), "zh") for k in value.split(","))
    if field == "basis":
        return basis_word(value, "zh")
    if field == "mode":
        return MODES["zh"].get(value, value)
    if field == "scope" and value == "all":
        return "全部区域"
    if field == "threshold":
        m = re.fullmatch(r"([\d.,]+)\s*(m|km|min)", value.strip())
        if m:
            return m.group(1) + {"m": "米", "km": "公里", "min": "分钟"}[m.group(2)]
    return value


def caveat_text(caveat: str, lang: str) -> str:
    """A catalogue caveat in ``lang`` (Chinese from ``caveats_zh.yaml``).

    The note a run configuration adds (``adapted in the run configuration: facility=school,
    name=...``) lists the changed fields and values; names are not repeated (the page shows
    them) so that no sentence of the other language appears.
    """
    check_lang(lang)
    m = _ADAPTED.fullmatch(caveat)
    if m:
        pairs = [pair.split("=", 1) for pair in re.split(r", (?=\w+=)", m.group(1)) if "=" in pair]
        shown = [(k, v) for k, v in pairs if k not in ("name", "name_zh")]
        if lang == "zh":
            items = [f"{_FIELDS_ZH.get(k, k)}={_value_zh(k, v)}" for k, v in shown]
            named = any(k in ("name", "name_zh") for k, _ in pairs)
            return "本次运行配置调整了：" + "、".join(items + (["名称"] if named else []))
        items = [f"{k}={v}" for k, v in shown] + (["name"] if len(shown) < len(pairs) else [])
        return "adapted in the run configuration: " + ", ".join(items)
    if lang == "en":
        return caveat
    return caveats_zh_table().get(caveat.strip(), caveat)


def caveats(rule: Any, lang: str, note: object = "") -> list[str]:
    """The rule's caveats in ``lang``, without those the row's reading contradicts."""
    p = getattr(rule, "provenance", None)
    items: Iterable[str] = getattr(p, "caveats", ()) or ()
    straight = bool(reading_flags(note, "en"))
    return [caveat_text(c, lang) for c in items
            if not (straight and _NETWORK_CAVEAT.search(c))]


def cite(provenance: Any, lang: str) -> str:
    """Title (number), issuer, year, clause in ``lang`` (the quote is shown on its own).

    In English the document's English title comes first with the Chinese title in brackets,
    and an issuer written "上海市人民政府 (Shanghai Municipal People's Government)" is given
    by its English name; in Chinese by its Chinese name.
    """
    if provenance is None:
        return ""
    title = provenance.title or provenance.document
    title_en = getattr(provenance, "title_en", "") or ""
    number = provenance.number if provenance.number and provenance.number not in title else ""
    issuer = provenance.issuer or ""
    m = re.fullmatch(r"\s*([^()]*?)\s*\((.*)\)\s*", issuer)
    zh_issuer, en_issuer = (m.group(1), m.group(2)) if m else (issuer, "")
    line = provenance.line or ""
    year = str(provenance.year) if provenance.year else ""
    if lang == "zh":
        line = line.replace("(verify)", "（待核对原文）")
        # indicator tables cite the value's line and the label's: "L96 (value; label L92)"
        line = re.sub(r"\s*\(value; label (L\d+)\)", r"（数值行；指标名称见\1）", line)
        parts = [title, number, zh_issuer or issuer, year, line]
        return "，".join(dict.fromkeys(p for p in parts if p))
    if title_en:
        title = f"{title_en} ({title})"
    if _CJK_RUN.search(zh_issuer):
        # the English name, or the Chinese one glossed: 上海市人民政府 (implied; …) stays whole
        issuer = en_issuer if en_issuer and not en_issuer.startswith("implied") else \
            f"({issuer})"
    if number and _CJK_RUN.search(number):
        number = f"({number})"
    if _CJK_RUN.search(line):
        line = f"({line})"
    parts = [title, number, issuer, year, line]
    return ", ".join(dict.fromkeys(p for p in parts if p))


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]")


__all__ = [
    "BASIS",
    "KINDS",
    "MODES",
    "NOTE_PATTERNS",
    "PROBLEM_PATTERNS",
    "RADIUS_READINGS",
    "STRENGTH",
    "UNITS",
    "basis_word",
    "caveat_text",
    "caveats",
    "caveats_zh_table",
    "cite",
    "facility_words",
    "kind_name",
    "kind_word",
    "note_text",
    "problem_text",
    "quantity",
    "reading_flags",
    "rule_name",
    "rule_requirement",
    "strength_word",
    "unit_word",
]
