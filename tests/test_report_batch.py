"""Batch reports on real data: Liechtenstein's 11 municipalities and Shanghai's 16 districts.

What a planner relies on: every file is written; the numbers in ``summary.csv`` are the
numbers of one ``assess()`` over the whole study area (a district run alone must not lose
the facility across its border); a district with broken data is listed with its error while
the others finish; a rerun skips what is done unless forced.
"""

from __future__ import annotations

import json
import time

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest

from conftest import shared_path
from siting import StudyArea
from siting.assess import assess
from siting.config import rules_from_spec
from siting.report import ReportOptions, prepare_inputs, write_reports

pytestmark = pytest.mark.shared

NUMBERS = ["population", "reading", "required", "provided", "covered_share",
           "uncovered_population", "shortfall", "attainment"]
ALBERS = "+proj=aea +lat_0=36 +lat_1=24 +lat_2=48 +lon_0=104.5 +datum=WGS84 +units=m"
TIMES: dict[str, float] = {}


def assert_summary_equals(summary_csv, table: pd.DataFrame, districts: list[str]) -> None:
    """Rows of summary.csv for ``districts`` equal the assessment's rows, number by number."""
    got = pd.read_csv(summary_csv).set_index(["district", "rule_id"]).sort_index()
    want = table[table["district"].isin(districts)].set_index(["district", "rule_id"]) \
        .sort_index()
    got = got.loc[got.index.get_level_values(0).isin(districts)]
    assert list(got.index) == list(want.index)
    for column in NUMBERS:
        np.testing.assert_allclose(got[column].to_numpy(dtype=float),
                                   want[column].to_numpy(dtype=float), rtol=1e-9, atol=1e-9,
                                   err_msg=column)
    passed = want["passed"].astype(object).where(want["passed"].notna(), None)
    got_passed = got["passed"].astype(object).where(got["passed"].notna(), None)
    assert [None if v is None else bool(v) for v in passed] == \
        [None if v is None else str(v) == "True" for v in got_passed]


# ---------------------------------------------------------------------------------------------
# Liechtenstein: OSM boundaries, buildings → population, schools and kindergartens, walk network
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def liechtenstein():
    import pyrosm

    from siting.datasets import osm_facilities
    from siting.network import from_pbf
    from siting.population import points_to_grid, population_from_buildings

    path = str(shared_path("liechtenstein", "liechtenstein.osm.pbf"))
    osm = pyrosm.OSM(path)
    bounds = osm.get_boundaries()
    country = bounds[bounds["admin_level"].astype(str) == "2"].geometry.union_all()
    level8 = bounds[bounds["admin_level"].astype(str) == "8"]
    # the extract reaches into Switzerland (Fläsch): keep the municipalities of the country
    municipalities = level8[level8.representative_point().within(country)][["name", "geometry"]]
    buildings = osm.get_buildings()
    crs = buildings.estimate_utm_crs()
    landuse = osm.get_landuse()
    homes = population_from_buildings(
        buildings, crs=crs, residential_landuse=landuse[landuse["landuse"] == "residential"],
        yes_in_residential_landuse=True)
    cells = points_to_grid(homes.set_geometry(homes.geometry.centroid), 250.0, crs=crs)
    facilities = osm_facilities(path, ["school", "kindergarten"])
    walk = from_pbf(path, "walk", crs=crs)
    return municipalities.reset_index(drop=True), cells, facilities, walk, crs


LI_RULES = ["GB50180-KG", {"id": "GB50180-PS", "facility": "school"}]


