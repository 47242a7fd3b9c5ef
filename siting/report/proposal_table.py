"""Proposed sites as a planner files them: where (coordinates, address), what, for whom.

:func:`site_table` turns the sites of :func:`siting.propose.propose` (or any points with
``kinds`` and ``newly_covered``) into one row per site with

- ``site`` — the order of addition (1 = largest gain);
- ``lon`` / ``lat`` — WGS-84, and ``map_lon`` / ``map_lat`` in the basemap's system with
  ``map_system`` (``GCJ-02`` for Amap tiles, where a WGS-84 point would sit 300–500 m off);
- ``address`` — the candidate's own ``address`` / ``street`` / ``name`` when the data has
  one (empty otherwise: none is made up);
- ``rules`` and ``kinds`` it serves;
- ``covered:<rule id>`` — people it newly covers for each rule, counting each person once
  per rule in the order of addition. Access rules: people first within the rule's travel
  threshold (``propose`` computes them on the same reach as the model). Service-radius
  rules (SH16-18: an *average* radius decided by √(A/πN), which any site in the district
  improves): people first within the radius of a station in a straight line, existing
  stations and earlier sites counted. Count rules with no catchment (facilities per
  population) get no figure (shown "—"): the site counts toward the district's number.

:func:`merged_rows` merges rows identical in everything shown (same place to about a metre,
kinds, rules, people) into one row with a ``count``; :func:`write_site_files` writes
``proposed_sites.csv`` / ``.xlsx`` with these columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .labels import labels

#: Candidate columns read as the site's address, first found wins.
ADDRESS_COLUMNS = ("address", "addr", "street", "name")
COVERED = "covered:"
SITE_COLUMNS = ["site", "count", "district", "kinds", "rules", "lon", "lat", "map_system",
                "map_lon", "map_lat", "address", "nearest_street", "street_m", "newly_covered"]


def nearest_street(sites: gpd.GeoDataFrame, area: Any) -> tuple[list[object], list[float]]:
    """Name of the nearest named street of each site and its distance (m), from the study
    area's networks (walk first); ``None`` / NaN where no network carries names."""
    n = len(sites)
    networks = getattr(area, "networks", None) or {}
    named = [net for mode in sorted(networks, key=lambda m: m != "walk")
             if (net := networks[mode]).street_name is not None]
    if not n or not named or sites.crs is None:
        return [None] * n, [float("nan")] * n
    net = named[0]
    has = np.flatnonzero(np.array([v is not None for v in net.street_name]))
    points = shapely.points(np.column_stack([
        sites.geometry.to_crs(net.crs).representative_point().x.to_numpy(),
        sites.geometry.to_crs(net.crs).representative_point().y.to_numpy()]))
    tree = shapely.STRtree(net.street_geometry[has])
    which, dist = tree.query_nearest(points, return_distance=True, all_matches=False)
    names: list[object] = [None] * n
    metres = [float("nan")] * n
    for (i, j), d in zip(which.T, dist, strict=True):
        names[i], metres[i] = net.street_name[has[j]], round(float(d), 1)
    return names, metres


def _radius_gains(sites: gpd.GeoDataFrame, area: Any, rule: Any) -> list[float | None]:
    """People first within ``rule``'s radius (straight line) of each site, in site order."""
    from scipy.spatial import cKDTree

    radius = float(rule.threshold.to("m"))
    cells = area.cells
    weight = pd.to_numeric(cells.get("population"), errors="coerce").fillna(0.0).to_numpy()
    points = cells.geometry.representative_point()
    xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    covered = np.zeros(len(xy), dtype=bool)
    kinds = [rule.facility] if isinstance(rule.facility, str) else list(rule.facility)
    existing = area.facilities[area.facilities["kind"].isin(kinds)]
    tree = cKDTree(xy) if len(xy) else None
    if tree is not None and len(existing):
        ex = existing.geometry.representative_point()
        for hits in tree.query_ball_point(np.column_stack([ex.x, ex.y]), radius):
            covered[hits] = True
    gains: list[float | None] = []
    for site_kinds, point in zip(sites["kinds"], sites.geometry.representative_point()):
        if not set(kinds) & set(site_kinds) or tree is None:
            gains.append(None)
            continue
        hits = np.asarray(tree.query_ball_point([point.x, point.y], radius), dtype=int)
        new = hits[~covered[hits]] if len(hits) else hits
        gains.append(float(weight[new].sum()))
        covered[new] = True
    return gains


