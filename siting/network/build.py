"""Street networks from the files planners have: OSM extracts, GraphML, road-centreline layers.

Every loader ends in :meth:`Network.from_streets`, so speeds, one-way handling and the
largest-component rule are the same whatever the source.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import NetworkError, SitingError
from .graph import DEFAULT_WALK_SPEED_KMH, Network

PYROSM_NETWORK_TYPE = {"walk": "walking", "drive": "driving"}
OSMNX_NETWORK_TYPE = {"walk": "walk", "drive": "drive"}


def _check_mode(mode: str) -> None:
    if mode not in ("walk", "drive"):
        raise NetworkError("mode", mode, "unknown travel mode", "use 'walk' or 'drive'")


def _check_file(path: str | Path, suffixes: tuple[str, ...], field: str = "path") -> Path:
    path = Path(path)
    if not path.is_file():
        raise SitingError(field, str(path), "no such file", "check the path and file name")
    if not any(path.name.lower().endswith(s) for s in suffixes):
        raise SitingError(field, str(path), f"not a {' / '.join(suffixes)} file",
                          "use the loader that matches the file type (see siting.network)")
    return path


def _streets_from_edges(edges: gpd.GeoDataFrame, nodes: gpd.GeoDataFrame, crs: object | None
                        ) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    """Project node and edge tables to a metric CRS and orient every geometry from u to v."""
    if crs is None:
        crs = nodes.estimate_utm_crs()
    nodes = nodes.to_crs(crs)
    edges = edges.to_crs(crs)
    node_table = pd.DataFrame({"id": nodes["id"].to_numpy(), "x": nodes.geometry.x.to_numpy(),
                               "y": nodes.geometry.y.to_numpy()}).drop_duplicates("id")
    xy = node_table.set_index("id")
    geometry = edges.geometry.to_numpy()
    start = shapely.get_point(geometry, 0)
    ux = xy["x"].reindex(edges["u"].to_numpy()).to_numpy()
    uy = xy["y"].reindex(edges["u"].to_numpy()).to_numpy()
    # a geometry drawn from v to u is reversed so offsets are measured from u
    flipped = np.hypot(shapely.get_x(start) - ux, shapely.get_y(start) - uy) > 1e-3
    if flipped.any():
        geometry = geometry.copy()
        geometry[flipped] = shapely.reverse(geometry[flipped])
    streets = pd.DataFrame({"u": edges["u"].to_numpy(), "v": edges["v"].to_numpy(),
                            "geometry": geometry})
    for column in ("highway", "oneway", "maxspeed"):
        if column in edges.columns:
            streets[column] = edges[column].to_numpy()
    return node_table, streets, crs


def from_pbf(path: str | Path, mode: str = "walk", *, crs: object | None = None,
             bounding_box: object | None = None, walk_speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
             speeds: Mapping[str, float] | None = None, largest_component: bool = True
             ) -> Network:
    """Walk or drive network from an OpenStreetMap ``.osm.pbf`` extract (offline, via pyrosm).

    Parameters
    ----------
    path
        The ``.osm.pbf`` file.
    mode
        ``"walk"`` or ``"drive"``.
    crs
        Metric CRS; ``None`` picks the local UTM zone.
    bounding_box
        Optional shapely polygon (WGS-84) or ``[minx, miny, maxx, maxy]`` to read only a part.
    walk_speed_kmh, speeds
        Walking speed; driving speeds per highway class (see :mod:`siting.network.graph`).
    largest_component
        Keep only the largest connected component (see :meth:`Network.from_streets`).
    """
    import pyrosm

    _check_mode(mode)
    path = _check_file(path, (".pbf",))
    try:
        osm = pyrosm.OSM(str(path), bounding_box=bounding_box)
        result = osm.get_network(network_type=PYROSM_NETWORK_TYPE[mode], nodes=True)
    except Exception as exc:  # pyrosm raises bare errors on corrupt files
        raise SitingError("path", str(path), f"cannot read the OSM extract ({exc})",
                          "check that the file is a complete .osm.pbf extract") from exc
    if result is None or result[1] is None or len(result[1]) == 0:
        raise NetworkError("path", str(path), f"the extract has no {mode} streets",
                           "use an extract that covers streets of the study area")
    nodes, edges = result
    node_table, streets, crs = _streets_from_edges(edges, nodes, crs)
    return Network.from_streets(node_table, streets, mode=mode, crs=crs,
                                walk_speed_kmh=walk_speed_kmh, speeds=speeds,
                                largest_component=largest_component)


def from_networkx(graph, mode: str = "walk", *, crs: object | None = None,
                  walk_speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
                  speeds: Mapping[str, float] | None = None, largest_component: bool = True
                  ) -> Network:
    """Network from an osmnx-style networkx graph (nodes with ``x``/``y``, graph ``crs``).

    For an osmnx MultiDiGraph a street drawn in both directions appears as two edges; they are
    merged into one two-way street. Edges only one way stay one-way when driving.
    """
    import osmnx as ox

    _check_mode(mode)
    if graph.number_of_edges() == 0:
        raise NetworkError("graph", graph, "the graph has no edges", "load a graph with streets")
    if graph.graph.get("crs") is None:  # absent, or present but empty
        raise NetworkError("graph.graph['crs']", None, "the graph has no CRS",
                           "set graph.graph['crs'] (osmnx graphs carry 'epsg:4326')")
    nodes, edges = ox.graph_to_gdfs(graph, nodes=True, edges=True, fill_edge_geometry=True)
    nodes = nodes.reset_index().rename(columns={"osmid": "id"})
    if "id" not in nodes.columns:
        nodes = nodes.rename(columns={nodes.columns[0]: "id"})
    edges = edges.reset_index()
    edges = _pair_reverse_edges(edges)
    node_table, streets, crs = _streets_from_edges(edges, nodes, crs)
    return Network.from_streets(node_table, streets, mode=mode, crs=crs,
                                walk_speed_kmh=walk_speed_kmh, speeds=speeds,
                                largest_component=largest_component)


def _pair_reverse_edges(edges: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Merge u→v and v→u edges of equal length into one two-way street."""
    edges = edges.copy()
    length = shapely.length(edges.to_crs(edges.estimate_utm_crs()).geometry.to_numpy())
    edges["_len"] = np.round(length, 1)
    edges["_row"] = np.arange(len(edges))
    forward = edges[["u", "v", "_len", "_row"]]
    backward = edges[["u", "v", "_len", "_row"]].rename(columns={"u": "v", "v": "u", "_row": "_rev"})
    pairs = forward.merge(backward, on=["u", "v", "_len"])
    pairs = pairs[pairs["_row"] < pairs["_rev"]].drop_duplicates("_row").drop_duplicates("_rev")
    drop = set(pairs["_rev"])
    two_way = set(pairs["_row"])
    keep = ~edges["_row"].isin(drop)
    oneway = np.where(edges["_row"].isin(two_way), "no", "yes")
    edges["oneway"] = oneway
    return edges.loc[keep].drop(columns=["_len", "_row"])