@pytest.fixture(scope="module")
def li_report(liechtenstein, tmp_path_factory):
    municipalities, cells, facilities, walk, crs = liechtenstein
    rules = rules_from_spec(LI_RULES)
    # break one municipality on purpose: a negative population in one of its cells
    broken = cells.copy()
    owner = gpd.sjoin(broken.set_geometry(broken.representative_point()),
                      municipalities.to_crs(crs), predicate="within")
    victim = owner.index[owner["name"] == "Planken"][0]
    broken.loc[victim, "population"] = -5.0
    inputs = prepare_inputs(municipalities, broken, facilities, {"walk": walk},
                            district_col="name", crs=crs)
    out = tmp_path_factory.mktemp("liechtenstein")
    start = time.perf_counter()
    result = write_reports(inputs, rules, out, progress=False, options=ReportOptions(
        title="Liechtenstein", lang="en", tiles=None))
    TIMES["liechtenstein"] = time.perf_counter() - start
    print(f"\nLiechtenstein report: {TIMES['liechtenstein']:.1f} s for "
          f"{len(result.outcomes)} districts")
    return result, inputs, rules


def test_liechtenstein_has_eleven_municipalities(liechtenstein):
    municipalities = liechtenstein[0]
    assert len(municipalities) == 11
    assert {"Vaduz", "Schaan", "Balzers", "Planken"} <= set(municipalities["name"])


def test_every_file_is_written(li_report):
    result, _, _ = li_report
    out = result.out
    for name in ("index.html", "summary.csv", "summary.xlsx", "gaps.gpkg"):
        assert (out / name).stat().st_size > 0, name
    for o in result.outcomes:
        if o.status == "error":
            continue
        for name in ("index.html", "assessment.parquet", "gaps.gpkg", "done.json"):
            assert (o.folder / name).exists(), (o.district, name)
        maps = sorted(p.name for p in o.folder.glob("map_*.html"))
        assert maps == ["map_GB50180-KG.html", "map_GB50180-PS.html"], o.district


def test_broken_district_is_listed_and_others_finish(li_report):
    result, _, _ = li_report
    status = {o.district: o.status for o in result.outcomes}
    assert status.pop("Planken") == "error"
    assert set(status.values()) == {"ok"} and len(status) == 10
    error = result.errors[0].error
    assert "PopulationError" in error and "negative" in error
    assert json.loads((result.errors[0].folder / "error.json").read_text())["district"] == \
        "Planken"
    index = (result.out / "index.html").read_text(encoding="utf-8")
    assert "Planken" in index and "negative population" in index
    ranking = result.ranking
    assert ranking["district"].iloc[-1] == "Planken" and pd.isna(ranking["rank"].iloc[-1])
    assert ranking["rank"].iloc[:10].tolist() == list(range(1, 11))


def test_summary_equals_the_assessment_of_the_whole_area(li_report, liechtenstein):
    result, _, rules = li_report
    municipalities, cells, facilities, walk, crs = liechtenstein
    area = StudyArea(municipalities, cells, facilities, {"walk": walk}, district_col="name",
                     crs=crs)
    table = assess(area, rules).table
    others = [d for d in municipalities["name"] if d != "Planken"]
    assert_summary_equals(result.out / "summary.csv", table, others)
    # the district page shows the same verdicts
    vaduz = (result.out / "districts" / "Vaduz" / "index.html").read_text(encoding="utf-8")
    row = table[(table["district"] == "Vaduz") & (table["rule_id"] == "GB50180-KG")].iloc[0]
    assert f"{row['reading'] * 100:.1f} %" in vaduz
    assert "幼儿园服务半径不宜大于300m" in vaduz  # the rule's source quote


def test_report_command_on_real_files(li_report, liechtenstein, tmp_path, capsys):
    """``siting report CONFIG`` reading GeoPackages and the .osm.pbf gives the same numbers."""
    from siting.cli import main

    result, _, _ = li_report
    municipalities, cells, facilities, walk, crs = liechtenstein
    municipalities.to_file(tmp_path / "municipalities.gpkg")
    cells.to_file(tmp_path / "cells.gpkg")
    facilities.to_file(tmp_path / "facilities.gpkg")
    pbf = shared_path("liechtenstein", "liechtenstein.osm.pbf")
    config = tmp_path / "li.yaml"
    config.write_text(f"""
title: Liechtenstein
inputs:
  districts: municipalities.gpkg
  district_col: name
  cells: cells.gpkg
  facilities: facilities.gpkg
  network: {pbf}
  crs: {crs.to_string()}
rules:
  - GB50180-KG
  - {{id: GB50180-PS, facility: school}}
outputs: {{lang: en, tiles: null}}
""", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["report", str(config), "--out", str(out), "--quiet", "--district", "Vaduz"]) == 0
    mine = pd.read_csv(out / "summary.csv")
    theirs = pd.read_csv(result.out / "summary.csv")
    theirs = theirs[theirs["district"] == "Vaduz"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine[NUMBERS], theirs[NUMBERS], rtol=1e-9)
    assert main(["check", str(config)]) == 0
    assert "over 11 districts" in capsys.readouterr().out