def site_table(sites: gpd.GeoDataFrame, area: Any = None, rules: Sequence[Any] = (),
               system: str = "wgs84") -> gpd.GeoDataFrame:
    """One row per proposed site with coordinates, address, rules and people covered per rule.

    Parameters
    ----------
    sites
        Points with ``kinds`` (lists) and ``newly_covered`` (:func:`siting.propose.propose`'s
        ``sites``, optionally with ``site``, ``rules``, ``district``,
        ``newly_covered_by_rule``).
    area
        The study area the sites were proposed for (its cells and facilities give the
        service-radius figures); ``None`` leaves those out.
    rules
        Rules by which the site's ``rules`` ids are read.
    system
        ``"gcj02"`` when the map's basemap is Amap's (:func:`siting.report.basemaps.tiles_system`).

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`SITE_COLUMNS` and one ``covered:<rule id>`` column per rule served, in the
        sites' CRS.

    Examples
    --------
    >>> table = site_table(proposal.sites, area, rules, system="gcj02")  # doctest: +SKIP
    >>> table[["site", "lon", "lat", "map_lon", "map_lat", "covered:SH16-18"]]  # doctest: +SKIP
    """
    out = sites.copy()
    if "site" not in out.columns:
        out.insert(0, "site", np.arange(1, len(out) + 1))
    if "rules" not in out.columns:
        out["rules"] = [[] for _ in range(len(out))]
    out["rules"] = [list(r) if isinstance(r, (list, tuple, np.ndarray)) else
                    ([] if r is None or (isinstance(r, float) and np.isnan(r)) else
                     [s.strip() for s in str(r).split(",") if s.strip()]) for r in out["rules"]]
    if "district" not in out.columns:
        out["district"] = area._district_of(out).to_numpy() if area is not None else ""
    wgs = out.geometry.to_crs(4326).representative_point() if out.crs is not None else \
        out.geometry.representative_point()
    out["lon"], out["lat"] = np.round(wgs.x.to_numpy(), 6), np.round(wgs.y.to_numpy(), 6)
    if system == "gcj02":
        from ..china import wgs84_to_gcj02

        mx, my = wgs84_to_gcj02(out["lon"].to_numpy(), out["lat"].to_numpy())
        out["map_system"] = "GCJ-02"
    else:
        mx, my = out["lon"].to_numpy(), out["lat"].to_numpy()
        out["map_system"] = "WGS-84"
    out["map_lon"], out["map_lat"] = np.round(np.asarray(mx, float), 6), \
        np.round(np.asarray(my, float), 6)
    address = pd.Series("", index=out.index, dtype=object)
    for column in ADDRESS_COLUMNS:
        if column in sites.columns:
            values = sites[column].astype("string").fillna("").str.strip()
            address = address.where(address != "", values.astype(object))
    out["address"] = address.to_numpy()
    out["nearest_street"], out["street_m"] = nearest_street(out, area)
    by_id = {r.id: r for top in rules for r in top.walk()}
    served = list(dict.fromkeys(i for ids in out["rules"] for i in ids))
    given = out["newly_covered_by_rule"] if "newly_covered_by_rule" in out.columns else \
        pd.Series([{}] * len(out), index=out.index)
    for rule_id in served:
        rule = by_id.get(rule_id)
        values: list[float | None] = [
            (d or {}).get(rule_id) if isinstance(d, Mapping) else None for d in given]
        if rule is not None and getattr(rule, "kind", "") == "service_radius" and \
                area is not None and all(v is None for v in values):
            values = _radius_gains(out, area, rule)
        values = [v if rule_id in ids else None for v, ids in zip(values, out["rules"])]
        out[COVERED + rule_id] = pd.array(values, dtype="Float64")
    if "newly_covered_by_rule" in out.columns:
        # a site serving only count rules reaches nobody by an access measure: no figure,
        # not "0 people" (its per-rule columns say what it does)
        access = [isinstance(d, Mapping) and len(d) > 0 for d in out["newly_covered_by_rule"]]
        out["newly_covered"] = pd.array(
            [float(v) if a else None for v, a in zip(out["newly_covered"], access)],
            dtype="Float64")
        out = out.drop(columns=["newly_covered_by_rule"])
    out["count"] = 1
    extra = [c for c in out.columns if c.startswith(COVERED)]
    keep = SITE_COLUMNS + extra + [out.geometry.name]
    return gpd.GeoDataFrame(out[keep], geometry=out.geometry.name, crs=sites.crs)


def merged_rows(table: pd.DataFrame, digits: int = 5) -> pd.DataFrame:
    """Rows identical in what a page shows merged into one, with their ``count``.

    Sites are compared on their place rounded to ``digits`` decimals of a degree (about a
    metre at 5), kinds, rules and every people figure; the first ``site`` number is kept.
    """
    plain = pd.DataFrame(table.drop(columns=[table.geometry.name])) \
        if isinstance(table, gpd.GeoDataFrame) else table.copy()
    if len(plain) == 0:
        return plain
    key = plain.drop(columns=["site", "count"]).copy()
    key["lon"], key["lat"] = key["lon"].round(digits), key["lat"].round(digits)
    key = pd.Series(["|".join(map(str, row)) for row in key.itertuples(index=False)],
                    index=key.index)
    plain["_key"] = key.to_numpy()
    first = plain.drop_duplicates("_key").copy()
    first["count"] = first["_key"].map(plain.groupby("_key")["count"].sum()).to_numpy()
    return first.drop(columns=["_key"]).reset_index(drop=True)


def _text(value: object) -> object:
    return ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value


def write_site_files(table: gpd.GeoDataFrame, folder: Path, lang: str = "zh") -> list[str]:
    """``proposed_sites.csv`` (stable column keys) and ``proposed_sites.xlsx`` (headers in
    ``lang``) with one row per site; returns the file names written."""
    from .tables import spreadsheet_safe

    folder = Path(folder)
    if table is None or len(table) == 0:
        return []
    plain = pd.DataFrame(table.drop(columns=[table.geometry.name]))
    for column in ("kinds", "rules"):
        plain[column] = plain[column].map(_text)
    spreadsheet_safe(plain).to_csv(folder / "proposed_sites.csv", index=False)
    lab = labels(lang)
    headers = {c: lab.get(f"site_col_{c}", c) for c in plain.columns}
    headers |= {c: f"{lab['newly_covered']} · {c[len(COVERED):]}" for c in plain.columns
                if c.startswith(COVERED)}
    shown = spreadsheet_safe(plain.rename(columns=headers))
    for column in shown.columns:
        if isinstance(shown[column].dtype, pd.Float64Dtype):
            shown[column] = shown[column].astype(object).where(shown[column].notna(), None)
    shown.to_excel(folder / "proposed_sites.xlsx", index=False,
                   sheet_name=lab.get("proposed", "proposed")[:31])
    return ["proposed_sites.csv", "proposed_sites.xlsx"]


__all__ = ["ADDRESS_COLUMNS", "COVERED", "SITE_COLUMNS", "merged_rows", "site_table",
           "write_site_files"]
