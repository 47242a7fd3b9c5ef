"""StudyArea: layers in one metric CRS, population accounted for, errors that teach."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import siting.network as sn
from conftest import shared_path
from siting import StudyArea
from siting.errors import (CRSError, GeometryError, NetworkError, PopulationError, SitingError,
                           SnapError, UnitError)


@pytest.fixture(scope="module")
def sao_paulo(spo_hexes, spo_walk):
    hexes, walk = spo_hexes, spo_walk
    boundary = gpd.GeoDataFrame({"district": ["centro"]},
                                geometry=[hexes.union_all().buffer(10)], crs=hexes.crs)
    schools = hexes[hexes["schools"] > 0]
    facilities = gpd.GeoDataFrame({"kind": "school", "count": schools["schools"].to_numpy()},
                                  geometry=schools.geometry.centroid.to_numpy(), crs=hexes.crs)
    return hexes, StudyArea(boundary, hexes, facilities, {"walk": walk})


def test_example_is_real_and_offline(example):
    assert example.crs.to_epsg() == 32635  # local UTM zone of the Finnish town
    assert len(example.districts) == 9
    assert set(example.facilities["kind"]) >= {"school", "kindergarten"}
    assert 15_000 < example.population < 30_000
    assert set(example.networks) == {"walk", "drive"}
    assert example.population == pytest.approx(example.population_in - example.outside_population)


def _conserved(area, nearest):
    by_status = nearest.groupby("status")["population"].sum()
    assert by_status.sum() == pytest.approx(area.population_in - area.outside_population, abs=1e-6)
    return by_status


def test_population_conservation_sao_paulo(sao_paulo):
    hexes, area = sao_paulo
    assert area.population_in == 517_570
    nearest = area.nearest("school", "walk", "1000 m")
    by_status = _conserved(area, nearest)
    assert by_status.sum() == pytest.approx(517_570)
    assert by_status["reached"] > 0.5 * 517_570
    unreachable = area.unreachable("walk")
    assert unreachable["population"].sum() == pytest.approx(by_status.get("unsnapped", 0.0))


def test_population_conservation_example(example):
    for kind in ("school", "kindergarten", "sports_ground"):
        for mode, cutoff in (("walk", "500 m"), ("drive", "3 min")):
            _conserved(example, example.nearest(kind, mode, cutoff))


def test_unsnapped_cells_are_reported_not_dropped(sao_paulo):
    hexes, _ = sao_paulo
    walk = sn.from_pbf(shared_path("sao_paulo", "spo_osm.pbf"), "walk", crs="EPSG:32723")
    boundary = gpd.GeoDataFrame({"district": ["x"]}, geometry=[hexes.union_all().buffer(10)],
                                crs=hexes.crs)
    facilities = gpd.GeoDataFrame({"kind": ["school"]}, geometry=[hexes.geometry.centroid.iloc[0]],
                                  crs=hexes.crs)
    tight = StudyArea(boundary, hexes, facilities, {"walk": walk}, snap_distance={"walk": 40})
    nearest = tight.nearest("school", "walk", "2 km")
    unsnapped = nearest[nearest["status"] == "unsnapped"]
    assert len(unsnapped) > 0
    assert set(unsnapped.index) == set(tight.unreachable("walk").index)
    _conserved(tight, nearest)


def test_coverage_population_equals_sum_over_reached_cells(example):
    reach = example.reach("sports_ground", "walk", "800 m")
    covered = np.zeros(len(example.cells), bool)
    covered[reach.target] = True
    nearest = example.nearest("sports_ground", "walk", "800 m")
    assert (nearest["status"] == "reached").to_numpy().tolist() == covered.tolist()
    population = example.cells["population"].to_numpy()
    iso = example.isochrones("sports_ground", "walk", [300, 800])
    for source in iso["source"].unique():
        row = iso[(iso["source"] == source) & (iso["threshold"] == "800 m")].iloc[0]
        position = list(example.facilities_of("sports_ground").index).index(source)
        mine = reach.target[reach.source == position]
        assert row["population"] == pytest.approx(population[mine].sum())
        small = iso[(iso["source"] == source) & (iso["threshold"] == "300 m")].iloc[0]
        assert small["population"] <= row["population"]
        assert small.geometry.area < row.geometry.area
        assert row.geometry.contains(example.facilities.geometry[source].buffer(1).centroid)


def test_time_cutoff_uses_walking_speed(example):
    by_time = example.nearest("kindergarten", "walk", "15 min")
    by_length = example.nearest("kindergarten", "walk", "1000 m")  # 4 km/h x 15 min
    assert (by_time["status"] == by_length["status"]).all()
    reached = by_time["status"] == "reached"
    np.testing.assert_allclose(by_time.loc[reached, "time_min"] * 1000 / 15,
                               by_length.loc[reached, "distance_m"], rtol=1e-9)


# -- bad input ------------------------------------------------------------------------------
def _tiny():
    district = gpd.GeoDataFrame({"district": ["d"]}, geometry=[shapely.box(0, 0, 1000, 1000)],
                                crs="EPSG:32651")
    cells = gpd.GeoDataFrame({"population": [10.0, 20.0]},
                             geometry=[shapely.Point(100, 100), shapely.Point(500, 500)],
                             crs="EPSG:32651")
    return district, cells


def test_geographic_crs_for_metres_is_refused():
    district, cells = _tiny()
    with pytest.raises(CRSError, match="geographic") as err:
        StudyArea(district, cells, crs="EPSG:4326")
    assert "projected" in str(err.value)


def test_layers_in_different_crs_are_caught():
    district, cells = _tiny()
    mislabelled = cells.set_crs("EPSG:4326", allow_override=True)
    with pytest.raises(CRSError, match="look like metres"):
        StudyArea(district, mislabelled)
    other_zone = cells.set_crs("EPSG:32633", allow_override=True)  # right numbers, wrong zone
    with pytest.raises(CRSError, match="km from the districts"):
        StudyArea(district, other_zone)
    with pytest.raises(CRSError, match="no coordinate reference system"):
        StudyArea(district, cells.set_crs(None, allow_override=True))


@pytest.mark.parametrize("values,match", [([10.0, None], "missing"), ([10.0, -3.0], "negative"),
                                          ([10.0, "many"], "non-numeric")])
def test_bad_population(values, match):
    district, cells = _tiny()
    cells["population"] = pd.Series(values, dtype=object)
    with pytest.raises(PopulationError, match=match) as err:
        StudyArea(district, cells)
    assert "cells.population" in str(err.value)


def test_missing_population_column_names_the_choices():
    district, cells = _tiny()
    with pytest.raises(PopulationError, match="population_col"):
        StudyArea(district, cells.rename(columns={"population": "pop"}))


def test_empty_and_invalid_geometries():
    district, cells = _tiny()
    broken = cells.copy()
    broken.loc[1, "geometry"] = shapely.Point()
    with pytest.raises(GeometryError, match="empty"):
        StudyArea(district, broken)
    bowtie = shapely.Polygon([(0, 0), (1000, 1000), (1000, 0), (0, 1000)])
    with pytest.raises(GeometryError, match="make_valid"):
        StudyArea(gpd.GeoDataFrame({"district": ["d"]}, geometry=[bowtie], crs="EPSG:32651"),
                  cells)


def test_facility_beyond_snap_distance(example):
    far = example.facilities.iloc[[0]].copy()
    far["geometry"] = far.geometry.translate(5_000, 5_000)
    with pytest.raises(SnapError, match="farther than 500 m") as err:
        example.nearest(far, "walk")
    assert "snap_distance" in str(err.value)


def test_disconnected_network_pieces():
    left = [shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(100, 0), (200, 0)])]
    right = [shapely.LineString([(5000, 0), (5100, 0)]), shapely.LineString([(5100, 0), (5200, 0)])]
    lines = gpd.GeoDataFrame(geometry=left + right, crs="EPSG:32651")
    with pytest.raises(NetworkError, match="disconnected pieces") as err:
        sn.from_lines(lines, "walk")
    assert "largest_component=False" in str(err.value)
    both = sn.from_lines(lines, "walk", largest_component=False)
    assert both.n_nodes == 6
    one = sn.from_lines(gpd.GeoDataFrame(geometry=left + right[:1], crs="EPSG:32651"), "walk")
    assert one.n_nodes == 3 and one.dropped_nodes == 2


def test_unknown_mode_and_bad_cutoffs(example):
    with pytest.raises(SitingError, match="unknown travel mode"):
        example.nearest("school", "bicycle")
    with pytest.raises(UnitError, match="greater than zero"):
        example.nearest("school", "walk", 0)
    with pytest.raises(UnitError, match="greater than zero"):
        example.reach("school", "walk", "-5 min")
    with pytest.raises(UnitError, match="unknown unit"):
        example.nearest("school", "walk", "5 furlongs")
    with pytest.raises(SitingError, match="no facility of this kind"):
        example.nearest("hospital_tertiary", "walk")
    with pytest.raises(NetworkError, match="has no drive network"):
        StudyArea(example.districts, example.cells, example.facilities,
                  {"walk": example.networks["walk"]}).network("drive")


def test_unreadable_files(tmp_path):
    broken = tmp_path / "cells.gpkg"
    broken.write_text("this is not a geopackage")
    district, _ = _tiny()
    with pytest.raises(SitingError, match="cannot read the file"):
        StudyArea(district, str(broken))
    with pytest.raises(SitingError, match="no such file"):
        StudyArea(district, str(tmp_path / "missing.gpkg"))
    with pytest.raises(SitingError, match="cannot read the OSM extract"):
        bad = tmp_path / "bad.osm.pbf"
        bad.write_bytes(b"\x00\x01 not a pbf")
        sn.from_pbf(bad)


def test_study_area_from_osm_extract_with_admin_districts():
    area = StudyArea.from_osm(shared_path("liechtenstein", "liechtenstein.osm.pbf"),
                              admin_level=8, admin_within="Liechtenstein", cell_size_m=250,
                              modes=("walk",))
    assert sorted(area.districts["district"]) == sorted(
        ["Balzers", "Eschen", "Gamprin", "Mauren", "Planken", "Ruggell", "Schaan",
         "Schellenberg", "Triesen", "Triesenberg", "Vaduz"])
    assert (area.facilities_of("school")["district"].notna()).all()
    assert len(area.facilities_of("school")) == 19
    nearest = area.nearest("school", "walk", "15 min")
    assert nearest["population"].sum() + area.outside_population == pytest.approx(
        area.population_in)
    _conserved(area, nearest)