def test_workbook_has_a_sheet_per_rule(li_report):
    result, _, _ = li_report
    book = openpyxl.load_workbook(result.out / "summary.xlsx", read_only=True)
    assert book.sheetnames == ["ranking", "GB50180-KG", "GB50180-PS", "sources"]
    summary = pd.read_csv(result.out / "summary.csv")
    sheet = pd.read_excel(result.out / "summary.xlsx", sheet_name="GB50180-KG")
    kg = summary[summary["rule_id"] == "GB50180-KG"]
    # headings are words in the report's language (English here; see sheets.COLUMNS)
    np.testing.assert_allclose(sheet["Reading"].to_numpy(float), kg["reading"].to_numpy(float))
    ranking = pd.read_excel(result.out / "summary.xlsx", sheet_name="ranking")
    assert ranking["District"].tolist() == result.ranking["district"].tolist()


def test_gaps_geopackage_layers(li_report):
    result, inputs, _ = li_report
    layers = {name for name, _ in pyogrio.list_layers(result.out / "gaps.gpkg")}
    assert {"districts", "uncovered_cells", "isochrones"} <= layers
    districts = gpd.read_file(result.out / "gaps.gpkg", layer="districts")
    assert len(districts) == 11 and districts.crs.to_epsg() == 4326
    uncovered = gpd.read_file(result.out / "gaps.gpkg", layer="uncovered_cells")
    summary = pd.read_csv(result.out / "summary.csv")
    for rule_id in ("GB50180-KG", "GB50180-PS"):
        people = uncovered.loc[uncovered["rule_id"] == rule_id, "population"].sum()
        want = summary.loc[summary["rule_id"] == rule_id, "uncovered_population"].sum()
        assert people == pytest.approx(want, rel=1e-9)
    iso = gpd.read_file(result.out / "gaps.gpkg", layer="isochrones")
    assert set(iso["rule_id"]) == {"GB50180-KG", "GB50180-PS"}
    assert set(iso["unit"]) == {"m"}


def test_rerun_skips_done_districts_unless_forced(li_report):
    result, inputs, rules = li_report
    options = ReportOptions(title="Liechtenstein", lang="en", tiles=None)
    before = (result.out / "summary.csv").read_text()
    again = write_reports(inputs, rules, result.out, progress=False, options=options)
    status = {o.district: o.status for o in again.outcomes}
    assert status.pop("Planken") == "error"          # failed districts are retried
    assert set(status.values()) == {"skipped"}
    assert (result.out / "summary.csv").read_text() == before
    forced = write_reports(inputs, rules, result.out, progress=False, options=options,
                           force=True, districts=["Vaduz"])
    status = {o.district: o.status for o in forced.outcomes}
    assert status["Vaduz"] == "ok" and status["Schaan"] == "skipped"
    assert (result.out / "summary.csv").read_text() == before
    # other options → a different fingerprint → the district is redone
    changed = write_reports(inputs, rules, result.out, progress=False, districts=["Vaduz"],
                            options=ReportOptions(title="Liechtenstein", lang="zh", tiles=None))
    assert {o.district: o.status for o in changed.outcomes}["Vaduz"] == "ok"


