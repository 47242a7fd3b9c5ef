"""Street networks from the files planners have: OSM extracts, GraphML, road-centreline layers.

Every loader ends in :meth:`Network.from_streets`, so speeds, one-way handling and the
largest-component rule are the same whatever the source.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import NetworkError, SitingError
from .graph import DEFAULT_WALK_SPEED_KMH, Network
from .noding import describe_car_only

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
    # "name": the street's OSM name, shown as the nearest street of a proposed site
    for column in ("highway", "oneway", "maxspeed", "junction", "name"):
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
    edges = _pair_reverse_edges(edges, walk=(mode == "walk"))
    node_table, streets, crs = _streets_from_edges(edges, nodes, crs)
    return Network.from_streets(node_table, streets, mode=mode, crs=crs,
                                walk_speed_kmh=walk_speed_kmh, speeds=speeds,
                                largest_component=largest_component)


def _pair_reverse_edges(edges: gpd.GeoDataFrame, walk: bool = False) -> gpd.GeoDataFrame:
    """Merge u→v and v→u edges of equal length into one two-way street.

    With ``walk`` a street drawn more than once between the same nodes (a two-way street
    written as two one-way ways, read both ways on foot) is kept once.
    """
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
    if walk:
        same = pd.DataFrame({"a": np.minimum(edges["u"], edges["v"]),
                             "b": np.maximum(edges["u"], edges["v"]), "len": edges["_len"]})
        keep &= ~same.duplicated().to_numpy()
    return edges.loc[keep].drop(columns=["_len", "_row"])


def from_osm_xml(path: str | Path, mode: str = "walk", *,
                 car_only: Mapping[str, tuple[str, ...]] | None = None, **kwargs) -> Network:
    """Network from an OSM XML file (``.osm``, ``.osm.bz2`` or ``.osm.gz``) through osmnx.

    Walking takes every street two-way at walking speed, also from a drive-only extract
    (the usual state of OSM in Chinese cities, where sidewalks are unmapped): it leaves out
    motorways and the classes of ``car_only`` on bridges and in tunnels (elevated expressways
    such as 延安高架路, road tunnels). What was left out is in ``network.build_report``.

    Parameters
    ----------
    path
        The OSM XML file.
    mode
        ``"walk"`` or ``"drive"``.
    car_only
        Walk mode: ``{"bridge": classes, "tunnel": classes}`` left out on those levels
        (default :data:`siting.network.noding.DEFAULT_CAR_ONLY`); ``{}`` walks every level.
    **kwargs
        As :func:`from_networkx` (``crs``, ``walk_speed_kmh``, ``speeds``,
        ``largest_component``).

    Examples
    --------
    >>> walk = from_osm_xml("peoples_square_drive.osm", "walk")
    >>> walk.build_report["left_out"]["rule"]
    """
    _check_mode(mode)
    path = _check_file(path, (".osm", ".osm.bz2", ".osm.gz", ".xml"))
    try:
        with readable_osm_xml(path) as readable:
            graph = _read_osm_xml(readable, mode)
    except Exception as exc:
        raise SitingError("path", str(path), f"cannot read the OSM XML file ({exc})",
                          "check that the file is OSM XML, plain, gzip or bz2-compressed") from exc
    graph, left_out = _filter_osmnx_mode(graph, mode, car_only)
    network = from_networkx(graph, mode, **kwargs)
    network.build_report["left_out"] = left_out
    return network


@contextmanager
def readable_osm_xml(path: str | Path) -> Iterator[Path]:
    """A path osmnx can open: the file itself (plain or bz2), or a gzip file unpacked to a
    temporary copy for the duration of the ``with`` block (osmnx reads no gzip)."""
    path = Path(path)
    if not path.name.lower().endswith(".gz"):
        yield path
        return
    import gzip
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / path.name[:-3]
        with gzip.open(path, "rb") as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst)
        yield plain


def _read_osm_xml(path: Path, mode: str):
    import warnings

    import osmnx as ox

    with warnings.catch_warnings():
        # files written by osmnx itself (ox.save_graph_xml) read back fine for our use
        warnings.filterwarnings("ignore", message=".*generated by OSMnx.*")
        return ox.graph_from_xml(str(path), bidirectional=(mode == "walk"), simplify=False,
                                 retain_all=True)


def _filter_osmnx_mode(graph, mode: str, car_only: Mapping[str, tuple[str, ...]] | None = None
                       ) -> tuple[object, dict]:
    """Keep the ways ``mode`` uses (XML files carry every way); say what was left out."""
    from .noding import NEVER_DRIVEN, flag_values
    from .noding import car_only as car_only_mask

    rows = list(graph.edges(keys=True, data=True))
    first = pd.Series([(d.get("highway")[0] if isinstance(d.get("highway"), list)
                        else d.get("highway")) for _, _, _, d in rows], dtype=object)

    def level(tag: str) -> np.ndarray:
        values = pd.Series([d.get(tag)[0] if isinstance(d.get(tag), list) else d.get(tag)
                            for _, _, _, d in rows], dtype=object)
        return flag_values(values, len(rows))

    if mode == "walk":
        drop = car_only_mask(first.fillna(""), level("bridge"), level("tunnel"), car_only)
        text = describe_car_only(car_only)
    else:
        drop = np.isin(first.fillna("").to_numpy(dtype=object), NEVER_DRIVEN)
        text = f"drive: left out {', '.join(NEVER_DRIVEN)}"
    drop |= first.isna().to_numpy()
    lengths = np.array([float(d.get("length", 0.0)) for _, _, _, d in rows])
    graph = graph.copy()
    graph.remove_edges_from([rows[i][:3] for i in np.flatnonzero(drop)])
    graph.remove_nodes_from([n for n, deg in dict(graph.degree()).items() if deg == 0])
    factor = 0.5 if mode == "walk" else 1.0  # walk graphs hold each street both ways
    return graph, {"rule": text, "edges": int(drop.sum()),
                   "km": float(lengths[drop].sum() * factor / 1000)}


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
               snap_m: float = 1.0, bridge_col: str | None = "auto",
               tunnel_col: str | None = "auto", layer_col: str | None = "auto",
               car_only: Mapping[str, tuple[str, ...]] | None = None,
               crs: object | None = None, walk_speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
               speeds: Mapping[str, float] | None = None, largest_component: bool = True,
               tolerance: float = 0.01) -> Network:
    """Network from a road-centreline layer (GeoPackage, Shapefile...), as bureaus keep them.

    Lines meet where their end points coincide (within ``tolerance`` metres). Layers drawn
    without nodes at junctions need ``split_at_crossings=True``: lines are then cut where they
    cross on the same level, never where one is a bridge or tunnel, and ends closer than
    ``snap_m`` are joined (see :func:`siting.network.noding.node_lines`). What was joined,
    cut, kept apart and dropped is in ``network.build_report``.

    Parameters
    ----------
    lines
        GeoDataFrame or path of (Multi)LineStrings, in a projected CRS or labelled WGS-84
        (then projected to the local UTM zone). Coordinates in degrees under a metric label
        are refused.
    mode
        ``"walk"`` or ``"drive"``.
    highway_col, oneway_col, speed_col
        Optional columns: road class (OSM names, for default speeds and for the classes left
        out of each mode), one-way flag (``yes``/``-1``/``no``), speed in km/h.
    split_at_crossings, snap_m
        Node an un-noded layer by level; join ends within ``snap_m`` metres.
    bridge_col, tunnel_col, layer_col
        Level columns (``"auto"``: ``is_bridge``/``bridge``, ``is_tunnel``/``tunnel``,
        ``layer``; ``None``: ignore).
    car_only
        Walk mode with ``highway_col``: classes left out on bridges and in tunnels (default
        :data:`siting.network.noding.DEFAULT_CAR_ONLY`: elevated motorways/trunk roads and
        road tunnels); ``{}`` walks every level. Drive mode leaves out footways, paths,
        steps, service roads and piers (:data:`siting.network.noding.NEVER_DRIVEN`).
    tolerance
        End points closer than this (metres) are the same node.

    Raises
    ------
    NetworkError
        No CRS, coordinates in degrees under a metric CRS, no lines, unknown columns.

    Examples
    --------
    >>> roads = geopandas.read_file("bund_lujiazui_roads.gpkg")
    >>> walk = from_lines(roads, "walk", highway_col="highway", split_at_crossings=True,
    ...                   largest_component=False)
    >>> print(walk.build_report["noding"].summary())
    """
    from .noding import NEVER_DRIVEN, line_levels, node_lines
    from .noding import car_only as car_only_mask

    _check_mode(mode)
    if not isinstance(lines, gpd.GeoDataFrame):
        from ..io import read_layer

        lines = read_layer(lines, layer="lines")
    if lines.crs is None:
        raise NetworkError("lines.crs", None, "the road layer has no CRS",
                           "set it with lines.set_crs(...) to the system it was drawn in")
    if not lines.crs.is_geographic and len(lines):
        minx, miny, maxx, maxy = lines.total_bounds
        if max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90 \
                and max(maxx - minx, maxy - miny) < 5:
            raise NetworkError("lines.crs", lines.crs.to_string(),
                               "the coordinates look like degrees (longitude/latitude) but the "
                               "layer is labelled with a metric CRS",
                               "set_crs('EPSG:4326', allow_override=True) if they are WGS-84 "
                               "degrees, or the CRS the layer was really drawn in")
    if crs is None:
        crs = lines.estimate_utm_crs() if lines.crs.is_geographic else lines.crs
    lines = lines.to_crs(crs)
    attributes = {name: col for name, col in (("highway", highway_col), ("oneway", oneway_col),
                                              ("speed_kmh", speed_col)) if col}
    for name, col in attributes.items():
        if col not in lines.columns:
            raise NetworkError(f"{name}_col" if name != "speed_kmh" else "speed_col", col,
                               "no such column in the road layer",
                               f"use one of {list(lines.columns.drop('geometry'))}")
    report: dict = {}
    if split_at_crossings:
        lines, noding = node_lines(lines, snap_m=snap_m, bridge_col=bridge_col,
                                   tunnel_col=tunnel_col, layer_col=layer_col)
        report["noding"] = noding
    else:
        lines = lines[lines.geometry.notna() & ~lines.geometry.is_empty]
        lines = lines.explode(index_parts=False)
        lines = lines[lines.geom_type == "LineString"]
        levels = line_levels(lines, bridge_col=bridge_col, tunnel_col=tunnel_col,
                             layer_col=layer_col)
        lines = lines.assign(bridge=levels["bridge"].to_numpy(),
                             tunnel=levels["tunnel"].to_numpy())
    if len(lines) == 0:
        raise NetworkError("lines", 0, "the layer has no line geometries",
                           "pass a road-centreline layer of LineStrings")
    if not (lines.geometry.length > 0).any():  # else numpy fails deep inside with argmax
        raise NetworkError("lines", f"{len(lines)} lines of length 0",
                           "every line has zero length, so there are no streets",
                           "pass a road-centreline layer whose lines have two distinct points")
    if highway_col:
        highway = lines[highway_col]
        if mode == "walk":
            left_out = car_only_mask(highway, lines["bridge"].to_numpy(bool),
                                     lines["tunnel"].to_numpy(bool), car_only)
            rule = describe_car_only(car_only)
        else:
            first = highway.astype("string").str.split(r"[;, ]+").str[0].fillna("")
            left_out = np.isin(first.to_numpy(dtype=object), NEVER_DRIVEN)
            rule = f"drive: left out {', '.join(NEVER_DRIVEN)}"
        report["left_out"] = {"rule": rule, "streets": int(left_out.sum()),
                              "km": float(lines.geometry[left_out].length.sum() / 1000)}
        lines = lines[~left_out]
        if len(lines) == 0:
            raise NetworkError("lines", 0, f"no {mode} streets left in the layer",
                               "check highway_col and car_only")
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
    if "name" in lines.columns:  # street names, for the nearest street of a proposed site
        streets["name"] = lines["name"].to_numpy()
    network = Network.from_streets(nodes, streets, mode=mode, crs=crs,
                                   walk_speed_kmh=walk_speed_kmh, speeds=speeds,
                                   largest_component=largest_component)
    network.build_report.update(report)
    return network


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
