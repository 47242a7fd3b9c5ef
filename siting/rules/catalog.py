"""Rule catalogues: YAML files, one per source document, validated on load.

File layout::

    document:            # the source, shared by every rule in the file
      id: shanghai-2016
      title: 上海市基本公共服务体系"十三五"规划
      number: 沪府发〔2016〕104号
      issuer: 上海市人民政府 (Shanghai Municipal People's Government)
      year: 2016
    defaults:            # optional: values every rule inherits unless it sets its own
      strength: unknown
      target_year: 2020
    rules:
      - id: SH16-18
        kind: service_radius          # see RULE_KINDS
        name: Average service radius of emergency stations
        domain: emergency
        facility: emergency_station
        threshold: 3.5 km
        line: L91                     # or clause: for standards
        quote: 急救站点平均服务半径≤3.5公里
        caveats: [...]

Every error names the file and the field (``shanghai-2016.yaml: SH16-18.threshold``): unknown
kinds, unknown keys, negative thresholds, wrong units and missing provenance all stop the
load, because a silently mis-read standard is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import RuleError, SitingError
from .base import DOMAINS, Provenance, Rule, Strength
from .facility_kinds import FACILITY_KINDS, is_snake_case
from .interface import RULE_KINDS as _REGISTRY

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
#: Catalogue ids shipped with the package, in display order.
CATALOGS = ("shanghai-2016", "shanghai-2021", "qingdao-2021", "gansu-2017", "chongqing-2015",
            "gb50180-2018")

#: ``kind:`` value -> rule class: every Rule subclass with its own ``kind`` registers itself
#: when its module is imported (``siting.rules`` imports the packaged ones before this module).
RULE_KINDS = _REGISTRY

DOCUMENT_KEYS = {"id", "title", "title_en", "number", "issuer", "year", "date", "source",
                 "url", "caveats", "status"}
REQUIRED_DOCUMENT_KEYS = ("id", "title", "issuer", "year")
DEFAULT_KEYS = {"strength", "target_year", "scope", "basis", "domain", "status", "verify",
                "caveats", "check_at"}
# provenance keys a rule entry may carry (merged with the document's)
PROVENANCE_KEYS = {"line", "clause", "quote", "strength", "target_year", "caveats", "verify",
                   "status"}
STATUSES = ("target", "baseline")
# 50: the full sentence carrying the number, district lists included (QD21-20 names six)
QUOTE_MAX = 50
# a few characters that exist only in traditional script: a quote containing one was copied
# from the glossed traditional rendering of a seed and not normalised
_TRADITIONAL = set("務區醫衛車輛護設鎮體養為與們個學東這時會經發開問關長門見實數對點線標準應從優級"
                   "國達應單書義務農並產備縣鄉職導協調電療")
_CJK = re.compile(r"[\u4e00-\u9fff]")


class _Where:
    """Builds error field names such as ``gansu-2017.yaml: rules[3] GS17-42.quote``."""

    def __init__(self, file: str) -> None:
        self.file = file

    def __call__(self, path: str) -> str:
        return f"{self.file}: {path}"


def _raise(where: str, value: object, problem: str, fix: str) -> None:
    raise RuleError(where, value, problem, fix)


def _class_keys(cls: type[Rule]) -> set[str]:
    return {f.name for f in fields(cls) if f.init and f.name != "provenance"}


def _check_quote(where: str, quote: object) -> str:
    if not isinstance(quote, str) or not quote.strip():
        _raise(where, quote, "missing provenance: every rule needs a short verbatim quote",
               f"add quote: with ≤ {QUOTE_MAX} characters of the source text carrying the number")
    quote = str(quote).strip()
    if len(quote) > QUOTE_MAX:
        _raise(where, quote, f"the quote has {len(quote)} characters (at most {QUOTE_MAX})",
               "shorten it to the words that carry the number")
    if not _CJK.search(quote):
        _raise(where, quote, "the quote has no Chinese characters",
               "quote the Chinese source text, not a translation")
    trad = sorted(set(quote) & _TRADITIONAL)
    if trad:
        _raise(where, quote, f"the quote looks traditional ({''.join(trad)})",
               "give the simplified reading (strip pinyin glosses, convert with OpenCC t2s)")
    return quote


def _check_facility(where: str, value: object, strict: bool) -> None:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        _raise(where, value, "facility must be a kind id or a list of them",
               "write facility: community_health_centre")
    for item in items:  # type: ignore[union-attr]
        if not isinstance(item, str) or not is_snake_case(item):
            _raise(where, item, "facility kinds are snake_case English ids",
                   "write e.g. community_health_centre")
        if strict and item not in FACILITY_KINDS:
            _raise(where, item, "unknown facility kind for a package catalogue",
                   "use one of siting.rules.FACILITY_KINDS or add it there (and to "
                   "data/facilities/)")


def _build_rule(entry: Any, where: _Where, path: str, document: Mapping[str, Any],
                inherited: Mapping[str, Any], strict: bool, seen: set[str]) -> Rule:
    if not isinstance(entry, Mapping):
        _raise(where(path), entry, "a rule entry must be a mapping", "write key: value lines")
    rid = entry.get("id")
    if not isinstance(rid, str) or not rid.strip():
        _raise(where(f"{path}.id"), rid, "every rule needs an id", "add id: XX-01")
    label = f"{path} {rid}"
    if rid in seen:
        _raise(where(f"{label}.id"), rid, "duplicate rule id", "give every rule its own id")
    seen.add(rid)
    kind = entry.get("kind")
    if kind not in RULE_KINDS:
        _raise(where(f"{label}.kind"), kind, "unknown rule kind",
               "use one of " + ", ".join(sorted(RULE_KINDS)))
    cls = RULE_KINDS[kind]
    allowed = _class_keys(cls) | PROVENANCE_KEYS | {"kind"}
    for key in entry:
        if key not in allowed:
            _raise(where(f"{label}.{key}"), entry[key], f"unknown key for a {kind} rule",
                   "use " + ", ".join(sorted(allowed - {'kind'})))
    merged = {**inherited, **{k: v for k, v in entry.items()}}
    if "line" not in merged and "clause" not in merged:
        _raise(where(f"{label}.line"), None, "missing provenance: no line or clause",
               "add line: L91 (seed line) or clause: (standard clause)")
    if "line" in merged and "clause" in merged and "line" in entry and "clause" in entry:
        _raise(where(f"{label}.clause"), entry["clause"], "give line or clause, not both",
               "keep one")
    quote = _check_quote(where(f"{label}.quote"), merged.get("quote"))
    if "strength" not in merged:
        _raise(where(f"{label}.strength"), None, "missing provenance: no strength",
               "add strength: binding / target / expected / in principle / unknown")
    strength = Strength.parse(merged["strength"], where(f"{label}.strength"))
    status = merged.get("status", "target")
    if status not in STATUSES:
        _raise(where(f"{label}.status"), status, "unknown status", "use target or baseline")
    target_year = merged.get("target_year")
    if target_year is not None and (not isinstance(target_year, int) or
                                    not 1949 <= target_year <= 2100):
        _raise(where(f"{label}.target_year"), target_year, "not a year", "write e.g. 2025")
    own = entry.get("caveats", [])
    if not isinstance(own, list) or not all(isinstance(c, str) for c in own):
        _raise(where(f"{label}.caveats"), own, "caveats must be a list of sentences",
               "write caveats: [\"...\"]")
    # caveats accumulate: the document's, the defaults' or composite's, then the rule's own
    merged["caveats"] = list(inherited.get("caveats", [])) + list(own)
    caveats = list(dict.fromkeys([*document.get("caveats", []), *merged["caveats"]]))
    provenance = Provenance(
        document=document["id"], title=document["title"], title_en=document.get("title_en", ""),
        number=document.get("number", ""),
        issuer=document["issuer"], year=document["year"],
        line=str(merged.get("line", merged.get("clause", ""))), quote=quote, strength=strength,
        target_year=target_year, caveats=tuple(caveats),
        verify=bool(merged.get("verify", False)), status=status, url=document.get("url", ""))
    if "facility" in entry:
        _check_facility(where(f"{label}.facility"), entry["facility"], strict)
    domain = merged.get("domain", "other")
    if domain not in DOMAINS:
        _raise(where(f"{label}.domain"), domain, "unknown domain", "use one of " + ", ".join(DOMAINS))
    kwargs = {k: v for k, v in merged.items() if k in _class_keys(cls)}
    if cls.has_parts:
        parts = entry.get("parts")
        if not isinstance(parts, list) or len(parts) < 2:
            _raise(where(f"{label}.parts"), parts, "a composite needs a list of ≥ 2 parts",
                   "write parts: [- id: ..., - id: ...]")
        # parts inherit the composite's provenance, scope and basis unless they set their own
        passed_down = {k: v for k, v in merged.items()
                       if k in (PROVENANCE_KEYS | {"scope", "basis", "domain", "check_at"})}
        kwargs["parts"] = [
            _build_rule(part, where, f"{label}.parts[{i}]", document, passed_down, strict, seen)
            for i, part in enumerate(parts)]
    kwargs.pop("kind", None)
    try:
        return cls(provenance=provenance, **kwargs)
    except SitingError as exc:
        raise type(exc)(where(exc.field if exc.field.startswith(rid) else f"{label}.{exc.field}"),
                        exc.value, exc.problem, exc.fix) from None
    except TypeError as exc:  # a wrong value type the dataclass could not take
        _raise(where(label), None, f"bad value: {exc}", "check the entry against the docs")
        raise  # unreachable


def read_catalog(path: str | Path, *, strict: bool | None = None) -> list[Rule]:
    """Read and validate one YAML catalogue.

    Parameters
    ----------
    path
        The YAML file.
    strict
        Also require facility kinds from :data:`FACILITY_KINDS` (default: only for the files
        shipped with the package).

    Raises
    ------
    RuleError, UnitError
        With the file name and the field in ``field``.
    """
    path = Path(path)
    where = _Where(path.name)
    if strict is None:
        strict = path.resolve().parent == CATALOG_DIR
    if not path.exists():
        raise RuleError("path", str(path), "no such catalogue file",
                        f"give a YAML file path or a catalogue id from {list(CATALOGS)}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RuleError(where("(yaml)"), str(exc).splitlines()[0], "not valid YAML",
                        "fix the YAML syntax at the position shown") from None
    if not isinstance(data, Mapping):
        _raise(where("(top)"), type(data).__name__, "a catalogue is a mapping",
               "start with document: and rules:")
    for key in data:
        if key not in ("document", "defaults", "rules"):
            _raise(where(str(key)), data[key], "unknown top-level key", "use document, defaults, rules")
    document = data.get("document")
    if not isinstance(document, Mapping):
        _raise(where("document"), document, "missing provenance: no document section",
               "add document: with id, title, issuer, year")
    for key in document:
        if key not in DOCUMENT_KEYS:
            _raise(where(f"document.{key}"), document[key], "unknown document key",
                   "use " + ", ".join(sorted(DOCUMENT_KEYS)))
    for key in REQUIRED_DOCUMENT_KEYS:
        if not document.get(key):
            _raise(where(f"document.{key}"), None, f"missing provenance: document.{key}",
                   f"add {key}: to the document section")
    if not isinstance(document["year"], int):
        _raise(where("document.year"), document["year"], "not a year", "write year: 2016")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        _raise(where("defaults"), defaults, "defaults must be a mapping", "write key: value lines")
    for key in defaults:
        if key not in DEFAULT_KEYS:
            _raise(where(f"defaults.{key}"), defaults[key], "unknown defaults key",
                   "use " + ", ".join(sorted(DEFAULT_KEYS)))
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        _raise(where("rules"), rules, "no rules", "add rules: with at least one entry")
    seen: set[str] = set()
    out = [_build_rule(entry, where, f"rules[{i}]", document, defaults, strict, seen)
           for i, entry in enumerate(rules)]
    return out


# ---------------------------------------------------------------------------------------------
class RuleSet(list):
    """A list of rules with a table view (``.table()``), lookup by id and a Jupyter view."""

    def table(self) -> pd.DataFrame:
        from .display import list_rules_table

        return list_rules_table(self)

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self]

    def get(self, rule_id: str) -> Rule:
        for rule in self:
            for r in rule.walk():
                if r.id == rule_id:
                    return r
        raise KeyError(rule_id)

    def checkable(self) -> RuleSet:
        return RuleSet(r for r in self if r.checkable)

    def _repr_html_(self) -> str:
        return self.table().to_html(index=False)

    def __repr__(self) -> str:
        return f"RuleSet({len(self)} rules: {', '.join(self.ids[:8])}{' …' if len(self) > 8 else ''})"


def _package_catalog(name: str) -> list[Rule]:
    # rules are rebuilt on every load so callers can never change each other's copies
    return read_catalog(CATALOG_DIR / f"{name}.yaml", strict=True)


def _all_package_rules() -> list[Rule]:
    rules: list[Rule] = []
    for name in CATALOGS:
        rules += _package_catalog(name)
    return rules


def load_rules(*selectors: str | Path | Rule | Iterable[str | Path | Rule],
               domain: str | Iterable[str] | None = None,
               facility: str | Iterable[str] | None = None,
               kind: str | Iterable[str] | None = None,
               checkable: bool | None = None,
               override: bool | Iterable[str] = ()) -> RuleSet:
    """Load rules from the package catalogues or from YAML files.

    Parameters
    ----------
    selectors
        Catalogue ids (``"shanghai-2016"``), rule ids (``"SH16-18"``, also composite parts
        such as ``"SH21-02-health"``), YAML file paths, rule objects, or lists of these. None
        means every package catalogue.
    domain, facility, kind
        Keep only rules of these domains, facility kinds (a composite is kept when any part
        names the facility) or rule kinds.
    checkable
        ``True`` keeps checkable rules only, ``False`` only principles and site budgets.
    override
        Rule ids (or ``True`` for all) that your own YAML files or rule objects may redefine
        in place of the packaged rule of the same id. Without it such a redefinition is
        refused with a :class:`RuleError`, in whatever order the two are listed: a report
        must never show a packaged id with a threshold the plan does not state. Two of your
        own definitions of one id are always refused.

    Examples
    --------
    >>> load_rules("shanghai-2016")                     # doctest: +SKIP
    >>> load_rules(["SH16-18", "QD21-20"], domain="emergency")   # doctest: +SKIP
    >>> load_rules("my_rules.yaml")                     # doctest: +SKIP
    """
    items: list[Any] = []
    for selector in selectors:
        if isinstance(selector, (str, Path, Rule)):
            items.append(selector)
        elif isinstance(selector, Iterable):
            items.extend(selector)
        else:
            raise RuleError("selectors", selector, "not a rule selector",
                            "give catalogue ids, rule ids, YAML paths or rules")
    rules: list[Rule] = []
    origins: list[str] = []  # "" for packaged rules, else the file or object they came from
    if not items:
        rules = _all_package_rules()
        origins = [""] * len(rules)
    everything: list[Rule] | None = None
    for item in items:
        before = len(rules)
        if isinstance(item, Rule):
            rules.append(item)
            origins.append(f"rule object {item.id}")
            continue
        text = str(item)
        if text in CATALOGS:
            rules += _package_catalog(text)
        elif isinstance(item, Path) or text.endswith((".yaml", ".yml")) or Path(text).is_file():
            rules += read_catalog(text)
            origins += [text] * (len(rules) - before)
            continue
        else:
            everything = everything if everything is not None else _all_package_rules()
            found = [r for top in everything for r in top.walk() if r.id == text]
            if not found:
                raise RuleError("selectors", text, "no catalogue, rule id or file of that name",
                                f"use a catalogue id {list(CATALOGS)}, a rule id such as "
                                "'SH16-18', or a path to a .yaml file")
            rules += found[:1]
        origins += [""] * (len(rules) - len(origins))
    rules = _resolve_shadows(rules, origins, override)
    out = []
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            continue
        seen.add(rule.id)
        if not _keep(rule, domain, facility, kind, checkable):
            continue
        out.append(rule)
    return RuleSet(out)


def _resolve_shadows(rules: list[Rule], origins: list[str],
                     override: bool | Iterable[str]) -> list[Rule]:
    """The rules with each redefined packaged id resolved (or refused, see ``override``)."""
    allowed = override if isinstance(override, bool) else set(_as_set(override) or ())
    mine: dict[str, tuple[Rule, str]] = {}
    packaged: set[str] = set()
    for rule, origin in zip(rules, origins):
        if not origin:
            packaged.add(rule.id)
            continue
        if rule.id in mine and mine[rule.id][0] is not rule:
            raise RuleError(
                "selectors", rule.id,
                f"rule {rule.id} is defined twice, in {mine[rule.id][1]} and in {origin}",
                "keep one definition, or give the other its own id",
            )
        mine[rule.id] = (rule, origin)
    shadowed = sorted(set(mine) & packaged)
    for rid in shadowed:
        if allowed is True or (not isinstance(allowed, bool) and rid in allowed):
            continue
        raise RuleError(
            "selectors", rid,
            f"{mine[rid][1]} redefines the packaged rule {rid}: the report would show the "
            "plan's id with your definition (or silently the plan's, depending on order)",
            f"give your rule its own id (e.g. MY-{rid}), or pass override=[{rid!r}] to "
            "load_rules to use yours in place of the packaged one",
        )
    if not shadowed:
        return rules
    # overridden: the user's definition stands where the packaged one was listed
    return [mine[r.id][0] if (not o and r.id in mine) else r for r, o in zip(rules, origins)]


def _as_set(value: str | Iterable[str] | None) -> set[str] | None:
    if value is None:
        return None
    return {value} if isinstance(value, str) else set(value)


def _keep(rule: Rule, domain: Any, facility: Any, kind: Any, checkable: bool | None) -> bool:
    domains, facilities, kinds = _as_set(domain), _as_set(facility), _as_set(kind)
    if domains is not None and rule.domain not in domains:
        return False
    if facilities is not None and not set(rule.facility) & facilities:
        return False
    if kinds is not None and rule.kind not in kinds:
        return False
    if checkable is not None and rule.checkable != checkable:
        return False
    return True
