"""Reader for the OR-Library p-median instances (Beasley 1985): ``pmedN.txt`` and ``pmedopt.txt``.

Each file starts with ``n m p``, then ``m`` lines ``i j cost`` of an undirected graph with
vertices numbered from 1. The distance matrix is the all-pairs shortest paths of that graph.
Where an edge ``i–j`` appears more than once **the last occurrence holds** (Beasley's rule);
keeping the minimum, as street-network loaders do with parallel edges, gives other instances
(pmed1 then has optimum 5,718 instead of 5,819).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

from ..errors import SitingError


@dataclass
class PMedianInstance:
    """One OR-Library instance: ``distances`` (n × n, float), ``p`` and its name."""

    name: str
    n: int
    p: int
    distances: np.ndarray


def read_pmed(path: str | Path) -> PMedianInstance:
    """Read ``pmedN.txt`` and build its shortest-path distance matrix.

    Parameters
    ----------
    path
        The instance file.

    Returns
    -------
    PMedianInstance

    Raises
    ------
    SitingError
        The header or an edge line is malformed, or a vertex is out of range.

    Examples
    --------
    >>> inst = read_pmed("orlib_pmed/pmed1.txt")        # doctest: +SKIP
    >>> inst.n, inst.p                                  # doctest: +SKIP
    (100, 5)
    """
    path = Path(path)
    tokens = path.read_text(encoding="ascii").split()
    if len(tokens) < 3:
        raise SitingError("path", str(path), "no 'n m p' header", "pass an OR-Library pmed file")
    n, m, p = (int(t) for t in tokens[:3])
    body = np.asarray(tokens[3:3 + 3 * m], dtype=np.int64)
    if len(body) != 3 * m:
        raise SitingError("path", str(path), f"the header announces {m} edges, the file holds "
                          f"{len(body) // 3}", "use an unmodified OR-Library file")
    i, j, c = body[0::3] - 1, body[1::3] - 1, body[2::3].astype(np.float64)
    if len(i) and (min(i.min(), j.min()) < 0 or max(i.max(), j.max()) >= n):
        raise SitingError("path", str(path), f"vertex numbers outside 1..{n}",
                          "use an unmodified OR-Library file")
    # Undirected: the key of an edge is its sorted pair; the last occurrence wins.
    a, b = np.minimum(i, j), np.maximum(i, j)
    key = a * n + b
    _, last_rev = np.unique(key[::-1], return_index=True)
    last = len(key) - 1 - last_rev
    a, b, c = a[last], b[last], c[last]
    loop = a == b
    a, b, c = a[~loop], b[~loop], c[~loop]
    graph = sp.csr_array((np.concatenate([c, c]), (np.concatenate([a, b]), np.concatenate([b, a]))),
                         shape=(n, n))
    dist = shortest_path(graph, method="D", directed=False)
    return PMedianInstance(path.stem, n, p, dist)


def read_optima(path: str | Path) -> dict[str, float]:
    """``pmedopt.txt`` as ``{"pmed1": 5819.0, ...}`` (header line skipped)."""
    out: dict[str, float] = {}
    for line in Path(path).read_text(encoding="ascii").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].startswith("pmed"):
            out[parts[0]] = float(parts[1])
    return out
