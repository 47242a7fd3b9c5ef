"""Street chains: the network seen as junctions joined by runs of degree-2 nodes.

Most nodes of an OSM street graph only bend a street (79 % of the Las Palmas walk network has
exactly two neighbours). A search needs its priority queue only at *junctions* — nodes with
other than two neighbours; along a chain of degree-2 nodes the path is forced, so costs are
carried forward by a plain loop over contiguous arrays. The costs are summed edge by edge in
path order, exactly as Dijkstra on the full graph sums them, so distances are bit-identical.

Each chain is stored twice, once from each end (a *half-chain*): the nodes met after leaving
the junction, ending at the next junction, with the weight of the directed edge entering each
node (``inf`` where a one-way street forbids that direction, which stops the walk there).
A closed ring of degree-2 nodes has one of its nodes promoted to junction.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np


class Chains(NamedTuple):
    """Half-chains of a directed CSR graph (see the module docstring).

    ``junction[v]`` marks heap nodes; half-chains leaving junction ``a`` are
    ``half_start[half_ptr[a]:half_ptr[a + 1]]`` … ``half_end[…]`` into ``seg_node`` /
    ``seg_weight``. An interior node ``v`` sits at ``interior_pos[v, k]`` in its two
    half-chains, which end at ``interior_end[v, k]``.
    """

    junction: np.ndarray
    half_ptr: np.ndarray
    half_start: np.ndarray
    half_end: np.ndarray
    seg_node: np.ndarray
    seg_weight: np.ndarray
    interior_pos: np.ndarray
    interior_end: np.ndarray


def build_chains(indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray) -> Chains:
    """Half-chains of the directed graph ``(indptr, indices, weights)`` (parallel edges merged)."""
    n = len(indptr) - 1
    tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    # neighbours regardless of direction, self-loops left out (they never shorten a path)
    u = np.concatenate([tails, indices])
    v = np.concatenate([indices, tails])
    keep = u != v
    key = np.unique(u[keep] * n + v[keep])
    und_ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(key // n, minlength=n), out=und_ptr[1:])
    return Chains(*_build_kernel(indptr, indices, weights, und_ptr, (key % n).astype(np.int64)))


@numba.njit(cache=True, nogil=True)
def _edge_weight(indptr, indices, weights, u, v):
    for j in range(indptr[u], indptr[u + 1]):
        if indices[j] == v:
            return weights[j]
    return np.inf


@numba.njit(cache=True)
def _build_kernel(indptr, indices, weights, und_ptr, und_idx):
    n = indptr.shape[0] - 1
    degree = und_ptr[1:] - und_ptr[:-1]
    junction = degree != 2
    # every undirected arc (a, b) is walked exactly once, inside one half-chain
    seg_node = np.empty(und_idx.shape[0], np.int64)
    seg_weight = np.empty(und_idx.shape[0])
    half_end = np.empty(und_idx.shape[0], np.int64)
    half_owner = np.empty(und_idx.shape[0], np.int64)
    interior_pos = np.full((n, 2), -1, np.int64)
    interior_end = np.full((n, 2), -1, np.int64)
    visited = np.zeros(n, np.bool_)
    queue = np.flatnonzero(junction).astype(np.int64)
    queue = np.concatenate((queue, np.empty(n - queue.shape[0], np.int64)))
    n_queue = int(junction.sum())
    n_half = 0
    pos = 0
    head = 0
    ring_scan = 0
    while True:
        while head < n_queue:
            a = queue[head]
            head += 1
            for jj in range(und_ptr[a], und_ptr[a + 1]):
                prev = a
                cur = und_idx[jj]
                start = pos
                while True:
                    seg_node[pos] = cur
                    seg_weight[pos] = _edge_weight(indptr, indices, weights, prev, cur)
                    pos += 1
                    if junction[cur]:
                        break
                    first = und_idx[und_ptr[cur]]
                    nxt = und_idx[und_ptr[cur] + 1] if first == prev else first
                    prev = cur
                    cur = nxt
                for p in range(start, pos - 1):
                    node = seg_node[p]
                    visited[node] = True
                    slot = 0 if interior_pos[node, 0] < 0 else 1
                    interior_pos[node, slot] = p
                    interior_end[node, slot] = pos
                half_end[n_half] = pos
                half_owner[n_half] = a
                n_half += 1
        # a ring with no junction on it: promote one of its nodes, walk it from there
        while ring_scan < n and (junction[ring_scan] or visited[ring_scan]):
            ring_scan += 1
        if ring_scan == n:
            break
        junction[ring_scan] = True
        queue[n_queue] = ring_scan
        n_queue += 1
    half_start = np.zeros(n_half, np.int64)
    if n_half > 1:
        half_start[1:] = half_end[:n_half - 1]
    # half-chains were appended junction by junction in queue order; index them by node
    order = np.argsort(half_owner[:n_half], kind="mergesort")
    half_ptr = np.zeros(n + 1, np.int64)
    for h in range(n_half):
        half_ptr[half_owner[h] + 1] += 1
    for i in range(n):
        half_ptr[i + 1] += half_ptr[i]
    return (junction, half_ptr, half_start[order], half_end[:n_half][order], seg_node[:pos],
            seg_weight[:pos], interior_pos, interior_end)
