"""Road centrelines noded by level: junctions where streets cross at grade, never under a
bridge or over a tunnel (real Shanghai layer of the Bund and Lujiazui, and small drawn cases).

Oracles: OSM's own junctions (the People's Square OSM extract overlaps the layer's west
edge), the layer's bridge/tunnel flags, and networkx for the components.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from conftest import shared_path

import siting.network as sn
from siting.china import load_district_boundaries
from siting.errors import NetworkError
from siting.network.noding import node_lines

UTM51 = "EPSG:32651"


def _lines(wkts, **columns):
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries.from_wkt(wkts), crs=UTM51)


def test_crossing_at_grade_is_a_junction_a_bridge_is_not():
    lines = _lines(["LINESTRING (0 0, 200 0)", "LINESTRING (100 -100, 100 100)",
                    "LINESTRING (50 -100, 50 100)"], is_bridge=[None, None, "True"])
    pieces, report = node_lines(lines)
    # the at-grade pair cut into 4 at (100, 0); the bridge over x=50 keeps both whole there
    assert report.crossings_split == 1 and report.crossings_kept_apart == 1
    assert len(pieces) == 5
    network = sn.from_lines(lines, "walk", split_at_crossings=True, largest_component=False)
    graph = nx.Graph(list(zip(network.street_u.tolist(), network.street_v.tolist())))
    assert nx.number_connected_components(graph) == 2  # the bridge touches nothing


def test_tunnel_and_layer_columns_and_ends_within_tolerance():
    lines = _lines(["LINESTRING (0 0, 200 0)", "LINESTRING (100 -100, 100 100)",
                    "LINESTRING (200.6 0.3, 300 0)", "LINESTRING (150 -50, 150 -0.5)"],
                   tunnel=["no", "yes", "no", "no"], layer=[0, -1, 0, 0])
    _, report = node_lines(lines, snap_m=1.0)
    assert report.columns == {"bridge": None, "tunnel": "tunnel", "layer": "layer"}
    assert report.crossings_split == 0 and report.crossings_kept_apart == 1
    assert report.ends_joined == 1        # the gap of 0.67 m at (200, 0) is closed
    assert report.ends_on_lines == 1      # the spur stopping 0.5 m short of y=0 is joined
    network = sn.from_lines(lines, "walk", split_at_crossings=True, largest_component=False)
    graph = nx.Graph(list(zip(network.street_u.tolist(), network.street_v.tolist())))
    sizes = sorted(len(c) for c in nx.connected_components(graph))
    assert sizes == [2, 5]  # tunnel alone; the rest one street network
    ignored = node_lines(lines, snap_m=1.0, tunnel_col=None, layer_col=None)[1]
    assert ignored.crossings_split == 1  # told to ignore levels, the tunnel crossing noded


def test_degrees_under_a_metric_label_are_refused():
    lines = _lines(["LINESTRING (121.48 31.23, 121.49 31.24)"])
    with pytest.raises(NetworkError, match="look like degrees"):
        sn.from_lines(lines, "walk")
    with pytest.raises(NetworkError, match="no such column"):
        sn.from_lines(lines.set_crs(4326, allow_override=True), "walk", bridge_col="bridge")


@pytest.fixture(scope="module")
def bund_roads():
    return gpd.read_file(shared_path("china", "shanghai_osm", "bund_lujiazui_roads.gpkg"))


@pytest.fixture(scope="module")
def bund_noded(bund_roads):
    return node_lines(bund_roads.to_crs(UTM51), snap_m=1.0)


def test_bund_layer_report(bund_noded, bund_roads):
    pieces, report = bund_noded
    assert report.lines_in == len(bund_roads) == 1078
    assert report.columns["bridge"] == "is_bridge" and report.columns["tunnel"] == "is_tunnel"
    assert report.crossings_split > 300 and report.t_junctions > 500
    assert report.crossings_kept_apart > 100  # 110 bridge/tunnel ways over or under streets
    assert report.pieces == len(pieces) > 2 * report.parts
    # no street length is lost or made up by noding (only snapped ends move, by < 1 m each)
    kept = bund_roads.iloc[np.unique(pieces["source_row"])].to_crs(UTM51)
    assert pieces.length.sum() == pytest.approx(kept.length.sum(), abs=report.ends_joined
                                                + report.ends_on_lines + 1)


def test_bund_grade_separated_meet_streets_only_at_their_ends(bund_noded, bund_roads):
    pieces, _ = bund_noded
    separated = pieces["bridge"].to_numpy() | pieces["tunnel"].to_numpy()
    # ends of every original bridge/tunnel line (where it really meets the streets)
    source = bund_roads.to_crs(UTM51).explode(index_parts=False)
    level = (source["is_bridge"].notna() | source["is_tunnel"].notna()).to_numpy()
    real_ends = shapely.points(np.vstack([
        shapely.get_coordinates(shapely.get_point(source.geometry.to_numpy()[level], i))
        for i in (0, -1)]))
    at_grade = pieces.geometry.to_numpy()[~separated]
    ends_at_grade = shapely.points(np.vstack([shapely.get_coordinates(
        shapely.get_point(at_grade, i)) for i in (0, -1)]))
    # every point where an at-grade street piece ends on a bridge/tunnel piece is a real end
    # of a bridge/tunnel line or an end of the at-grade line itself — never a mid-span crossing
    sep_tree = shapely.STRtree(pieces.geometry.to_numpy()[separated])
    touching = np.unique(sep_tree.query(ends_at_grade, predicate="dwithin", distance=1e-6)[0])
    far_from_real = shapely.distance(ends_at_grade[touching],
                                     shapely.multipoints(real_ends)) > 1.0
    # at-grade pieces ending on a bridge/tunnel away from its ends: only lines that really end
    # there in the source (a street drawn to a viaduct pier), never cut by noding
    cut = shapely.distance(ends_at_grade[touching][far_from_real],
                           shapely.multipoints(shapely.points(np.vstack([
                               shapely.get_coordinates(shapely.get_point(
                                   source.geometry.to_numpy()[~level], i)) for i in (0, -1)]))))
    assert (cut < 1.0 + 1e-6).all()


def test_bund_junctions_match_osm_where_the_extracts_overlap(bund_roads):
    import warnings

    import osmnx as ox

    drive = sn.from_lines(bund_roads, "drive", highway_col="highway", split_at_crossings=True,
                          largest_component=False, crs=UTM51)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        osm = ox.graph_from_xml(str(shared_path("china", "shanghai_osm",
                                                "peoples_square_drive.osm")),
                                simplify=False, retain_all=True).to_undirected()
    overlap = shapely.box(121.4825, 31.2280, 121.4855, 31.2400)
    junctions = []
    for node, data in osm.nodes(data=True):
        point = shapely.Point(data["x"], data["y"])
        if len(set(osm.neighbors(node)) - {node}) < 3 or not overlap.contains(point):
            continue
        if any(e.get("bridge", "no") != "no" or e.get("tunnel", "no") != "no"
               for _, _, e in osm.edges(node, data=True)):
            continue
        junctions.append(point)
    junctions = gpd.GeoSeries(junctions, crs=4326).to_crs(UTM51).to_numpy()
    degree = np.bincount(np.concatenate([drive.street_u, drive.street_v]),
                         minlength=drive.n_nodes)
    ours = shapely.points(drive.x[degree >= 3], drive.y[degree >= 3])
    _, gap = shapely.STRtree(ours).query_nearest(junctions, return_distance=True)
    # OSM (2026) and the Tilezen layer (≤ 2022, simplified at z16) draw the same streets:
    # every at-grade OSM junction of the overlap is a junction of the noded layer
    assert len(junctions) >= 25
    assert gap.max() < 10.0 and np.median(gap) < 1.0


def test_huangpu_is_crossed_only_by_tunnels(bund_roads):
    districts = load_district_boundaries("shanghai").to_crs(UTM51)
    pudong = districts.loc[districts["name"] == "浦东新区", "geometry"].iloc[0]

    def banks(network):
        graph = nx.Graph(list(zip(network.street_u.tolist(), network.street_v.tolist())))
        east = shapely.contains_xy(pudong, network.x, network.y)
        # pieces holding 50+ nodes on each bank (a few tunnel stubs lie on both sides of
        # the district line in the river)
        mixed = [c for c in nx.connected_components(graph)
                 if min(east[list(c)].sum(), (~east[list(c)]).sum()) >= 50]
        return graph, east, mixed

    drive = sn.from_lines(bund_roads, "drive", highway_col="highway", split_at_crossings=True,
                          largest_component=False, crs=UTM51)
    _, _, mixed = banks(drive)
    assert len(mixed) == 1  # the drive network spans both banks ...
    no_tunnels = bund_roads[bund_roads["is_tunnel"].isna()]
    mixed = banks(sn.from_lines(no_tunnels, "drive", highway_col="highway",
                                         split_at_crossings=True, largest_component=False,
                                         crs=UTM51))[2]
    assert mixed == []  # ... only through its tunnels
    walk = sn.from_lines(bund_roads, "walk", highway_col="highway", split_at_crossings=True,
                         largest_component=False, crs=UTM51)
    assert walk.build_report["left_out"]["streets"] > 0
    mixed = banks(walk)[2]
    assert mixed == []  # road tunnels are closed to walkers; ferries are not in the layer
    everything = sn.from_lines(bund_roads, "walk", highway_col="highway",
                               split_at_crossings=True, largest_component=False, crs=UTM51,
                               car_only={})
    assert len(banks(everything)[2]) == 1  # walking the road tunnels would cross it
