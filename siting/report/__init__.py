"""Planner outputs: folium maps, per-district HTML pages, CSV / XLSX / GeoPackage, an index.

>>> from siting.report import assessment_map, save_map             # doctest: +SKIP
>>> fmap = assessment_map(assessment, area, "GB50180-KG", lang="zh", offline=True)
>>> save_map(fmap, "kindergartens.html", offline=True)             # opens with no internet
>>> write_reports(area, rules, "report/")                           # every district
"""

from .basemaps import BASEMAPS, add_basemaps, tiles_system
from .batch import (BatchInputs, BatchResult, DistrictOutcome, ReportOptions, prepare_inputs,
                    proposals_by_propose, rule_failures, write_reports)
from .charts import bar_chart_svg
from .labels import LABELS, LANGS
from .maps import assessment_map, cell_travel, coverage_map, proposal_sites, rule_isochrones
from .offline import LEAFLET_VERSION, external_assets, make_offline, save_map

__all__ = [
    "BASEMAPS", "BatchInputs", "BatchResult", "DistrictOutcome", "LABELS", "LANGS",
    "LEAFLET_VERSION", "ReportOptions", "add_basemaps", "assessment_map", "bar_chart_svg",
    "cell_travel", "coverage_map", "external_assets", "make_offline", "prepare_inputs",
    "proposal_sites", "proposals_by_propose", "rule_failures", "rule_isochrones", "save_map",
    "tiles_system", "write_reports",
]
