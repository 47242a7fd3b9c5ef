"""Finding untranslated text: English words on a Chinese page, Chinese on an English one.

Used by tests/test_report_language.py and tests/test_browser_language.py. What is allowed:

* in Chinese text: rule ids (GB50180-KG), identifiers a planner types (snake_case column
  names, ``assess(...)`` calls), file names, units (m, km, min, m²), proper names of data
  sources and formats (OpenStreetMap, OSM, ODbL, GB, WGS-84, GCJ-02, POI, PDF …) and the
  data's own names (districts, facilities, the run title) passed as ``data``;
* in English text: the plans' own words — quotes and citations (elements marked
  ``lang="zh-CN"`` are removed before the check) and glosses of a plan's term in brackets or
  quotation marks (``'不宜大于' (should not exceed)``, ``Main urban area (主城区)``) — and the
  data's names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PROPER = {
    "GB", "OSM", "OpenStreetMap", "ODbL", "UTC", "CST", "siting", "Leaflet", "WGS", "GCJ",
    "POI", "POIs", "CARTO", "Amap", "Tianditu", "km", "min", "PDF", "PNG", "CSV", "XLSX",
    "GPKG", "HTML", "GIS", "PPP", "SC", "dpi", "GeoPackage", "Excel", "SFCA", "KD",
}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]")
_STRIP = [
    re.compile(r"\b\w+\(.*?\)(?:\))?"),                                 # assess(..., units=…)
    re.compile(r"[\w.\-~]+\.(?:html|csv|xlsx|gpkg|png|pdf|json|parquet|yaml)\b"),  # files
    re.compile(r"(?<![A-Za-z0-9])[A-Z]{2,}\d+[A-Za-z0-9\-]*"),            # rule ids
    re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+(?![A-Za-z0-9])"),  # columns
    re.compile(r"“[A-Za-z0-9_]+”"),                                     # “beds” column
    re.compile(r"https?://\S+"),
    re.compile(r"`[^`]*`"),                                             # `siting rules show`
    re.compile(r"\{\w+\}"),                                            # {n} placeholders
    re.compile(r"[A-Za-z_:]+=[A-Za-z_0-9]+"),                          # OSM tags building=yes
    re.compile(r"\bv?\d+(?:\.\d+)+\b"),                                 # versions
]
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# a plan's term glossed in an English sentence: (主城区), '不宜大于', 「…」, “…”
_GLOSS = re.compile(r"\([^()]*\)|（[^（）]*）|'[^']*'|\"[^\"]*\"|「[^」]*」|“[^”]*”|‘[^’]*’")


def _without(text: str, data: Iterable[str]) -> str:
    for name in sorted({str(d) for d in data if str(d).strip()}, key=len, reverse=True):
        text = text.replace(name, " ")
    return text


def english_words(text: str, data: Iterable[str] = (), allowed: Iterable[str] = ()) -> list[str]:
    """Words of English in Chinese ``text`` that are neither ids, units nor proper names."""
    text = _without(text, data)
    for pattern in _STRIP:
        text = pattern.sub(" ", text)
    ok = PROPER | set(allowed)
    return [w for w in _WORD.findall(text) if w not in ok and w.strip("'’") not in ok]


def chinese_runs(text: str, data: Iterable[str] = ()) -> list[str]:
    """Runs of Chinese in English ``text`` that are not glosses of a plan's words."""
    text = _without(text, data)
    while True:  # innermost brackets first: (上海市人民政府 (implied; …))
        shorter = _GLOSS.sub(" ", text)
        if shorter == text:
            break
        text = shorter
    return _CJK.findall(text)


def offending_lines(text: str, lang: str, data: Iterable[str] = (),
                    allowed: Iterable[str] = ()) -> list[str]:
    """The lines of ``text`` that carry untranslated words, each with what was found."""
    data = list(data)
    out = []
    for line in text.splitlines():
        found = english_words(line, data, allowed) if lang == "zh" else chinese_runs(line, data)
        if found:
            out.append(f"{line.strip()[:160]!r}: {found}")
    return out


def html_text(html: str) -> str:
    """What a reader of an HTML page sees, minus scripts, styles and ``lang="zh-CN"`` quotes
    (kept on Chinese pages, where they are Chinese anyway)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    lang = (soup.html.get("lang") if soup.html else "") or ""
    if not lang.startswith("zh"):
        for tag in soup.select('[lang="zh-CN"]'):
            tag.decompose()
    texts = [soup.get_text("\n")]
    for tag in soup.find_all(attrs={"title": True}):  # tooltips of grid cells, iframes
        texts.append(tag["title"])
    return "\n".join(texts)
