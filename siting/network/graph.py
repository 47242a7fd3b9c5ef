"""The street network as compact arrays: nodes, directed edges in CSR form, and streets.

A *street* is one drawn segment between two nodes (geometry oriented from ``u`` to ``v``); it
carries up to two directed edges, forward (u → v) and backward (v → u). On foot every street
is two-way; by car one-way streets carry only one edge. Points (population cells, facilities,
candidate sites) attach to streets with an offset along them (see :mod:`siting.network.snap`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from scipy.sparse import csgraph, csr_matrix

from ..crs import require_metric
from ..errors import NetworkError
from .chains import Chains, build_chains

# GB 50180-2018 equates the 15-minute life circle with a 800–1,000 m walk; 4 km/h makes
# 15 minutes = 1,000 m, the upper end, and 5 minutes = 333 m.
DEFAULT_WALK_SPEED_KMH = 4.0
# Lower bounds of the design speeds in CJJ 37-2012 (urban road engineering code): 快速路
# 60–100, 主干路 40–60, 次干路 30–50, 支路 20–40 km/h. Planning checks use the lower bound
# so that access is not overstated in congested cities. Override with ``speeds=``.
DEFAULT_DRIVE_SPEEDS_KMH: dict[str, float] = {
    "motorway": 60.0, "trunk": 60.0, "primary": 40.0, "secondary": 30.0, "tertiary": 20.0,
    "unclassified": 20.0, "residential": 20.0, "living_street": 10.0, "service": 10.0,
    "road": 20.0, "busway": 30.0,
}
DEFAULT_DRIVE_SPEED_KMH = 20.0
# Distance from a point to its street is covered at this speed when driving (the last stretch
# from the kerb to the door); on foot it is the walking speed.
DRIVE_CONNECTOR_SPEED_KMH = 15.0


def drive_speeds_kmh(highway: pd.Series, speeds: Mapping[str, float] | None = None) -> np.ndarray:
    """Speed per edge from its ``highway`` class; ``*_link`` roads take their parent's speed."""
    table = {**DEFAULT_DRIVE_SPEEDS_KMH, **(speeds or {})}
    for key, value in table.items():
        if not value > 0:
            raise NetworkError(f"speeds[{key!r}]", value, "speeds must be > 0 km/h",
                               "give a positive speed in km/h")
    first = highway.astype(str).str.strip("[]' ").str.split(r"['\",; ]+").str[0]
    parent = first.str.removesuffix("_link")
    return parent.map(table).fillna(table.get("default", DEFAULT_DRIVE_SPEED_KMH)).to_numpy(float)


