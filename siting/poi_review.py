"""Review of classified POIs: what the name classifier cannot know, listed with its reason.

A POI export names a facility's head noun well enough to classify it (``kinds.yaml``), but
a verdict counts facilities, and some rows with the right head noun are not the facility a
standard counts: an animal rescue station typed as 急救中心, a hospital's burn centre named
急救中心, a 服务站 or 门诊 entry of a community health centre, the same centre entered twice a
few metres apart. Each of these changes a count, a radius or a coverage share without a word.
:func:`review_pois` applies the review rules of ``data/facilities/review.yaml`` and a
duplicate search, keeps every decision with its reason (zh and en), and drops only what the
caller asks to drop, so the report can show the planner what was excluded and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import yaml
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ._resources import data_path
from .crs import choose_metric_crs
from .errors import SitingError
from .facility_kinds import load_classification_rules
from .units import parse_quantity

__all__ = ["REVIEW_PATH", "REVIEW_STATUSES", "load_review_rules", "review_pois"]

REVIEW_PATH = data_path("facilities", "review.yaml")

#: Review outcomes, from least to most doubtful about the classified kind.
REVIEW_STATUSES = ("ok", "reclassified", "doubtful", "duplicate", "excluded")
_ACTIONS = {"exclude": "excluded", "reclassify": "reclassified", "doubtful": "doubtful"}
_RULE_KEYS = {"kind", "name_re", "tail_re", "unless_re", "action", "to", "reason_zh",
              "reason_en"}
_BRACKETS = re.compile(r"[\(（\[【][^\)）\]】]*[\)）\]】]")
_DUPLICATE_REASON = ("与{other}（{metres:.0f} 米内）为同一设施的重复记录",
                     "a duplicate of {other} ({metres:.0f} m away), the same facility again")


def _bad(field: str, value: object, problem: str, path: Path) -> SitingError:
    return SitingError(field, value, f"{problem} in {path}",
                       "fix the review rule (the file's header documents every field)")


@lru_cache(maxsize=4)
def _load(path_str: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    path = Path(path_str)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise _bad("review", path.name, "the review file needs a top-level 'rules' list", path)
    duplicate_kinds = doc.get("duplicate_kinds") or []
    if not isinstance(duplicate_kinds, list) or not all(isinstance(k, str)
                                                        for k in duplicate_kinds):
        raise _bad("duplicate_kinds", duplicate_kinds, "must be a list of kind ids", path)
    rows = []
    for i, rule in enumerate(doc["rules"]):
        if not isinstance(rule, dict) or set(rule) - _RULE_KEYS:
            raise _bad(f"rules[{i}]", sorted(set(rule) - _RULE_KEYS) if isinstance(rule, dict)
                       else rule, "unknown fields", path)
        action = rule.get("action")
        if action not in _ACTIONS:
            raise _bad(f"rules[{i}].action", action, f"the action must be one of {list(_ACTIONS)}",
                       path)
        if action == "reclassify" and not rule.get("to"):
            raise _bad(f"rules[{i}].to", None, "a reclassify rule needs the new kind", path)
        if not (rule.get("name_re") or rule.get("tail_re")):
            raise _bad(f"rules[{i}]", rule.get("kind"), "a rule needs name_re or tail_re", path)
        for key in ("name_re", "tail_re", "unless_re"):
            if rule.get(key):
                try:
                    re.compile(rule[key])
                except re.error as err:
                    raise _bad(f"rules[{i}].{key}", rule[key], f"not a regular expression ({err})",
                               path) from None
        if not (rule.get("reason_zh") and rule.get("reason_en")):
            raise _bad(f"rules[{i}]", rule.get("kind"), "a rule needs reason_zh and reason_en",
                       path)
        rows.append({"kind": rule.get("kind"), "name_re": rule.get("name_re") or "",
                     "tail_re": rule.get("tail_re") or "", "unless_re": rule.get("unless_re") or "",
                     "status": _ACTIONS[action], "to": rule.get("to") or "",
                     "reason_zh": rule["reason_zh"], "reason_en": rule["reason_en"]})
    rules = pd.DataFrame(rows, columns=["kind", "name_re", "tail_re", "unless_re", "status", "to",
                                        "reason_zh", "reason_en"])
    return rules, tuple(duplicate_kinds)


def load_review_rules(path: str | Path | None = None) -> pd.DataFrame:
    """The ordered review rules of ``data/facilities/review.yaml`` (or another file).

    Parameters
    ----------
    path
        Another review file with the same fields.

    Returns
    -------
    DataFrame
        One row per rule: ``kind``, ``name_re``, ``tail_re``, ``unless_re``, ``status``
        (``excluded`` / ``reclassified`` / ``doubtful``), ``to``, ``reason_zh``, ``reason_en``.

    Raises
    ------
    SitingError
        When a rule has unknown fields, an unknown action or an invalid expression.

    Examples
    --------
    >>> rules = load_review_rules()
    >>> sorted(set(rules["status"]))
    ['doubtful', 'excluded', 'reclassified']
    """
    return _load(str(Path(path) if path else REVIEW_PATH))[0].copy()


def _tails(core: pd.Series, kinds: pd.Series) -> pd.Series:
    """What follows the last classification keyword of each row's kind in its name."""
    tails = pd.Series("", index=core.index, dtype=object)
    rules = load_classification_rules()
    for kind, words in rules.groupby("kind")["name_any"]:
        rows = (kinds == kind).to_numpy()
        if not rows.any():
            continue
        keywords = sorted({w for ws in words for w in ws}, key=len, reverse=True)
        if not keywords:
            continue
        pattern = re.compile("(?:" + "|".join(re.escape(w) for w in keywords) + ")")
        tails[rows] = [_after_last(pattern, text) for text in core[rows]]
    return tails


