"""The distance core: bounded shortest paths on CSR arrays, compiled with numba.

Two searches cover every need of the library:

* :func:`nearest_sources` — one multi-source Dijkstra from all facilities at once, labelling
  every node with its nearest facility. Cost O(E log V) whatever the number of facilities.
* :func:`reach_matrix` — a bounded Dijkstra per source that touches only the nodes it reaches
  (no dense row per source), returning a sparse source × target matrix. Only junctions enter
  its heap; chains of degree-2 nodes are walked in a loop (:mod:`siting.network.chains`).
  Sources are split across threads (the kernels release the GIL).

Points enter and leave the graph part-way along streets (see :mod:`siting.network.snap`),
so distances run from the point itself, not from the nearest node.
"""

from __future__ import annotations

import hashlib

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np
from scipy.sparse import csr_matrix

from ..errors import SitingError
from .graph import Network
from .snap import Snapped, attachments, same_street_costs


# ---------------------------------------------------------------------------------------------
# compiled kernels
# ---------------------------------------------------------------------------------------------
@numba.njit(cache=True, nogil=True, inline="always")
def _heap_push(cost, node, heap_cost, heap_node, size):
    i = size
    heap_cost[i] = cost
    heap_node[i] = node
    while i > 0:
        parent = (i - 1) >> 1
        if heap_cost[parent] <= heap_cost[i]:
            break
        heap_cost[i], heap_cost[parent] = heap_cost[parent], heap_cost[i]
        heap_node[i], heap_node[parent] = heap_node[parent], heap_node[i]
        i = parent
    return size + 1


