"""Network defects found on public routing-engine test extracts, checked on real OSM data.

* a point exactly on a junction is at that junction (not on a one-way street leading away);
* roundabouts without ``oneway`` are one-way through every loader, as in OSM and osmnx;
* gzipped OSM XML reads like plain XML;
* a walk network from a drive-only extract (People's Square, 黄浦区) leaves out the
  elevated expressways and says so.

Oracle for distances: networkx shortest paths on the same directed graph.
"""

from __future__ import annotations

import gzip
import shutil

import networkx as nx
import numpy as np
import pyrosm
import pytest
import shapely
from conftest import shared_path, write_ways_xml

import siting.network as sn


@pytest.fixture(scope="module")
def square_xml():
    return shared_path("china", "shanghai_osm", "peoples_square_drive.osm")


@pytest.fixture(scope="module")
def square_drive(square_xml):
    return sn.from_osm_xml(square_xml, "drive")


def test_points_on_junctions_measure_from_the_junction(square_drive):
    network = square_drive
    rng = np.random.default_rng(13)
    degree = np.bincount(np.concatenate([network.street_u, network.street_v]),
                         minlength=network.n_nodes)
    junctions = np.flatnonzero(degree >= 3)
    src_nodes = rng.choice(junctions, 40, replace=False)
    tgt_nodes = rng.choice(junctions, 300, replace=False)
    points = lambda nodes: shapely.points(network.x[nodes], network.y[nodes])
    sources = sn.snap_points(network, points(src_nodes), 50.0)
    targets = sn.snap_points(network, points(tgt_nodes), 50.0)
    # the trap: some of these points sit on the far end of (or at the start of) a one-way
    # street whose direction is wrong for them
    street = sources.street
    wrong_way = (((sources.offset == 0) & (network.street_bwd[street] < 0))
                 | ((sources.offset == network.street_length[street])
                    & (network.street_fwd[street] < 0)))
    assert wrong_way.any()
    reach = sn.reach_matrix(network, sources, targets, cutoff=2500.0, weight="length")
    got = {(int(s), int(t)): c for s, t, c in zip(reach.source, reach.target, reach.cost)}
    graph = nx.DiGraph()
    for u, v, w in zip(network.edge_u, network.edge_v, network.edge_length):
        if not graph.has_edge(u, v) or graph[u][v]["w"] > w:
            graph.add_edge(int(u), int(v), w=float(w))
    expected = {}
    for i, s in enumerate(src_nodes):
        lengths = nx.single_source_dijkstra_path_length(graph, int(s), cutoff=2500.0,
                                                        weight="w")
        for j, t in enumerate(tgt_nodes):
            if int(t) in lengths:
                expected[(i, j)] = lengths[int(t)]
    assert len(expected) > 1000
    assert set(got) == set(expected)
    np.testing.assert_allclose([got[k] for k in expected], list(expected.values()), atol=1e-6)


@pytest.fixture(scope="module")
def roundabout_extract(tmp_path_factory):
    """A Liechtenstein drive extract (Vaduz) as pbf and as OSM XML written from its ways."""
    path = shared_path("liechtenstein", "liechtenstein.osm.pbf")
    box = [9.49, 47.12, 9.54, 47.18]
    nodes, edges = pyrosm.OSM(str(path), bounding_box=box).get_network("driving", nodes=True)
    xml = write_ways_xml(nodes, edges, tmp_path_factory.mktemp("xml") / "vaduz.osm",
                         tags=("highway", "oneway", "junction"))
    untagged = int((edges["junction"].isin(["roundabout", "circular"])
                    & edges["oneway"].isna()).sum())
    return path, box, xml, untagged


def test_roundabouts_one_way_in_every_loader(roundabout_extract, tmp_path):
    path, box, xml, untagged = roundabout_extract
    assert untagged > 20  # roundabout ways in Vaduz without a oneway tag
    pbf = sn.from_pbf(path, "drive", bounding_box=box, largest_component=False)
    from_xml = sn.from_osm_xml(xml, "drive", largest_component=False)
    assert from_xml.n_edges == pbf.n_edges
    assert from_xml.street_length.sum() == pytest.approx(pbf.street_length.sum(), rel=1e-9)
    # the same one-way streets, by geometry: a roundabout street is driven one way only
    one_way = lambda n: np.sort(np.round(n.street_length[(n.street_fwd < 0)
                                                          | (n.street_bwd < 0)], 3))
    np.testing.assert_array_equal(one_way(pbf), one_way(from_xml))
    assert len(one_way(pbf)) >= untagged
    # gzipped XML reads the same
    gz = tmp_path / "vaduz.osm.gz"
    with open(xml, "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    zipped = sn.from_osm_xml(gz, "drive", largest_component=False)
    assert zipped.n_edges == from_xml.n_edges
    np.testing.assert_array_equal(zipped.edge_length, from_xml.edge_length)


def test_walk_from_a_drive_only_extract(square_xml, square_drive):
    walk = sn.from_osm_xml(square_xml, "walk", largest_component=False)
    drive = sn.from_osm_xml(square_xml, "drive", largest_component=False)
    report = walk.build_report["left_out"]
    assert "trunk" in report["rule"] and "bridges" in report["rule"]
    assert report["edges"] > 0
    # every street two-way at walking speed
    assert walk.n_edges == 2 * len(walk.street_u)
    np.testing.assert_allclose(walk.edge_length / walk.edge_time, 4.0 / 3.6)
    # the walk streets are the drive streets minus the elevated roads: their lengths add up
    drive_km = _undirected_km(drive)
    assert walk.street_length.sum() / 1000 + report["km"] == pytest.approx(drive_km, rel=1e-3)
    # no walk street runs along 延安高架路 / 南北高架路: their OSM ways are trunk bridges
    assert report["km"] > 10
    everything = sn.from_osm_xml(square_xml, "walk", largest_component=False, car_only={})
    assert everything.street_length.sum() / 1000 == pytest.approx(drive_km, rel=1e-3)


def _undirected_km(network) -> float:
    """Street km counting a street drawn both ways (or twice) once."""
    a = np.minimum(network.street_u, network.street_v)
    b = np.maximum(network.street_u, network.street_v)
    key = set(zip(a.tolist(), b.tolist(), np.round(network.street_length, 1).tolist()))
    return sum(k[2] for k in key) / 1000
