"""The facility-kind catalogue: ids, names, OSM tags, map-provider types, capacity defaults.

The catalogue lives in ``data/facilities/kinds.yaml`` (its header explains every field and
the classification rules). This module loads it, builds OSM download filters, and turns POI
names / provider types or OSM tags into kinds, vectorised over rows: the loops below run over
the few dozen rules and keywords, never over the POIs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ._resources import data_path
from .errors import SitingError

__all__ = [
    "CATALOGUE_PATH",
    "load_facility_kinds",
    "load_classification_rules",
    "osm_filter_for",
    "classify_names",
    "classify_osm",
]

CATALOGUE_PATH = data_path("facilities", "kinds.yaml")

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_KIND_KEYS = {"id", "name_zh", "name_en", "category", "osm", "osm_by_name", "amap_types",
              "capacity"}
_RULE_KEYS = {"kind", "name_any", "type_any", "name_none", "name_weak", "type_none"}
_CAPACITY_KEYS = {"attribute", "default", "unit", "per_class", "source"}
# Bracketed qualifiers such as (辰塔路店), （东门）, [装修中] are branch or gate labels, not the
# facility's head noun, so they are ignored when finding the name's last keyword.
_BRACKETS = re.compile(r"[\(（\[【][^\)）\]】]*[\)）\]】]")


def _bad(field: str, value: object, problem: str, path: Path) -> SitingError:
    return SitingError(field, value, f"{problem} in {path}",
                       "fix the catalogue entry (the file's header documents every field)")


@lru_cache(maxsize=4)
def _load(path_str: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    path = Path(path_str)
    if not path.exists():
        raise SitingError("catalogue", str(path), "the facility-kind catalogue is missing",
                          "reinstall siting or pass the path of a kinds.yaml")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or "kinds" not in doc or "rules" not in doc:
        raise _bad("catalogue", list(doc) if isinstance(doc, dict) else type(doc).__name__,
                   "the catalogue needs top-level 'kinds' and 'rules' lists", path)

    rows = []
    for i, entry in enumerate(doc["kinds"]):
        unknown = set(entry) - _KIND_KEYS
        if unknown:
            raise _bad(f"kinds[{i}]", sorted(unknown), "unknown fields", path)
        kind_id = entry.get("id")
        if not isinstance(kind_id, str) or not _ID.match(kind_id):
            raise _bad(f"kinds[{i}].id", kind_id, "ids must be snake_case English", path)
        selectors = entry.get("osm") or []
        for sel in selectors:
            if not isinstance(sel, dict) or not sel:
                raise _bad(f"kinds[{kind_id}].osm", sel, "each OSM selector is a tag mapping",
                           path)
        capacity = entry.get("capacity") or {}
        if set(capacity) - _CAPACITY_KEYS:
            raise _bad(f"kinds[{kind_id}].capacity", sorted(set(capacity) - _CAPACITY_KEYS),
                       "unknown capacity fields", path)
        rows.append({
            "id": kind_id,
            "name_zh": entry.get("name_zh"),
            "name_en": entry.get("name_en"),
            "category": entry.get("category", "other"),
            "osm": [{str(k): v for k, v in sel.items()} for sel in selectors],
            "osm_by_name": bool(entry.get("osm_by_name", False)),
            "amap_types": list(entry.get("amap_types") or []),
            "capacity_attribute": capacity.get("attribute"),
            "capacity_default": capacity.get("default"),
            "capacity_unit": capacity.get("unit"),
            "capacity_per_class": capacity.get("per_class"),
            "capacity_source": capacity.get("source"),
        })
    kinds = pd.DataFrame(rows)
    duplicated = kinds["id"][kinds["id"].duplicated()]
    if len(duplicated):
        raise _bad("kinds.id", sorted(duplicated), "duplicate kind ids", path)
    kinds = kinds.set_index("id")

    rule_rows = []
    for i, rule in enumerate(doc["rules"]):
        unknown = set(rule) - _RULE_KEYS
        if unknown:
            raise _bad(f"rules[{i}]", sorted(unknown), "unknown fields", path)
        if rule.get("kind") not in kinds.index:
            raise _bad(f"rules[{i}].kind", rule.get("kind"), "not a kind of the catalogue", path)
        if not (rule.get("name_any") or rule.get("type_any") or rule.get("name_weak")):
            raise _bad(f"rules[{i}]", rule.get("kind"),
                       "a rule needs name_any, type_any or name_weak", path)
        rule_rows.append({
            "kind": rule["kind"],
            "name_any": [str(k).lower() for k in rule.get("name_any") or []],
            "type_any": [str(k).lower() for k in rule.get("type_any") or []],
            "name_none": [str(k).lower() for k in rule.get("name_none") or []],
            "name_weak": [str(k).lower() for k in rule.get("name_weak") or []],
            "type_none": [str(k).lower() for k in rule.get("type_none") or []],
        })
    rules = pd.DataFrame(rule_rows)
    rules.index.name = "order"
    return kinds, rules


def load_facility_kinds(path: str | Path | None = None) -> pd.DataFrame:
    """The facility-kind catalogue, one row per kind, indexed by ``id``.

    Columns: ``name_zh``, ``name_en``, ``category``, ``osm`` (list of tag selectors),
    ``osm_by_name``, ``amap_types``, ``capacity_attribute``, ``capacity_default``,
    ``capacity_unit``, ``capacity_per_class``, ``capacity_source``.
    """
    return _load(str(Path(path) if path else CATALOGUE_PATH))[0].copy()


def load_classification_rules(path: str | Path | None = None) -> pd.DataFrame:
    """The ordered rules: ``kind``, ``name_any``, ``type_any``, ``name_none``, ``name_weak``,
    ``type_none`` (see the header of ``data/facilities/kinds.yaml``)."""
    return _load(str(Path(path) if path else CATALOGUE_PATH))[1].copy()


def _check_kinds(kinds: str | Iterable[str] | None, catalogue: pd.DataFrame) -> list[str]:
    if kinds is None:
        return list(catalogue.index)
    wanted = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = [k for k in wanted if k not in catalogue.index]
    if unknown:
        raise SitingError("kinds", unknown, "unknown facility kinds",
                          f"use ids from the catalogue: {list(catalogue.index)}")
    return wanted


def osm_filter_for(kinds: str | Iterable[str] | None = None,
                   path: str | Path | None = None) -> dict[str, list[str] | bool]:
    """OSM tag filter that downloads every feature the ``kinds`` may come from.

    The result suits ``osmnx.features_from_*(tags=...)`` and
    ``pyrosm.OSM.get_pois(custom_filter=...)``: ``{key: [values]}`` or ``{key: True}`` for
    any value, OR-ed across keys. Only each selector's first tag goes into it (those filters
    cannot express AND); :func:`classify_osm` applies the remaining tags afterwards.
    """
    catalogue = load_facility_kinds(path)
    out: dict[str, list[str] | bool] = {}
    for kind in _check_kinds(kinds, catalogue):
        for selector in catalogue.at[kind, "osm"]:
            key, value = next(iter(selector.items()))
            if value == "*" or value is True or out.get(key) is True:
                out[key] = True
                continue
            values = out.setdefault(key, [])
            assert isinstance(values, list)
            for v in (value if isinstance(value, list) else [value]):
                if str(v) not in values:
                    values.append(str(v))
    return out


def _normalise_names(names: pd.Series) -> tuple[pd.Series, pd.Series]:
    full = names.astype("string").fillna("").str.lower()
    core = full.str.replace(_BRACKETS, "", regex=True)
    return full, core


def _contains_any(text: pd.Series, words: Sequence[str]) -> np.ndarray:
    if not words:
        return np.zeros(len(text), dtype=bool)
    pattern = "|".join(re.escape(w) for w in words)
    return text.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)


def _name_stage(core: pd.Series, rules: pd.DataFrame, field: str,
                excluded: Mapping[int, np.ndarray]) -> np.ndarray:
    """Index of the rule whose ``field`` keyword ends last in each name (-1: none)."""
    n = len(core)
    best_score = np.full(n, -1, dtype=np.int64)
    best_rule = np.full(n, -1, dtype=np.int64)
    for order, rule in rules.iterrows():
        if not rule[field]:
            continue
        # score = end position of the keyword × 1000 + keyword length: the latest-ending
        # keyword wins, the longer one at equal ends; ">" keeps the earlier rule on full ties.
        score = np.full(n, -1, dtype=np.int64)
        for word in rule[field]:
            pos = core.str.rfind(word).to_numpy(dtype=np.int64)
            word_score = np.where(pos >= 0, (pos + len(word)) * 1000 + len(word), -1)
            score = np.maximum(score, word_score)
        score[excluded[order]] = -1
        better = score > best_score
        best_score[better] = score[better]
        best_rule[better] = order
    return best_rule


def classify_names(names: Sequence[str] | pd.Series,
                   types: Sequence[str] | pd.Series | None = None,
                   *, path: str | Path | None = None,
                   explain: bool = False) -> pd.Series | pd.DataFrame:
    """Facility kind of each POI from its name and (optionally) its provider type.

    Stage 1 takes the rule keyword that ends last in the name (bracketed branch labels
    removed; ties go to the longer keyword, then to the rule listed first); stage 2 gives
    rows without a name match the first rule whose ``type_any`` matches the first type
    segment, then the second...; stage 3 tries the generic ``name_weak`` words (学校) on
    what is left (see the header of ``data/facilities/kinds.yaml``).

    Parameters
    ----------
    names
        POI names (Chinese or English).
    types
        Provider type strings such as Amap's ``"医疗保健服务;综合医院;卫生院|..."``.
    path
        Another catalogue file.
    explain
        Also say how each kind was decided (see Returns).

    Returns
    -------
    Series or DataFrame
        Kind ids (object dtype), NaN where no rule matched, indexed like ``names``. With
        ``explain=True`` a DataFrame with ``kind``, ``kind_rule`` (the stage and the keyword
        or type that decided: ``"name:社区卫生服务中心"``, ``"type:急救中心"``,
        ``"weak:学校"``) and ``kind_confidence``: ``high`` when the keyword ends the name
        (its head noun), ``medium`` for a keyword inside the name or a provider type,
        ``low`` for a generic word.

    Examples
    --------
    >>> classify_names(["长桥街道社区卫生服务中心", "XX学校"], explain=True)["kind_rule"].tolist()
    ['name:社区卫生服务中心', 'weak:学校']
    """
    names = pd.Series(names) if not isinstance(names, pd.Series) else names
    rules = load_classification_rules(path)
    full, core = _normalise_names(names)
    if types is not None:
        types = pd.Series(types, index=names.index) if not isinstance(types, pd.Series) else types
        type_text = types.astype("string").fillna("").str.lower()
    else:
        type_text = pd.Series("", index=names.index, dtype="string")
    excluded = {order: _contains_any(full, rule["name_none"])
                | _contains_any(type_text, rule["type_none"]) for order, rule in rules.iterrows()}
    best_rule = _name_stage(core, rules, "name_any", excluded)
    stage = np.where(best_rule >= 0, 1, 0)
    type_word = np.full(len(names), "", dtype=object)

    if types is not None:
        segments = type_text.str.split("|", expand=True)
        for column in segments.columns:
            segment = segments[column].fillna("")
            open_rows = best_rule < 0
            if not open_rows.any():
                break
            for order, rule in rules.iterrows():
                if not rule["type_any"]:
                    continue
                hit = open_rows & _contains_any(segment, rule["type_any"]) & ~excluded[order]
                best_rule[hit] = order
                stage[hit] = 2
                if explain and hit.any():
                    type_word[hit] = [next(w for w in rule["type_any"] if w in text)
                                      for text in segment[hit]]
                open_rows &= ~hit

    open_rows = best_rule < 0
    if open_rows.any():
        weak = _name_stage(core, rules, "name_weak", excluded)
        best_rule[open_rows] = weak[open_rows]
        stage[open_rows & (weak >= 0)] = 3

    kinds = rules["kind"].to_numpy(dtype=object)
    result = np.where(best_rule >= 0, kinds[np.maximum(best_rule, 0)], np.nan)
    kind = pd.Series(result, index=names.index, name="kind", dtype=object)
    if not explain:
        return kind
    return _explain(kind, core, rules, best_rule, stage, type_word)


def _explain(kind: pd.Series, core: pd.Series, rules: pd.DataFrame, best_rule: np.ndarray,
             stage: np.ndarray, type_word: np.ndarray) -> pd.DataFrame:
    """The keyword or type behind each kind, and how much a planner can trust it."""
    rule_text = np.full(len(kind), "", dtype=object)
    confidence = np.full(len(kind), "", dtype=object)
    texts = core.fillna("").to_numpy(dtype=object)
    for row in np.flatnonzero(stage > 0):
        rule = rules.iloc[best_rule[row]]
        if stage[row] == 2:
            rule_text[row], confidence[row] = f"type:{type_word[row]}", "medium"
            continue
        field, label = ("name_any", "name") if stage[row] == 1 else ("name_weak", "weak")
        text = texts[row]
        # the keyword that decided: the one ending last, the longer at equal ends
        word = max((w for w in rule[field] if w in text),
                   key=lambda w: (text.rfind(w) + len(w), len(w)))
        rule_text[row] = f"{label}:{word}"
        if stage[row] == 3:
            confidence[row] = "low"
        else:
            confidence[row] = "high" if text.rstrip().endswith(word) else "medium"
    return pd.DataFrame({"kind": kind, "kind_rule": rule_text, "kind_confidence": confidence},
                        index=kind.index).replace({"kind_rule": {"": None},
                                                   "kind_confidence": {"": None}})


def _tag_values(features: pd.DataFrame, key: str) -> pd.Series:
    """Values of OSM tag ``key``: its own column, else looked up in a ``tags`` column."""
    if key in features.columns:
        return features[key].astype("string")
    if "tags" in features.columns:
        def lookup(tags: object) -> object:
            if isinstance(tags, str):
                try:
                    tags = json.loads(tags)
                except ValueError:
                    return None
            return tags.get(key) if isinstance(tags, Mapping) else None
        return features["tags"].map(lookup).astype("string")
    return pd.Series(pd.NA, index=features.index, dtype="string")


def _selector_mask(features: pd.DataFrame, selector: Mapping[str, object]) -> np.ndarray:
    mask = np.ones(len(features), dtype=bool)
    for key, value in selector.items():
        values = _tag_values(features, key)
        if value == "*" or value is True:
            hit = values.notna()
        else:
            allowed = [str(v) for v in (value if isinstance(value, list) else [value])]
            hit = values.isin(allowed)
        mask &= hit.fillna(False).to_numpy(dtype=bool)
    return mask


def classify_osm(features: pd.DataFrame, name_col: str | None = "name",
                 path: str | Path | None = None) -> pd.Series:
    """Facility kind of each OSM feature from its tags, refined by its name.

    Tags first: the most specific selector wins (more tags, e.g. ``amenity=school`` with
    ``isced:level=1`` before ``amenity=school``), kinds flagged ``osm_by_name`` are skipped.
    Then the name: where :func:`classify_names` finds a kind whose own selectors also match
    the feature's tags, that kind is taken (an ``amenity=clinic`` named 社区卫生服务中心 is a
    community health centre; a ``amenity=school`` named 幼儿园 stays a school, because the
    kindergarten kind does not accept ``amenity=school``).

    Tags missing as columns are read from a ``tags`` column (dict or JSON), as pyrosm gives.
    """
    catalogue = load_facility_kinds(path)
    entries = []
    for position, (kind, row) in enumerate(catalogue.iterrows()):
        for selector in row["osm"]:
            entries.append((len(selector), position, kind, selector, row["osm_by_name"]))
    entries.sort(key=lambda e: (-e[0], e[1]))
    n = len(features)
    by_tags = np.full(n, None, dtype=object)
    accepts: dict[str, np.ndarray] = {}
    for _, _, kind, selector, by_name in entries:
        mask = _selector_mask(features, selector)
        accepts[kind] = accepts.get(kind, np.zeros(n, dtype=bool)) | mask
        if not by_name:
            open_rows = pd.isna(by_tags)
            by_tags[open_rows & mask] = kind
    result = pd.Series(by_tags, index=features.index, name="kind", dtype=object)
    if name_col is not None and name_col in features.columns:
        by_name = classify_names(features[name_col], path=path)
        named = by_name.notna().to_numpy()
        ok = np.zeros(n, dtype=bool)
        for kind in set(by_name[named]):
            ok |= (by_name.to_numpy() == kind) & accepts.get(kind, np.zeros(n, dtype=bool))
        result[ok] = by_name[ok]
    return result.where(result.notna(), np.nan)