@numba.njit(cache=True, nogil=True, inline="always")
def _heap_pop(heap_cost, heap_node, size):
    cost = heap_cost[0]
    node = heap_node[0]
    size -= 1
    heap_cost[0] = heap_cost[size]
    heap_node[0] = heap_node[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and heap_cost[left + 1] < heap_cost[left]:
            child = left + 1
        if heap_cost[i] <= heap_cost[child]:
            break
        heap_cost[i], heap_cost[child] = heap_cost[child], heap_cost[i]
        heap_node[i], heap_node[child] = heap_node[child], heap_node[i]
        i = child
    return cost, node, size


@numba.njit(cache=True, nogil=True)
def _grow(out_s, out_t, out_c, n_out, capacity):
    """The output arrays enlarged to ``capacity``, keeping the first ``n_out`` entries."""
    grown_s = np.empty(capacity, np.int64)
    grown_t = np.empty(capacity, np.int64)
    grown_c = np.empty(capacity)
    grown_s[:n_out] = out_s[:n_out]
    grown_t[:n_out] = out_t[:n_out]
    grown_c[:n_out] = out_c[:n_out]
    return grown_s, grown_t, grown_c


@numba.njit(cache=True, nogil=True, inline="always")
def _walk(c, first, stop, cutoff, seg_node, seg_weight, junction, dist, touched, n_touched,
          heap_cost, heap_node, size):
    """Carry cost ``c`` along half-chain entries ``first:stop``; junctions met go on the heap."""
    for p in range(first, stop):
        c += seg_weight[p]
        if c > cutoff:
            break
        v = seg_node[p]
        if c < dist[v]:
            if dist[v] == np.inf:
                touched[n_touched] = v
                n_touched += 1
            dist[v] = c
            if junction[v]:
                size = _heap_push(c, v, heap_cost, heap_node, size)
    return n_touched, size


@numba.njit(cache=True, nogil=True)
def _reach_kernel(junction, half_ptr, half_start, half_end, seg_node, seg_weight,
                  interior_pos, interior_end, seed_ptr, seed_node, seed_cost,
                  target_ptr, target_idx, target_cost, n_targets, cutoff, source_ids,
                  nodes_are_targets, out_s, out_t, out_c):
    """Bounded Dijkstra per source over street chains; emits (source, target, cost) within
    ``cutoff``. Only junctions enter the heap (see :mod:`siting.network.chains`).

    With ``nodes_are_targets`` every reached node is emitted (node-to-node searches),
    skipping the target bookkeeping. ``out_s``, ``out_t``, ``out_c`` are the first output
    buffers, grown if the pairs outnumber them.
    """
    n_nodes = junction.shape[0]
    dist = np.full(n_nodes, np.inf)
    best = np.full(n_targets, np.inf)
    touched = np.empty(n_nodes, np.int64)
    touched_targets = np.empty(n_targets, np.int64)
    # a junction walks its half-chains once per search, so pushes are bounded by their number
    # plus two per seed (a seed inside a chain reaches both of its ends)
    heap_cost = np.empty(half_ptr[-1] + 2 * seed_node.shape[0] + 1)
    heap_node = np.empty(heap_cost.shape[0], np.int64)
    capacity = out_c.shape[0]
    n_out = 0
    for k in range(source_ids.shape[0]):
        s = source_ids[k]
        n_touched = 0
        size = 0
        for j in range(seed_ptr[s], seed_ptr[s + 1]):
            node = seed_node[j]
            c = seed_cost[j]
            if not c <= cutoff:
                continue
            if c < dist[node]:
                if dist[node] == np.inf:
                    touched[n_touched] = node
                    n_touched += 1
                dist[node] = c
                if junction[node]:
                    size = _heap_push(c, node, heap_cost, heap_node, size)
            if not junction[node]:
                # a seed inside a chain spreads both ways along it at once
                for slot in range(2):
                    n_touched, size = _walk(c, interior_pos[node, slot] + 1,
                                            interior_end[node, slot], cutoff, seg_node,
                                            seg_weight, junction, dist, touched, n_touched,
                                            heap_cost, heap_node, size)
        while size > 0:
            c, node, size = _heap_pop(heap_cost, heap_node, size)
            # junctions are pushed only on strict improvement, so the entry whose cost
            # equals dist[node] pops exactly once: no "settled" array is needed
            if c > dist[node]:
                continue
            # the same walk as _walk, spelled out: as a call here the search is 25 % slower
            for h in range(half_ptr[node], half_ptr[node + 1]):
                cc = c
                for p in range(half_start[h], half_end[h]):
                    cc += seg_weight[p]
                    if cc > cutoff:
                        break
                    v = seg_node[p]
                    if cc < dist[v]:
                        if dist[v] == np.inf:
                            touched[n_touched] = v
                            n_touched += 1
                        dist[v] = cc
                        if junction[v]:
                            size = _heap_push(cc, v, heap_cost, heap_node, size)
        n_new = n_touched
        if not nodes_are_targets:
            n_new = 0
            for i in range(n_touched):
                node = touched[i]
                for j in range(target_ptr[node], target_ptr[node + 1]):
                    tc = dist[node] + target_cost[j]
                    t = target_idx[j]
                    if tc <= cutoff and tc < best[t]:
                        if best[t] == np.inf:
                            touched_targets[n_new] = t
                            n_new += 1
                        best[t] = tc
        if n_out + n_new > capacity:
            while n_out + n_new > capacity:
                capacity = 2 * capacity + 1024
            out_s, out_t, out_c = _grow(out_s, out_t, out_c, n_out, capacity)
        for i in range(n_new):
            out_s[n_out] = s
            if nodes_are_targets:
                out_t[n_out] = touched[i]
                out_c[n_out] = dist[touched[i]]
            else:
                t = touched_targets[i]
                out_t[n_out] = t
                out_c[n_out] = best[t]
                best[t] = np.inf
            n_out += 1
        for i in range(n_touched):
            dist[touched[i]] = np.inf
    return out_s[:n_out], out_t[:n_out], out_c[:n_out]


@numba.njit(cache=True, nogil=True)
def _nearest_kernel(indptr, indices, weights, seed_node, seed_cost, seed_label, cutoff):
    """Multi-source Dijkstra: cost to and label of the nearest seed for every node."""
    n_nodes = indptr.shape[0] - 1
    dist = np.full(n_nodes, np.inf)
    label = np.full(n_nodes, -1, np.int64)
    done = np.zeros(n_nodes, np.bool_)
    heap_cost = np.empty(max(indices.shape[0] + seed_node.shape[0], 1))
    heap_node = np.empty(heap_cost.shape[0], np.int64)
    size = 0
    for j in range(seed_node.shape[0]):
        node = seed_node[j]
        c = seed_cost[j]
        # ties go to the lower label so results do not depend on input order
        if c <= cutoff and (c < dist[node] or (c == dist[node] and seed_label[j] < label[node])):
            dist[node] = c
            label[node] = seed_label[j]
            size = _heap_push(c, node, heap_cost, heap_node, size)
    while size > 0:
        c, node, size = _heap_pop(heap_cost, heap_node, size)
        if done[node] or c > dist[node]:
            continue
        done[node] = True
        for j in range(indptr[node], indptr[node + 1]):
            nxt = indices[j]
            nc = c + weights[j]
            if nc <= cutoff and not done[nxt] and (
                    nc < dist[nxt] or (nc == dist[nxt] and label[node] < label[nxt])):
                dist[nxt] = nc
                label[nxt] = label[node]
                size = _heap_push(nc, nxt, heap_cost, heap_node, size)
    return dist, label


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reach:
    """Sparse source × target travel costs within a cutoff.

    ``source``, ``target`` and ``cost`` are parallel arrays (coordinate form, sorted by source
    then target). Costs are metres, or seconds for time searches. A pair absent from the arrays
    is farther than ``cutoff``.
    """

    source: np.ndarray
    target: np.ndarray
    cost: np.ndarray
    n_sources: int
    n_targets: int
    weight: str
    cutoff: float
    source_index: np.ndarray | None = None

    def matrix(self) -> csr_matrix:
        """CSR matrix of costs. Zero costs are stored explicitly: never ``eliminate_zeros``."""
        order = np.lexsort((self.target, self.source))
        indptr = np.zeros(self.n_sources + 1, np.int64)
        np.cumsum(np.bincount(self.source, minlength=self.n_sources), out=indptr[1:])
        return csr_matrix((self.cost[order], self.target[order], indptr),
                          shape=(self.n_sources, self.n_targets))

    def minutes(self) -> np.ndarray:
        if self.weight != "time":
            raise SitingError("weight", self.weight, "this reach is measured in metres",
                              "search with a cutoff in minutes for travel times")
        return self.cost / 60.0

    @property
    def n_pairs(self) -> int:
        return len(self.cost)


def _run_sources(kernel, source_ids: np.ndarray, threads: int | None) -> list:
    """Run ``kernel(sources, out_s, out_t, out_c)`` over the sources on worker threads.

    A small first batch measures the pairs per source, so each chunk's output buffers are
    sized once, here: numpy backs large arrays with huge pages, where buffers grown inside
    the kernel would fault page by page under a process-wide lock and serialise the threads.
    The buffers get twice the estimate; pages never written cost nothing. Kernels release
    the GIL.
    """
    def run(chunk, capacity):
        capacity = int(capacity) + 1024
        return kernel(chunk, np.empty(capacity, np.int64), np.empty(capacity, np.int64),
                      np.empty(capacity))

    threads = max(1, min(threads or os.cpu_count() or 1, len(source_ids) or 1))
    n_probe = min(len(source_ids), max(16, len(source_ids) // 50))
    probe = run(source_ids[:n_probe], 0)
    per_source = len(probe[0]) / max(n_probe, 1)
    rest = source_ids[n_probe:]
    # interleaved, so a list of sources ordered in space still splits into even loads; four
    # chunks per thread, so a thread the OS leaves waiting does not hold up the whole search
    chunks = [c for c in (rest[i::threads * 4] for i in range(threads * 4)) if len(c)]
    parts = list(_pool(threads).map(lambda c: run(c, per_source * len(c) * 2), chunks))
    return [probe] + parts


_POOLS: dict[int, ThreadPoolExecutor] = {}
# a forked child inherits the pools but not their threads: it must start its own
os.register_at_fork(after_in_child=_POOLS.clear)


def _pool(threads: int) -> ThreadPoolExecutor:
    # kept for the process: fresh threads would first fault in their own malloc arenas
    if threads not in _POOLS:
        _POOLS[threads] = ThreadPoolExecutor(threads, thread_name_prefix="siting-search")
    return _POOLS[threads]


def _validate_cutoff(cutoff: float) -> float:
    cutoff = float(cutoff)
    if not cutoff > 0:
        raise SitingError("cutoff", cutoff, "a cutoff must be greater than zero",
                          "give a positive distance in metres or time in seconds")
    return cutoff


def _group(keys: np.ndarray, n: int, *values: np.ndarray):
    order = np.argsort(keys, kind="stable")
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    return (ptr,) + tuple(v[order] for v in values)


def _min_per_pair(s: np.ndarray, t: np.ndarray, c: np.ndarray, n_targets: int):
    if len(c) == 0:
        return s, t, c
    key = s.astype(np.int64) * n_targets + t
    order = np.lexsort((c, key))
    key, c = key[order], c[order]
    first = np.ones(len(key), bool)
    first[1:] = key[1:] != key[:-1]
    key, c = key[first], c[first]
    return key // n_targets, key % n_targets, c


def reach_matrix(network: Network, sources: Snapped, targets: Snapped, *, weight: str = "length",
                 cutoff: float, source_index: np.ndarray | None = None,
                 threads: int | None = None) -> Reach:
    """Costs from every snapped source to every snapped target within ``cutoff``.

    Parameters
    ----------
    network
        The street network.
    sources, targets
        Snapped points; unsnapped ones reach nothing and are reached by nothing.
    weight
        ``"length"`` (metres) or ``"time"`` (seconds).
    cutoff
        Largest cost kept, in the weight's unit.
    threads
        Worker threads (default: all cores).
    """
    cutoff = _validate_cutoff(cutoff)
    chains = network.chains(weight)
    sp, sn, sc = attachments(network, sources, weight, "source")
    tp, tn, tc = attachments(network, targets, weight, "target")
    seed_ptr, seed_node, seed_cost = _group(sp, len(sources), sn, sc)
    target_ptr, target_idx, target_cost = _group(tn, network.n_nodes, tp, tc)
    parts = _run_sources(
        lambda chunk, *out: _reach_kernel(*chains, seed_ptr, seed_node, seed_cost, target_ptr,
                                          target_idx, target_cost, len(targets), cutoff, chunk,
                                          False, *out),
        np.flatnonzero(sources.ok).astype(np.int64), threads)
    direct = same_street_costs(network, sources, targets, weight)
    within = direct[2] <= cutoff
    s = np.concatenate([p[0] for p in parts] + [direct[0][within]]).astype(np.int64)
    t = np.concatenate([p[1] for p in parts] + [direct[1][within]]).astype(np.int64)
    c = np.concatenate([p[2] for p in parts] + [direct[2][within]])
    s, t, c = _min_per_pair(s, t, c, max(len(targets), 1))
    return Reach(s, t, c, len(sources), len(targets), weight, cutoff, source_index)


def nearest_sources(network: Network, sources: Snapped, targets: Snapped, *,
                    weight: str = "length", cutoff: float = np.inf, reverse: bool = False
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Cost to and index of the nearest source for every target (inf / -1 when none).

    One multi-source search, so the cost does not grow with the number of sources.
    ``reverse=True`` measures target → source (people travelling to the facility) by
    searching the reversed graph from the sources; on one-way streets the two differ.
    """
    if np.isfinite(cutoff):
        cutoff = _validate_cutoff(cutoff)
    indptr, indices, weights = network.csr(weight, reverse=reverse)
    # on the reversed graph a source is entered the way a target is left, and vice versa
    source_role, target_role = ("target", "source") if reverse else ("source", "target")
    sp, sn, sc = attachments(network, sources, weight, source_role)
    dist, label = _nearest_nodes(network, (weight, reverse), indptr, indices, weights,
                                 sn.astype(np.int64), sc, sp.astype(np.int64), float(cutoff))
    tp, tn, tc = attachments(network, targets, weight, target_role)
    cand_t = [tp]
    cand_c = [dist[tn] + tc]
    cand_l = [label[tn]]
    if reverse:
        dt, ds, dc = same_street_costs(network, targets, sources, weight)
    else:
        ds, dt, dc = same_street_costs(network, sources, targets, weight)
    cand_t.append(dt)
    cand_c.append(dc)
    cand_l.append(ds)
    t = np.concatenate(cand_t)
    c = np.concatenate(cand_c)
    lab = np.concatenate(cand_l)
    ok = np.isfinite(c) & (c <= cutoff) & (lab >= 0)
    t, c, lab = t[ok], c[ok], lab[ok]
    order = np.lexsort((lab, c, t))
    t, c, lab = t[order], c[order], lab[order]
    first = np.ones(len(t), bool)
    first[1:] = t[1:] != t[:-1]
    cost = np.full(len(targets), np.inf)
    nearest = np.full(len(targets), -1, np.int64)
    cost[t[first]] = c[first]
    nearest[t[first]] = lab[first]
    return cost, nearest


#: Node searches of :func:`nearest_sources` kept per network (the last ones asked for).
NEAREST_CACHE_SIZE = 4


def _nearest_nodes(network: Network, graph: tuple[str, bool], indptr: np.ndarray,
                   indices: np.ndarray, weights: np.ndarray, seed_node: np.ndarray,
                   seed_cost: np.ndarray, seed_label: np.ndarray, cutoff: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The node-level nearest-source search, remembered on the network for the same seeds.

    In a batch every district that keeps a network whole (a rule searching it without a
    cutoff, such as a service radius) asks for the same search from the same facilities;
    it is run once per process and each district reads its own cells from it. The cache
    lives with the network's other search arrays (dropped when it is pickled), holds
    :data:`NEAREST_CACHE_SIZE` searches, and returns read-only arrays.
    """
    digest = hashlib.blake2b(digest_size=16)
    for array in (seed_node, seed_cost, seed_label):
        digest.update(np.ascontiguousarray(array).tobytes())
        digest.update(b"|")
    key = ("nearest", graph, cutoff, len(seed_node), digest.hexdigest())
    cache = network.search_cache("nearest_sources")
    if key not in cache:
        dist, label = _nearest_kernel(indptr, indices, weights, seed_node, seed_cost,
                                      seed_label, cutoff)
        dist.flags.writeable = False
        label.flags.writeable = False
        while len(cache) >= NEAREST_CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = (dist, label)
    return cache[key]


def node_distances(network: Network, source_nodes: np.ndarray, *, weight: str = "length",
                   cutoff: float, threads: int | None = None) -> Reach:
    """Node-to-node costs within ``cutoff`` from each of ``source_nodes`` (node indices).

    The plain graph search, used to check the core against networkx and in benchmarks.
    """
    cutoff = _validate_cutoff(cutoff)
    source_nodes = np.asarray(source_nodes, np.int64)
    if len(source_nodes) and (source_nodes.min() < 0 or source_nodes.max() >= network.n_nodes):
        raise SitingError("source_nodes", int(source_nodes.max()), "node index out of range",
                          f"give node indices between 0 and {network.n_nodes - 1}")
    n = len(source_nodes)
    s, t, c = seeded_node_reach(network, weight, np.arange(n + 1, dtype=np.int64), source_nodes,
                                np.zeros(n), np.arange(n, dtype=np.int64), cutoff, threads)
    return Reach(s, t, c, n, network.n_nodes, weight, cutoff, source_nodes)


def seeded_node_reach(network: Network, weight: str, seed_ptr: np.ndarray,
                      seed_node: np.ndarray, seed_cost: np.ndarray, source_ids: np.ndarray,
                      cutoff: float, threads: int | None = None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(source, node, cost) of every node within ``cutoff`` of each source in ``source_ids``.

    Source ``s`` starts at nodes ``seed_node[seed_ptr[s]:seed_ptr[s + 1]]`` with the matching
    ``seed_cost`` (its attachment to the street).
    """
    chains = network.chains(weight)
    no_targets = np.zeros(network.n_nodes + 1, dtype=np.int64)
    parts = _run_sources(
        lambda chunk, *out: _reach_kernel(*chains, seed_ptr, seed_node, seed_cost, no_targets,
                                          np.zeros(0, np.int64), np.zeros(0), 0, cutoff, chunk,
                                          True, *out),
        source_ids, threads)
    return tuple(np.concatenate([p[i] for p in parts] + [np.zeros(0, dtype)])
                 for i, dtype in enumerate((np.int64, np.int64, np.float64)))