# ---------------------------------------------------------------------------------------------
# Shanghai: census districts, a 2 km grid by area share, Amap-derived POIs, no street network
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shanghai():
    from siting.population import areal_interpolate, square_grid

    layer = gpd.read_file(shared_path("china", "counties-geo.topojson"), layer="county")
    layer = layer.set_crs(ALBERS, allow_override=True).to_crs(4326)
    layer["CODE"] = layer["CODE"].astype(str)
    census = pd.read_csv(shared_path("china", "county_population_2020.csv"), dtype={"CODE": str})
    districts = layer[layer["CODE"].str.startswith("3101")][["CODE", "geometry"]].merge(
        census[["CODE", "NAME", "POPU"]], on="CODE")
    districts["population"] = districts["POPU"].astype(float)
    districts = gpd.GeoDataFrame(districts[["NAME", "population", "geometry"]], crs=4326)
    utm = "EPSG:32651"
    grid = square_grid(districts, 2000.0, crs=utm)
    cells = areal_interpolate(districts.to_crs(utm), grid, ["population"])
    cells = cells[cells["population"] > 0]

    def poi(name: str, kind: str, where=None) -> gpd.GeoDataFrame:
        table = pd.read_csv(shared_path("china", "shanghai_poi", name))
        if where is not None:
            table = table[where(table)]
        return gpd.GeoDataFrame({"kind": kind, "name": table["name"].to_numpy()},
                                geometry=gpd.points_from_xy(table["lon"], table["lat"]),
                                crs=4326)

    facilities = pd.concat([
        poi("kindergarten.csv", "kindergarten"),
        poi("shanghai_hospital.csv", "community_health_centre",
            lambda t: t["name"].str.contains("社区卫生服务中心", na=False)),
        poi("shanghai_hospital.csv", "emergency_station",
            lambda t: t["type"].str.contains("急救中心", na=False)),
    ], ignore_index=True)
    return districts, cells, gpd.GeoDataFrame(facilities, crs=4326), utm


SH_RULES = ["GB50180-KG", "SH16-18", {"id": "SH16-16", "basis": "population"}]


@pytest.fixture(scope="module")
def sh_report(shanghai, tmp_path_factory):
    districts, cells, facilities, utm = shanghai
    inputs = prepare_inputs(districts, cells, facilities, district_col="NAME", crs=utm)
    out = tmp_path_factory.mktemp("shanghai")
    start = time.perf_counter()
    result = write_reports(inputs, rules_from_spec(SH_RULES), out, progress=False,
                           options=ReportOptions(title="上海市 16 区", lang="zh", tiles=None,
                                                 straight_line=True, maps=["GB50180-KG"]))
    TIMES["shanghai"] = time.perf_counter() - start
    print(f"\nShanghai report: {TIMES['shanghai']:.1f} s for {len(result.outcomes)} districts")
    return result


def test_shanghai_report_every_district(sh_report, shanghai):
    result = sh_report
    districts, cells, facilities, utm = shanghai
    assert len(result.outcomes) == 16
    assert {o.status for o in result.outcomes} == {"ok"}, [o.error for o in result.errors]
    for name in ("index.html", "summary.csv", "summary.xlsx", "gaps.gpkg"):
        assert (result.out / name).stat().st_size > 0
    pudong = result.out / "districts" / "浦东新区"
    assert (pudong / "index.html").exists() and (pudong / "map_GB50180-KG.html").exists()
    page = (pudong / "index.html").read_text(encoding="utf-8")
    assert "急救站点平均服务半径≤3.5公里" in page            # SH16-18's source quote
    assert "本次运行配置调整了：人口口径=常住人口" in page   # the override shown, in the page's language
    kg_map = (pudong / "map_GB50180-KG.html").read_text(encoding="utf-8")
    # labels travel inside JavaScript strings, where jinja's tojson writes \\uXXXX escapes
    for label in ("无路网：按直线距离着色", "服务半径（直线）"):
        assert label in kg_map or json.dumps(label)[1:-1] in kg_map, label
    index = (result.out / "index.html").read_text(encoding="utf-8")
    assert all(name in index for name in districts["NAME"])