@dataclass
class Network:
    """A street network for one travel mode, in a metric CRS.

    Attributes
    ----------
    mode
        ``"walk"`` or ``"drive"``.
    crs
        Metric CRS of all coordinates and lengths.
    node_id, x, y
        Original node ids (e.g. OSM ids) and coordinates, one entry per node.
    edge_u, edge_v, edge_length, edge_time
        Directed edges: from, to (node indices), metres and seconds.
    street_geometry, street_u, street_v, street_length, street_fwd, street_bwd
        Streets for snapping: geometry from u to v, length, and the directed edge index in each
        direction (-1 where that direction is not allowed).
    speed_mps
        Walking speed for walk networks (constant on every edge); connector speed for drive.
    dropped_nodes
        Nodes removed because they were not in the largest connected component.
    build_report
        What the loader did to the source data (noding, streets left out of the mode...).
    """

    mode: str
    crs: CRS
    node_id: np.ndarray
    x: np.ndarray
    y: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    edge_time: np.ndarray
    street_geometry: np.ndarray
    street_u: np.ndarray
    street_v: np.ndarray
    street_length: np.ndarray
    street_fwd: np.ndarray
    street_bwd: np.ndarray
    speed_mps: float
    constant_speed: bool
    dropped_nodes: int = 0
    #: each street's name where the source has one (OSM ``name``), else ``None``
    street_name: np.ndarray | None = field(default=None, repr=False)
    build_report: dict = field(default_factory=dict, repr=False)
    _csr: dict = field(default_factory=dict, repr=False)
    _tree: object = field(default=None, repr=False)

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def from_streets(
        cls,
        nodes: pd.DataFrame,
        streets: pd.DataFrame,
        *,
        mode: str,
        crs: object,
        walk_speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
        speeds: Mapping[str, float] | None = None,
        largest_component: bool = True,
        min_component_share: float = 0.5,
    ) -> Network:
        """Build from a node table and a street table (the common path of every loader).

        Parameters
        ----------
        nodes
            Columns ``id``, ``x``, ``y`` in the metric ``crs``.
        streets
            Columns ``u``, ``v`` (node ids), ``geometry`` (LineString from u to v, metric);
            for driving also ``highway`` and ``oneway`` (``"yes"``/``"-1"``/other), optional
            ``junction`` (roundabouts are one-way unless tagged ``oneway=no``) and optional
            ``speed_kmh``.
        mode
            ``"walk"`` (every street two-way at ``walk_speed_kmh``) or ``"drive"`` (one-way
            streets respected, speed per highway class).
        largest_component
            Keep only the largest (strongly, when driving) connected component, so no resident
            is snapped onto an island the facilities cannot reach. Raises when that component
            holds no more than ``min_component_share`` of the nodes: the extract is fragmented.
        """
        if mode not in ("walk", "drive"):
            raise NetworkError("mode", mode, "unknown travel mode", "use 'walk' or 'drive'")
        crs = require_metric(crs, field="network crs")
        if not walk_speed_kmh > 0:
            raise NetworkError("walk_speed_kmh", walk_speed_kmh, "must be > 0",
                               "give a walking speed such as 4.0 km/h")
        if len(streets) == 0:
            raise NetworkError("streets", 0, f"the {mode} network has no streets",
                               "check that the extract covers the study area and has roads")
        node_index = pd.Index(nodes["id"].to_numpy())
        if not node_index.is_unique:
            raise NetworkError("nodes.id", "duplicates", "node ids must be unique",
                               "deduplicate the node table")
        su = node_index.get_indexer(streets["u"].to_numpy())
        sv = node_index.get_indexer(streets["v"].to_numpy())
        if (su < 0).any() or (sv < 0).any():
            raise NetworkError("streets.u/v", int(((su < 0) | (sv < 0)).sum()),
                               "streets refer to nodes missing from the node table",
                               "pass the node table the streets were built with")
        geometry = np.asarray(streets["geometry"].to_numpy(), dtype=object)
        length = shapely.length(geometry)
        keep = su != sv  # a loop back to its own node never shortens a path
        su, sv, geometry, length = su[keep], sv[keep], geometry[keep], length[keep]
        streets = streets.loc[keep]

        walk_mps = walk_speed_kmh / 3.6
        if mode == "walk":
            fwd_ok = np.ones(len(su), bool)
            bwd_ok = fwd_ok.copy()
            mps = np.full(len(su), walk_mps)
            speed_mps, constant = walk_mps, True
        else:
            oneway = streets.get("oneway", pd.Series(index=streets.index, dtype=object))
            oneway = oneway.astype(str).str.lower().to_numpy()
            highway = streets.get("highway", pd.Series("", index=streets.index)).astype(str)
            implied = highway.str.startswith("motorway").to_numpy().copy()  # OSM: motorways one-way
            # OSM: a roundabout is one-way without saying so (osmnx and pyrosm agree)
            junction = streets.get("junction", pd.Series("", index=streets.index))
            implied |= junction.astype(str).str.lower().isin(["roundabout", "circular"]).to_numpy()
            forward_only = np.isin(oneway, ["yes", "true", "1"]) | (implied & ~np.isin(oneway, ["no", "false", "0", "-1"]))
            backward_only = np.isin(oneway, ["-1", "reverse"])
            fwd_ok, bwd_ok = ~backward_only, ~forward_only
            if "speed_kmh" in streets.columns:
                kmh = pd.to_numeric(streets["speed_kmh"], errors="coerce").to_numpy(float)
                fallback = drive_speeds_kmh(highway, speeds)
                kmh = np.where(np.isfinite(kmh) & (kmh > 0), kmh, fallback)
            else:
                kmh = drive_speeds_kmh(highway, speeds)
            mps = kmh / 3.6
            speed_mps, constant = DRIVE_CONNECTOR_SPEED_KMH / 3.6, False

        n_streets = len(su)
        street_ids = np.arange(n_streets)
        fwd_ids, bwd_ids = street_ids[fwd_ok], street_ids[bwd_ok]
        edge_u = np.concatenate([su[fwd_ids], sv[bwd_ids]])
        edge_v = np.concatenate([sv[fwd_ids], su[bwd_ids]])
        edge_street = np.concatenate([fwd_ids, bwd_ids])
        edge_length = length[edge_street]
        edge_time = edge_length / mps[edge_street]
        street_fwd = np.full(n_streets, -1, np.int64)
        street_bwd = np.full(n_streets, -1, np.int64)
        street_fwd[fwd_ids] = np.arange(len(fwd_ids))
        street_bwd[bwd_ids] = len(fwd_ids) + np.arange(len(bwd_ids))

        network = cls(
            mode=mode, crs=crs, node_id=node_index.to_numpy(),
            x=nodes["x"].to_numpy(float), y=nodes["y"].to_numpy(float),
            edge_u=edge_u.astype(np.int64), edge_v=edge_v.astype(np.int64),
            edge_length=edge_length, edge_time=edge_time,
            street_geometry=geometry, street_u=su.astype(np.int64), street_v=sv.astype(np.int64),
            street_length=length, street_fwd=street_fwd, street_bwd=street_bwd,
            speed_mps=speed_mps, constant_speed=constant,
            street_name=_street_names(streets),
        )
        network = network._drop_unused_nodes()
        if largest_component:
            network = network._largest_component(min_component_share)
        return network

    # -- derived structures --------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return len(self.x)

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)

    def csr(self, weight: str = "length", reverse: bool = False
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indptr, indices, weights) of the directed graph, parallel edges collapsed to min.

        Built by sorting, not with ``scipy.sparse.csr_matrix``, which would *sum* parallel
        edges and drop zero-length ones. ``reverse=True`` gives every edge turned around, for
        searches that run backwards from the destinations (people → facility).
        """
        if weight not in ("length", "time"):
            raise NetworkError("weight", weight, "unknown edge weight", "use 'length' or 'time'")
        key = (weight, reverse)
        if key not in self._csr:
            w = self.edge_length if weight == "length" else self.edge_time
            tails, heads = (self.edge_v, self.edge_u) if reverse else (self.edge_u, self.edge_v)
            order = np.lexsort((w, heads, tails))
            u, v, w = tails[order], heads[order], w[order]
            first = np.ones(len(u), bool)
            first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
            u, v, w = u[first], v[first], w[first]
            indptr = np.zeros(self.n_nodes + 1, np.int64)
            np.cumsum(np.bincount(u, minlength=self.n_nodes), out=indptr[1:])
            self._csr[key] = (indptr, v.astype(np.int64), w.astype(np.float64))
        return self._csr[key]

    def chains(self, weight: str = "length") -> Chains:
        """Junctions and the chains of degree-2 nodes between them, for the distance core."""
        key = ("chains", weight)
        if key not in self._csr:
            self._csr[key] = build_chains(*self.csr(weight))
        return self._csr[key]

    def search_cache(self, name: str) -> dict:
        """A dict kept with the search arrays, for results derived from this network alone
        (a new network from :meth:`to_crs` or a subset starts empty; pickling drops it)."""
        return self._csr.setdefault(("cache", name), {})

    def scipy_matrix(self, weight: str = "length") -> csr_matrix:
        """The network as a scipy CSR matrix (zero weights nudged to 1e-9 so they survive)."""
        indptr, indices, w = self.csr(weight)
        return csr_matrix((np.where(w == 0, 1e-9, w), indices, indptr),
                          shape=(self.n_nodes, self.n_nodes))

    def street_tree(self) -> shapely.STRtree:
        if self._tree is None:
            self._tree = shapely.STRtree(self.street_geometry)
        return self._tree

    def to_crs(self, crs: object) -> Network:
        """The same network in another metric CRS (lengths and times are kept as measured)."""
        target = require_metric(crs, field="crs")
        if target == self.crs:
            return self
        transformer = Transformer.from_crs(self.crs, target, always_xy=True)
        x, y = transformer.transform(self.x, self.y)
        geometry = shapely.transform(self.street_geometry,
                                     lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
        # Offsets along streets are measured on the new geometry, so street lengths follow it.
        return replace(self, crs=target, x=np.asarray(x), y=np.asarray(y),
                       street_geometry=geometry, street_length=shapely.length(geometry),
                       _csr={}, _tree=None)

    def to_networkx(self, weight_names: tuple[str, str] = ("length", "time")):
        """A networkx MultiDiGraph with every directed edge (for checks and interoperability)."""
        import networkx as nx

        graph = nx.MultiDiGraph(crs=self.crs)
        graph.add_nodes_from((i, {"x": xv, "y": yv, "osmid": oid})
                             for i, (xv, yv, oid) in enumerate(zip(self.x, self.y, self.node_id)))
        graph.add_edges_from(
            (int(u), int(v), {weight_names[0]: float(length), weight_names[1]: float(t)})
            for u, v, length, t in zip(self.edge_u, self.edge_v, self.edge_length, self.edge_time)
        )
        return graph

    def __repr__(self) -> str:
        return (f"Network(mode={self.mode!r}, {self.n_nodes:,} nodes, {self.n_edges:,} edges, "
                f"{len(self.street_u):,} streets, crs={self.crs.to_string()})")

    # -- cleaning ------------------------------------------------------------------------------
    def _subset_nodes(self, keep_node: np.ndarray) -> Network:
        """The streets between kept nodes (a kept node no street uses goes too)."""
        return self.subset_streets(keep_node[self.street_u] & keep_node[self.street_v])

    def _drop_unused_nodes(self) -> Network:
        used = np.zeros(self.n_nodes, bool)
        used[self.street_u] = True
        used[self.street_v] = True
        if used.all():
            return self
        dropped_before = self.dropped_nodes
        network = self._subset_nodes(used)
        network.dropped_nodes = dropped_before  # unused nodes are not streets anyone loses
        return network

    def _largest_component(self, min_share: float) -> Network:
        connection = "strong" if self.mode == "drive" else "weak"
        n_comp, labels = csgraph.connected_components(self.scipy_matrix("length"),
                                                      directed=True, connection=connection)
        if n_comp == 1:
            return self
        sizes = np.bincount(labels)
        biggest = int(np.argmax(sizes))
        share = sizes[biggest] / self.n_nodes
        if share <= min_share:
            raise NetworkError(
                f"{self.mode} network", f"{n_comp} pieces",
                f"the network is split into disconnected pieces; the largest holds only "
                f"{share:.0%} of the nodes",
                "use an extract that covers the whole study area (not clipped through streets), "
                "or pass largest_component=False to keep every piece and accept that some "
                "people cannot reach some facilities",
            )
        return self._subset_nodes(labels == biggest)

    # -- parts -----------------------------------------------------------------------------
    def subset_streets(self, keep: np.ndarray) -> Network:
        """Only the streets where ``keep`` is true, whole and in both allowed directions, with
        the nodes they use.

        Street, edge and node order is kept: street ``i`` of the result is the ``i``-th kept
        street (``np.flatnonzero(keep)[i]``), so points snapped on this network can be carried
        over by renumbering. Components are not filtered again: a subset may fall into pieces,
        which leaves every path that stays inside it as long as it was.
        """
        keep = np.asarray(keep, dtype=bool)
        if keep.shape != self.street_u.shape:
            raise NetworkError("keep", keep.shape, "needs one flag per street",
                               f"pass a boolean array of length {len(self.street_u)}")
        node = np.zeros(self.n_nodes, bool)
        node[self.street_u[keep]] = True
        node[self.street_v[keep]] = True
        new_node = np.cumsum(node) - 1
        fwd, bwd = self.street_fwd[keep], self.street_bwd[keep]
        edge = np.zeros(self.n_edges, bool)
        edge[fwd[fwd >= 0]] = True
        edge[bwd[bwd >= 0]] = True
        new_edge = np.cumsum(edge) - 1
        return replace(
            self,
            node_id=self.node_id[node], x=self.x[node], y=self.y[node],
            edge_u=new_node[self.edge_u[edge]], edge_v=new_node[self.edge_v[edge]],
            edge_length=self.edge_length[edge], edge_time=self.edge_time[edge],
            street_geometry=self.street_geometry[keep],
            street_u=new_node[self.street_u[keep]], street_v=new_node[self.street_v[keep]],
            street_length=self.street_length[keep],
            street_name=self.street_name[keep] if self.street_name is not None else None,
            street_fwd=np.where(fwd >= 0, new_edge[np.maximum(fwd, 0)], -1),
            street_bwd=np.where(bwd >= 0, new_edge[np.maximum(bwd, 0)], -1),
            dropped_nodes=self.dropped_nodes + int((~node).sum()),
            _csr={}, _tree=None,
        )

    def top_speed_mps(self) -> float:
        """The fastest way over this network, edges or connectors, in metres per second: a
        search within ``t`` seconds never ends farther than ``t`` × this (straight line)."""
        moving = self.edge_time > 0
        edges = float(np.max(self.edge_length[moving] / self.edge_time[moving])) \
            if moving.any() else 0.0
        return max(edges, float(self.speed_mps))

    def __getstate__(self) -> dict:
        # the search arrays and the spatial index are rebuilt on demand: a network sent to
        # another process (a batch worker) carries its arrays only
        return {**self.__dict__, "_csr": {}, "_tree": None}


def _street_names(streets: pd.DataFrame) -> np.ndarray | None:
    """Names of the streets (OSM ``name``; lists of merged ways joined), ``None`` where absent."""
    if "name" not in streets.columns:
        return None

    def one(value: object) -> object:
        if isinstance(value, (list, tuple)):
            value = " / ".join(dict.fromkeys(str(v) for v in value if v))
        if value is None or (isinstance(value, float) and value != value) or value == "":
            return None
        return str(value)

    names = np.array([one(v) for v in streets["name"].to_numpy()], dtype=object)
    return names if any(n is not None for n in names) else None
