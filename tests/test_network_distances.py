"""The distance core against networkx Dijkstra on the same graphs (real OSM extracts)."""

from __future__ import annotations

from collections import defaultdict

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

import siting.network as sn
from conftest import shared_path
from siting.datasets import example_path


@pytest.fixture(scope="module")
def town_walk():
    return sn.from_pbf(example_path("town"), "walk")


@pytest.fixture(scope="module")
def town_drive():
    return sn.from_pbf(example_path("town"), "drive")


def _assert_nodes_match_networkx(network, sources, cutoff, weight):
    reach = sn.node_distances(network, sources, cutoff=cutoff, weight=weight)
    graph = network.to_networkx()
    pairs = 0
    for i, source in enumerate(sources):
        expected = nx.single_source_dijkstra_path_length(graph, int(source), cutoff=cutoff,
                                                         weight=weight)
        mask = reach.source == i
        got = dict(zip(reach.target[mask].tolist(), reach.cost[mask].tolist()))
        assert got.keys() == expected.keys()
        # chains are summed edge by edge in path order, like Dijkstra: bit-identical
        assert got == expected
        pairs += len(expected)
    return pairs


@pytest.mark.parametrize("weight,cutoff", [("length", 800.0), ("time", 600.0)])
def test_town_walk_nodes_equal_networkx(town_walk, weight, cutoff):
    sources = np.arange(0, town_walk.n_nodes, 37)
    assert _assert_nodes_match_networkx(town_walk, sources, cutoff, weight) > 1000


@pytest.mark.parametrize("weight,cutoff", [("length", 2000.0), ("time", 180.0)])
def test_town_drive_nodes_equal_networkx_one_way_respected(town_drive, weight, cutoff):
    sources = np.arange(0, town_drive.n_nodes, 29)
    _assert_nodes_match_networkx(town_drive, sources, cutoff, weight)
    # driving is directed: somewhere an edge exists one way only
    forward = set(zip(town_drive.edge_u.tolist(), town_drive.edge_v.tolist()))
    assert any((v, u) not in forward for u, v in forward)


def test_sao_paulo_walk_nodes_equal_networkx(spo_walk):
    rng = np.random.default_rng(7)
    sources = rng.choice(spo_walk.n_nodes, 40, replace=False)
    assert _assert_nodes_match_networkx(spo_walk, sources, 1000.0, "length") > 10_000


def test_chain_shapes_equal_networkx():
    """Shapes the chain contraction must get right: a ring with no junction, a loop back to
    its own junction, and a chain of degree-2 nodes whose streets are one-way either way."""
    from shapely import LineString

    def polyline(*xy):
        return [LineString([(500_000 + 100 * x0, 3_400_000 + 100 * y0),
                            (500_000 + 100 * x1, 3_400_000 + 100 * y1)])
                for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:])]

    ring = polyline((0, 0), (2, 0), (3, 2), (1, 3), (-1, 2), (0, 0))
    lollipop = polyline((10, 0), (11, 0), (12, 0), (13, 1), (14, 0), (13, -1), (12, 0))
    mixed = polyline((20, 0), (21, 0), (22, 1), (23, 0), (24, 0), (25, 1))
    lines = gpd.GeoDataFrame(
        {"oneway": ["no"] * (len(ring) + len(lollipop)) + ["yes", "no", "-1", "no", "yes"]},
        geometry=ring + lollipop + mixed, crs="EPSG:32650")
    for mode in ("walk", "drive"):
        network = sn.from_lines(lines, mode, oneway_col="oneway", largest_component=False)
        chains = network.chains("length")
        assert network.n_nodes == 5 + 6 + 6
        # the ring got one promoted junction; the lollipop has its stick end and the joint
        assert chains.junction.sum() == 1 + 2 + 2
        sources = np.arange(network.n_nodes)
        for weight, cutoff in (("length", 450.0), ("length", 5000.0), ("time", 600.0)):
            _assert_nodes_match_networkx(network, sources, cutoff, weight)
        # a source part-way along a street inside a chain
        points = np.array([shapely.Point(500_000 + 250, 3_400_000 + 30),
                           shapely.Point(500_000 + 1_350, 3_400_000 + 80),
                           shapely.Point(500_000 + 2_150, 3_400_000 + 60)])
        snapped = sn.snap_points(network, points, 100.0)
        assert snapped.ok.all()
        _check_points_against_oracle(network, snapped, snapped, "length", 5000.0)