def test_shanghai_summary_equals_the_assessment(sh_report, shanghai):
    districts, cells, facilities, utm = shanghai
    area = StudyArea(districts, cells, facilities, district_col="NAME", crs=utm)
    table = assess(area, rules_from_spec(SH_RULES), straight_line=True).table
    assert_summary_equals(sh_report.out / "summary.csv", table, districts["NAME"].tolist())
    # census total = residents in the districts' cells + cells outside every district (coast)
    summary = pd.read_csv(sh_report.out / "summary.csv")
    inside = summary["population"][(summary["rule_id"] == "SH16-18")
                                   & (summary["district"] != "(study area)")].sum()
    assert inside + sh_report.outside_population == pytest.approx(24_870_895, rel=1e-9)
    assert sh_report.outside_population < 0.02 * 24_870_895


def test_shanghai_study_area_row(sh_report, shanghai):
    """SH16-18 is stated for the whole city ("全市 … 急救站点平均服务半径≤3.5公里", L91): its
    (study area) row decides, equal to assess() over the 16 districts and to √(A / πN)."""
    districts, cells, facilities, utm = shanghai
    summary = pd.read_csv(sh_report.out / "summary.csv")
    rows = summary[summary["district"] == "(study area)"]
    assert rows["rule_id"].tolist() == ["SH16-18"] and rows["level"].tolist() == ["area"]
    area = StudyArea(districts, cells, facilities, district_col="NAME", crs=utm)
    table = assess(area, rules_from_spec(SH_RULES), straight_line=True).table
    assert_summary_equals(sh_report.out / "summary.csv", table, ["(study area)"])
    # the plan's arithmetic by hand: area-equivalent radius √(A/πN) of the stations in the
    # districts, A the inhabited cells (the rule's area="auto" without a land-area column)
    city = districts.to_crs(utm).union_all()
    stations = facilities[facilities["kind"] == "emergency_station"].to_crs(utm)
    inside = stations.intersects(city).sum()
    lived = cells.to_crs(utm)
    lived = lived[(lived["population"] > 0) & lived.representative_point().intersects(city)]
    radius = np.sqrt(lived.area.sum() / (np.pi * inside))
    assert rows["reading"].iloc[0] == pytest.approx(radius, rel=1e-6)
    assert radius > 3500 and rows["passed"].iloc[0] in (False, "False")
    # district rows are diagnostics: no district counts SH16-18 as failed in the ranking
    sh = summary[(summary["rule_id"] == "SH16-18") & (summary["district"] != "(study area)")]
    assert (sh["level"] == "diagnostic").all() and sh["passed"].isna().all()
    ranking = sh_report.ranking
    assert (ranking["worst_rule"] != "SH16-18").all()
    index = (sh_report.out / "index.html").read_text(encoding="utf-8")
    assert "全市" in index and f"{rows['reading'].iloc[0]:,.0f} m" in index