def from_osm_xml(path: str | Path, mode: str = "walk", **kwargs) -> Network:
    """Network from an OSM XML file (``.osm`` or ``.osm.bz2``) through osmnx."""
    import osmnx as ox

    _check_mode(mode)
    path = _check_file(path, (".osm", ".osm.bz2", ".xml"))
    try:
        graph = ox.graph_from_xml(str(path), bidirectional=(mode == "walk"), simplify=False,
                                  retain_all=True)
    except Exception as exc:
        raise SitingError("path", str(path), f"cannot read the OSM XML file ({exc})",
                          "check that the file is OSM XML, plain or bz2-compressed") from exc
    graph = _filter_osmnx_mode(graph, mode)
    return from_networkx(graph, mode, **kwargs)


def _filter_osmnx_mode(graph, mode: str):
    """Keep the ways osmnx's own filter for ``mode`` would keep (XML files carry every way)."""
    excluded_walk = {"motorway", "motorway_link", "trunk", "trunk_link", "construction",
                     "proposed", "raceway", "bus_guideway", "abandoned", "platform"}
    excluded_drive = {"footway", "path", "pedestrian", "steps", "cycleway", "bridleway",
                      "corridor", "track", "construction", "proposed", "raceway",
                      "bus_guideway", "abandoned", "platform", "elevator", "service"}
    excluded = excluded_walk if mode == "walk" else excluded_drive
    drop = []
    for u, v, k, data in graph.edges(keys=True, data=True):
        highway = data.get("highway")
        values = highway if isinstance(highway, list) else [highway]
        if highway is None or all(h in excluded for h in values):
            drop.append((u, v, k))
    graph = graph.copy()
    graph.remove_edges_from(drop)
    graph.remove_nodes_from([n for n, deg in dict(graph.degree()).items() if deg == 0])
    return graph


def from_graphml(path: str | Path, mode: str = "walk", **kwargs) -> Network:
    """Network from a GraphML file saved by osmnx (``ox.save_graphml``)."""
    import osmnx as ox

    _check_mode(mode)
    path = _check_file(path, (".graphml", ".xml"))
    try:
        graph = ox.load_graphml(path)
    except Exception as exc:
        raise SitingError("path", str(path), f"cannot read the GraphML file ({exc})",
                          "save graphs with osmnx.save_graphml, or use from_lines") from exc
    return from_networkx(graph, mode, **kwargs)


