"""The study-area (全市/全省) rows of a batch: rules stated for the whole area, decided there.

A batch assesses each district as its own study area, so a rule with ``check_at: area``
(SH16-18 "全市 … 急救站点平均服务半径≤3.5公里", SH16-19's ambulances per 30,000 people) gets
only *diagnostic* district rows there (``passed`` empty: a district cannot fail a city-wide
target on its own). The deciding row needs every district at once: :func:`study_area_rows`
runs :func:`siting.assess.assess` on the whole batch (all districts, cells, facilities and
networks) with those rules only, and returns its study-area rows — the same rows, number by
number, as one ``assess()`` over the whole area. They go into ``summary.csv``,
``summary.xlsx`` and the index (the 全市 figure); the district ranking never counts them.

The rows are cached beside the summary (``study_area.parquet`` + ``study_area.json``) under
a fingerprint of the rules, options and every district's data, so a rerun with nothing
changed does not recompute them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..assess import ASSESSMENT_COLUMNS, LEVEL_AREA
from ..errors import SitingError
from ..rules.base import STUDY_AREA

if TYPE_CHECKING:
    from ..rules.base import Rule
    from .batch import BatchInputs, ReportOptions

CACHE_TABLE = "study_area.parquet"
CACHE_STATUS = "study_area.json"


def area_level_rules(rules: Sequence[Rule]) -> list[Rule]:
    """Top-level rules stated for the whole study area (themselves or one of their parts)."""
    return [r for r in rules if any(getattr(p, "check_at", "district") == "area"
                                    for p in r.walk())]


def whole_area(inputs: BatchInputs):
    """The :class:`~siting.StudyArea` of every district of ``inputs`` at once."""
    from ..study_area import StudyArea

    cells = None if inputs.cells is None else inputs.cells.drop(columns=["_district"])
    return StudyArea(inputs.districts, cells, inputs.facilities, inputs.networks,
                     district_col="district", crs=inputs.crs, clip=False,
                     snap_distance=inputs.snap_distance)


def study_area_rows(inputs: BatchInputs, rules: Sequence[Rule], options: ReportOptions,
                    out: Path | None = None, fingerprint: str = "") -> pd.DataFrame:
    """The deciding study-area rows of the area-level rules among ``rules``.

    Parameters
    ----------
    inputs
        The whole batch (not a district's slice).
    rules
        The batch's rules; those without an area-level part are left out.
    options
        The batch options (``straight_line``, ``detour``, ``absent_is_zero`` as for the
        districts).
    out
        Folder of the cache (``None``: no cache).
    fingerprint
        Digest of everything the rows depend on; the cache is used only when it matches.

    Returns
    -------
    pandas.DataFrame
        Rows with ``district == "(study area)"`` and ``level == "area"``, assessment columns.
        When the whole area cannot be built (one district's data is broken), one row per
        area-level rule with ``passed`` empty and the reason in ``note``: undecided, never
        decided on the districts that happened to work.

    Examples
    --------
    >>> rows = study_area_rows(inputs, rules, ReportOptions())  # doctest: +SKIP
    >>> rows[["rule_id", "reading", "required", "passed"]]  # doctest: +SKIP
    """
    from ..assess import assess

    chosen = area_level_rules(rules)
    if not chosen:
        return pd.DataFrame(columns=ASSESSMENT_COLUMNS)
    cached = _load(out, fingerprint)
    if cached is not None:
        return cached
    try:
        area = whole_area(inputs)
        table = assess(area, chosen, errors="report", straight_line=options.straight_line,
                       detour=options.detour, absent_is_zero=options.absent_is_zero).table
        rows = table[table["level"] == LEVEL_AREA].reset_index(drop=True)
    except SitingError as exc:
        rows = _undecided(chosen, f"not evaluated: the whole study area could not be built "
                                  f"({exc.problem}; {exc.field}={exc.value!r}). Fix: {exc.fix}")
    except Exception as exc:  # noqa: BLE001  the districts' reports must still be written
        rows = _undecided(chosen, f"not evaluated: the study-area assessment failed "
                                  f"({type(exc).__name__}: {exc})")
    _save(out, fingerprint, rows)
    return rows


def _undecided(rules: Sequence[Rule], note: str) -> pd.DataFrame:
    rows = pd.DataFrame({"district": STUDY_AREA, "rule_id": [r.id for r in rules],
                         "kind": [r.kind for r in rules],
                         "strength": [str(r.strength) for r in rules],
                         "note": note, "check_at": "area", "level": LEVEL_AREA,
                         "document": [r.document for r in rules]})
    rows = rows.reindex(columns=ASSESSMENT_COLUMNS)
    rows["passed"] = pd.array([pd.NA] * len(rows), dtype="boolean")
    return rows


def area_fingerprint(base: str, district_hashes: Sequence[str]) -> str:
    """Digest of the rules/options (``base``) and every district's data."""
    digest = hashlib.sha256(base.encode())
    for h in district_hashes:
        digest.update(h.encode())
    return digest.hexdigest()


def _load(out: Path | None, fingerprint: str) -> pd.DataFrame | None:
    if out is None or not fingerprint:
        return None
    try:
        status = json.loads((out / CACHE_STATUS).read_text(encoding="utf-8"))
        table_path = out / CACHE_TABLE
        if status.get("fingerprint") != fingerprint or status.get("sha256") != \
                hashlib.sha256(table_path.read_bytes()).hexdigest():
            return None
        rows = pd.read_parquet(table_path)
        rows["passed"] = rows["passed"].astype("boolean")
        return rows
    except Exception:  # noqa: BLE001  anything unreadable is recomputed, never trusted
        return None


def _save(out: Path | None, fingerprint: str, rows: pd.DataFrame) -> None:
    if out is None or not fingerprint:
        return
    try:
        path = out / CACHE_TABLE
        shown = rows.copy()
        for column in shown.columns:  # parquet wants one type per column
            if shown[column].dtype == object:
                shown[column] = shown[column].map(
                    lambda v: v if v is None or isinstance(v, str) or
                    (isinstance(v, float) and np.isnan(v)) else str(v))
        shown.to_parquet(path, index=False)
        (out / CACHE_STATUS).write_text(json.dumps(
            {"fingerprint": fingerprint,
             "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}), encoding="utf-8")
    except OSError:  # no cache is only slower
        pass


__all__ = ["area_fingerprint", "area_level_rules", "study_area_rows", "whole_area"]