def test_shanghai_ems_proposals_name_places_and_people(shanghai):
    """The planner trial's F8: every proposed EMS station "newly covered 0 people" and 浦东's
    page listed 38 identical rows without coordinates. Now (崇明区 alone, SH16-18): each
    site has WGS-84 and GCJ-02 coordinates and the people it first brings within 3.5 km."""
    from siting.china import wgs84_to_gcj02
    from siting.propose import propose
    from siting.report.proposal_table import merged_rows, site_table

    districts, cells, facilities, utm = shanghai
    inputs = prepare_inputs(districts, cells, facilities, district_col="NAME", crs=utm)
    area = inputs.area_for("崇明区")
    rules = rules_from_spec(["SH16-18"])
    proposal = propose(area, rules, infeasible="relax", time_limit=30)
    table = site_table(proposal.sites, area, rules, system="gcj02")
    assert len(table) > 0 and table["site"].tolist() == list(range(1, len(table) + 1))
    assert (table["district"] == "崇明区").all() and (table["rules"].map(tuple) == ("SH16-18",)).all()
    wgs = table.to_crs(4326)
    np.testing.assert_allclose(table["lon"], wgs.geometry.x, atol=1e-6)
    gx, gy = wgs84_to_gcj02(table["lon"].to_numpy(), table["lat"].to_numpy())
    np.testing.assert_allclose(table["map_lat"], gy, atol=1e-6)
    # brute force: people first within 3.5 km (straight line) of a station, in site order
    points = area.cells.geometry.representative_point()
    cx, cy, pop = points.x.to_numpy(), points.y.to_numpy(), area.cells["population"].to_numpy()
    stations = area.facilities[area.facilities["kind"] == "emergency_station"]
    covered = np.zeros(len(cx), bool)
    for p in stations.geometry:
        covered |= np.hypot(cx - p.x, cy - p.y) <= 3500.0
    want = []
    for p in table.geometry:
        new = (np.hypot(cx - p.x, cy - p.y) <= 3500.0) & ~covered
        want.append(float(pop[new].sum()))
        covered |= new
    np.testing.assert_allclose(table["covered:SH16-18"].to_numpy(dtype=float), want, rtol=1e-9)
    assert sum(want) > 0
    assert len(merged_rows(table)) == len(table)   # distinct places: nothing merged


# ---------------------------------------------------------------------------------------------
# slices: each district's task gets its part of the inputs, and computes the same numbers
# ---------------------------------------------------------------------------------------------
LI_OPTIONS = ReportOptions(title="Liechtenstein", lang="en", tiles=None)


def test_district_slices_are_much_smaller_than_the_inputs(li_report):
    import pickle

    _, inputs, rules = li_report
    whole = inputs.networks["walk"]
    whole_bytes = len(pickle.dumps(inputs))
    nodes, sizes = {}, {}
    for name in inputs.names:
        part = inputs.slice_for(name, rules, LI_OPTIONS)
        assert part.names == [name]
        assert len(part.cells) == int((inputs.cells["_district"] == name).sum())
        nodes[name] = part.networks["walk"].n_nodes
        sizes[name] = len(pickle.dumps(part))
        # facilities keep their order and their numbers in the whole batch
        assert list(part.facility_ids) == sorted(part.facility_ids)
        assert len(part.facilities) < len(inputs.facilities)
    assert max(nodes.values()) < whole.n_nodes
    assert max(sizes.values()) < whole_bytes
    # the small municipalities of the Unterland get a fraction of the country's streets
    assert nodes["Ruggell"] < 0.25 * whole.n_nodes, nodes
    assert sizes["Ruggell"] < 0.25 * whole_bytes, sizes


def test_a_border_cell_reaches_the_facility_across_the_border_in_its_slice(li_report):
    """Point level: cells reach the same facility at the same distance, to the last digit,
    on the district's slice as on the whole network with every facility."""
    _, inputs, rules = li_report
    across = []
    for name in inputs.names:
        if name == "Planken":  # broken on purpose (negative population)
            continue
        part = inputs.slice_for(name, rules, LI_OPTIONS)
        boundary = inputs.districts.set_index("district").geometry[name]
        for rule in rules:
            whole = inputs.area_for(name).nearest(list(rule.facility), rule.mode, rule.threshold)
            sliced = part.area_for(name).nearest(list(rule.facility), rule.mode,
                                                 rule.threshold)
            pd.testing.assert_frame_equal(sliced, whole, check_exact=True)
            reached = sliced[sliced["status"] == "reached"]
            for cell, row in reached.iterrows():
                facility = inputs.facilities.geometry.iloc[int(row["facility"])]
                if not facility.within(boundary):
                    across.append((name, rule.id, cell, row["distance_m"]))
    # Gamprin's and Vaduz's schools within 500 m include one across the municipal border
    assert {name for name, *_ in across} >= {"Gamprin", "Vaduz"}, across
    assert all(0 < d <= 500.0 for *_, d in across)


