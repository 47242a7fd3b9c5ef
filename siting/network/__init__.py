"""Street networks by travel mode and the fast network-distance core.

Build a network with :func:`from_pbf`, :func:`from_osm_xml`, :func:`from_graphml`,
:func:`from_lines`, :func:`from_networkx` or (online) :func:`from_place`; compute distances with
:func:`reach_matrix`, :func:`nearest_sources` and :func:`node_distances`.
"""

from .build import from_graphml, from_lines, from_networkx, from_osm_xml, from_pbf, from_place
from .graph import DEFAULT_DRIVE_SPEEDS_KMH, DEFAULT_WALK_SPEED_KMH, Network
from .paths import Reach, nearest_sources, node_distances, reach_matrix
from .snap import Snapped, snap_points

__all__ = [
    "DEFAULT_DRIVE_SPEEDS_KMH", "DEFAULT_WALK_SPEED_KMH", "Network", "Reach", "Snapped",
    "from_graphml", "from_lines", "from_networkx", "from_osm_xml", "from_pbf", "from_place",
    "nearest_sources", "node_distances", "reach_matrix", "snap_points",
]