def _split_graph_oracle(network, points, weight):
    """networkx graph with every snapped point inserted into its street (independent code)."""
    graph = nx.DiGraph()

    def add(a, b, w):
        if graph.has_edge(a, b):
            graph[a][b]["w"] = min(graph[a][b]["w"], w)
        else:
            graph.add_edge(a, b, w=w)

    per_street = defaultdict(list)
    for name, (street, offset, _) in points.items():
        per_street[street].append((offset, name))
    for s in range(len(network.street_u)):
        u, v, length = int(network.street_u[s]), int(network.street_v[s]), network.street_length[s]
        chain = [(0.0, ("node", u))] + sorted((o, ("on", n)) for o, n in per_street[s]) + \
                [(length, ("node", v))]
        fwd, bwd = network.street_fwd[s], network.street_bwd[s]
        for (oa, a), (ob, b) in zip(chain[:-1], chain[1:]):
            if fwd >= 0:
                rate = network.edge_time[fwd] / network.edge_length[fwd] if weight == "time" else 1
                add(a, b, (ob - oa) * rate)
            if bwd >= 0:
                rate = network.edge_time[bwd] / network.edge_length[bwd] if weight == "time" else 1
                add(b, a, (ob - oa) * rate)
    for name, (_, _, dist) in points.items():
        connector = dist / network.speed_mps if weight == "time" else dist
        add(("pt", name), ("on", name), connector)
        add(("on", name), ("pt", name), connector)
    return graph


def _check_points_against_oracle(network, sources, targets, weight, cutoff):
    points = {}
    for prefix, snapped in (("s", sources), ("t", targets)):
        for i in np.flatnonzero(snapped.ok):
            points[(prefix, int(i))] = (int(snapped.street[i]), float(snapped.offset[i]),
                                        float(snapped.distance[i]))
    graph = _split_graph_oracle(network, points, weight)
    reach = sn.reach_matrix(network, sources, targets, weight=weight, cutoff=cutoff)
    got = {(int(s), int(t)): c for s, t, c in zip(reach.source, reach.target, reach.cost)}
    expected = {}
    for i in np.flatnonzero(sources.ok):
        lengths = nx.single_source_dijkstra_path_length(graph, ("pt", ("s", int(i))),
                                                        cutoff=cutoff, weight="w")
        for node, cost in lengths.items():
            if node[0] == "pt" and node[1][0] == "t":
                expected[(int(i), node[1][1])] = cost
    assert got.keys() == expected.keys()
    assert max(abs(got[k] - expected[k]) for k in expected) <= 1e-6
    return reach


def test_point_to_point_costs_equal_networkx_on_split_streets(town_walk, town_drive):
    from siting.datasets import load_example

    area = load_example()
    for network, weight, cutoff in ((town_walk, "length", 1500.0), (town_drive, "time", 240.0)):
        sources = sn.snap_points(network, area.facilities.geometry.to_numpy(), 500.0)
        targets = sn.snap_points(network, area.cells.geometry.centroid.to_numpy(), 500.0)
        reach = _check_points_against_oracle(network, sources, targets, weight, cutoff)
        assert reach.n_pairs > 20