def test_unbounded_rules_keep_the_whole_network(li_report):
    from siting.rules import MeanTravelRule, ServiceRadiusRule

    _, inputs, rules = li_report
    whole = inputs.networks["walk"]
    schools = int((inputs.facilities["kind"] == "school").sum())
    bounded = inputs.slice_for("Ruggell", rules, LI_OPTIONS)
    assert bounded.networks["walk"].n_nodes < whole.n_nodes
    assert int((bounded.facilities["kind"] == "school").sum()) < schools
    for extra in (ServiceRadiusRule(id="T-RADIUS", facility="school", threshold="2 km",
                                    mode="walk", decisive="network_mean"),
                  MeanTravelRule(id="T-MEAN", facility="school", threshold="20 min",
                                 mode="walk")):
        part = inputs.slice_for("Ruggell", rules + [extra], LI_OPTIONS)
        # a search without a cutoff: the mode's whole network, every facility of the kind
        assert part.networks["walk"] is whole
        assert int((part.facilities["kind"] == "school").sum()) == schools
        assert int((part.facilities["kind"] == "kindergarten").sum()) < \
            int((inputs.facilities["kind"] == "kindergarten").sum())


def test_district_outputs_are_identical_from_slices(li_report, tmp_path):
    """Tables, gap layers (uncovered cells, isochrones) and proposed sites: the same files
    from a slice as from the whole inputs."""
    from siting.report import proposals_by_propose
    from siting.report.batch import run_district

    _, inputs, rules = li_report
    options = ReportOptions(title="Liechtenstein", lang="en", tiles=None,
                            proposals=proposals_by_propose(time_limit=10))
    for name in ("Ruggell", "Gamprin"):
        part = inputs.slice_for(name, rules, options)
        assert part.networks["walk"].n_nodes < 0.5 * inputs.networks["walk"].n_nodes
        whole = run_district(name, tmp_path / "whole" / name, inputs, rules, options)
        sliced = run_district(name, tmp_path / "slice" / name, part, rules, options)
        pd.testing.assert_frame_equal(sliced.table, whole.table, check_exact=True)
        assert sliced.info == whole.info
        layers = [layer for layer, _ in pyogrio.list_layers(whole.folder / "gaps.gpkg")]
        assert [layer for layer, _ in pyogrio.list_layers(sliced.folder / "gaps.gpkg")] == layers
        assert {"uncovered_cells", "isochrones", "proposed_sites"} <= set(layers)
        for layer in layers:
            pd.testing.assert_frame_equal(
                gpd.read_file(sliced.folder / "gaps.gpkg", layer=layer),
                gpd.read_file(whole.folder / "gaps.gpkg", layer=layer), check_exact=True)


def test_serial_runs_send_each_task_its_slice(li_report):
    from siting.report.batch import run_serially

    _, inputs, rules = li_report
    received = {}

    def task(name, folder, task_inputs, task_rules, task_options):
        received[name] = task_inputs
        return None, None

    jobs = [(name, None) for name in ("Ruggell", "Vaduz")]
    list(run_serially(task, jobs, inputs, rules, LI_OPTIONS))
    for name, part in received.items():
        assert part.names == [name]
        assert part.networks["walk"].n_nodes < inputs.networks["walk"].n_nodes


def test_shanghai_pages_carry_no_english(sh_report, shanghai):
    """The 16-district run with ``lang: zh``: the index and every district page read in
    Chinese, apart from the data's own names, ids and units (tests/lang_check.py)."""
    from lang_check import html_text, offending_lines

    districts, cells, facilities, utm = shanghai
    data = sorted(set(districts["NAME"].astype(str)) | set(facilities["name"].astype(str))
                  | {"上海市 16 区"})
    pages = [sh_report.out / "index.html",
             *sorted((sh_report.out / "districts").glob("*/index.html"))]
    assert len(pages) == 17
    for page in pages:
        bad = offending_lines(html_text(page.read_text(encoding="utf-8")), "zh", data)
        assert not bad, f"{page.parent.name}/{page.name}: untranslated\n" + "\n".join(bad[:20])