def _after_last(pattern: re.Pattern[str], text: str) -> str:
    end = -1
    for match in pattern.finditer(text):
        end = match.end()
    return text[end:] if end >= 0 else ""


def _search(texts: pd.Series, pattern: str) -> np.ndarray:
    compiled = re.compile(pattern)
    return np.fromiter((compiled.search(t) is not None for t in texts), dtype=bool,
                       count=len(texts))


def _apply_rules(names: pd.Series, kinds: pd.Series, rules: pd.DataFrame) -> pd.DataFrame:
    core = names.astype("string").fillna("").str.lower().str.replace(_BRACKETS, "", regex=True)
    core = core.str.strip().astype(object)
    tails = _tails(core, kinds) if (rules["tail_re"] != "").any() else None
    out = pd.DataFrame({"review": "ok", "kind": kinds.astype(object), "review_reason_zh": "",
                        "review_reason_en": ""}, index=names.index)
    open_rows = np.ones(len(names), dtype=bool)
    for rule in rules.itertuples(index=False):
        hit = open_rows & (kinds == rule.kind).to_numpy()
        if not hit.any():
            continue
        if rule.name_re:
            hit &= _search(core, rule.name_re)
        if rule.tail_re and tails is not None:
            hit &= _search(tails, f"(?:{rule.tail_re})$")
        if rule.unless_re:
            hit &= ~_search(core, rule.unless_re)
        if not hit.any():
            continue
        out.loc[hit, "review"] = rule.status
        out.loc[hit, "review_reason_zh"] = rule.reason_zh
        out.loc[hit, "review_reason_en"] = rule.reason_en
        if rule.status == "reclassified":
            out.loc[hit, "kind"] = rule.to
        open_rows &= ~hit
    return out


