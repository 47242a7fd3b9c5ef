"""Facility kind ids the rule catalogues may use: those of the one facility-kind catalogue.

The catalogue is ``data/facilities/kinds.yaml`` (see :mod:`siting.facility_kinds`); a package
rule catalogue naming any other id is an error. User rules may use any snake_case id.
"""

from __future__ import annotations

import re

from ..facility_kinds import load_facility_kinds

_catalogue = load_facility_kinds()
#: id -> (Chinese name, English name), in catalogue order
FACILITY_KINDS: dict[str, tuple[str, str]] = {
    kind: (row["name_zh"], row["name_en"]) for kind, row in _catalogue.iterrows()
}

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def is_snake_case(kind: str) -> bool:
    """True for ids such as ``community_health_centre``."""
    return bool(_SNAKE.match(kind))