def test_sao_paulo_schools_to_hexagons_equal_networkx(spo_walk):
    hexes = gpd.read_file(shared_path("sao_paulo", "spo_hexgrid_EPSG32723.gpkg"))
    centroids = hexes.geometry.centroid.to_numpy()
    schools = centroids[hexes["schools"].to_numpy() > 0][:25]
    sources = sn.snap_points(spo_walk, schools, 300.0)
    targets = sn.snap_points(spo_walk, centroids, 300.0)
    reach = _check_points_against_oracle(spo_walk, sources, targets, "length", 1200.0)
    # nearest_sources is the minimum over the same pairs
    cost, label = sn.nearest_sources(spo_walk, sources, targets, cutoff=1200.0)
    dense = np.full((len(sources), len(targets)), np.inf)
    dense[reach.source, reach.target] = reach.cost
    np.testing.assert_allclose(cost, dense.min(axis=0), atol=1e-9)
    reached = np.isfinite(cost)
    np.testing.assert_allclose(dense[label[reached], np.flatnonzero(reached)], cost[reached])


def test_same_street_pairs_need_no_node(town_walk):
    """Two points on one street are joined along it, not via its end nodes."""
    street = int(np.argmax(town_walk.street_length))
    line = town_walk.street_geometry[street]
    length = town_walk.street_length[street]
    a, b = line.interpolate(0.3 * length), line.interpolate(0.6 * length)
    sources = sn.snap_points(town_walk, np.array([a]), 50.0)
    targets = sn.snap_points(town_walk, np.array([b]), 50.0)
    reach = sn.reach_matrix(town_walk, sources, targets, cutoff=10_000.0)
    assert reach.cost[0] == pytest.approx(0.3 * length, abs=1e-6)


def test_reach_memory_follows_pairs_not_sources_times_nodes(spo_walk):
    sources = sn.node_distances(spo_walk, np.arange(0, spo_walk.n_nodes, 7), cutoff=300.0)
    assert sources.n_pairs < 0.05 * sources.n_sources * spo_walk.n_nodes
    matrix = sources.matrix()
    assert matrix.nnz == sources.n_pairs  # zero-cost (self) entries are kept explicitly
    assert matrix.shape == (sources.n_sources, spo_walk.n_nodes)


def test_people_to_facility_on_one_way_streets_equals_networkx(town_drive):
    """direction='to_facility': the reversed search equals forward paths cell → facility."""
    from siting.datasets import load_example

    area = load_example()
    sources = sn.snap_points(town_drive, area.facilities.geometry.to_numpy(), 500.0)
    targets = sn.snap_points(town_drive, area.cells.geometry.centroid.to_numpy(), 500.0)
    points = {}
    for prefix, snapped in (("s", sources), ("t", targets)):
        for i in np.flatnonzero(snapped.ok):
            points[(prefix, int(i))] = (int(snapped.street[i]), float(snapped.offset[i]),
                                        float(snapped.distance[i]))
    graph = _split_graph_oracle(town_drive, points, "time")
    cost, label = sn.nearest_sources(town_drive, sources, targets, weight="time", reverse=True)
    forward, _ = sn.nearest_sources(town_drive, sources, targets, weight="time")
    differs = 0
    for t in np.flatnonzero(targets.ok):
        lengths = nx.single_source_dijkstra_path_length(graph, ("pt", ("t", int(t))), weight="w")
        to_facility = {k[1][1]: v for k, v in lengths.items() if k[0] == "pt" and k[1][0] == "s"}
        best = min(to_facility.values())
        assert cost[t] == pytest.approx(best, abs=1e-6)
        assert to_facility[label[t]] == pytest.approx(best, abs=1e-6)
        differs += abs(forward[t] - cost[t]) > 1e-6
    assert differs > 0  # one-way streets make the two directions differ somewhere


def _town_pairs(network) -> int:
    return sn.node_distances(network, np.arange(50), cutoff=500.0).n_pairs


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="needs the fork start method")
def test_searches_work_in_forked_children(town_walk):
    """The search threads are kept for the process; a forked child must start its own."""
    import multiprocessing as mp

    expected = _town_pairs(town_walk)  # the parent's pool exists from here on
    with mp.get_context("fork").Pool(2) as pool:
        got = pool.map_async(_town_pairs, [town_walk] * 2).get(timeout=120)
    assert got == [expected, expected]