def from_lines(lines: gpd.GeoDataFrame | str | Path, mode: str = "walk", *,
               highway_col: str | None = None, oneway_col: str | None = None,
               speed_col: str | None = None, split_at_crossings: bool = False,
               crs: object | None = None, walk_speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
               speeds: Mapping[str, float] | None = None, largest_component: bool = True,
               tolerance: float = 0.01) -> Network:
    """Network from a road-centreline layer (GeoPackage, Shapefile...), as bureaus keep them.

    Lines meet where their end points coincide (within ``tolerance`` metres). Layers drawn
    without nodes at junctions need ``split_at_crossings=True``, which cuts lines wherever they
    cross (wrong for bridges and tunnels, so it is off by default).

    Parameters
    ----------
    lines
        GeoDataFrame or path of (Multi)LineStrings.
    highway_col, oneway_col, speed_col
        Optional columns: road class (OSM names, for default speeds), one-way flag
        (``yes``/``-1``/``no``), speed in km/h.
    """
    _check_mode(mode)
    if not isinstance(lines, gpd.GeoDataFrame):
        from ..io import read_layer

        lines = read_layer(lines, layer="lines")
    if lines.crs is None:
        raise NetworkError("lines.crs", None, "the road layer has no CRS",
                           "set it with lines.set_crs(...) to the system it was drawn in")
    if crs is None:
        crs = lines.estimate_utm_crs() if lines.crs.is_geographic else lines.crs
    lines = lines.to_crs(crs)
    lines = lines[lines.geometry.notna() & ~lines.geometry.is_empty]
    lines = lines.explode(index_parts=False)
    lines = lines[lines.geom_type == "LineString"]
    if len(lines) == 0:
        raise NetworkError("lines", 0, "the layer has no line geometries",
                           "pass a road-centreline layer of LineStrings")
    if not (lines.geometry.length > 0).any():  # else numpy fails deep inside with argmax
        raise NetworkError("lines", f"{len(lines)} lines of length 0",
                           "every line has zero length, so there are no streets",
                           "pass a road-centreline layer whose lines have two distinct points")
    attributes = {name: col for name, col in (("highway", highway_col), ("oneway", oneway_col),
                                              ("speed_kmh", speed_col)) if col}
    for name, col in attributes.items():
        if col not in lines.columns:
            raise NetworkError(f"{name}_col" if name != "speed_kmh" else "speed_col", col,
                               "no such column in the road layer",
                               f"use one of {list(lines.columns.drop('geometry'))}")
    if split_at_crossings:
        noded = shapely.node(shapely.MultiLineString(list(lines.geometry.to_numpy())))
        split = gpd.GeoDataFrame(geometry=list(noded.geoms), crs=crs)
        # carry attributes over from the line each piece lies on
        joined = gpd.sjoin(split.set_geometry(split.geometry.interpolate(0.5, normalized=True)),
                           lines, predicate="dwithin", distance=tolerance, how="left")
        joined = joined[~joined.index.duplicated()]
        for name, col in attributes.items():
            split[col] = joined[col].to_numpy()
        lines = split
    geometry = lines.geometry.to_numpy()
    start = shapely.get_coordinates(shapely.get_point(geometry, 0))
    end = shapely.get_coordinates(shapely.get_point(geometry, -1))
    ends = np.round(np.vstack([start, end]) / tolerance).astype(np.int64)
    _, node_of = np.unique(ends, axis=0, return_inverse=True)
    node_of = node_of.ravel()
    n_lines = len(geometry)
    coords = np.vstack([start, end])
    first = np.unique(node_of, return_index=True)[1]
    nodes = pd.DataFrame({"id": node_of[first], "x": coords[first, 0], "y": coords[first, 1]})
    streets = pd.DataFrame({"u": node_of[:n_lines], "v": node_of[n_lines:], "geometry": geometry})
    for name, col in attributes.items():
        streets[name] = lines[col].to_numpy()
    return Network.from_streets(nodes, streets, mode=mode, crs=crs, walk_speed_kmh=walk_speed_kmh,
                                speeds=speeds, largest_component=largest_component)


def from_place(query: str | object, mode: str = "walk", **kwargs) -> Network:  # pragma: no cover
    """Network downloaded by osmnx for a place name or a WGS-84 polygon (needs internet).

    Examples
    --------
    >>> walk = siting.network.from_place("Xuhui District, Shanghai, China", mode="walk")
    """
    import osmnx as ox

    _check_mode(mode)
    if isinstance(query, str):
        graph = ox.graph_from_place(query, network_type=OSMNX_NETWORK_TYPE[mode], simplify=False)
    else:
        graph = ox.graph_from_polygon(query, network_type=OSMNX_NETWORK_TYPE[mode], simplify=False)
    return from_networkx(graph, mode, **kwargs)