def _duplicates(points: gpd.GeoSeries, kinds: pd.Series, names: pd.Series, alive: np.ndarray,
                doubtful: np.ndarray, metres: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows that repeat a kept row of the same kind within ``metres``: (mask, of, distance)."""
    n = len(points)
    is_dup = np.zeros(n, dtype=bool)
    dup_of = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.nan)
    if metres <= 0 or n == 0:
        return is_dup, dup_of, dist
    metric = points.to_crs(choose_metric_crs(gpd.GeoDataFrame(geometry=points)))
    xy = np.column_stack([metric.x.to_numpy(), metric.y.to_numpy()])
    kind_codes, _ = pd.factorize(kinds, use_na_sentinel=True)
    usable = alive & (kind_codes >= 0) & np.isfinite(xy).all(axis=1)
    rows = np.flatnonzero(usable)
    if len(rows) < 2:
        return is_dup, dup_of, dist
    pairs = cKDTree(xy[rows]).query_pairs(metres, output_type="ndarray")
    pairs = pairs[kind_codes[rows[pairs[:, 0]]] == kind_codes[rows[pairs[:, 1]]]]
    if not len(pairs):
        return is_dup, dup_of, dist
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])),
                       shape=(len(rows), len(rows)))
    _, label = connected_components(graph, directed=False)
    # an undoubted entry stands for the group, of those the shortest name (the centre itself,
    # not "…分中心门诊"), at equal length the one listed first
    length = names.astype("string").fillna("").str.len().to_numpy()[rows]
    order = np.lexsort((np.arange(len(rows)), length, doubtful[rows], label))
    first_of_group = np.ones(len(order), dtype=bool)
    first_of_group[1:] = label[order[1:]] != label[order[:-1]]
    keeper = np.empty(len(rows), dtype=np.int64)
    keeper_pos = order[first_of_group]
    keeper[order] = keeper_pos[np.cumsum(first_of_group) - 1]
    # a chain of near points can span more than the distance: only rows within it of the
    # group's keeper repeat it
    gap = np.hypot(*(xy[rows] - xy[rows[keeper]]).T)
    repeat = (keeper != np.arange(len(rows))) & (gap <= metres)
    is_dup[rows[repeat]] = True
    dup_of[rows[repeat]] = rows[keeper[repeat]]
    dist[rows[repeat]] = gap[repeat]
    return is_dup, dup_of, dist


def review_pois(pois: gpd.GeoDataFrame, *, name_col: str = "name", kind_col: str = "kind",
                duplicates_within: str | float | None = "30 m",
                duplicate_kinds: Iterable[str] | None = None,
                drop: Iterable[str] = ("excluded", "duplicate"),
                path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Review classified POIs: exclusions, reclassifications, doubtful names and duplicates.

    Every row gets a ``review`` status with its reason in Chinese and English; the rows whose
    status is in ``drop`` are left out of the result and kept, with everything else that was
    flagged, in ``result.attrs["review"]`` for the report's facility review.

    Parameters
    ----------
    pois
        Points with a name and a classified kind (from :func:`siting.china.classify_pois`),
        in any CRS.
    name_col, kind_col
        The name and kind columns.
    duplicates_within
        Two POIs of the same kind closer than this (``"30 m"``; numbers are metres) are one
        facility entered twice: the one with the shortest name stands for both. ``None`` or 0
        turns the search off.
    duplicate_kinds
        Kinds searched for duplicates (default: ``duplicate_kinds`` of the review file —
        health centres and stations, village clinics and emergency stations; not hospitals
        or clinics, which do share buildings in a city centre).
    drop
        Statuses left out of the result: any of ``"excluded"``, ``"duplicate"``,
        ``"doubtful"``, ``"reclassified"``. Pass ``()`` to keep every row (and read the
        ``review`` column).
    path
        Another review file (default ``data/facilities/review.yaml``).

    Returns
    -------
    GeoDataFrame
        The kept rows with the reviewed ``kind`` and the columns ``kind_classified``,
        ``review``, ``review_reason_zh``, ``review_reason_en``, ``duplicate_of`` (index label
        of the row a duplicate repeats) and ``duplicate_m``. ``attrs["review"]`` holds every
        row whose status is not ``ok``, with a ``dropped`` column;
        ``attrs["review_counts"]`` counts rows per status.

    Raises
    ------
    SitingError
        When a column is missing, ``drop`` names an unknown status or the distance is bad.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> pois = gpd.GeoDataFrame(
    ...     {"name": ["崇明区医疗急救中心庙镇分站", "明珠湖公园-动物救护站"],
    ...      "kind": ["emergency_station", "emergency_station"]},
    ...     geometry=[Point(121.3, 31.7), Point(121.2, 31.6)], crs="EPSG:4326")
    >>> kept = review_pois(pois)
    >>> kept["name"].tolist()
    ['崇明区医疗急救中心庙镇分站']
    >>> kept.attrs["review"]["review_reason_en"].iloc[0]
    'an animal rescue station, not a pre-hospital emergency station'
    """
    for field, col in (("name_col", name_col), ("kind_col", kind_col)):
        if col not in pois.columns:
            raise SitingError(field, col, "no such column in the POI table",
                              f"use one of {list(pois.columns)}")
    drop = tuple(drop)
    unknown = [s for s in drop if s not in REVIEW_STATUSES or s == "ok"]
    if unknown:
        raise SitingError("drop", unknown, "unknown review statuses",
                          f"use any of {list(REVIEW_STATUSES[1:])}")
    metres = 0.0
    if duplicates_within is not None:
        metres = parse_quantity(duplicates_within, field="duplicates_within",
                                dimension="length", default_unit="m").value
        if not (np.isfinite(metres) and metres >= 0):
            raise SitingError("duplicates_within", duplicates_within,
                              "must be a finite distance of 0 or more",
                              "give a distance such as '30 m', or None to skip the search")
    rules, default_duplicate_kinds = _load(str(Path(path) if path else REVIEW_PATH))
    duplicate_kinds = default_duplicate_kinds if duplicate_kinds is None else tuple(duplicate_kinds)
    decided = _apply_rules(pois[name_col], pois[kind_col], rules)

    out = pois.copy()
    out["kind_classified"] = pois[kind_col]
    out[kind_col] = decided["kind"]
    for column in ("review", "review_reason_zh", "review_reason_en"):
        out[column] = decided[column]
    alive = ((decided["review"] != "excluded") & decided["kind"].isin(duplicate_kinds)).to_numpy()
    doubtful = (decided["review"] == "doubtful").to_numpy()
    is_dup, dup_of, dist = _duplicates(out.geometry, out[kind_col], out[name_col], alive,
                                       doubtful, metres)
    labels = out.index.to_numpy()
    out["duplicate_of"] = pd.Series(np.where(is_dup, labels[np.maximum(dup_of, 0)], None),
                                    index=out.index, dtype=object)
    out["duplicate_m"] = dist
    if is_dup.any():
        others = out[name_col].astype(str).to_numpy()[dup_of[is_dup]]
        out.loc[is_dup, "review"] = "duplicate"
        out.loc[is_dup, "review_reason_zh"] = [
            _DUPLICATE_REASON[0].format(other=o, metres=m) for o, m in zip(others, dist[is_dup])]
        out.loc[is_dup, "review_reason_en"] = [
            _DUPLICATE_REASON[1].format(other=o, metres=m) for o, m in zip(others, dist[is_dup])]

    dropped = out["review"].isin(drop)
    flagged = out[out["review"] != "ok"].copy()
    flagged["dropped"] = dropped[flagged.index]
    kept = out[~dropped].copy()
    kept.attrs = dict(pois.attrs)
    kept.attrs["review"] = pd.DataFrame(flagged.drop(columns=flagged.geometry.name))
    kept.attrs["review_counts"] = {s: int((out["review"] == s).sum()) for s in REVIEW_STATUSES}
    kept.attrs["review_dropped"] = list(drop)
    return kept
