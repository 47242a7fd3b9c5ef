"""Every network loader gives the same distances on the same streets (real OSM data).

The OSM XML, GraphML and centreline files are written here from the pyrosm town extract, so
each loader reads a real file in its real format.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyrosm
import pytest
from conftest import write_ways_xml

import siting.network as sn
from siting import StudyArea
from siting.datasets import example_path, load_example
from siting.errors import NetworkError
from siting.io import read_layer


@pytest.fixture(scope="module")
def osm_tables():
    osm = pyrosm.OSM(example_path("town"))
    return osm.get_network("walking", nodes=True)


@pytest.fixture(scope="module")
def osm_xml(tmp_path_factory, osm_tables):
    nodes, edges = osm_tables
    return write_ways_xml(nodes, edges, tmp_path_factory.mktemp("xml") / "town.osm")


def _nearest_costs(network):
    area = load_example()
    rebuilt = StudyArea(area.districts, area.cells, area.facilities, {"walk": network},
                        crs=area.crs)
    return rebuilt.nearest("sports_ground", "walk")["distance_m"].to_numpy()


@pytest.fixture(scope="module")
def reference():
    return _nearest_costs(sn.from_pbf(example_path("town"), "walk"))


def test_osm_xml_equals_pbf(osm_xml, reference):
    network = sn.from_osm_xml(osm_xml, "walk")
    pbf = sn.from_pbf(example_path("town"), "walk")
    assert network.n_nodes == pbf.n_nodes
    assert network.street_length.sum() == pytest.approx(pbf.street_length.sum(), rel=1e-9)
    np.testing.assert_allclose(_nearest_costs(network), reference, atol=1e-6)


def test_graphml_round_trip(osm_xml, tmp_path, reference):
    import osmnx as ox

    graph = ox.graph_from_xml(str(osm_xml), bidirectional=True, simplify=False, retain_all=True)
    path = tmp_path / "town.graphml"
    ox.save_graphml(graph, path)
    np.testing.assert_allclose(_nearest_costs(sn.from_graphml(path, "walk")), reference,
                               atol=1e-6)


@pytest.mark.parametrize("suffix", ["gpkg", "shp", "geojson", "parquet"])
def test_centreline_files(tmp_path, suffix, reference):
    pbf = sn.from_pbf(example_path("town"), "walk")
    lines = gpd.GeoDataFrame({"cls": ["residential"] * len(pbf.street_u)},
                             geometry=pbf.street_geometry, crs=pbf.crs)
    path = tmp_path / f"roads.{suffix}"
    if suffix == "parquet":
        lines.to_parquet(path)
    else:
        lines.to_file(path)
    network = sn.from_lines(str(path), "walk", highway_col="cls")
    assert network.n_nodes == pbf.n_nodes
    np.testing.assert_allclose(_nearest_costs(network), reference, atol=1e-6)


def test_centreline_one_way_and_speeds():
    pbf = sn.from_pbf(example_path("town"), "drive")
    n = len(pbf.street_u)
    lines = gpd.GeoDataFrame({"road": ["primary"] * n, "oneway": ["yes"] * n},
                             geometry=pbf.street_geometry, crs=pbf.crs)
    network = sn.from_lines(lines, "drive", highway_col="road", oneway_col="oneway",
                            largest_component=False)
    assert network.n_edges == len(network.street_u)  # one direction per street
    np.testing.assert_allclose(network.edge_time, network.edge_length / (40 / 3.6))
    faster = sn.from_lines(lines, "drive", highway_col="road", oneway_col="oneway",
                           speeds={"primary": 50}, largest_component=False)
    np.testing.assert_allclose(faster.edge_time * 50, network.edge_time * 40)


def test_centreline_split_at_crossings():
    a = gpd.GeoSeries.from_wkt(["LINESTRING (0 0, 200 0)", "LINESTRING (100 -100, 100 100)"],
                               crs="EPSG:32651")
    lines = gpd.GeoDataFrame(geometry=a)
    with pytest.raises(NetworkError, match="disconnected pieces"):
        sn.from_lines(lines, "walk")  # two crossing lines without a node are two pieces
    network = sn.from_lines(lines, "walk", split_at_crossings=True)
    assert network.n_nodes == 5 and len(network.street_u) == 4


def test_drive_speeds_per_class_documented_defaults():
    network = sn.from_pbf(example_path("town"), "drive")
    speed_kmh = network.edge_length / network.edge_time * 3.6
    assert set(np.round(speed_kmh, 6)) <= set(sn.DEFAULT_DRIVE_SPEEDS_KMH.values()) | {20.0}


def test_read_layer_formats(tmp_path):
    area = load_example()
    points = area.facilities.to_crs(4326)
    table = pd.DataFrame({"kind": points["kind"], "lon": points.geometry.x,
                          "lat": points.geometry.y})
    table.to_csv(tmp_path / "f.csv", index=False)
    table.to_excel(tmp_path / "f.xlsx", index=False)
    for name in ("f.csv", "f.xlsx"):
        read = read_layer(tmp_path / name)
        assert read.crs.to_epsg() == 4326 and list(read["kind"]) == list(points["kind"])
        np.testing.assert_allclose(read.geometry.x, points.geometry.x)
    table.loc[1, "lat"] = None
    table.to_csv(tmp_path / "g.csv", index=False)
    with pytest.raises(ValueError, match="1 rows have no usable coordinates"):
        read_layer(tmp_path / "g.csv")
